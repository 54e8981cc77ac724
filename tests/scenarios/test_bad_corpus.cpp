// The validator on tests/data/bad/: every error class, at least two files each, every message
// naming the expected JSON pointer (tests/data/bad/EXPECTED.txt).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "helpers.h"
#include "scenarios/scenario.h"

using namespace flopcast::scenarios;

namespace {
std::map<std::string, std::string> expected_pointers() {
  std::map<std::string, std::string> out;
  std::ifstream in(test::source_path("tests/data/bad/EXPECTED.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string file, pointer;
    ls >> file >> pointer;
    out[file] = pointer;
  }
  return out;
}
}  // namespace

TEST_CASE("the bad-input corpus covers every error class at least twice", "[bad]") {
  const auto expected = expected_pointers();
  std::map<std::string, int> per_class;
  for (const auto& [file, pointer] : expected) per_class[file.substr(0, file.rfind('-'))]++;
  for (const char* cls : {"unknown-key", "wrong-type", "missing-required", "duplicate-key", "out-of-range",
                          "non-finite", "overflow", "too-deep", "invalid-utf8"}) {
    INFO(cls);
    CHECK(per_class[cls] >= 2);
  }
  // Every file of the folder is listed.
  std::set<std::string> on_disk;
  for (const auto& e : std::filesystem::directory_iterator(test::source_path("tests/data/bad")))
    if (e.path().extension() == ".json") on_disk.insert(e.path().filename().string());
  std::set<std::string> listed;
  for (const auto& [file, pointer] : expected) listed.insert(file);
  CHECK(on_disk == listed);
}

TEST_CASE("each bad file is one clear error naming the file and the JSON pointer", "[bad]") {
  for (const auto& [file, pointer] : expected_pointers()) {
    const std::string rel = "tests/data/bad/" + file;
    INFO(rel);
    const LoadResult r = load_scenario_file(test::source_path(rel));
    REQUIRE_FALSE(r.ok);
    REQUIRE_FALSE(r.diagnostics.empty());
    const Diagnostic& d = r.diagnostics.front();
    CHECK(d.pointer == pointer);
    const std::string line = d.to_string();
    INFO(line);
    CHECK(line.find(file) != std::string::npos);
    CHECK(line.find(pointer) != std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find("expected") != std::string::npos);
    CHECK(d.line > 0);
    // Through the runner too: bad input, exit code 2.
    const RunResult rr = test::run_file(rel);
    CHECK_FALSE(rr.ok);
    CHECK(rr.exit_code == 2);
    REQUIRE_FALSE(rr.diagnostics.empty());
    CHECK(rr.diagnostics.front().pointer == pointer);
  }
}

TEST_CASE("the error class shows in the message", "[bad]") {
  const std::map<std::string, std::string> words = {
      {"unknown-key", "unknown key"}, {"wrong-type", "expected"}, {"missing-required", "missing"},
      {"duplicate-key", "duplicate key"}, {"out-of-range", "expected"}, {"non-finite", "non-finite"},
      {"overflow", "overflows"}, {"too-deep", "nesting deeper than 64"}, {"invalid-utf8", "invalid UTF-8"}};
  for (const auto& [file, pointer] : expected_pointers()) {
    const std::string cls = file.substr(0, file.rfind('-'));
    INFO(file);
    const LoadResult r = load_scenario_file(test::source_path("tests/data/bad/" + file));
    REQUIRE_FALSE(r.diagnostics.empty());
    CHECK(r.diagnostics.front().message.find(words.at(cls)) != std::string::npos);
  }
}
