#include "hwprofiles/device_profile.h"

#include <algorithm>

namespace flopcast::hwprofiles {
namespace {

using ojson = nlohmann::ordered_json;

template <typename T>
ojson opt(const std::optional<T>& v) {
  return v ? ojson(*v) : ojson(nullptr);
}

// Whole numbers print without a fraction ("450000000000", not "450000000000.0").
ojson num(const std::optional<double>& v) {
  if (!v) return nullptr;
  const double x = *v;
  if (x == static_cast<double>(static_cast<long long>(x)) && x > -9e15 && x < 9e15)
    return static_cast<long long>(x);
  return x;
}

ojson source_json(const SourceRef& s) {
  ojson j;
  j["title"] = s.title;
  j["url"] = opt(s.url);
  if (s.note) j["note"] = *s.note;
  return j;
}

ojson opt_source(const std::optional<SourceRef>& s) { return s ? source_json(*s) : ojson(nullptr); }

ojson opt_list(const std::optional<std::vector<std::string>>& v) {
  return v ? ojson(*v) : ojson(nullptr);
}

bool contains(const std::optional<std::vector<std::string>>& list, std::string_view field) {
  return list && std::find(list->begin(), list->end(), field) != list->end();
}

}  // namespace

bool DeviceProfile::is_derived(std::string_view field) const { return contains(derived_fields, field); }
bool DeviceProfile::is_unverified(std::string_view field) const {
  return contains(unverified_fields, field);
}

models::DeviceSpec DeviceProfile::to_device_spec() const {
  models::DeviceSpec d;
  d.id = id;
  d.name = name;
  d.device_type = device_type;
  d.peak_flops_per_s = peak_flops_per_s;
  if (sparse_peak_flops_per_s) {
    for (models::Precision p : models::kAllPrecisions)
      if (sparse_peak_flops_per_s->count(std::string(models::to_string(p)))) d.sparse_2_4 = true;
  }
  d.memory_bytes = memory_bytes;
  d.memory_bandwidth_bytes_per_s = memory_bandwidth_bytes_per_s;
  d.scale_up_bytes_per_s = scale_up_bytes_per_s;
  d.scale_up_domain_size = scale_up_domain_size;
  d.scale_out_bytes_per_s = scale_out_bytes_per_s;
  d.tdp_w = tdp_w;
  if (system_power_kw && system_power_devices && *system_power_devices > 0)
    d.system_power_w_per_device = *system_power_kw * 1000.0 / *system_power_devices;
  return d;
}

nlohmann::ordered_json to_json(const DeviceProfile& p) {
  ojson j;
  j["id"] = p.id;
  j["vendor"] = opt(p.vendor);
  j["name"] = p.name;
  j["family"] = opt(p.family);
  j["device_type"] = p.device_type;
  j["form_factor"] = opt(p.form_factor);
  j["launch_year"] = opt(p.launch_year);
  j["launch_note"] = opt(p.launch_note);
  ojson peaks = ojson::object();
  for (models::Precision prec : models::kAllPrecisions)
    peaks[std::string(models::to_string(prec))] = num(p.peak(prec));
  j["peak_flops_per_s"] = peaks;
  j["fp64_vector_flops_per_s"] = num(p.fp64_vector_flops_per_s);
  if (p.sparse_peak_flops_per_s) {
    ojson s = ojson::object();
    for (const auto& [k, v] : *p.sparse_peak_flops_per_s) s[k] = num(v);
    j["sparse_peak_flops_per_s"] = s;
  } else {
    j["sparse_peak_flops_per_s"] = nullptr;
  }
  j["sparsity_note"] = opt(p.sparsity_note);
  j["memory_bytes"] = num(p.memory_bytes);
  j["memory_type"] = opt(p.memory_type);
  j["memory_bandwidth_bytes_per_s"] = num(p.memory_bandwidth_bytes_per_s);
  j["scale_up_link"] = opt(p.scale_up_link);
  j["scale_up_bytes_per_s"] = num(p.scale_up_bytes_per_s);
  j["scale_up_domain_size"] = opt(p.scale_up_domain_size);
  j["host_link"] = opt(p.host_link);
  j["scale_out_typical"] = opt(p.scale_out_typical);
  j["scale_out_bytes_per_s"] = num(p.scale_out_bytes_per_s);
  j["tdp_w"] = num(p.tdp_w);
  j["system_power_kw"] = num(p.system_power_kw);
  j["system_power_devices"] = opt(p.system_power_devices);
  j["price_usd"] = num(p.price_usd);
  j["price_unit"] = opt(p.price_unit);
  j["price_year"] = opt(p.price_year);
  j["price_basis"] = opt(p.price_basis);
  ojson pps = ojson::array();
  for (const PricePoint& pp : p.price_points) {
    ojson e;
    e["value_usd"] = num(pp.value_usd);
    e["unit"] = opt(pp.unit);
    e["year"] = opt(pp.year);
    e["basis"] = opt(pp.basis);
    e["source"] = opt_source(pp.source);
    pps.push_back(e);
  }
  j["price_points"] = pps;
  ojson cps = ojson::array();
  for (const CloudPrice& c : p.cloud_prices) {
    ojson e;
    e["provider"] = c.provider;
    e["instance"] = opt(c.instance);
    e["region"] = opt(c.region);
    e["pricing"] = opt(c.pricing);
    e["pricing_kind"] = c.pricing_kind;
    e["term_years"] = opt(c.term_years);
    e["usd_per_device_hr"] = num(c.usd_per_device_hr);
    e["usd_per_instance_hr"] = num(c.usd_per_instance_hr);
    e["devices_per_instance"] = opt(c.devices_per_instance);
    e["date"] = opt(c.date);
    e["confidence"] = opt(c.confidence);
    e["note"] = opt(c.note);
    e["source"] = opt_source(c.source);
    cps.push_back(e);
  }
  j["cloud_prices"] = cps;
  j["confidence"] = opt(p.confidence);
  j["derived_fields"] = opt_list(p.derived_fields);
  j["unverified_fields"] = opt_list(p.unverified_fields);
  ojson notes = ojson::object();
  for (const auto& [k, v] : p.field_notes) notes[k] = v;
  j["field_notes"] = notes;
  j["notes"] = opt(p.notes);
  ojson srcs = ojson::array();
  for (const SourceRef& s : p.sources) srcs.push_back(source_json(s));
  j["sources"] = srcs;
  return j;
}

std::vector<std::string> missing_fields_for_training(const DeviceProfile& p,
                                                     models::Precision precision,
                                                     int device_count) {
  std::vector<std::string> missing;
  if (!p.peak(precision))
    missing.push_back("peak_flops_per_s." + std::string(models::to_string(precision)));
  if (!p.memory_bytes) missing.push_back("memory_bytes");
  if (!p.memory_bandwidth_bytes_per_s) missing.push_back("memory_bandwidth_bytes_per_s");
  if (device_count > 1) {
    if (!p.scale_up_bytes_per_s) missing.push_back("scale_up_bytes_per_s");
    if (!p.scale_up_domain_size) missing.push_back("scale_up_domain_size");
    if ((!p.scale_up_domain_size || device_count > *p.scale_up_domain_size) &&
        !p.scale_out_bytes_per_s)
      missing.push_back("scale_out_bytes_per_s");
  }
  return missing;
}

std::string unknown_field_message(const DeviceProfile& p, std::string_view field) {
  return "unknown for " + p.id + ": " + std::string(field);
}

}  // namespace flopcast::hwprofiles
