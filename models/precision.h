// Numeric precisions a training run computes in, and how they map to a device's peak table.
//
// Source: vendor datasheets (dense tensor-core peaks); tf32 is NVIDIA's 19-bit tensor format.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace flopcast::models {

enum class Precision { fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4 };
inline constexpr int kPrecisionCount = 8;
inline constexpr std::array<Precision, kPrecisionCount> kAllPrecisions = {
    Precision::fp64, Precision::fp32, Precision::tf32, Precision::bf16,
    Precision::fp16, Precision::fp8,  Precision::int8, Precision::fp4};

constexpr std::string_view to_string(Precision p) {
  switch (p) {
    case Precision::fp64: return "fp64";
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::fp4: return "fp4";
  }
  return "?";
}

constexpr std::optional<Precision> precision_from_string(std::string_view s) {
  for (Precision p : kAllPrecisions)
    if (to_string(p) == s) return p;
  return std::nullopt;
}

// Bytes of one element stored in this precision.
constexpr double bytes_per_element(Precision p) {
  switch (p) {
    case Precision::fp64: return 8;
    case Precision::fp32: case Precision::tf32: return 4;
    case Precision::bf16: case Precision::fp16: return 2;
    case Precision::fp8: case Precision::int8: return 1;
    case Precision::fp4: return 0.5;
  }
  return 4;
}

constexpr int index_of(Precision p) { return static_cast<int>(p); }

}  // namespace flopcast::models
