// Where a JSON text is broken, in the terms a person fixes it with: line and column, and what the
// parser expected there. Every JSON file flopcast reads (scenarios, run records, device and node
// profiles, Hugging Face configs) reports a syntax error through here, as
// "FILE:LINE:COLUMN: invalid JSON: syntax error while parsing ... ; expected ...".
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace flopcast::hwprofiles {

// 1-based line and column (in code points, so a multi-byte character is one column) of the byte
// at `offset` of `text`; an offset past the end is the end.
void line_column(std::string_view text, std::size_t offset, int& line, int& column);

struct JsonSyntaxError {
  int line = 1;
  int column = 1;
  std::string message;  // "invalid JSON: <what the parser met and expected>"
};

// nlohmann's parse_error for `text`, located by its byte (1-based, the byte it stopped at) and
// without its "[json.exception.parse_error.N] parse error at line L, column C: " prefix.
JsonSyntaxError describe_parse_error(std::string_view text, const nlohmann::json::parse_error& e);

// The same prefix removed from any nlohmann exception text.
std::string strip_json_exception_prefix(std::string_view what);

}  // namespace flopcast::hwprofiles
