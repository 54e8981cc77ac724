#include "hwprofiles/validator.h"

#include <cmath>
#include <cstdio>
#include <regex>

namespace flopcast::hwprofiles {
namespace {

std::string show(double x) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

class Checker {
 public:
  Checker(const std::string& origin, const std::string& prefix) : origin_(origin), prefix_(prefix) {}

  void error(const std::string& rel_pointer, const std::string& message) {
    errors_.push_back(ProfileError{origin_, prefix_ + rel_pointer, message});
  }

  // lo_inclusive: value >= lo, otherwise value > lo; value must be < hi (or <= hi if hi_inclusive).
  void range(const std::optional<double>& v, const std::string& ptr, double lo, bool lo_inclusive,
             double hi, bool hi_inclusive, const std::string& what) {
    if (!v) return;
    const double x = *v;
    const bool ok = std::isfinite(x) && (lo_inclusive ? x >= lo : x > lo) &&
                    (hi_inclusive ? x <= hi : x < hi);
    if (!ok) error(ptr, "expected " + what + ", got " + show(x));
  }

  void range_int(const std::optional<int>& v, const std::string& ptr, int lo, int hi,
                 const std::string& what) {
    if (v && (*v < lo || *v > hi)) error(ptr, "expected " + what + ", got " + std::to_string(*v));
  }

  std::vector<ProfileError> take() { return std::move(errors_); }

 private:
  std::string origin_;
  std::string prefix_;
  std::vector<ProfileError> errors_;
};

bool one_of(const std::string& s, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (s == a) return true;
  return false;
}

const char* const kTopLevelFields[] = {
    "id", "vendor", "name", "family", "device_type", "form_factor", "launch_year", "launch_note",
    "peak_flops_per_s", "fp64_vector_flops_per_s", "sparse_peak_flops_per_s", "sparsity_note",
    "memory_bytes", "memory_type", "memory_bandwidth_bytes_per_s", "scale_up_link",
    "scale_up_bytes_per_s", "scale_up_domain_size", "host_link", "scale_out_typical",
    "scale_out_bytes_per_s", "tdp_w", "system_power_kw", "system_power_devices", "price_usd",
    "price_unit", "price_year", "price_basis", "price_points", "cloud_prices", "notes", "sources"};

}  // namespace

bool is_known_field_reference(std::string_view field) {
  static const std::regex precision_ref(R"(peak_flops_per_s(\.(fp64|fp32|tf32|bf16|fp16|fp8|int8|fp4))?)");
  static const std::regex list_ref(R"((price_points|cloud_prices|sources)(\[[0-9]+\](\.[a-z_]+)?)?)");
  static const std::regex sparse_ref(R"(sparse_peak_flops_per_s(\.[A-Za-z0-9_]+)?)");
  const std::string f(field);
  if (std::regex_match(f, precision_ref) || std::regex_match(f, list_ref) ||
      std::regex_match(f, sparse_ref))
    return true;
  for (const char* k : kTopLevelFields)
    if (f == k) return true;
  return false;
}

std::vector<ProfileError> validate_device_profile(const DeviceProfile& p, const std::string& origin,
                                                  const std::string& prefix) {
  Checker c(origin, prefix);
  static const std::regex id_re("[a-z0-9][a-z0-9._-]*");
  if (p.id.empty() || !std::regex_match(p.id, id_re))
    c.error("/id", "expected an id of lower-case letters, digits, '.', '_' or '-' (like "
                   "'nvidia-h100-sxm5-80gb'), got '" + p.id + "'");
  if (p.name.empty()) c.error("/name", "expected a non-empty name");
  if (!one_of(p.device_type, {"gpu", "tpu", "asic", "accelerator", "cpu", "fpga"}))
    c.error("/device_type",
            "expected one of gpu, tpu, asic, accelerator, cpu, fpga, got '" + p.device_type + "'");
  c.range_int(p.launch_year, "/launch_year", 1950, 2100, "a year 1950..2100");

  for (models::Precision prec : models::kAllPrecisions) {
    const std::string unit = prec == models::Precision::int8 ? "OP/s" : "FLOP/s";
    c.range(p.peak(prec), "/peak_flops_per_s/" + std::string(models::to_string(prec)), 0, true, 1e19,
            false, "a peak in " + unit + " >= 0 and < 1e19");
  }
  c.range(p.fp64_vector_flops_per_s, "/fp64_vector_flops_per_s", 0, true, 1e19, false,
          "a peak in FLOP/s >= 0 and < 1e19");
  const auto fp64 = p.peak(models::Precision::fp64);
  if (p.fp64_vector_flops_per_s && fp64 && *p.fp64_vector_flops_per_s > *fp64)
    c.error("/fp64_vector_flops_per_s",
            "expected at most peak_flops_per_s.fp64 (" + show(*fp64) +
                ": the fp64 peak is the larger of the vector and tensor peaks), got " +
                show(*p.fp64_vector_flops_per_s));
  if (p.sparse_peak_flops_per_s)
    for (const auto& [k, v] : *p.sparse_peak_flops_per_s)
      c.range(v, "/sparse_peak_flops_per_s/" + pointer_escape(k), 0, true, 1e19, false,
              "a peak in FLOP/s >= 0 and < 1e19");

  c.range(p.memory_bytes, "/memory_bytes", 1048576.0, true, 100.0 * 1099511627776.0, true,
          "a capacity in bytes from 1 MiB (1048576) to 100 TiB (109951162777600)");
  c.range(p.memory_bandwidth_bytes_per_s, "/memory_bandwidth_bytes_per_s", 0, false, 1e15, false,
          "a bandwidth in bytes/s > 0 and < 1e15");
  c.range(p.scale_up_bytes_per_s, "/scale_up_bytes_per_s", 0, false, 1e14, false,
          "a per-direction bandwidth in bytes/s > 0 and < 1e14");
  c.range_int(p.scale_up_domain_size, "/scale_up_domain_size", 1, 1000000,
              "a device count 1..1000000");
  c.range(p.scale_out_bytes_per_s, "/scale_out_bytes_per_s", 0, false, 1e13, false,
          "a per-direction bandwidth in bytes/s > 0 and < 1e13");
  c.range(p.tdp_w, "/tdp_w", 0, false, 1e5, true, "a power in W > 0 and <= 100000");
  c.range(p.system_power_kw, "/system_power_kw", 0, false, 1e4, true,
          "a power in kW > 0 and <= 10000");
  c.range_int(p.system_power_devices, "/system_power_devices", 1, 100000,
              "a device count 1..100000");

  c.range(p.price_usd, "/price_usd", 0, true, 1e10, false, "a price in USD >= 0 and < 1e10");
  c.range_int(p.price_year, "/price_year", 1950, 2100, "a year 1950..2100");
  for (size_t i = 0; i < p.price_points.size(); ++i) {
    const std::string ip = "/price_points/" + std::to_string(i);
    const PricePoint& pp = p.price_points[i];
    c.range(pp.value_usd, ip + "/value_usd", 0, true, 1e10, false, "a price in USD >= 0 and < 1e10");
    c.range_int(pp.year, ip + "/year", 1950, 2100, "a year 1950..2100");
    if (pp.source && pp.source->title.empty()) c.error(ip + "/source/title", "expected a non-empty title");
  }
  for (size_t i = 0; i < p.cloud_prices.size(); ++i) {
    const std::string ip = "/cloud_prices/" + std::to_string(i);
    const CloudPrice& cp = p.cloud_prices[i];
    if (cp.provider.empty()) c.error(ip + "/provider", "expected a non-empty provider name");
    if (!one_of(cp.pricing_kind, {"on-demand", "reserved", "spot", "capacity-block"}))
      c.error(ip + "/pricing_kind", "expected one of on-demand, reserved, spot, capacity-block, got '" +
                                        cp.pricing_kind + "'");
    c.range_int(cp.term_years, ip + "/term_years", 1, 10, "a term in years 1..10");
    c.range(cp.usd_per_device_hr, ip + "/usd_per_device_hr", 0, true, 1e6, false,
            "a price in USD per device-hour >= 0 and < 1e6");
    c.range(cp.usd_per_instance_hr, ip + "/usd_per_instance_hr", 0, true, 1e6, false,
            "a price in USD per instance-hour >= 0 and < 1e6");
    c.range_int(cp.devices_per_instance, ip + "/devices_per_instance", 1, 100000,
                "a device count 1..100000");
    if (cp.confidence && !one_of(*cp.confidence, {"high", "medium", "low"}))
      c.error(ip + "/confidence", "expected high, medium, low or null, got '" + *cp.confidence + "'");
  }

  if (p.confidence && !one_of(*p.confidence, {"high", "medium", "low"}))
    c.error("/confidence", "expected high, medium, low or null, got '" + *p.confidence + "'");
  auto check_refs = [&](const std::optional<std::vector<std::string>>& list, const std::string& key) {
    if (!list) return;
    for (size_t i = 0; i < list->size(); ++i)
      if (!is_known_field_reference((*list)[i]))
        c.error("/" + key + "/" + std::to_string(i),
                "expected the name of a profile field (like 'memory_bytes' or "
                "'peak_flops_per_s.fp8'), got '" + (*list)[i] + "'");
  };
  check_refs(p.derived_fields, "derived_fields");
  check_refs(p.unverified_fields, "unverified_fields");
  for (const auto& [k, v] : p.field_notes)
    if (!is_known_field_reference(k))
      c.error("/field_notes/" + pointer_escape(k),
              "expected the name of a profile field as key, got '" + k + "'");
  for (size_t i = 0; i < p.sources.size(); ++i)
    if (p.sources[i].title.empty())
      c.error("/sources/" + std::to_string(i) + "/title", "expected a non-empty title");
  return c.take();
}

}  // namespace flopcast::hwprofiles
