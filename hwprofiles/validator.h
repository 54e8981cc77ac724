// Range and consistency checks on a parsed device profile (types and unknown keys are checked by
// the loader). Every error names the JSON pointer of the offending value and what was expected.
//
// Ranges (generous on purpose: they catch unit mistakes, not unusual hardware):
//   id: [a-z0-9][a-z0-9._-]*; name non-empty; device_type gpu|tpu|asic|accelerator|cpu|fpga
//   peak_flops_per_s.*, fp64_vector_flops_per_s, sparse_peak_flops_per_s.*: >= 0 and < 1e19
//   memory_bytes: 1 MiB .. 100 TiB (2^20 .. 100 * 2^40)
//   memory_bandwidth_bytes_per_s: > 0 and < 1e15 (1 PB/s)
//   scale_up_bytes_per_s: > 0 and < 1e14; scale_out_bytes_per_s: > 0 and < 1e13
//   scale_up_domain_size: 1 .. 1,000,000; system_power_devices: 1 .. 100,000
//   tdp_w: > 0 and <= 100,000; system_power_kw: > 0 and <= 10,000
//   launch_year, price_year, price_points[].year: 1950 .. 2100
//   prices (USD): >= 0 and < 1e10; cloud usd_per_*_hr: >= 0 and < 1e6
//   cloud_prices[].pricing_kind: on-demand|reserved|spot|capacity-block; term_years 1 .. 10
//   confidence: high|medium|low (or null)
//   derived_fields, unverified_fields, field_notes keys: name a profile field
//     ("memory_bytes", "peak_flops_per_s.fp8", "price_points[2].value_usd", ...)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hwprofiles/device_profile.h"
#include "hwprofiles/profile_loader.h"

namespace flopcast::hwprofiles {

std::vector<ProfileError> validate_device_profile(const DeviceProfile& profile,
                                                  const std::string& origin,
                                                  const std::string& pointer_prefix = "");

// True when `field` names a profile field as derived_fields/unverified_fields may list it.
bool is_known_field_reference(std::string_view field);

}  // namespace flopcast::hwprofiles
