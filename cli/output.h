// Output for people and for machines: tables (Unicode box drawing only on a UTF-8 terminal,
// plain ASCII otherwise), number formatting, and the exit-code convention
// (0 ok, 1 failure while running, 2 bad input).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace flopcast::cli {

enum class Format { table, json };

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

// True when stdout is a terminal and the locale is UTF-8 (and NO_COLOR/TERM=dumb are not set).
bool fancy_output();

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns whose index is in right_aligned are right-aligned (numbers).
  void right_align(int column) { right_.push_back(column); }
  std::string render(bool unicode) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> right_;
};

// A one-line progress bar on stderr for long work: drawn only when stderr is a terminal and the
// user did not ask for quiet; erased by clear() (or on destruction) so stdout stays clean.
class ProgressBar {
 public:
  explicit ProgressBar(bool quiet);
  ~ProgressBar() { clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void update(double fraction, std::string_view what);
  void clear();

 private:
  bool enabled_;
  int last_percent_ = -1;
  size_t last_width_ = 0;
};

// Human formatting: 3 significant figures with thousands separators, SI prefixes for FLOP/s.
std::string format_number(double value, int significant = 3);
std::string format_si(double value, const std::string& unit);  // 1.2e15, "FLOP/s" -> "1.20 PFLOP/s"
std::string format_duration_s(double seconds);                  // "3.2 h", "12.5 d"

}  // namespace flopcast::cli
