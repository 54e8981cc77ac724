// The published-run records of tests/data/groundtruth, read once per file, for the tests of the
// decoder and zoo predictors (tests/models, tests/scenarios).
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "scenarios/groundtruth.h"

namespace flopcast::test {

// The JSON array of records in tests/data/groundtruth/FILE (e.g. "public.json").
inline const nlohmann::json& groundtruth_records(const std::string& file) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    nlohmann::json j;
    const auto err = scenarios::read_json_file(
        std::string(FLOPCAST_SOURCE_DIR) + "/tests/data/groundtruth/" + file, j);
    REQUIRE(err.empty());
    REQUIRE(j.is_array());
    it = cache.emplace(file, std::move(j)).first;
  }
  return it->second;
}

// The record of that file with this id (the test fails when there is none).
inline nlohmann::json groundtruth_record(const std::string& file, const std::string& id) {
  for (const auto& r : groundtruth_records(file))
    if (r["id"] == id) return r;
  FAIL("no record " << id << " in " << file);
  return {};
}

// The first record of that file for which pred(record) holds (the test fails when there is none).
template <class Pred>
nlohmann::json first_groundtruth_record(const std::string& file, Pred pred) {
  for (const auto& r : groundtruth_records(file))
    if (pred(r)) return r;
  FAIL("no record in " << file << " has what the test needs");
  return {};
}

}  // namespace flopcast::test
