// Reads the numbers the window shows out of the runner's result JSON (the same document
// `flopcast estimate --format json` prints). Reading only: nothing here computes; a value the
// result does not carry stays empty and the window says so.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gui/charts/sweep_chart.h"

namespace flopcast::gui {

struct Kpis {
  double wall_time_h = 0;
  double gpu_hours = 0;
  std::optional<double> cost_usd;  // absent when the scenario sets no price
  std::optional<double> energy_mwh;  // absent where the device's power is unknown
  double gpus = 0;
  std::string device;         // device name (or id), "" when the result has none
  std::string layout;         // "dp=8 tp=8 pp=1 (auto)", "" when the result has none
  std::optional<double> mfu;  // model FLOPs utilisation, 0..1
  std::optional<double> tokens_per_s_per_gpu;
  std::optional<double> samples_per_s_per_gpu;  // images, sequences or pairs (model-library presets)
  std::optional<double> wall_time_p10_h;  // the band (/bands, scenarios/uncertainty.h); absent without one
  std::optional<double> wall_time_p90_h;
  std::optional<double> gpu_hours_p10, gpu_hours_p90;
  std::optional<double> cost_p10_usd, cost_p90_usd;
  std::optional<double> energy_p10_mwh, energy_p90_mwh;
  std::string memory_fit;                 // "yes", "no" or "not checked" (capacity unknown); "" without
  std::optional<double> memory_gib;       // per GPU, of capacity_gib
  std::optional<double> capacity_gib;
};

// The estimate's headline numbers; nullopt (with *error set) when the result lacks one.
std::optional<Kpis> kpis_from_result(const nlohmann::ordered_json& result, std::string* error);

// The sweep's points (GPU count, time, cost; cost NaN when not priced); empty with *error set
// when the result has none.
std::vector<SweepPoint> sweep_from_result(const nlohmann::ordered_json& result, std::string* error);

}  // namespace flopcast::gui
