// The only way cli/ and gui/ write files: atomically (a temporary file in the same directory,
// written in full, fsync'ed, then renamed over the target, and the directory fsync'ed), so a
// reader never sees a partial file and a failed write leaves the old file untouched.
#pragma once

#include <string>
#include <string_view>

namespace flopcast::scenarios {

// Creates missing parent directories. Returns "" on success or a one-line error naming the path.
std::string write_file_atomic(const std::string& path, std::string_view bytes);

// Reads a whole file. Returns "" on success or a one-line error naming the path.
std::string read_file(const std::string& path, std::string& out);

}  // namespace flopcast::scenarios
