// The atomic writer and the canonical scenario serializer (save -> open -> save is byte-identical).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "helpers.h"
#include "scenarios/atomic_file.h"
#include "scenarios/key_table.h"
#include "scenarios/scenario.h"

using namespace flopcast::scenarios;
namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {
fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("flopcast-test-scn-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  return d;
}
std::size_t entries(const fs::path& d) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d)) ++n;
  return n;
}
}  // namespace

TEST_CASE("write_file_atomic creates directories, replaces files and leaves no temporaries", "[writer]") {
  const fs::path d = fresh_dir("write");
  const fs::path f = d / "a" / "b" / "out.json";
  CHECK(write_file_atomic(f.string(), "first\n").empty());
  CHECK(test::slurp(f.string()) == "first\n");
  std::string big(1 << 20, 'x');
  CHECK(write_file_atomic(f.string(), big).empty());
  CHECK(test::slurp(f.string()) == big);
  CHECK(entries(f.parent_path()) == 1);  // no temporary left behind
  std::string back;
  CHECK(read_file(f.string(), back).empty());
  CHECK(back == big);
  fs::remove_all(d);
}

TEST_CASE("a failed write leaves the target as it was", "[writer]") {
  const fs::path d = fresh_dir("fail");
  fs::create_directories(d);
  // The parent is a file: nothing can be written, and the error names the path.
  const fs::path blocker = d / "file";
  REQUIRE(write_file_atomic(blocker.string(), "keep\n").empty());
  const std::string err = write_file_atomic((blocker / "child.json").string(), "x");
  CHECK_FALSE(err.empty());
  CHECK(test::slurp(blocker.string()) == "keep\n");
  // The target is a directory.
  fs::create_directories(d / "dir");
  CHECK_FALSE(write_file_atomic((d / "dir").string(), "x").empty());
  CHECK(fs::is_directory(d / "dir"));
  CHECK(entries(d) == 2);
  std::string out;
  CHECK_FALSE(read_file((d / "missing.json").string(), out).empty());
  fs::remove_all(d);
}

TEST_CASE("save -> open -> save is byte-identical", "[writer][canonical]") {
  for (const char* rel : {"scenarios/examples/default.json", "scenarios/examples/llama3-70b-h100.json",
                          "scenarios/examples/buy-vs-rent.json", "tests/scenarios/data/custom-shape.json"}) {
    INFO(rel);
    const LoadResult first = load_scenario_file(test::source_path(rel));
    REQUIRE(first.ok);
    const std::string saved = save_scenario_text(first.scenario.document);
    const LoadResult second = load_scenario_text(saved, "saved.json");
    REQUIRE(second.ok);
    CHECK(save_scenario_text(second.scenario.document) == saved);
    CHECK(second.scenario.document == first.scenario.document);
  }
}

TEST_CASE("the examples are stored in canonical form", "[writer][canonical]") {
  for (const char* rel : {"scenarios/examples/default.json", "scenarios/examples/llama3-70b-h100.json",
                          "scenarios/examples/buy-vs-rent.json"}) {
    INFO(rel);
    const std::string text = test::slurp(test::source_path(rel));
    const LoadResult r = load_scenario_text(text, rel);
    REQUIRE(r.ok);
    CHECK(save_scenario_text(r.scenario.document) == text);
  }
}

TEST_CASE("the canonical form orders keys as the key table, whatever the input order", "[writer][canonical]") {
  const auto doc = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/default.json")));
  ordered_json reversed = ordered_json::object();
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) reversed[*it] = doc[*it];
  REQUIRE(reversed.begin().key() != "schema_version");
  const LoadResult r = load_scenario_document(reversed, "reversed");
  REQUIRE(r.ok);
  const std::string text = save_scenario_text(r.scenario.document);
  CHECK(text == save_scenario_text(doc));
  CHECK(text.rfind("{\n  \"schema_version\": " + std::to_string(kSchemaVersion) + ",", 0) == 0);
}

TEST_CASE("save_scenario_file writes the canonical text atomically", "[writer]") {
  const fs::path d = fresh_dir("save");
  const LoadResult r = load_scenario_file(test::source_path("scenarios/examples/default.json"));
  REQUIRE(r.ok);
  const fs::path f = d / "saved" / "default.json";
  CHECK(save_scenario_file(f.string(), r.scenario.document).empty());
  CHECK(test::slurp(f.string()) == save_scenario_text(r.scenario.document));
  const LoadResult back = load_scenario_file(f.string());
  REQUIRE(back.ok);
  CHECK(back.scenario.document == r.scenario.document);
  fs::remove_all(d);
}
