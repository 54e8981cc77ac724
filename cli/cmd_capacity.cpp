// `flopcast capacity SCENARIO [--format table|json] [--out FILE] [--quiet]`: the fleet capacity
// simulation (owned pools, auto-scaled cloud capacity, schedulers, preemption) over a synthetic
// workload or a public cluster trace, and the fleet optimiser (scenarios/costs_runner.h).
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/cost_output.h"
#include "cli/output.h"
#include "scenarios/costs_runner.h"

namespace flopcast::cli {

using nlohmann::ordered_json;

namespace {

std::string num(const ordered_json& v, double scale = 1, const std::string& unit = "") {
  return v.is_number() ? format_number(v.get<double>() * scale) + unit : "-";
}
std::string money(const ordered_json& v) { return v.is_number() ? "$" + format_number(v.get<double>()) : "-"; }

std::string capacity_table(const ordered_json& r, bool unicode) {
  std::string s;
  Table t({"quantity", "value"});
  t.add_row({"scenario", r["scenario"]["name"].get<std::string>()});
  t.add_row({"scheduler", r["scheduler"].get<std::string>() + (r["preemption"].get<bool>() ? ", preemption on" : "")});
  t.add_row({"seeds", std::to_string(r["seeds"].size())});
  t.add_row({"jobs simulated / done", num(r["jobs_simulated"]) + " / " + num(r["jobs_done"]) +
                                          (r["jobs_rejected"].get<long long>() > 0 ? " (" + num(r["jobs_rejected"]) + " too large)" : "")});
  t.add_row({"P(wait)", num(r["p_wait"]) + " (sd over seeds " + num(r["p_wait_sd_over_seeds"]) + ")"});
  t.add_row({"queue wait mean / P50 / P95", num(r["queue_wait_mean_h"], 1, " h") + " / " + num(r["queue_wait_p50_h"], 1, " h") +
                                                " / " + num(r["queue_wait_p95_h"], 1, " h")});
  t.add_row({"owned utilisation", num(r["owned_utilisation"], 100, " %")});
  t.add_row({"cost owned / rented", money(r["owned_cost_usd"]) + " / " + money(r["rented_cost_usd"])});
  t.add_row({"energy, carbon", num(r["energy_mwh"], 1, " MWh") + ", " + num(r["tco2e"], 1, " tCO2e")});
  t.add_row({"deadline misses", num(r["deadline_misses"])});
  t.add_row({"preemptions, lost work", num(r["preemptions"]) + ", " + num(r["lost_device_hours"], 1, " device-h")});
  t.add_row({"simulated span", num(r["span_days"], 1, " days")});
  t.right_align(1);
  s += t.render(unicode);
  Table p({"priority", "jobs", "P(wait)", "wait P50", "wait P95", "deadline misses", "preemptions"});
  for (const auto& x : r["by_priority"])
    p.add_row({std::to_string(x["priority"].get<int>()), num(x["jobs"]), num(x["p_wait"]), num(x["queue_wait_p50_h"], 1, " h"),
               num(x["queue_wait_p95_h"], 1, " h"), num(x["deadline_misses"]), num(x["preemptions"])});
  for (int c = 1; c <= 6; ++c) p.right_align(c);
  s += p.render(unicode);
  Table q({"pool", "kind", "devices (peak)", "busy device-h", "utilisation", "cost"});
  for (const auto& x : r["pools"])
    q.add_row({x["name"].get<std::string>(), x["owned"].get<bool>() ? "owned" : (x["autoscaled"].get<bool>() ? "cloud (auto)" : "rented"),
               (x["devices"].is_number() ? num(x["devices"]) : std::string("auto")) + " (" + num(x["peak_devices"]) + ")",
               num(x["busy_device_hours"]), num(x["utilisation"], 100, " %"), money(x["cost_usd"])});
  for (int c = 2; c <= 5; ++c) q.right_align(c);
  s += q.render(unicode);
  if (r.contains("trace")) {
    const auto& tr = r["trace"];
    Table x({"trace " + tr["format"].get<std::string>(), "observed (trace)", "simulated"});
    x.add_row({"jobs imported / rows", num(tr["imported"]) + " / " + num(tr["rows"]), ""});
    x.add_row({"queue mean", num(tr["observed_queue_s"]["mean"], 1, " s"), num(tr["simulated_queue_s"]["mean"], 1, " s")});
    x.add_row({"queue median", num(tr["observed_queue_s"]["median"], 1, " s"), num(tr["simulated_queue_s"]["median"], 1, " s")});
    x.add_row({"queue P95", num(tr["observed_queue_s"]["p95"], 1, " s"), num(tr["simulated_queue_s"]["p95"], 1, " s")});
    x.add_row({"run time median / mean", num(tr["service_s"]["median"], 1, " s") + " / " + num(tr["service_s"]["mean"], 1, " s"), ""});
    x.add_row({"devices mean / max", num(tr["devices"]["mean"]) + " / " + num(tr["devices"]["max"]), ""});
    x.right_align(1);
    x.right_align(2);
    s += x.render(unicode);
  }
  if (r.contains("fleet")) {
    const auto& f = r["fleet"];
    Table c({"owned", "reserved", "expected cost", "wait P95", "meets " + num(f["wait_limit_p95_h"], 1, " h")});
    for (const auto& pt : f["curve"])
      c.add_row({num(pt["owned_devices"]), num(pt["reserved_devices"]), money(pt["expected_cost_usd"]),
                 num(pt["queue_wait_p95_h"], 1, " h"), pt["feasible"].get<bool>() ? "yes" : "no"});
    for (int k = 0; k <= 3; ++k) c.right_align(k);
    s += c.render(unicode);
    if (f["best"].is_object())
      s += "cheapest under the wait limit: " + num(f["best"]["owned_devices"]) + " owned + " +
           num(f["best"]["reserved_devices"]) + " reserved devices, " + money(f["best"]["expected_cost_usd"]) + "\n";
  }
  for (const auto& n : r["notes"]) s += "note: " + n.get<std::string>() + "\n";
  return s;
}

}  // namespace

void register_capacity(CLI::App& app) {
  auto opts = std::make_shared<CostCommandOptions>();
  CLI::App* cmd = app.add_subcommand("capacity", "Fleet capacity simulation: queueing, auto-scaling, owned vs rented cost");
  cmd->add_option("scenario", opts->scenario, "Scenario file with /costs/capacity (docs/buy-vs-rent.md)")->required();
  cmd->add_option("--format", opts->format, "Output: table (for people) or json (the result JSON)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--out", opts->out, "Also write the result JSON to FILE (atomically)");
  cmd->add_flag("--quiet", opts->quiet, "No progress bar");
  cmd->callback([opts] { run_cost_command(*opts, scenarios::run_capacity, capacity_table); });
}

}  // namespace flopcast::cli
