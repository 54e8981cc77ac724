#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "scenarios/strict_json.h"

using namespace flopcast::scenarios;

TEST_CASE("strict parser accepts plain JSON and records positions", "[strict]") {
  const std::string text = "{\n  \"a\": 1,\n  \"b\": {\"c\": [true, null, \"x\"]}\n}\n";
  const auto p = parse_strict(text, "t.json");
  REQUIRE(p.ok);
  CHECK(p.doc["b"]["c"][2] == "x");
  REQUIRE(p.offsets.count("/b/c/1"));
  int line = 0, col = 0;
  line_column(text, p.offsets.at("/a"), line, col);
  CHECK(line == 2);
}

TEST_CASE("strict parser rejects duplicate keys with their pointer", "[strict]") {
  const auto p = parse_strict("{\"a\": {\"b\": 1, \"b\": 2}}", "t.json");
  REQUIRE_FALSE(p.ok);
  CHECK(p.error.pointer == "/a/b");
  CHECK(p.error.message.find("duplicate key") != std::string::npos);
  // The same key in different objects is fine.
  CHECK(parse_strict("{\"a\": {\"b\": 1}, \"c\": {\"b\": 2}}", "t.json").ok);
}

TEST_CASE("strict parser limits nesting to 64 levels", "[strict]") {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_strict(nested(64), "t.json").ok);
  const auto p = parse_strict(nested(65), "t.json");
  REQUIRE_FALSE(p.ok);
  CHECK(p.error.message.find("nesting deeper than 64") != std::string::npos);
  std::string expected;
  for (int i = 0; i < 64; ++i) expected += "/0";
  CHECK(p.error.pointer == expected);
}

TEST_CASE("strict parser names overflowing and non-finite numbers", "[strict]") {
  auto p = parse_strict("{\"x\": {\"y\": 1e400}}", "t.json");
  REQUIRE_FALSE(p.ok);
  CHECK(p.error.pointer == "/x/y");
  CHECK(p.error.message.find("overflows") != std::string::npos);
  for (const char* lit : {"NaN", "Infinity", "-Infinity", "nan", "inf"}) {
    p = parse_strict(std::string("{\"v\": [1, ") + lit + "]}", "t.json");
    INFO(lit);
    REQUIRE_FALSE(p.ok);
    CHECK(p.error.pointer == "/v/1");
    CHECK(p.error.message.find("non-finite") != std::string::npos);
  }
  // Underflow is not an error: it is a finite 0.
  p = parse_strict("{\"x\": 1e-400}", "t.json");
  REQUIRE(p.ok);
  CHECK(p.doc["x"].get<double>() == 0.0);
}

TEST_CASE("UTF-8 validation follows RFC 3629", "[strict]") {
  CHECK(first_invalid_utf8("plain ascii") == std::string_view::npos);
  CHECK(first_invalid_utf8("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80") == std::string_view::npos);
  CHECK(first_invalid_utf8("a\xff") == 1);
  CHECK(first_invalid_utf8("ab\xc0\xaf") == 2);          // overlong '/'
  CHECK(first_invalid_utf8("\xed\xa0\x80") == 0);        // UTF-16 surrogate
  CHECK(first_invalid_utf8("xyz\xe2\x82") == 3);         // truncated
  CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0);    // above U+10FFFF
  const auto p = parse_strict("{\"k\": \"a\xffz\"}", "t.json");
  REQUIRE_FALSE(p.ok);
  CHECK(p.error.pointer == "/k");
  CHECK(p.error.message.find("invalid UTF-8") != std::string::npos);
}

TEST_CASE("strict parser reports syntax errors with line and column, never throws", "[strict]") {
  const auto p = parse_strict("{\n  \"a\": 1,\n  \"b\": tru\n}", "t.json");
  REQUIRE_FALSE(p.ok);
  CHECK(p.error.line == 3);
  CHECK(p.error.pointer == "/b");
  CHECK_FALSE(parse_strict("", "t.json").ok);
  CHECK_FALSE(parse_strict("{} {}", "t.json").ok);
  // Deterministic garbage: truncations and byte flips of a valid document never throw.
  const std::string good = "{\"a\": [1, 2.5, \"s\\u00e9\", {\"b\": null}], \"c\": -3e2}";
  std::uint64_t state = 12345;
  for (int i = 0; i < 2000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string t = good;
    const std::size_t at = (state >> 33) % t.size();
    if (i % 2) t.resize(at);
    else t[at] = static_cast<char>(state >> 56);
    StrictParse r;
    REQUIRE_NOTHROW(r = parse_strict(t, "fuzz.json"));
    if (!r.ok) CHECK_FALSE(r.error.message.empty());
  }
}
