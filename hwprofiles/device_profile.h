// One accelerator as Flopcast's hardware library knows it: every published number with its unit in
// the field name, its sources, and which fields are derived or unverified.
//
// Units: FLOP/s (int8: OP/s), bytes, bytes/s per direction, W, kW, USD. Unknown values stay
// std::nullopt (null in JSON): nothing is invented. The JSON form, the conversion rules from the
// research table and how to add a device are in docs/hardware-profiles.md.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/device_spec.h"
#include "models/precision.h"

namespace flopcast::hwprofiles {

inline constexpr int kSchemaVersion = 1;

struct SourceRef {
  std::string title;
  std::optional<std::string> url;
  std::optional<std::string> note;
  bool operator==(const SourceRef&) const = default;
};

// A purchase price as published (list price, estimate, reseller price), in USD.
struct PricePoint {
  std::optional<double> value_usd;
  std::optional<std::string> unit;  // what the price buys, in the source's words ("per GPU", ...)
  std::optional<int> year;
  std::optional<std::string> basis;
  std::optional<SourceRef> source;
  bool operator==(const PricePoint&) const = default;
};

// A cloud rental price; pricing_kind is on-demand | reserved | spot | capacity-block.
struct CloudPrice {
  std::string provider;
  std::optional<std::string> instance;
  std::optional<std::string> region;
  std::optional<std::string> pricing;  // the source's words ("1-yr reserved", "3-yr CUD")
  std::string pricing_kind;
  std::optional<int> term_years;
  std::optional<double> usd_per_device_hr;
  std::optional<double> usd_per_instance_hr;
  std::optional<int> devices_per_instance;
  std::optional<std::string> date;  // as published: "2024-01-29", "~2025", "2021-2023"
  std::optional<std::string> confidence;
  std::optional<std::string> note;
  std::optional<SourceRef> source;
  bool operator==(const CloudPrice&) const = default;
};

struct DeviceProfile {
  std::string id;
  std::optional<std::string> vendor;
  std::string name;
  std::string device_type;  // gpu | tpu | asic | accelerator | cpu | fpga
  std::optional<std::string> family;
  std::optional<std::string> form_factor;
  std::optional<int> launch_year;
  std::optional<std::string> launch_note;

  // Dense peak per precision, indexed by models::index_of(Precision). fp64 is the larger of the
  // vector and the tensor-core (matrix) fp64 peak; the vector one is fp64_vector_flops_per_s.
  std::array<std::optional<double>, models::kPrecisionCount> peak_flops_per_s{};
  std::optional<double> fp64_vector_flops_per_s;
  // Vendor "with sparsity" peaks as published (keys are precisions or the vendor's label).
  std::optional<std::map<std::string, double>> sparse_peak_flops_per_s;
  std::optional<std::string> sparsity_note;

  std::optional<double> memory_bytes;
  std::optional<std::string> memory_type;
  std::optional<double> memory_bandwidth_bytes_per_s;
  std::optional<std::string> scale_up_link;
  std::optional<double> scale_up_bytes_per_s;  // per device, per direction
  std::optional<int> scale_up_domain_size;
  std::optional<std::string> host_link;
  std::optional<std::string> scale_out_typical;
  std::optional<double> scale_out_bytes_per_s;  // per device, per direction
  std::optional<double> tdp_w;
  std::optional<double> system_power_kw;     // whole system (server) maximum draw
  std::optional<int> system_power_devices;   // devices in that system

  std::optional<double> price_usd;
  std::optional<std::string> price_unit;
  std::optional<int> price_year;
  std::optional<std::string> price_basis;
  std::vector<PricePoint> price_points;
  std::vector<CloudPrice> cloud_prices;

  std::optional<std::string> confidence;  // high | medium | low; null: not assessed
  // Field names (Flopcast keys, e.g. "peak_flops_per_s.fp8", "price_points[2].value_usd");
  // null: not assessed.
  std::optional<std::vector<std::string>> derived_fields;
  std::optional<std::vector<std::string>> unverified_fields;
  std::map<std::string, std::string> field_notes;  // field -> how it was derived / why unverified
  std::optional<std::string> notes;
  std::vector<SourceRef> sources;

  std::optional<double> peak(models::Precision p) const {
    return peak_flops_per_s[models::index_of(p)];
  }
  bool is_derived(std::string_view field) const;
  bool is_unverified(std::string_view field) const;

  // The plain values the cost models use. system_power_w_per_device is
  // system_power_kw * 1000 / system_power_devices when both are known.
  models::DeviceSpec to_device_spec() const;

  bool operator==(const DeviceProfile&) const = default;
};

// The JSON form (the catalog's and a custom profile file's); keys in documented order.
nlohmann::ordered_json to_json(const DeviceProfile& profile);

// Fields a training estimate in `precision` on `device_count` devices needs and this profile lacks,
// as Flopcast key names ("peak_flops_per_s.fp8", "memory_bytes", ...). Policy:
//   always: peak_flops_per_s.<precision>, memory_bytes, memory_bandwidth_bytes_per_s;
//   device_count > 1: scale_up_bytes_per_s and scale_up_domain_size;
//   device_count > scale_up_domain_size (or the domain size unknown): scale_out_bytes_per_s.
std::vector<std::string> missing_fields_for_training(const DeviceProfile& profile,
                                                     models::Precision precision,
                                                     int device_count = 1);

// "unknown for ID: FIELD", the one-line message callers print (exit 2) for a missing field.
std::string unknown_field_message(const DeviceProfile& profile, std::string_view field);

}  // namespace flopcast::hwprofiles
