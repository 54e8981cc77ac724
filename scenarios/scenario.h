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
#include "models/zoo_estimate.h"
#include "scenarios/runner.h"

namespace flopcast::scenarios {

// A workload that names a preset of scenarios/data/model_library.json (encoder, encoder-decoder,
// ViT, CNN, Transformer-XL): estimated by models/zoo_estimate (data parallelism only), not by the
// decoder model. Built by apply_workload from the preset, the shape overrides and the input keys.
struct ZooWorkload {
  std::string library_name;                    // the preset
  models::ModelKind kind = models::ModelKind::cnn;
  models::LayerList layers;                    // for the scenario's input and phase
  int seq_len = 0;                             // text: tokens per sample (encoder, decoder-style)
  int seq_len_enc = 0, seq_len_dec = 0;        // encoder-decoder
  int image_size = 0, channels = 0;            // vit, cnn
  double tokens_per_sample = 1;                // layers.tokens_per_sample (1 for images)
  double packed_tokens_per_sample = 0;         // encoders: mean real tokens when padding is dropped
  double training_samples = 0;                 // over the whole run
  double global_batch_samples = 0;             // per optimizer step, all replicas
  std::string batch_pointer = "/workload/global_batch_samples";  // where the user gave the batch
  int micro_batch_size = 0;  // /parallelism/micro_batch_size when given; 0: chosen to fit memory
  int tensor_parallel = 1;   // /parallelism/tp of an explicit layout (transformer presets only)
};

struct Scenario {
  int schema_version = 0;   // as written in the file (before migration)
  std::string name;
  std::string description;
  std::uint64_t seed = 0;

  // workload
  std::string preset;  // "" when the shape is given key by key
  models::TransformerShape model;
  models::TrainingSpec training;
  bool recompute_auto = false;  // activation_recompute "auto": searched with the layout
  std::optional<ZooWorkload> zoo;  // set for model-library presets (non-decoder kinds)

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
  std::optional<double> goodput;  // absent: "auto" (scenario_goodput)

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

// The goodput of a whole run of `params` parameters on `device_count` devices: the scenario's
// /simulation/goodput, or for "auto" the fitted g0 (models/efficiency.h) × the interruption
// goodput of that many devices (models/goodput.h) — what `flopcast predict` applies to published runs
// (model-library presets: the interruption goodput alone, as their predictor).
double scenario_goodput(const Scenario& s, int device_count, double params);
// The decoder's total parameters as the goodput counts them (0 when the shape is incomplete).
double decoder_params(const Scenario& s);
// Its parts: g0 and the interruption goodput ("auto"), or the scenario's value and 1.
struct GoodputParts {
  bool automatic = true;
  double g0 = 1;             // "auto": efficiency.h's fitted g0; else the scenario's value
  double interruptions = 1;  // "auto": models/goodput.h's failure_goodput; else 1
};
GoodputParts scenario_goodput_parts(const Scenario& s, int device_count, double params);
// One line saying where that goodput came from.
std::string goodput_note(const Scenario& s, int device_count, double params);

// The model input for this scenario (device spec supplied by the caller from hwprofiles).
models::EstimateInput to_estimate_input(const Scenario& s, const models::DeviceSpec& device);

}  // namespace flopcast::scenarios
