// `flopcast sweep SCENARIO [--devices all|ID,ID,...] [--gpus A..B|N,N,...] [--format table|json]
//  [--csv FILE] [--out FILE] [--front-only] [--uniform-price] [--threads N] [--quiet]`: hardware
// choice. Evaluates the scenario's workload on every (device, count) with its own auto layout
// (scenarios/sweep.h), marks the wall-time / cost Pareto front, lists infeasible configurations
// and skipped devices with why.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/atomic_file.h"
#include "scenarios/sweep.h"

namespace flopcast::cli {
namespace {

using nlohmann::ordered_json;

struct SweepOptions {
  std::string scenario;
  std::string devices = "all";
  std::string gpus = "8..4096";
  std::string format = "table";
  std::string csv;
  std::string out;
  bool front_only = false;
  bool uniform_price = false;
  bool quiet = false;
  int threads = 0;  // 0: hardware concurrency
};

std::string text_of(const ordered_json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string number_cell(const ordered_json& j, const char* key, double scale = 1) {
  return j.contains(key) && j[key].is_number() ? format_number(j[key].get<double>() * scale) : std::string("-");
}

std::string layout_text(const ordered_json& l) {
  if (!l.is_object()) return "-";
  std::string s = "dp" + std::to_string(l["dp"].get<int>()) + " tp" + std::to_string(l["tp"].get<int>()) + " pp" +
                  std::to_string(l["pp"].get<int>());
  if (l["cp"].get<int>() > 1) s += " cp" + std::to_string(l["cp"].get<int>());
  if (l["ep"].get<int>() > 1) s += " ep" + std::to_string(l["ep"].get<int>());
  if (l.contains("vp") && l["vp"].is_number_integer() && l["vp"].get<int>() > 1)
    s += " vp" + std::to_string(l["vp"].get<int>());  // interleaved pipeline schedule
  s += " mb" + std::to_string(l["micro_batch_size"].get<int>()) + " " + text_of(l, "sharding");
  const std::string rc = text_of(l, "recompute");
  if (rc != "none") s += " rc:" + rc;
  return s;
}

std::string render(const ordered_json& r, bool unicode, bool front_only) {
  const std::string star = unicode ? "\u2605" : "*";
  std::string out;
  const auto& w = r["workload"];
  // Model-library presets (encoders, CNNs, ...) count samples.
  const bool samples = w.contains("training_samples") && w["training_samples"].is_number();
  out += "sweep: " + text_of(r["scenario"], "name") + " (" + text_of(w, "model") + ", " + text_of(w, "precision") +
         ", " +
         (samples ? format_number(w["training_samples"].get<double>()) + " samples)\n"
                  : format_number(w["training_tokens"].get<double>()) + " tokens)\n");
  Table t({"front", "device", "GPUs", "wall time", "cost USD", "USD/GPU-h", "price",
           samples ? "samples/s/GPU" : "tok/s/GPU", "MFU %", "mem GiB", "layout", "note"});
  for (int c : {2, 3, 4, 5, 7, 8, 9}) t.right_align(c);
  std::size_t shown = 0;
  for (const auto& row : r["rows"]) {
    const bool front = row["pareto"].get<bool>();
    if (front_only && !front) continue;
    ++shown;
    const bool feasible = text_of(row, "status") == "feasible";
    std::string note;
    if (!feasible) note = "infeasible: " + text_of(row, "reason");
    else if (!front) note = text_of(row, "off_front");
    if (feasible && row["cost_usd"].is_null() && note.find("cost unknown") == std::string::npos)
      note += note.empty() ? "cost unknown" : "; cost unknown";
    const double wall_s = row["wall_time_h"].is_number() ? row["wall_time_h"].get<double>() * 3600 : std::nan("");
    t.add_row({front ? star : "", text_of(row, "device"), std::to_string(row["device_count"].get<int>()),
               feasible ? format_duration_s(wall_s) : "-", number_cell(row, "cost_usd"),
               number_cell(row, "usd_per_gpu_hour"), text_of(row, "price"), number_cell(row, samples ? "samples_per_s_per_gpu" : "tokens_per_s_per_gpu"),
               number_cell(row, "mfu", 100), number_cell(row, "peak_memory_gib_per_gpu"), layout_text(row["layout"]),
               note});
  }
  if (shown > 0) out += t.render(unicode);
  const auto& sw = r["sweep"];
  out += std::to_string(sw["configurations"].get<std::size_t>()) + " configurations (" +
         std::to_string(sw["feasible"].get<std::size_t>()) + " feasible), price: " + text_of(sw, "price_basis") + "\n";
  out += "Pareto front (wall time vs cost, " + star + "), fastest first:";
  if (r["pareto_front"].empty()) out += " empty (no feasible configuration with a known cost and a checked memory fit)";
  out += "\n";
  for (const auto& p : r["pareto_front"])
    out += "  " + text_of(p, "device") + " x " + std::to_string(p["device_count"].get<int>()) + ": " +
           format_duration_s(p["wall_time_h"].get<double>() * 3600) + ", " +
           format_number(p["cost_usd"].get<double>()) + " USD\n";
  if (!r["skipped"].empty()) {
    out += "Skipped devices (" + std::to_string(r["skipped"].size()) + "):\n";
    for (const auto& s : r["skipped"]) out += "  " + text_of(s, "device") + ": " + text_of(s, "reason") + "\n";
  }
  return out;
}

void run_sweep_command(const SweepOptions& o) {
  scenarios::SweepRequest req;
  req.origin = o.scenario;
  if (std::string err = scenarios::parse_device_list(o.devices, req.device_ids); !err.empty()) {
    std::cerr << "flopcast sweep: " << err << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  if (std::string err = scenarios::parse_count_list(o.gpus, req.device_counts); !err.empty()) {
    std::cerr << "flopcast sweep: " << err << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  if (std::string err = scenarios::read_file(o.scenario, req.scenario_text); !err.empty()) {
    std::cerr << "flopcast: " << o.scenario << ": " << err << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  req.uniform_price = o.uniform_price;
  req.threads = o.threads > 0 ? o.threads : std::max(1, std::min(8, static_cast<int>(std::thread::hardware_concurrency())));

  ProgressBar bar(o.quiet);
  const scenarios::ProgressFn progress = [&bar](double f, std::string_view what) { bar.update(f, what); };
  const std::atomic<bool> cancel{false};
  const scenarios::RunResult res = scenarios::run_sweep(req, progress, cancel);
  bar.clear();
  if (!res.ok) {
    std::string line = res.diagnostics.empty() ? std::string("failed") : res.diagnostics.front().to_string();
    if (res.diagnostics.size() > 1)
      line += " (and " + std::to_string(res.diagnostics.size() - 1) + " more problem" +
              (res.diagnostics.size() > 2 ? "s" : "") + ")";
    std::cerr << "flopcast: " << line << "\n";
    set_exit_code(res.exit_code == 0 ? kExitFailure : res.exit_code);
    return;
  }
  const std::string json_text = res.result.dump(2) + "\n";
  if (!o.csv.empty()) {
    if (std::string err = scenarios::write_file_atomic(o.csv, scenarios::sweep_csv(res.result)); !err.empty()) {
      std::cerr << "flopcast: " << err << "\n";
      set_exit_code(kExitFailure);
      return;
    }
  }
  if (!o.out.empty()) {
    if (std::string err = scenarios::write_file_atomic(o.out, json_text); !err.empty()) {
      std::cerr << "flopcast: " << err << "\n";
      set_exit_code(kExitFailure);
      return;
    }
  }
  if (o.format == "json") {
    std::cout << json_text;
  } else {
    std::cout << render(res.result, fancy_output(), o.front_only);
    if (!o.csv.empty()) std::cout << "CSV written to " << o.csv << "\n";
    if (!o.out.empty()) std::cout << "result JSON written to " << o.out << "\n";
  }
  std::cout.flush();
  set_exit_code(kExitOk);
}

}  // namespace

void register_sweep(CLI::App& app) {
  auto opts = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Hardware choice: the scenario on every device and count (auto layout each), time/cost Pareto front");
  cmd->add_option("scenario", opts->scenario, "Scenario file (JSON, see docs/scenario-format.md)")->required();
  cmd->add_option("--devices", opts->devices, "all, or a comma list of catalog ids (flopcast hw list)")
      ->capture_default_str();
  cmd->add_option("--gpus", opts->gpus, "Device counts: A..B (powers of two within) or N,N,...")
      ->capture_default_str();
  cmd->add_option("--format", opts->format, "Output: table (for people) or json (the sweep result JSON)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--csv", opts->csv, "Also write every configuration as CSV to FILE (atomically)");
  cmd->add_option("--out", opts->out, "Also write the result JSON to FILE (atomically)");
  cmd->add_flag("--front-only", opts->front_only, "Table: show only the Pareto-front rows");
  cmd->add_flag("--uniform-price", opts->uniform_price,
                "Apply the scenario's /costs/usd_per_gpu_hour to every device (default: to the "
                "scenario's own device only; the others take the catalog's cheapest on-demand price)");
  cmd->add_option("--threads", opts->threads, "Worker threads (default: the CPU count, at most 8)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--quiet", opts->quiet, "No progress bar");
  cmd->callback([opts] { run_sweep_command(*opts); });
}

}  // namespace flopcast::cli
