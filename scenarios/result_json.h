// Small helpers shared by everything that writes result JSON: numbers that are never nan/inf,
// and the names the scenario format uses for the layout enums.
#pragma once

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

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

}  // namespace flopcast::scenarios
