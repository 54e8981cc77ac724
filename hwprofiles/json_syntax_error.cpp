#include "hwprofiles/json_syntax_error.h"

namespace flopcast::hwprofiles {

void line_column(std::string_view text, std::size_t offset, int& line, int& column) {
  line = 1;
  column = 1;
  if (offset > text.size()) offset = text.size();
  for (std::size_t i = 0; i < offset; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
}

std::string strip_json_exception_prefix(std::string_view what) {
  // "[json.exception.parse_error.101] parse error at line 2, column 1: syntax error while parsing
  // object key - unexpected end of input; expected string literal" -> the part after the first
  // ": " (nlohmann's own position counts bytes, and ours counts characters).
  if (what.rfind("[json.exception.", 0) == 0) {
    const std::size_t colon = what.find(": ");
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return std::string(what);
}

JsonSyntaxError describe_parse_error(std::string_view text, const nlohmann::json::parse_error& e) {
  JsonSyntaxError out;
  line_column(text, e.byte > 0 ? e.byte - 1 : 0, out.line, out.column);
  out.message = "invalid JSON: " + strip_json_exception_prefix(e.what());
  return out;
}

}  // namespace flopcast::hwprofiles
