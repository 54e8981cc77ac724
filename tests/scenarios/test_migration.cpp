#include <catch2/catch.hpp>

#include "helpers.h"
#include "scenarios/migrate.h"
#include "scenarios/scenario.h"

using namespace flopcast::scenarios;
using nlohmann::ordered_json;

TEST_CASE("the migration steps chain every version up to the current one", "[migrate]") {
  int v = 0;
  for (const auto& step : migration_steps()) {
    CHECK(step.from == v);
    CHECK(step.to == v + 1);
    CHECK(step.apply != nullptr);
    v = step.to;
  }
  CHECK(v == kSchemaVersion);
}

TEST_CASE("a version-0 file migrates to the current format", "[migrate]") {
  const LoadResult r = load_scenario_file(test::source_path("tests/scenarios/data/v0-flat.json"));
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
  REQUIRE(r.ok);
  CHECK(r.scenario.schema_version == 0);
  // Equal to its version-1 twin migrated to the current version.
  const LoadResult twin_doc = load_scenario_file(test::source_path("tests/scenarios/data/v0-flat.migrated.json"));
  REQUIRE(twin_doc.ok);
  CHECK(save_scenario_text(r.scenario.document) == save_scenario_text(twin_doc.scenario.document));
  CHECK(r.scenario.document["schema_version"] == kSchemaVersion);
  REQUIRE_FALSE(r.scenario.notes.empty());
  CHECK(r.scenario.notes[0].find("migrated") != std::string::npos);
  CHECK(r.scenario.device_count == 8);
  CHECK(r.scenario.seed == 3);
  // The runner says where the file came from.
  const RunResult run = test::run_file("tests/scenarios/data/v0-flat.json");
  REQUIRE(run.ok);
  CHECK(run.result["provenance"]["migrated_from_schema_version"] == 0);
  CHECK(run.result["provenance"]["schema_version"] == kSchemaVersion);
  // A migrated file and its current-version twin are the same input.
  const RunResult twin = test::run_file("tests/scenarios/data/v0-flat.migrated.json");
  REQUIRE(twin.ok);
  CHECK(twin.result["provenance"]["input_sha256"] == run.result["provenance"]["input_sha256"]);
  if (kSchemaVersion == 1) CHECK(twin.result["provenance"]["migrated_from_schema_version"].is_null());
  else CHECK(twin.result["provenance"]["migrated_from_schema_version"] == 1);
  CHECK(twin.result["metrics"] == run.result["metrics"]);
}

TEST_CASE("a current-version file is not rewritten by migration", "[migrate]") {
  auto doc = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/default.json")));
  const auto before = doc;
  const MigrationOutcome m = migrate_to_current(doc);
  REQUIRE(m.ok);
  CHECK(m.applied.empty());
  CHECK(doc == before);
}

TEST_CASE("migration errors name the pointer", "[migrate]") {
  LoadResult r = load_scenario_file(test::source_path("tests/scenarios/data/v0-conflict.json"));
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/gpus");
  r = load_scenario_text("{\"schema_version\": 3, \"workload\": {}}", "new.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/schema_version");
  CHECK(r.diagnostics[0].message.find("newer") != std::string::npos);
  r = load_scenario_text("{\"schema_version\": \"1\"}", "s.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/schema_version");
  // A version-0 key the migration does not know stays and is reported as unknown.
  auto v0 = ordered_json::parse(test::slurp(test::source_path("tests/scenarios/data/v0-flat.json")));
  v0["gpu_count"] = 8;
  r = load_scenario_document(v0, "v0.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/gpu_count");
}

TEST_CASE("other Flopcast files given as a scenario name the command that reads them",
          "[migrate]") {
  // The seeds' comparison lives in scenarios/examples beside the scenarios.
  LoadResult r = load_scenario_file(test::source_path("scenarios/examples/bert-large-seed.json"));
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].message.find("flopcast models seeds") != std::string::npos);
  // Ground-truth records: an array of records, or an object holding them.
  r = load_scenario_file(test::source_path("tests/data/groundtruth/public.json"));
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].message.find("flopcast predict") != std::string::npos);
  r = load_scenario_text(R"({"records": [{"model": {}, "training": {}, "system": {}}]})", "r.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].message.find("flopcast predict") != std::string::npos);
  // Anything else still gets the plain message.
  r = load_scenario_text(R"({"workload": {}})", "w.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].message.find("missing required key") != std::string::npos);
}
