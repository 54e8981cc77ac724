// A scenario: the JSON file users write and share (docs/scenario-format.md), read strictly,
// migrated to the current schema_version, validated against the key table, with defaults applied
// and mapped onto the model's plain structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/estimate.h"
#include "scenarios/runner.h"

namespace flopcast::scenarios {

struct Scenario {
  int schema_version = 0;   // as written in the file (before migration)
  std::string name;
  std::string description;
  std::uint64_t seed = 0;

  // workload
  std::string preset;  // "" when the shape is given key by key
  models::TransformerShape model;
  models::TrainingSpec training;

  // hardware
  std::string device_id;                               // "" when device_profile is given
  std::optional<nlohmann::ordered_json> device_profile;  // embedded custom device profile
  int device_count = 1;

  // parallelism
  bool auto_layout = true;
  models::Layout layout;

  // costs
  std::string currency = "USD";
  std::optional<double> usd_per_gpu_hour;  // absent: rental cost not computed
  double electricity_usd_per_kwh = 0;
  double pue = 1;

  // simulation
  std::string level = "estimate";
  double goodput = 1;

  nlohmann::ordered_json document;   // migrated, validated, as written (no defaults added)
  nlohmann::ordered_json effective;  // the same with every documented default filled in
  std::vector<std::string> notes;    // migration steps applied, defaults worth saying
};

struct LoadResult {
  bool ok = false;
  Scenario scenario;
  std::vector<Diagnostic> diagnostics;  // errors when !ok
};

// Reads, migrates, validates. Never throws. `origin` names the file in messages.
LoadResult load_scenario_text(std::string_view text, const std::string& origin);
LoadResult load_scenario_file(const std::string& path);

// Validates an already-parsed document (the GUI's form); offsets unknown, so no line:column.
LoadResult load_scenario_document(const nlohmann::ordered_json& doc, const std::string& origin);

// The canonical text of a scenario document: members in key-table order, two-space indent,
// shortest round-trip numbers, trailing newline. save -> open -> save is byte-identical.
std::string save_scenario_text(const nlohmann::ordered_json& document);
// Writes save_scenario_text(document) atomically. Returns "" or a one-line error.
std::string save_scenario_file(const std::string& path, const nlohmann::ordered_json& document);

// The model input for this scenario (device spec supplied by the caller from hwprofiles).
models::EstimateInput to_estimate_input(const Scenario& s, const models::DeviceSpec& device);

}  // namespace flopcast::scenarios
