#include "scenarios/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace flopcast::scenarios {

namespace fs = std::filesystem;

namespace {
std::string errno_text(int e) { return std::strerror(e); }
}  // namespace

std::string write_file_atomic(const std::string& path, std::string_view bytes) {
  if (path.empty()) return "cannot write: empty file name";
  const fs::path target(path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create directory " + dir.string() + ": " + ec.message();
  if (fs::is_directory(target, ec)) return "cannot write " + path + ": is a directory";

  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return "cannot write " + path + ": " + errno_text(errno);
  const std::string tmp(name.data());
  auto fail = [&](const std::string& what, int e) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return "cannot write " + path + ": " + what + ": " + errno_text(e);
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  // Readable like a file written with the user's umask (mkstemp creates 0600).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::fsync(fd) != 0) return fail("fsync", errno);
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return "cannot write " + path + ": close: " + errno_text(e);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return "cannot write " + path + ": rename: " + errno_text(e);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return "";
}

std::string read_file(const std::string& path, std::string& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return "cannot read: is a directory";
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot read: ") + errno_text(errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return "cannot read: I/O error";
  out = ss.str();
  return "";
}

}  // namespace flopcast::scenarios
