// `flopcast hw list | show ID | validate FILE`: the built-in device catalog, for people (tables) and
// machines (--format json).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "hwprofiles/catalog.h"
#include "hwprofiles/profile_loader.h"
#include "scenarios/record_values.h"

namespace flopcast::cli {
namespace {

using hwprofiles::DeviceProfile;
using models::Precision;

constexpr double kGiB = 1073741824.0;
const std::string kUnknown = "unknown";

// Replaces every non-ASCII code point by '?' (one column each, so tables stay aligned).
std::string ascii_only(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x80) out += static_cast<char>(c);
    else if ((c & 0xC0) != 0x80) out += '?';  // lead byte: one '?' per code point
  }
  return out;
}

void print(const std::string& text) { std::cout << (fancy_output() ? text : ascii_only(text)); }

std::string shorten(const std::string& s, size_t max_chars) {
  if (s.size() <= max_chars) return s;
  size_t cut = max_chars - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return s.substr(0, cut) + "...";
}

// format_number without trailing zeros after the point ("70.0" -> "70", "0.900" -> "0.9").
std::string compact(double v) {
  std::string s = format_number(v);
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// Whole numbers with thousands separators: 80000000000 -> "80,000,000,000".
std::string whole(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string s(buf);
  const size_t start = (s[0] == '-') ? 1 : 0;
  for (long i = long(s.size()) - 3; i > long(start); i -= 3) s.insert(size_t(i), ",");
  return s;
}

std::string scaled(const std::optional<double>& v, double divisor) {
  return v ? compact(*v / divisor) : kUnknown;
}

std::string si(const std::optional<double>& v, const std::string& unit) {
  return v ? format_si(*v, unit) : kUnknown;
}

template <typename T>
std::string text(const std::optional<T>& v) {
  if (!v) return kUnknown;
  if constexpr (std::is_same_v<T, std::string>) return *v;
  else return std::to_string(*v);
}

std::string usd(const std::optional<double>& v) {
  if (!v) return kUnknown;
  if (*v == std::floor(*v)) return "$" + whole(*v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", *v);
  return "$" + std::string(buf);
}

void print_json(const nlohmann::ordered_json& j) {
  std::cout << j.dump(2, ' ', /*ensure_ascii=*/true) << "\n";
}

bool parse_format(const std::string& s, Format& out) {
  if (s == "table") out = Format::table;
  else if (s == "json") out = Format::json;
  else return false;
  return true;
}

// The first source's title, and how many more `hw show` lists.
std::string source_summary(const DeviceProfile& d) {
  if (d.sources.empty()) return kUnknown;
  std::string s = shorten(d.sources.front().title, 44);
  if (d.sources.size() > 1) s += " (+" + std::to_string(d.sources.size() - 1) + ")";
  return s;
}

int run_list(Format format) {
  const auto& catalog = hwprofiles::builtin_catalog();
  if (format == Format::json) {
    nlohmann::ordered_json j;
    j["schema_version"] = hwprofiles::kSchemaVersion;
    j["catalog_hash"] = catalog.catalog_hash();
    j["devices"] = nlohmann::ordered_json::array();
    for (const DeviceProfile& d : catalog.devices()) j["devices"].push_back(hwprofiles::to_json(d));
    print_json(j);
    return kExitOk;
  }
  Table t({"id", "name", "type", "bf16 TFLOP/s", "fp8 TFLOP/s", "memory GiB", "HBM TB/s",
           "scale-up GB/s", "TDP W", "source"});
  for (int c : {3, 4, 5, 6, 7, 8}) t.right_align(c);
  for (const DeviceProfile& d : catalog.devices()) {
    t.add_row({d.id, shorten(d.name, 34), d.device_type, scaled(d.peak(Precision::bf16), 1e12),
               scaled(d.peak(Precision::fp8), 1e12), scaled(d.memory_bytes, kGiB),
               scaled(d.memory_bandwidth_bytes_per_s, 1e12), scaled(d.scale_up_bytes_per_s, 1e9),
               scaled(d.tdp_w, 1), source_summary(d)});
  }
  print(t.render(fancy_output()));
  print(std::to_string(catalog.size()) +
        " devices. Peaks are dense; bandwidths per direction; 'unknown' = not published. "
        "Details and all sources: flopcast hw show ID\n");
  return kExitOk;
}

void print_device_table(const DeviceProfile& d) {
  auto flags = [&](const std::string& field) {
    std::string f;
    if (d.is_derived(field)) f = "derived";
    if (d.is_unverified(field)) f += std::string(f.empty() ? "" : ", ") + "unverified";
    if (auto it = d.field_notes.find(field); it != d.field_notes.end())
      f += std::string(f.empty() ? "" : ": ") + it->second;
    return f;
  };
  Table t({"field", "value", "flags"});
  std::string long_values;  // values too long for the table, printed in full below it
  auto row = [&](const std::string& field, const std::string& value) {
    constexpr size_t kMax = 60;
    if (value.size() > kMax) {
      t.add_row({field, shorten(value, kMax - 8) + " (below)", flags(field)});
      long_values += field + ": " + value + "\n";
    } else {
      t.add_row({field, value, flags(field)});
    }
  };
  row("vendor", text(d.vendor));
  row("name", d.name);
  row("family", text(d.family));
  row("device_type", d.device_type);
  row("form_factor", text(d.form_factor));
  row("launch_year", text(d.launch_year));
  for (Precision p : models::kAllPrecisions) {
    const std::string name(models::to_string(p));
    row("peak_flops_per_s." + name, si(d.peak(p), p == Precision::int8 ? "OP/s" : "FLOP/s"));
  }
  row("fp64_vector_flops_per_s", si(d.fp64_vector_flops_per_s, "FLOP/s"));
  if (d.sparse_peak_flops_per_s) {
    for (const auto& [k, v] : *d.sparse_peak_flops_per_s)
      row("sparse_peak_flops_per_s." + k, format_si(v, k == "int8" ? "OP/s" : "FLOP/s"));
  } else {
    row("sparse_peak_flops_per_s", kUnknown);
  }
  row("memory_bytes", d.memory_bytes ? whole(*d.memory_bytes) + " B (" +
                                           compact(*d.memory_bytes / 1e9) + " GB, " +
                                           compact(*d.memory_bytes / kGiB) + " GiB)"
                                     : kUnknown);
  row("memory_type", text(d.memory_type));
  row("memory_bandwidth_bytes_per_s", si(d.memory_bandwidth_bytes_per_s, "B/s"));
  row("scale_up_link", text(d.scale_up_link));
  row("scale_up_bytes_per_s",
      d.scale_up_bytes_per_s ? format_si(*d.scale_up_bytes_per_s, "B/s") + " per direction" : kUnknown);
  row("scale_up_domain_size", text(d.scale_up_domain_size));
  row("host_link", text(d.host_link));
  row("scale_out_bytes_per_s",
      d.scale_out_bytes_per_s ? format_si(*d.scale_out_bytes_per_s, "B/s") + " per direction"
                              : kUnknown);
  row("tdp_w", d.tdp_w ? compact(*d.tdp_w) + " W" : kUnknown);
  row("system_power_kw", d.system_power_kw ? compact(*d.system_power_kw) + " kW" : kUnknown);
  row("system_power_devices", text(d.system_power_devices));
  row("price_usd", usd(d.price_usd));
  row("price_unit", text(d.price_unit));
  row("price_year", text(d.price_year));
  row("confidence", text(d.confidence));
  row("derived_fields", d.derived_fields ? std::to_string(d.derived_fields->size()) + " listed"
                                         : "not assessed");
  row("unverified_fields", d.unverified_fields ? std::to_string(d.unverified_fields->size()) + " listed"
                                               : "not assessed");

  std::string out = d.id + ": " + d.name + "\n\n" + t.render(fancy_output());
  auto para = [&](const std::string& label, const std::optional<std::string>& v) {
    if (v) out += label + ": " + *v + "\n";
  };
  out += "\n" + long_values;
  para("launch_note", d.launch_note);
  para("sparsity_note", d.sparsity_note);
  para("scale_out_typical", d.scale_out_typical);
  para("price_basis", d.price_basis);
  para("notes", d.notes);
  // Flags on fields the table does not show as rows (price points, sources, text fields).
  for (const auto* list : {&d.derived_fields, &d.unverified_fields}) {
    if (!*list) continue;
    for (const std::string& f : **list)
      if (f.find('[') != std::string::npos)
        out += f + ": " + flags(f) + "\n";
  }

  if (!d.price_points.empty()) {
    Table pt({"#", "USD", "year", "what", "basis", "source"});
    pt.right_align(1);
    for (size_t i = 0; i < d.price_points.size(); ++i) {
      const auto& p = d.price_points[i];
      pt.add_row({std::to_string(i), usd(p.value_usd), text(p.year), shorten(text(p.unit), 50),
                  shorten(text(p.basis), 40), p.source ? shorten(p.source->title, 40) : kUnknown});
    }
    out += "\nPurchase price points\n" + pt.render(fancy_output());
  }
  if (!d.cloud_prices.empty()) {
    Table ct({"provider", "instance", "region", "pricing", "USD/device-h", "date", "confidence"});
    ct.right_align(4);
    for (const auto& c : d.cloud_prices) {
      std::string pricing = c.pricing_kind;
      if (c.term_years) pricing += " " + std::to_string(*c.term_years) + " y";
      ct.add_row({c.provider, shorten(text(c.instance), 30), text(c.region), pricing,
                  c.usd_per_device_hr ? format_number(*c.usd_per_device_hr) : kUnknown,
                  text(c.date), text(c.confidence)});
    }
    out += "\nCloud prices\n" + ct.render(fancy_output());
  }
  out += "\nSources\n";
  for (size_t i = 0; i < d.sources.size(); ++i) {
    const auto& s = d.sources[i];
    out += "  [" + std::to_string(i + 1) + "] " + s.title;
    if (s.url) out += " <" + *s.url + ">";
    if (s.note) out += " (" + *s.note + ")";
    out += "\n";
  }
  print(out);
}

int run_show(const std::string& id, Format format) {
  const auto& catalog = hwprofiles::builtin_catalog();
  const DeviceProfile* d = catalog.find(id);
  if (!d) {
    std::cerr << "flopcast: unknown device '" << ascii_only(id) << "' (see flopcast hw list)"
              << ascii_only(scenarios::device_hint(id)) << "\n";
    return kExitBadInput;
  }
  if (format == Format::json) {
    // Exactly the profile format, so `hw show ID --format json > my.json` starts a custom profile.
    print_json(hwprofiles::to_json(*d));
  } else {
    print_device_table(*d);
  }
  return kExitOk;
}

int run_validate(const std::string& path, Format format) {
  const hwprofiles::ProfileResult r = hwprofiles::load_device_profile_file(path);
  if (format == Format::json) {
    nlohmann::ordered_json j;
    j["file"] = path;
    j["ok"] = r.ok();
    j["errors"] = nlohmann::ordered_json::array();
    for (const auto& e : r.errors)
      j["errors"].push_back({{"pointer", e.pointer}, {"line", e.line}, {"column", e.column},
                             {"message", e.message}});
    if (r.ok()) j["device"] = hwprofiles::to_json(*r.profile);
    print_json(j);
  } else if (r.ok()) {
    print("ok: " + path + " describes device '" + r.profile->id + "'\n");
  }
  for (const auto& e : r.errors) std::cerr << "flopcast: " << ascii_only(e.to_string()) << "\n";
  return r.ok() ? kExitOk : kExitBadInput;
}

}  // namespace

void register_hw(CLI::App& app) {
  CLI::App* hw = app.add_subcommand("hw", "The built-in hardware library: devices with sources");
  hw->require_subcommand(1);
  auto format = std::make_shared<std::string>("table");
  auto id = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto add_format = [&](CLI::App* cmd) {
    cmd->add_option("--format", *format, "table (for people) or json (for machines)")
        ->check(CLI::IsMember({"table", "json"}));
  };

  CLI::App* list = hw->add_subcommand("list", "All devices: peaks, memory, links, power, source");
  add_format(list);
  list->callback([format] {
    Format f = Format::table;
    parse_format(*format, f);
    set_exit_code(run_list(f));
  });

  CLI::App* show = hw->add_subcommand("show", "Every field of one device, with its sources");
  show->add_option("ID", *id, "device id (see flopcast hw list)")->required();
  add_format(show);
  show->callback([format, id] {
    Format f = Format::table;
    parse_format(*format, f);
    set_exit_code(run_show(*id, f));
  });

  CLI::App* validate =
      hw->add_subcommand("validate", "Check a custom device profile file (for --hw FILE)");
  validate->add_option("FILE", *file, "device profile JSON file")->required();
  add_format(validate);
  validate->callback([format, file] {
    Format f = Format::table;
    parse_format(*format, f);
    set_exit_code(run_validate(*file, f));
  });
}

}  // namespace flopcast::cli
