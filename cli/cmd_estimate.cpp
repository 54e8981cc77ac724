// `flopcast estimate SCENARIO [--hw PROFILE.json] [--format table|json] [--out FILE]`:
// time, GPU-hours, cost and energy of one scenario, through the runner API (scenarios/runner.h).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/result_output.h"
#include "scenarios/atomic_file.h"
#include "scenarios/runner.h"

namespace flopcast::cli {
namespace {

// A value of the sample's shape exactly as it is (256, not 256.0 or "256.000").
std::string exact_text(const nlohmann::ordered_json& v) {
  if (v.is_number() && std::fabs(v.get<double>()) < 1e15 &&
      v.get<double>() == std::floor(v.get<double>()))
    return std::to_string(std::llround(v.get<double>()));
  return v.dump();
}

using nlohmann::ordered_json;

struct EstimateOptions {
  std::string scenario;
  std::string hw;
  std::string format = "table";
  std::string out;
};

double number_or_nan(const ordered_json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

std::string text_or(const ordered_json& j, const char* key, const std::string& fallback = "") {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

// Text from the model (layout notes) may carry Unicode; a plain-ASCII table gets ASCII stand-ins.
std::string ascii_only(const std::string& s) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"\u00d7", "x"}, {"\u00b7", "*"}, {"\u2013", "-"}, {"\u2014", "-"}, {"\u2212", "-"},
      {"\u2264", "<="}, {"\u2265", ">="}, {"\u2248", "~"}, {"\u2192", "->"}, {"\u2026", "..."},
      {"\u03b7", "eta"}, {"\u00b5", "u"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    bool mapped = false;
    for (const auto& [from, to] : kMap) {
      const std::size_t n = std::char_traits<char>::length(from);
      if (s.compare(i, n, from) == 0) {
        out += to;
        i += n;
        mapped = true;
        break;
      }
    }
    if (mapped) continue;
    out += '?';
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

// " (P10-P90 LO - HI)" from the result's /bands, in the metric's own format; "" without a band.
template <typename Format>
std::string band_text(const ordered_json& r, const char* metric, Format fmt, bool unicode) {
  if (!r.contains("bands")) return "";
  const auto& b = r["bands"];
  const double lo = number_or_nan(b["p10"], metric), hi = number_or_nan(b["p90"], metric);
  if (!std::isfinite(lo) || !std::isfinite(hi)) return "";
  return " (P10" + std::string(unicode ? "\u2013" : "-") + "P90 " + fmt(lo) + (unicode ? " \u2013 " : " - ") + fmt(hi) +
         ")";
}

std::string render_table(const ordered_json& r, bool unicode) {
  const std::string times = unicode ? "\u00d7" : "x";
  const std::string dot = unicode ? " \u00b7 " : " x ";
  const auto& m = r["metrics"];
  const auto& h = r["hardware"];
  const auto& w = r["workload"];
  const auto& l = r["layout"];
  const auto& mem = r["memory"];
  const auto& c = r["costs"];
  Table t({"quantity", "value"});
  t.add_row({"scenario", text_or(r["scenario"], "name")});
  const std::string kind = text_or(w, "kind", "decoder");
  const bool zoo = w.contains("training_samples");  // a model-library preset (models/zoo_estimate)
  t.add_row({"model", text_or(w, "model") + " (" + (kind == "decoder" ? "" : kind + ", ") +
                          format_number(number_or_nan(w, "params") / 1e9) + " B params)"});
  t.add_row({"hardware", std::to_string(h["device_count"].get<int>()) + " " + times + " " + text_or(h, "device_name") +
                             " (" + text_or(h, "device") + ")"});
  std::string layout = "dp " + std::to_string(l["dp"].get<int>()) + dot + "tp " + std::to_string(l["tp"].get<int>()) +
                       dot + "pp " + std::to_string(l["pp"].get<int>());
  if (l["cp"].get<int>() > 1) layout += dot + "cp " + std::to_string(l["cp"].get<int>());
  if (l["ep"].get<int>() > 1) layout += dot + "ep " + std::to_string(l["ep"].get<int>());
  layout += ", " + text_or(l, "sharding") + ", micro-batch " + std::to_string(l["micro_batch_size"].get<int>());
  if (l.contains("gradient_accumulation") && l["gradient_accumulation"].is_number_integer())
    layout += " x " + std::to_string(l["gradient_accumulation"].get<int>()) + " accumulated";
  t.add_row({"layout (" + text_or(l, "mode") + ")", layout});
  if (!zoo && l.contains("recompute") && l["recompute"].is_string()) {
    std::string rc = l["recompute"].get<std::string>();
    const int k = l.contains("recompute_layers") && l["recompute_layers"].is_number_integer()
                      ? l["recompute_layers"].get<int>() : 0;
    if (rc == "full" && k > 0) rc += ", " + std::to_string(k) + " layers per pipeline stage (block)";
    t.add_row({"recompute", rc});
  }
  if (const auto& wl = r["workload"]; !zoo && wl.contains("attention") && wl["attention"].is_string())
    t.add_row({"attention", wl["attention"] == "fused" ? "fused (FlashAttention)" : "unfused (s×s scores materialised)"});
  const std::string note = text_or(l, "note");
  if (!note.empty()) t.add_row({"layout note", note});
  if (zoo) {
    std::string input;
    if (w.contains("input") && w["input"].is_object())
      for (auto it = w["input"].begin(); it != w["input"].end(); ++it)
        input += (input.empty() ? "" : ", ") + it.key() + " " + exact_text(it.value());
    t.add_row({"training samples", format_number(number_or_nan(w, "training_samples")) + " (batch " +
                                       std::to_string(std::llround(number_or_nan(w, "global_batch_samples"))) + "; " +
                                       input + ")"});
    if (w["training_tokens"].is_number())
      t.add_row({"training tokens", format_number(number_or_nan(w, "training_tokens"))});
  } else {
    t.add_row({"training tokens", format_number(number_or_nan(w, "training_tokens"))});
  }
  std::string wall = format_duration_s(number_or_nan(m, "wall_time_h") * 3600);
  if (wall.size() < 2 || wall.compare(wall.size() - 2, 2, " h") != 0)
    wall += " (" + format_number(number_or_nan(m, "wall_time_h")) + " h)";
  const auto hours = [](double v) { return format_number(v) + " h"; };
  const auto plain = [](double v) { return format_number(v); };
  const auto usd = [](double v) { return "$" + format_number(v); };
  t.add_row({"wall time", wall + band_text(r, "wall_time_h", hours, unicode)});
  t.add_row({"GPU-hours", format_number(number_or_nan(m, "gpu_hours")) + band_text(r, "gpu_hours", plain, unicode)});
  if (const auto& e = r["efficiency"]; e.contains("goodput") && e["goodput"].is_number())
  {
    std::string g = format_number(e["goodput"].get<double>() * 100) + " % of wall time in useful steps";
    const auto& gb = e.contains("goodput_basis") ? e["goodput_basis"] : ordered_json();
    if (gb.is_object() && gb["mode"] == "auto" && gb["g0"].is_number() && gb["interruptions"].is_number())
      g += " (auto: g0 " + format_number(gb["g0"].get<double>()) + " x interruptions " +
           format_number(gb["interruptions"].get<double>()) + ")";
    else g += " (as the scenario sets)";
    t.add_row({"goodput", g});
  }
  if (zoo) {
    std::string tp = format_number(number_or_nan(m, "samples_per_s_per_gpu")) + " samples/s/GPU";
    if (m["tokens_per_s_per_gpu"].is_number())
      tp += " (" + format_number(m["tokens_per_s_per_gpu"].get<double>()) + " tokens/s/GPU)";
    tp += band_text(r, "samples_per_s_per_gpu", plain, unicode);
    t.add_row({"throughput", tp});
  } else {
    t.add_row({"throughput", format_number(number_or_nan(m, "tokens_per_s_per_gpu")) + " tokens/s/GPU" +
                                 band_text(r, "tokens_per_s_per_gpu", plain, unicode)});
  }
  t.add_row({"step time", format_duration_s(number_or_nan(m, "step_time_s"))});
  t.add_row({"MFU", format_number(number_or_nan(m, "mfu") * 100) + " %"});
  std::string memory = format_number(number_or_nan(m, "peak_memory_gib_per_gpu")) + " GiB/GPU";
  if (mem["capacity_gib"].is_number()) memory += " of " + format_number(mem["capacity_gib"].get<double>()) + " GiB";
  memory += ", fits: " + text_or(mem, "fits", "not checked");
  t.add_row({"peak memory", memory});
  const bool energy = m["energy_mwh"].is_number();
  if (energy)
    t.add_row({"energy", format_number(number_or_nan(m, "energy_mwh")) + " MWh (facility, PUE " +
                             format_number(number_or_nan(c, "pue")) + ")" +
                             band_text(r, "energy_mwh", plain, unicode)});
  else
    t.add_row({"energy", "unknown: " + text_or(r["why_null"], "/metrics/energy_mwh",
                                               "device power unknown")});
  if (m["cost_usd"].is_number()) {
    t.add_row({"cost",
               "$" + format_number(m["cost_usd"].get<double>()) + " (rental $" +
                   format_number(number_or_nan(c, "rental_usd")) +
                   (energy ? " + electricity $" + format_number(number_or_nan(c, "electricity_usd"))
                           : std::string(", electricity not included: energy unknown")) +
                   ")" + band_text(r, "cost_usd", usd, unicode)});
  } else {
    t.add_row({"cost", "not computed: set /costs/usd_per_gpu_hour"});
  }
  if (r.contains("bands")) {
    const auto& sg = r["bands"]["sigma_log"];
    t.add_row({"uncertainty", "P10-P90: log-normal, sigma " + format_number(number_or_nan(sg, "throughput")) +
                                  " (throughput), " + format_number(number_or_nan(sg, "whole_run")) +
                                  " (whole run), from held-out errors on published runs"});
  }
  t.add_row({"simulation", zoo ? "not checked (analytic estimate only)"
                               : "not checked (analytic estimate; flopcast simulate runs the iteration and whole run)"});
  std::string text = t.render(unicode);
  // What the answer rests on and what it could not say (unknown power, default bandwidths, a
  // batch too small for the device count, no layout that fits): the JSON's /notes, for people too.
  // The goodput note is the table's goodput row already.
  std::string notes;
  if (r.contains("notes") && r["notes"].is_array())
    for (const auto& n : r["notes"])
      if (n.is_string() && n.get<std::string>().rfind("goodput", 0) != 0)
        notes += "  - " + n.get<std::string>() + "\n";
  if (!notes.empty()) text += "notes:\n" + notes;
  return unicode ? text : ascii_only(text);
}

void run_estimate(const EstimateOptions& o) {
  scenarios::RunRequest req;
  req.job = scenarios::Job::estimate;
  req.origin = o.scenario;
  std::string err = scenarios::read_file(o.scenario, req.scenario_text);
  if (!err.empty()) {
    std::cerr << "flopcast: " << o.scenario << ": " << err << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  if (!o.hw.empty()) {
    req.hw_profile_origin = o.hw;
    err = scenarios::read_file(o.hw, req.hw_profile_text);
    if (!err.empty()) {
      std::cerr << "flopcast: " << o.hw << ": " << err << "\n";
      set_exit_code(kExitBadInput);
      return;
    }
    if (req.hw_profile_text.empty()) {
      std::cerr << "flopcast: " << o.hw << ": empty file: expected a device profile (JSON object)\n";
      set_exit_code(kExitBadInput);
      return;
    }
  }
  const std::atomic<bool> cancel{false};
  const scenarios::RunResult res = scenarios::run(req, {}, cancel);
  if (!res.ok) {
    report_failure(res);
    return;
  }
  emit_result(res, o.format, o.out, render_table);
}

}  // namespace

void register_estimate(CLI::App& app) {
  auto opts = std::make_shared<EstimateOptions>();
  CLI::App* cmd = app.add_subcommand("estimate", "Time, GPU-hours, cost and energy of a scenario");
  cmd->add_option("scenario", opts->scenario, "Scenario file (JSON, see docs/scenario-format.md)")->required();
  cmd->add_option("--hw", opts->hw, "Custom device profile (JSON) replacing the scenario's device");
  cmd->add_option("--format", opts->format, "Output: table (for people) or json (the result JSON)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--out", opts->out, "Also write the result JSON to FILE (atomically; creates the directory)");
  cmd->callback([opts] { run_estimate(*opts); });
}

}  // namespace flopcast::cli
