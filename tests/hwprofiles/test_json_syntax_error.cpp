#include <catch2/catch.hpp>
#include <string>

#include "hwprofiles/catalog.h"
#include "hwprofiles/json_syntax_error.h"
#include "hwprofiles/profile_loader.h"

using namespace flopcast::hwprofiles;

namespace {

JsonSyntaxError syntax_error_of(const std::string& text) {
  try {
    const nlohmann::json parsed = nlohmann::json::parse(text);
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    return describe_parse_error(text, e);
  }
  FAIL("expected a parse error for: " << text);
  return {};
}

}  // namespace

TEST_CASE("JSON syntax errors: line and column of the byte the parser stopped at", "[json]") {
  // A missing value after "name": the parser stops at the comma on line 3, column 11.
  const JsonSyntaxError e = syntax_error_of("{\n  \"id\": \"x\",\n  \"name\": ,\n}");
  CHECK(e.line == 3);
  CHECK(e.column == 11);
  CHECK(e.message ==
        "invalid JSON: syntax error while parsing value - unexpected ','; expected '[', '{', or a "
        "literal");
  // Truncated text: the end of input, on the line after the last newline.
  const JsonSyntaxError end = syntax_error_of("{\"model_type\": \"llama\",\n");
  CHECK(end.line == 2);
  CHECK(end.column == 1);
  CHECK(end.message.find("unexpected end of input; expected string literal") != std::string::npos);
  // Columns count characters, not bytes: "é" is one column.
  const JsonSyntaxError utf8 = syntax_error_of("{\"é\": x}");
  CHECK(utf8.line == 1);
  CHECK(utf8.column == 7);
}

TEST_CASE("JSON syntax errors: nlohmann's own prefix and byte-based position are dropped",
          "[json]") {
  CHECK(strip_json_exception_prefix(
            "[json.exception.parse_error.101] parse error at line 2, column 1: syntax error while "
            "parsing object key - unexpected end of input; expected string literal") ==
        "syntax error while parsing object key - unexpected end of input; expected string literal");
  // Text that is not an nlohmann exception is kept whole, colons and all.
  CHECK(strip_json_exception_prefix("cannot read: x.json") == "cannot read: x.json");
  const JsonSyntaxError e = syntax_error_of("[1, 2");
  CHECK(e.message.find("[json.exception") == std::string::npos);
  CHECK(e.message.find("parse error at line") == std::string::npos);
}

TEST_CASE("JSON syntax errors read the same in the catalog and in device profiles", "[json]") {
  const std::string text = "{\"devices\": [\n {\"id\": \"x\", ]}";
  const CatalogResult catalog = make_catalog(text, "hw.json");
  REQUIRE(catalog.errors.size() == 1);
  CHECK(catalog.errors[0].to_string() ==
        "hw.json:2:14: invalid JSON: syntax error while parsing object key - unexpected ']'; "
        "expected string literal");
  const ProfileResult profile = parse_device_profile_text(text, "hw.json");
  REQUIRE(profile.errors.size() == 1);
  CHECK(profile.errors[0].to_string() == catalog.errors[0].to_string());
}
