// Strict JSON reading for every file flopcast accepts from people: scenario files (and, through
// the same door, anything else scenarios/ reads).
//
// Built on nlohmann::json::sax_parse with our own SAX handler, so that we can reject what the
// default parser silently accepts or reports vaguely:
//   duplicate keys (the default parser keeps the last one), nesting deeper than 64,
//   NaN/Infinity literals ("non-finite"), numbers a double cannot hold (1e400: nlohmann reports
//   "number overflow", error 406), invalid UTF-8 (checked over the whole text first),
// and we remember the byte offset of every value so later checks can print line:column.
// Nothing here throws: every failure is one Diagnostic naming the JSON pointer.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hwprofiles/json_syntax_error.h"
#include "scenarios/runner.h"

namespace flopcast::scenarios {

inline constexpr int kMaxJsonDepth = 64;

struct StrictParse {
  bool ok = false;
  nlohmann::ordered_json doc;
  std::map<std::string, std::size_t> offsets;  // JSON pointer -> byte offset near its value
  Diagnostic error;                            // set when !ok
};

StrictParse parse_strict(std::string_view text, const std::string& origin);

// 1-based line and column (in code points) of a byte offset.
using hwprofiles::line_column;

// Offset of the first byte that is not well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view text);

// "/a/b" + "c~/" -> "/a/b/c~0~1" (RFC 6901 escaping).
std::string pointer_append(const std::string& parent, std::string_view token);

}  // namespace flopcast::scenarios
