// Small helpers shared by everything that writes result JSON: numbers that are never nan/inf,
// and the names the scenario format uses for the layout enums.
#pragma once

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "models/estimate.h"
#include "models/layout.h"
#include "models/workload.h"

namespace flopcast::scenarios {

inline constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// A number for the result JSON: finite values as they are, anything else null (never nan/inf).
inline nlohmann::ordered_json num(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}
inline nlohmann::ordered_json num(const std::optional<double>& v) {
  return v ? num(*v) : nlohmann::ordered_json(nullptr);
}

inline const char* sharding_name(models::Sharding s) {
  switch (s) {
    case models::Sharding::none: return "none";
    case models::Sharding::zero1: return "zero1";
    case models::Sharding::zero2: return "zero2";
    case models::Sharding::zero3: return "zero3";
  }
  return "none";
}
inline const char* schedule_name(models::PipelineSchedule s) {
  switch (s) {
    case models::PipelineSchedule::gpipe: return "gpipe";
    case models::PipelineSchedule::one_f_one_b: return "1f1b";
    case models::PipelineSchedule::interleaved: return "interleaved";
  }
  return "1f1b";
}
inline const char* recompute_name(models::Recompute r) {
  switch (r) {
    case models::Recompute::none: return "none";
    case models::Recompute::selective: return "selective";
    case models::Recompute::full: return "full";
  }
  return "none";
}

// "yes" | "no" | "not checked" (device capacity unknown): the memory verdict as results print it.
inline const char* memory_fit_text(const models::MemoryBreakdown& m) {
  return !m.checked ? "not checked" : (m.fits ? "yes" : "no");
}

// The layout an estimate used, as every result writes it (estimate, sweep rows).
inline nlohmann::ordered_json layout_json(const models::EstimateResult& r) {
  const models::Layout& l = r.layout;
  nlohmann::ordered_json j;
  j["dp"] = l.dp;
  j["tp"] = l.tp;
  j["pp"] = l.pp;
  j["cp"] = l.cp;
  j["ep"] = l.ep;
  j["vp"] = l.vp;
  j["sharding"] = sharding_name(l.sharding);
  j["schedule"] = schedule_name(l.schedule);
  j["sequence_parallel"] = l.sequence_parallel;
  j["micro_batch_size"] = l.micro_batch_size;
  j["recompute"] = recompute_name(r.recompute);
  j["recompute_layers"] = r.recompute_layers;  // block recompute: layers per stage (0 = all when full)
  return j;
}

}  // namespace flopcast::scenarios
