#include "cli/output.h"

#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace flopcast::cli {
namespace {

bool locale_is_utf8() {
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(var);
    if (v && *v) {
      std::string s(v);
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      return s.find("utf-8") != std::string::npos || s.find("utf8") != std::string::npos;
    }
  }
  return false;
}

// Display width of a UTF-8 string: count code points, not bytes.
size_t width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

namespace {
int g_exit_code = 0;
}
}  // namespace flopcast::cli

#include "cli/commands.h"

namespace flopcast::cli {

void set_exit_code(int code) { g_exit_code = code; }
int command_exit_code() { return g_exit_code; }

bool fancy_output() {
  static const bool fancy = [] {
    if (!isatty(STDOUT_FILENO)) return false;
    const char* term = std::getenv("TERM");
    if (term && std::string_view(term) == "dumb") return false;
    if (std::getenv("NO_COLOR")) return false;
    return locale_is_utf8();
  }();
  return fancy;
}

std::string Table::render(bool unicode) const {
  const size_t ncol = header_.size();
  std::vector<size_t> w(ncol, 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < ncol && i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  const std::string vbar = unicode ? "\u2502" : "|";
  const std::string hbar = unicode ? "\u2500" : "-";
  const std::string cross = unicode ? "\u253c" : "+";
  auto line = [&](const std::vector<std::string>& r) {
    std::string out;
    for (size_t i = 0; i < ncol; ++i) {
      const std::string cell = i < r.size() ? r[i] : "";
      const size_t pad = w[i] - width(cell);
      const bool right = std::find(right_.begin(), right_.end(), int(i)) != right_.end();
      if (i) out += " " + vbar + " ";
      if (right) out += std::string(pad, ' ') + cell;
      else out += cell + (i + 1 < ncol ? std::string(pad, ' ') : "");
    }
    return out + "\n";
  };
  std::string out = line(header_);
  for (size_t i = 0; i < ncol; ++i) {
    if (i) out += hbar + cross + hbar;
    for (size_t k = 0; k < w[i]; ++k) out += hbar;
  }
  out += "\n";
  for (const auto& r : rows_) out += line(r);
  return out;
}

ProgressBar::ProgressBar(bool quiet) : enabled_(!quiet && isatty(STDERR_FILENO)) {}

void ProgressBar::update(double fraction, std::string_view what) {
  if (!enabled_) return;
  const int pct = static_cast<int>(std::lround(std::fmax(0.0, std::fmin(1.0, fraction)) * 100));
  if (pct == last_percent_) return;
  last_percent_ = pct;
  constexpr int kWidth = 30;
  const int filled = pct * kWidth / 100;
  std::string line = "\r[";
  for (int i = 0; i < kWidth; ++i) line += i < filled ? "#" : ".";
  line += "] " + std::to_string(pct) + "% " + std::string(what);
  const size_t width = line.size();
  if (width < last_width_) line += std::string(last_width_ - width, ' ');
  last_width_ = std::max(last_width_, width);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressBar::clear() {
  if (!enabled_ || last_percent_ < 0) return;
  std::fputs(("\r" + std::string(last_width_, ' ') + "\r").c_str(), stderr);
  std::fflush(stderr);
  last_percent_ = -1;
}

std::string format_number(double v, int significant) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  const double a = std::fabs(v);
  if (a < 5e-7) return "0";  // below the last of the 6 decimals printed: rounding noise reads as 0
  int decimals = 0;
  if (a > 0) decimals = std::max(0, significant - 1 - int(std::floor(std::log10(a))));
  decimals = std::min(decimals, 6);
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  // Thousands separators in the integer part.
  std::string s(buf);
  size_t dot = s.find('.');
  if (dot == std::string::npos) dot = s.size();
  const size_t start = (s[0] == '-') ? 1 : 0;
  for (long i = long(dot) - 3; i > long(start); i -= 3) s.insert(size_t(i), ",");
  return s;
}

std::string format_si(double v, const std::string& unit) {
  if (!std::isfinite(v)) return "n/a";
  static const char* prefixes[] = {"", "k", "M", "G", "T", "P", "E", "Z"};
  int k = 0;
  double a = v;
  while (std::fabs(a) >= 1000 && k < 7) {
    a /= 1000;
    ++k;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s%s", a, prefixes[k], unit.c_str());
  return buf;
}

std::string format_duration_s(double s) {
  if (!std::isfinite(s)) return "n/a";
  if (std::fabs(s) < 1e-9) s = 0;  // below the simulator's 1 ns tick: rounding noise
  char buf[64];
  if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  else if (s < 1) std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  else if (s < 120) std::snprintf(buf, sizeof buf, "%.3g s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.3g min", s / 60);
  else if (s < 3 * 86400) std::snprintf(buf, sizeof buf, "%.3g h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.3g days", s / 86400);
  return buf;
}

}  // namespace flopcast::cli
