// `flopcast roi SCENARIO [--format table|json] [--out FILE] [--quiet]`: buy vs rent — TCO of the
// owned fleet, every rental option (dated price table; "derived" tiers labelled), NPV, IRR,
// payback, break-even utilisation, cost per run and per million tokens, Monte-Carlo P10/P90 and
// tCO2e beside every cost (scenarios/costs_runner.h). Also holds run_cost_command (cost_output.h).
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/cost_output.h"
#include "cli/output.h"
#include "cli/result_output.h"
#include "scenarios/atomic_file.h"
#include "scenarios/costs_runner.h"

namespace flopcast::cli {

using nlohmann::ordered_json;

void run_cost_command(const CostCommandOptions& o, const CostRunner& runner, const CostTable& table) {
  scenarios::RunRequest req;
  req.origin = o.scenario;
  if (std::string err = scenarios::read_file(o.scenario, req.scenario_text); !err.empty()) {
    std::cerr << "flopcast: " << o.scenario << ": " << err << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  ProgressBar bar(o.quiet);
  const scenarios::ProgressFn progress = [&bar](double f, std::string_view what) { bar.update(f, what); };
  const std::atomic<bool> cancel{false};
  const scenarios::RunResult res = runner(req, progress, cancel);
  bar.clear();
  if (!res.ok) {
    report_failure(res);
    return;
  }
  emit_result(res, o.format, o.out, table);
}

namespace {

std::string money(const ordered_json& v) {
  if (!v.is_number()) return "-";
  const double x = v.get<double>();
  return (x < 0 ? "-$" : "$") + format_number(std::fabs(x));
}
std::string num(const ordered_json& v, double scale = 1, const std::string& unit = "") {
  return v.is_number() ? format_number(v.get<double>() * scale) + unit : "-";
}

std::string roi_table(const ordered_json& r, bool unicode) {
  std::string s;
  const auto& in = r["inputs"];
  Table head({"input", "value"});
  head.add_row({"scenario", r["scenario"]["name"].get<std::string>()});
  head.add_row({"device", r["device"].get<std::string>()});
  head.add_row({"horizon, discount rate", num(r["horizon_years"]) + " years, " + num(r["discount_rate"], 100, " %")});
  head.add_row({"demand", num(in["demand_device_hours_per_month"]) + " device-h/month, growth " +
                              num(in["demand_growth_per_year"], 100, " %/yr")});
  head.add_row({"owned", std::to_string(in["owned_devices"].get<int>()) + " devices, capex " + money(in["capex_usd"]) + ", mean utilisation " +
                             num(in["owned_utilisation_mean"], 100, " %")});
  head.add_row({"energy per device-hour", num(in["energy_kwh_per_device_hour"], 1, " kWh") + " (" +
                                              in["energy_source"].get<std::string>() + ")"});
  head.add_row({"burst price", money(in["burst_usd_per_device_hour"]) + "/device-h"});
  head.add_row({"rental price trend", num(in["rental_trend_per_year"], 100, " %/yr")});
  head.add_row({"carbon intensity", num(r["carbon"]["g_co2e_per_kwh"], 1, " gCO2e/kWh") + " (" +
                                        r["carbon"]["grid_region"].get<std::string>() + ")"});
  head.right_align(1);
  s += head.render(unicode);
  Table t({"option", "cost", "$/dev-h", "per run", "$/M tok", "tCO2e", "NPV buy", "IRR", "payback", "break-even",
           "NPV P10..P90"});
  for (const auto& o : r["options"]) {
    std::string label = o["label"].get<std::string>();
    std::string irr = "-";
    if (o.contains("irr_status")) {
      const std::string st = o["irr_status"].get<std::string>();
      if (st == "unique") irr = num(o["irr"], 100, " %");
      else if (st == "multiple") {
        irr = "";
        for (const auto& x : o["irr_roots"]) irr += (irr.empty() ? "" : " | ") + format_number(x.get<double>() * 100) + " %";
      } else irr = st;
    }
    std::string be = "-";
    if (o.contains("break_even_utilisation")) be = o["break_even_utilisation"].is_number() ? num(o["break_even_utilisation"], 100, " %") : "never";
    std::string pb = "-";
    if (o.contains("payback_years")) pb = o["payback_years"].is_number() ? num(o["payback_years"], 1, " y") : "none";
    std::string mc = "-";
    if (o.contains("npv_p10_usd") && o["npv_p10_usd"].is_number()) mc = money(o["npv_p10_usd"]) + ".." + money(o["npv_p90_usd"]);
    t.add_row({label, money(o["cost_usd"]), money(o["effective_usd_per_device_hour"]), money(o["cost_per_run_usd"]),
               money(o["usd_per_million_tokens"]), num(o["tco2e"]), o.contains("npv_usd") ? money(o["npv_usd"]) : "-", irr,
               pb, be, mc});
  }
  for (int c = 1; c <= 9; ++c) t.right_align(c);
  s += t.render(unicode);
  // Tornado of the first rental option.
  for (const auto& o : r["options"]) {
    if (!o.contains("sensitivity")) continue;
    Table tor({"NPV sensitivity (+-20 %) vs " + o["label"].get<std::string>(), "NPV at -20 %", "NPV at +20 %", "swing"});
    int shown = 0;
    for (const auto& it : o["sensitivity"]) {
      if (shown++ == 8) break;
      tor.add_row({it["input"].get<std::string>(), money(it["npv_low_usd"]), money(it["npv_high_usd"]), money(it["swing_usd"])});
    }
    for (int c = 1; c <= 3; ++c) tor.right_align(c);
    s += tor.render(unicode);
    break;
  }
  s += "'(derived)': price from the costs.md s1.2 commitment-discount rule, not a price list. NPV buy > 0: buying is cheaper than that option.\n";
  for (const auto& n : r["notes"]) s += "note: " + n.get<std::string>() + "\n";
  return s;
}

}  // namespace

void register_roi(CLI::App& app) {
  auto opts = std::make_shared<CostCommandOptions>();
  CLI::App* cmd = app.add_subcommand("roi", "Buy vs rent: TCO, NPV, IRR, payback, break-even, carbon");
  cmd->add_option("scenario", opts->scenario, "Scenario file (schema version 2 costs section, docs/buy-vs-rent.md)")->required();
  cmd->add_option("--format", opts->format, "Output: table (for people) or json (the result JSON)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--out", opts->out, "Also write the result JSON to FILE (atomically)");
  cmd->add_flag("--quiet", opts->quiet, "No progress bar");
  cmd->callback([opts] { run_cost_command(*opts, scenarios::run_roi, roi_table); });
}

}  // namespace flopcast::cli
