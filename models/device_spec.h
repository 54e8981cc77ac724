// What the cost models need to know about one accelerator: plain values, no I/O.
//
// Filled by hwprofiles/ from the versioned JSON catalog (every number there has a source) or by a
// calibrated profile from calibrate/. Unknown values stay std::nullopt: models never invent one;
// callers report "unknown for ID: FIELD" or name the documented default they used.
// Bandwidths are per direction (one way), in bytes per second.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "models/precision.h"

namespace flopcast::models {

struct DeviceSpec {
  std::string id;
  std::string name;
  std::string device_type;  // gpu | tpu | asic | accelerator | cpu | fpga

  // Dense peak FLOP/s (int8: OP/s) per precision, indexed by index_of(Precision).
  std::array<std::optional<double>, kPrecisionCount> peak_flops_per_s{};
  bool sparse_2_4 = false;  // hardware 2:4 structured sparsity doubles the tensor peak

  std::optional<double> memory_bytes;
  std::optional<double> memory_bandwidth_bytes_per_s;
  std::optional<double> scale_up_bytes_per_s;  // per device, per direction (NVLink, ICI, ...)
  std::optional<int> scale_up_domain_size;     // devices in one scale-up domain
  std::optional<double> scale_out_bytes_per_s;  // per device, per direction (NIC share)
  std::optional<double> tdp_w;
  std::optional<double> system_power_w_per_device;  // whole-server draw divided by devices

  std::optional<double> peak(Precision p) const { return peak_flops_per_s[index_of(p)]; }
};

}  // namespace flopcast::models
