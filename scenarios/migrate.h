// Scenario schema versions and the migration step table.
//
// A file carries `schema_version`. On load, every step from that version up to kSchemaVersion is
// applied in order, each a pure rewrite of the JSON document (renames, moves, new defaults made
// explicit where the meaning changed). A step never drops a key silently: a key it does not know
// stays where it is and the validator then names it. Files newer than this build are refused.
//
// Versions:
//   0  the skeleton's draft format: a flat object (model, seq_len, tokens, batch_tokens,
//      precision, gpu, gpus, price_per_gpu_hour, seed).
//   1  the sectioned format of docs/scenario-format.md (workload / hardware / parallelism /
//      costs / simulation).
//   2  the costs section grows the buy-vs-rent inputs (keys_costs.cpp); version-1 keys unchanged.
// To add version N+1: bump kSchemaVersion (key_table.h), append a step {N, N+1, ...} below, add
// its keys in keys_<section>.cpp and a test that migrates a version-N file.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/key_table.h"

namespace flopcast::scenarios {

struct MigrationStep {
  int from = 0;
  int to = 0;
  const char* summary = "";
  // Rewrites `doc` in place; appends an Issue-style message ("POINTER: what") on failure.
  bool (*apply)(nlohmann::ordered_json& doc, std::string& error_pointer, std::string& error) = nullptr;
};

const std::vector<MigrationStep>& migration_steps();

struct MigrationOutcome {
  bool ok = false;
  int from_version = 0;
  std::vector<std::string> applied;  // summaries of the steps applied
  std::string error_pointer;
  std::string error;
};

// Checks /schema_version (present, integer, 0..kSchemaVersion) and migrates `doc` to the current
// version (setting /schema_version to kSchemaVersion).
MigrationOutcome migrate_to_current(nlohmann::ordered_json& doc);

}  // namespace flopcast::scenarios
