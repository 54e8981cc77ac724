#include "hwprofiles/profile_loader.h"

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "hwprofiles/json_syntax_error.h"
#include "hwprofiles/validator.h"

namespace flopcast::hwprofiles {
namespace {

using json = nlohmann::json;

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

// Reads typed values out of one JSON object, collecting errors with absolute pointers.
class Reader {
 public:
  Reader(std::string origin, std::vector<ProfileError>& errors)
      : origin_(std::move(origin)), errors_(errors) {}

  void error(const std::string& pointer, const std::string& message) {
    errors_.push_back(ProfileError{origin_, pointer, message});
  }

  // Reports keys of `obj` not in `allowed`.
  void check_keys(const json& obj, const std::string& ptr, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : obj.items()) {
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      if (!known) error(ptr + "/" + pointer_escape(key), "unknown key '" + key + "'");
    }
  }

  bool expect_object(const json& v, const std::string& ptr, const std::string& what) {
    if (v.is_object()) return true;
    error(ptr, "expected " + what + " (a JSON object), got " + type_name(v));
    return false;
  }

  std::string req_string(const json& obj, const char* key, const std::string& ptr) {
    const std::string p = ptr + "/" + key;
    if (!obj.contains(key)) {
      error(p, std::string("required key '") + key + "' is missing (expected a string)");
      return {};
    }
    const json& v = obj.at(key);
    if (!v.is_string()) {
      error(p, "expected a string, got " + type_name(v));
      return {};
    }
    return v.get<std::string>();
  }

  std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& ptr) {
    if (!obj.contains(key) || obj.at(key).is_null()) return std::nullopt;
    const json& v = obj.at(key);
    if (!v.is_string()) {
      error(ptr + "/" + key, "expected a string or null, got " + type_name(v));
      return std::nullopt;
    }
    return v.get<std::string>();
  }

  std::optional<double> number(const json& v, const std::string& p, const std::string& unit) {
    if (v.is_null()) return std::nullopt;
    if (!v.is_number()) {
      error(p, "expected a number (" + unit + ") or null, got " + type_name(v));
      return std::nullopt;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x)) {
      error(p, "expected a finite number (" + unit + ")");
      return std::nullopt;
    }
    return x;
  }

  std::optional<double> opt_number(const json& obj, const char* key, const std::string& ptr,
                                   const std::string& unit) {
    if (!obj.contains(key)) return std::nullopt;
    return number(obj.at(key), ptr + "/" + key, unit);
  }

  std::optional<int> opt_int(const json& obj, const char* key, const std::string& ptr) {
    if (!obj.contains(key) || obj.at(key).is_null()) return std::nullopt;
    const json& v = obj.at(key);
    const std::string p = ptr + "/" + key;
    if (!v.is_number()) {
      error(p, "expected a whole number or null, got " + type_name(v));
      return std::nullopt;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x) || x != std::floor(x) || std::fabs(x) > 2e9) {
      error(p, "expected a whole number, got " + v.dump());
      return std::nullopt;
    }
    return static_cast<int>(x);
  }

  std::optional<std::vector<std::string>> opt_string_list(const json& obj, const char* key,
                                                          const std::string& ptr) {
    if (!obj.contains(key) || obj.at(key).is_null()) return std::nullopt;
    const json& v = obj.at(key);
    const std::string p = ptr + "/" + key;
    if (!v.is_array()) {
      error(p, "expected an array of strings or null, got " + type_name(v));
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) {
        error(p + "/" + std::to_string(i), "expected a string, got " + type_name(v[i]));
        continue;
      }
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  std::optional<SourceRef> source(const json& v, const std::string& p, bool nullable) {
    if (nullable && v.is_null()) return std::nullopt;
    if (!expect_object(v, p, "a source {title, url, note}")) return std::nullopt;
    check_keys(v, p, {"title", "url", "note"});
    SourceRef s;
    s.title = req_string(v, "title", p);
    s.url = opt_string(v, "url", p);
    s.note = opt_string(v, "note", p);
    return s;
  }

 private:
  std::string origin_;
  std::vector<ProfileError>& errors_;
};

void parse_peaks(Reader& r, const json& obj, const std::string& ptr, DeviceProfile& out) {
  if (!obj.contains("peak_flops_per_s") || obj.at("peak_flops_per_s").is_null()) return;
  const json& v = obj.at("peak_flops_per_s");
  const std::string p = ptr + "/peak_flops_per_s";
  if (!r.expect_object(v, p, "peaks per precision {fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4}"))
    return;
  for (const auto& [key, value] : v.items()) {
    const auto prec = models::precision_from_string(key);
    if (!prec) {
      r.error(p + "/" + pointer_escape(key),
              "unknown key '" + key + "' (expected one of fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4)");
      continue;
    }
    out.peak_flops_per_s[models::index_of(*prec)] =
        r.number(value, p + "/" + key, *prec == models::Precision::int8 ? "OP/s" : "FLOP/s");
  }
}

void parse_sparse(Reader& r, const json& obj, const std::string& ptr, DeviceProfile& out) {
  if (!obj.contains("sparse_peak_flops_per_s") || obj.at("sparse_peak_flops_per_s").is_null()) return;
  const json& v = obj.at("sparse_peak_flops_per_s");
  const std::string p = ptr + "/sparse_peak_flops_per_s";
  if (!r.expect_object(v, p, "sparse peaks {label: FLOP/s}")) return;
  std::map<std::string, double> m;
  for (const auto& [key, value] : v.items()) {
    const std::string kp = p + "/" + pointer_escape(key);
    if (value.is_null()) {
      r.error(kp, "expected a number (FLOP/s); leave the key out when unknown");
      continue;
    }
    if (auto x = r.number(value, kp, "FLOP/s")) m[key] = *x;
  }
  out.sparse_peak_flops_per_s = std::move(m);
}

void parse_price_points(Reader& r, const json& obj, const std::string& ptr, DeviceProfile& out) {
  if (!obj.contains("price_points") || obj.at("price_points").is_null()) return;
  const json& v = obj.at("price_points");
  const std::string p = ptr + "/price_points";
  if (!v.is_array()) {
    r.error(p, "expected an array of price points, got " + type_name(v));
    return;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string ip = p + "/" + std::to_string(i);
    if (!r.expect_object(v[i], ip, "a price point {value_usd, unit, year, basis, source}")) continue;
    r.check_keys(v[i], ip, {"value_usd", "unit", "year", "basis", "source"});
    PricePoint pp;
    pp.value_usd = r.opt_number(v[i], "value_usd", ip, "USD");
    pp.unit = r.opt_string(v[i], "unit", ip);
    pp.year = r.opt_int(v[i], "year", ip);
    pp.basis = r.opt_string(v[i], "basis", ip);
    if (v[i].contains("source")) pp.source = r.source(v[i].at("source"), ip + "/source", true);
    out.price_points.push_back(std::move(pp));
  }
}

void parse_cloud_prices(Reader& r, const json& obj, const std::string& ptr, DeviceProfile& out) {
  if (!obj.contains("cloud_prices") || obj.at("cloud_prices").is_null()) return;
  const json& v = obj.at("cloud_prices");
  const std::string p = ptr + "/cloud_prices";
  if (!v.is_array()) {
    r.error(p, "expected an array of cloud prices, got " + type_name(v));
    return;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string ip = p + "/" + std::to_string(i);
    if (!r.expect_object(v[i], ip, "a cloud price")) continue;
    r.check_keys(v[i], ip,
                 {"provider", "instance", "region", "pricing", "pricing_kind", "term_years",
                  "usd_per_device_hr", "usd_per_instance_hr", "devices_per_instance", "date",
                  "confidence", "note", "source"});
    CloudPrice c;
    c.provider = r.req_string(v[i], "provider", ip);
    c.instance = r.opt_string(v[i], "instance", ip);
    c.region = r.opt_string(v[i], "region", ip);
    c.pricing = r.opt_string(v[i], "pricing", ip);
    c.pricing_kind = r.req_string(v[i], "pricing_kind", ip);
    c.term_years = r.opt_int(v[i], "term_years", ip);
    c.usd_per_device_hr = r.opt_number(v[i], "usd_per_device_hr", ip, "USD per device-hour");
    c.usd_per_instance_hr = r.opt_number(v[i], "usd_per_instance_hr", ip, "USD per instance-hour");
    c.devices_per_instance = r.opt_int(v[i], "devices_per_instance", ip);
    c.date = r.opt_string(v[i], "date", ip);
    c.confidence = r.opt_string(v[i], "confidence", ip);
    c.note = r.opt_string(v[i], "note", ip);
    if (v[i].contains("source")) c.source = r.source(v[i].at("source"), ip + "/source", true);
    out.cloud_prices.push_back(std::move(c));
  }
}

void parse_sources(Reader& r, const json& obj, const std::string& ptr, DeviceProfile& out) {
  if (!obj.contains("sources") || obj.at("sources").is_null()) return;
  const json& v = obj.at("sources");
  const std::string p = ptr + "/sources";
  if (!v.is_array()) {
    r.error(p, "expected an array of sources {title, url, note}, got " + type_name(v));
    return;
  }
  for (size_t i = 0; i < v.size(); ++i)
    if (auto s = r.source(v[i], p + "/" + std::to_string(i), false)) out.sources.push_back(*s);
}

void parse_field_notes(Reader& r, const json& obj, const std::string& ptr, DeviceProfile& out) {
  if (!obj.contains("field_notes") || obj.at("field_notes").is_null()) return;
  const json& v = obj.at("field_notes");
  const std::string p = ptr + "/field_notes";
  if (!r.expect_object(v, p, "notes per field {field: text}")) return;
  for (const auto& [key, value] : v.items()) {
    if (!value.is_string()) {
      r.error(p + "/" + pointer_escape(key), "expected a string, got " + type_name(value));
      continue;
    }
    out.field_notes[key] = value.get<std::string>();
  }
}

}  // namespace

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string ProfileError::to_string() const {
  std::string out = origin;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!pointer.empty()) out += pointer + ": ";
  std::string msg = message;
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  return out + msg;
}

ProfileResult parse_device_profile(const nlohmann::json& j, const std::string& origin,
                                   const std::string& pointer_prefix) {
  ProfileResult result;
  Reader r(origin, result.errors);
  const std::string& ptr = pointer_prefix;
  if (!r.expect_object(j, ptr, "a device profile")) return result;
  r.check_keys(j, ptr,
               {"schema_version", "id", "vendor", "name", "family", "device_type", "form_factor",
                "launch_year", "launch_note", "peak_flops_per_s", "fp64_vector_flops_per_s",
                "sparse_peak_flops_per_s", "sparsity_note", "memory_bytes", "memory_type",
                "memory_bandwidth_bytes_per_s", "scale_up_link", "scale_up_bytes_per_s",
                "scale_up_domain_size", "host_link", "scale_out_typical", "scale_out_bytes_per_s",
                "tdp_w", "system_power_kw", "system_power_devices", "price_usd", "price_unit",
                "price_year", "price_basis", "price_points", "cloud_prices", "confidence",
                "derived_fields", "unverified_fields", "field_notes", "notes", "sources"});
  if (j.contains("schema_version")) {
    const json& sv = j.at("schema_version");
    if (!pointer_prefix.empty()) {
      r.error(ptr + "/schema_version",
              "schema_version belongs to the document, not to a device inside it");
    } else if (!sv.is_number_integer() || sv.get<long long>() != kSchemaVersion) {
      r.error(ptr + "/schema_version", "unsupported schema_version " + sv.dump() + " (expected " +
                                           std::to_string(kSchemaVersion) + ")");
    }
  }

  DeviceProfile p;
  p.id = r.req_string(j, "id", ptr);
  p.vendor = r.opt_string(j, "vendor", ptr);
  p.name = r.req_string(j, "name", ptr);
  p.family = r.opt_string(j, "family", ptr);
  p.device_type = r.req_string(j, "device_type", ptr);
  p.form_factor = r.opt_string(j, "form_factor", ptr);
  p.launch_year = r.opt_int(j, "launch_year", ptr);
  p.launch_note = r.opt_string(j, "launch_note", ptr);
  parse_peaks(r, j, ptr, p);
  p.fp64_vector_flops_per_s = r.opt_number(j, "fp64_vector_flops_per_s", ptr, "FLOP/s");
  parse_sparse(r, j, ptr, p);
  p.sparsity_note = r.opt_string(j, "sparsity_note", ptr);
  p.memory_bytes = r.opt_number(j, "memory_bytes", ptr, "bytes");
  p.memory_type = r.opt_string(j, "memory_type", ptr);
  p.memory_bandwidth_bytes_per_s = r.opt_number(j, "memory_bandwidth_bytes_per_s", ptr, "bytes/s");
  p.scale_up_link = r.opt_string(j, "scale_up_link", ptr);
  p.scale_up_bytes_per_s =
      r.opt_number(j, "scale_up_bytes_per_s", ptr, "bytes/s per device, per direction");
  p.scale_up_domain_size = r.opt_int(j, "scale_up_domain_size", ptr);
  p.host_link = r.opt_string(j, "host_link", ptr);
  p.scale_out_typical = r.opt_string(j, "scale_out_typical", ptr);
  p.scale_out_bytes_per_s =
      r.opt_number(j, "scale_out_bytes_per_s", ptr, "bytes/s per device, per direction");
  p.tdp_w = r.opt_number(j, "tdp_w", ptr, "W");
  p.system_power_kw = r.opt_number(j, "system_power_kw", ptr, "kW");
  p.system_power_devices = r.opt_int(j, "system_power_devices", ptr);
  p.price_usd = r.opt_number(j, "price_usd", ptr, "USD");
  p.price_unit = r.opt_string(j, "price_unit", ptr);
  p.price_year = r.opt_int(j, "price_year", ptr);
  p.price_basis = r.opt_string(j, "price_basis", ptr);
  parse_price_points(r, j, ptr, p);
  parse_cloud_prices(r, j, ptr, p);
  p.confidence = r.opt_string(j, "confidence", ptr);
  p.derived_fields = r.opt_string_list(j, "derived_fields", ptr);
  p.unverified_fields = r.opt_string_list(j, "unverified_fields", ptr);
  parse_field_notes(r, j, ptr, p);
  p.notes = r.opt_string(j, "notes", ptr);
  parse_sources(r, j, ptr, p);

  if (!result.errors.empty()) return result;
  result.errors = validate_device_profile(p, origin, pointer_prefix);
  if (result.errors.empty()) result.profile = std::move(p);
  return result;
}

ProfileResult parse_device_profile_text(std::string_view text, const std::string& origin) {
  ProfileResult result;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    const JsonSyntaxError syntax = describe_parse_error(text, e);
    result.errors.push_back(ProfileError{origin, "", syntax.message, syntax.line, syntax.column});
    return result;
  }
  return parse_device_profile(j, origin);
}

ProfileResult load_device_profile_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ProfileResult result;
    result.errors.push_back(ProfileError{path, "", "cannot read the device profile file"});
    return result;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_device_profile_text(ss.str(), path);
}

CatalogParseResult parse_catalog(const nlohmann::json& j, const std::string& origin) {
  CatalogParseResult result;
  Reader r(origin, result.errors);
  if (!r.expect_object(j, "", "a device catalog {schema_version, devices}")) return result;
  r.check_keys(j, "", {"schema_version", "generated_by", "devices"});
  if (!j.contains("schema_version") || !j.at("schema_version").is_number_integer() ||
      j.at("schema_version").get<long long>() != kSchemaVersion) {
    r.error("/schema_version", "expected schema_version " + std::to_string(kSchemaVersion));
  }
  if (!j.contains("devices") || !j.at("devices").is_array()) {
    r.error("/devices", "expected an array of device profiles");
    return result;
  }
  std::set<std::string> seen;
  const json& devices = j.at("devices");
  for (size_t i = 0; i < devices.size(); ++i) {
    const std::string ptr = "/devices/" + std::to_string(i);
    ProfileResult one = parse_device_profile(devices[i], origin, ptr);
    for (auto& e : one.errors) result.errors.push_back(std::move(e));
    if (!one.profile) continue;
    if (!seen.insert(one.profile->id).second) {
      r.error(ptr + "/id", "duplicate device id '" + one.profile->id + "'");
      continue;
    }
    result.devices.push_back(std::move(*one.profile));
  }
  return result;
}

}  // namespace flopcast::hwprofiles
