#include "scenarios/costs_runner.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include "flopcast/version.h"
#include "models/carbon.h"
#include "models/roi.h"
#include "scenarios/atomic_file.h"
#include "scenarios/key_table.h"
#include "scenarios/scenario.h"
#include "scenarios/sha256.h"
#include "simulator/capacity/capacity.h"
#include "simulator/capacity/traces.h"

extern "C" const char flopcast_cloud_prices_json[];
extern "C" const std::size_t flopcast_cloud_prices_json_size;

namespace flopcast::scenarios {

using nlohmann::ordered_json;
namespace cap = simulator::capacity;

namespace {

// A bad-input error with its JSON pointer.
struct InputError {
  std::string pointer;
  std::string message;
};

ordered_json num_or_null(std::optional<double> v) {
  return v && std::isfinite(*v) ? ordered_json(*v) : ordered_json(nullptr);
}
double finite_or(double v, double fallback = 0) { return std::isfinite(v) ? v : fallback; }

const ordered_json* at(const ordered_json& j, const std::string& pointer) {
  const ordered_json::json_pointer p(pointer);
  return j.contains(p) ? &j.at(p) : nullptr;
}
std::optional<double> opt_number(const ordered_json& j, const std::string& pointer) {
  const ordered_json* v = at(j, pointer);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}
double number(const ordered_json& j, const std::string& pointer, double fallback) {
  return opt_number(j, pointer).value_or(fallback);
}
std::string text(const ordered_json& j, const std::string& pointer, const std::string& fallback = "") {
  const ordered_json* v = at(j, pointer);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}
bool flag(const ordered_json& j, const std::string& pointer, bool fallback) {
  const ordered_json* v = at(j, pointer);
  return v && v->is_boolean() ? v->get<bool>() : fallback;
}

// ---- validation of arrays of objects ---------------------------------------------------------
struct Member {
  const char* name;
  char type;  // 'n' number, 'i' integer, 's' string, 'b' boolean
  bool required;
  double lo, hi;
};

void check_items(const ordered_json& costs, const std::string& rel, const std::vector<Member>& members,
                 std::vector<std::pair<std::string, std::string>>& issues) {
  const ordered_json* arr = at(costs, rel);
  if (!arr || !arr->is_array()) return;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string base = "/costs" + rel + "/" + std::to_string(i);
    const ordered_json& item = (*arr)[i];
    if (!item.is_object()) {
      issues.push_back({base, "expected an object"});
      continue;
    }
    for (auto it = item.begin(); it != item.end(); ++it) {
      const auto m = std::find_if(members.begin(), members.end(), [&](const Member& x) { return it.key() == x.name; });
      if (m == members.end()) {
        std::string known;
        for (const Member& x : members) known += (known.empty() ? "" : ", ") + std::string(x.name);
        issues.push_back({base + "/" + it.key(), "unknown key \"" + it.key() + "\": expected one of " + known});
        continue;
      }
      const ordered_json& v = it.value();
      const std::string p = base + "/" + it.key();
      if (m->type == 's' && !v.is_string()) issues.push_back({p, "expected a string"});
      if (m->type == 'b' && !v.is_boolean()) issues.push_back({p, "expected true or false"});
      if (m->type == 'n' || m->type == 'i') {
        if (!v.is_number() || !std::isfinite(v.get<double>()) ||
            (m->type == 'i' && std::floor(v.get<double>()) != v.get<double>())) {
          issues.push_back({p, std::string("expected ") + (m->type == 'i' ? "an integer" : "a number")});
        } else if (v.get<double>() < m->lo || v.get<double>() > m->hi) {
          issues.push_back({p, "is " + v.dump() + ": out of range, expected " + ordered_json(m->lo).dump() + ".." +
                                   ordered_json(m->hi).dump()});
        }
      }
    }
    for (const Member& m : members)
      if (m.required && !item.contains(m.name))
        issues.push_back({base + "/" + m.name, "missing required key"});
  }
}

// ---- price table -----------------------------------------------------------------------------
std::vector<models::PriceRow> load_prices() {
  std::vector<models::PriceRow> rows;
  const auto doc = ordered_json::parse(std::string(flopcast_cloud_prices_json, flopcast_cloud_prices_json_size));
  for (const auto& r : doc.at("rows")) {
    models::PriceRow p;
    p.device = r.at("device").get<std::string>();
    p.provider = r.at("provider").get<std::string>();
    p.instance = r.value("instance", "");
    p.region = r.value("region", "");
    p.tier = models::price_tier_from_string(r.at("tier").get<std::string>()).value();
    p.currency = r.value("currency", "USD");
    p.native_per_device_hour = r.at("price_per_device_hour").get<double>();
    if (p.currency != "USD") {
      p.fx_per_usd = r.at("fx_per_usd").get<double>();
      p.fx_date = r.value("fx_date", "");
      p.usd_per_device_hour = models::to_usd(p.native_per_device_hour, *p.fx_per_usd);
    } else {
      p.usd_per_device_hour = p.native_per_device_hour;
    }
    p.date = r.value("date", "");
    p.confidence = r.value("confidence", "");
    p.source = r.value("source", "");
    rows.push_back(p);
  }
  return rows;
}

Diagnostic diag(const std::string& origin, const std::string& pointer, const std::string& message) {
  Diagnostic d;
  d.file = origin;
  d.pointer = pointer;
  d.message = message;
  return d;
}

RunResult bad(const std::string& origin, const InputError& e) {
  RunResult r;
  r.exit_code = 2;
  r.diagnostics.push_back(diag(origin, e.pointer, e.message));
  return r;
}

ordered_json provenance(const Scenario& s, const RunRequest& req) {
  ordered_json j;
  j["flopcast_version"] = kVersion;
  j["git_sha"] = kGitSha;
  j["input_sha256"] = sha256_hex(req.scenario_text);
  j["seed"] = s.seed;
  j["schema_version"] = kSchemaVersion;
  j["migrated_from_schema_version"] =
      s.schema_version == kSchemaVersion ? ordered_json(nullptr) : ordered_json(s.schema_version);
  return j;
}

// What the analytic estimate tells the cost models (absent when the estimate fails).
struct EstimateFacts {
  bool ok = false;
  std::string device;
  double gpu_hours = 0, tokens = 0;
  std::optional<double> energy_mwh;  // null where the device's power is unknown
  std::string error;
};

EstimateFacts estimate_facts(const RunRequest& req, const std::atomic<bool>& cancel) {
  EstimateFacts f;
  RunRequest e = req;
  e.job = Job::estimate;
  const RunResult r = run(e, {}, cancel);
  if (!r.ok) {
    f.error = r.diagnostics.empty() ? "estimate failed" : r.diagnostics.front().to_string();
    return f;
  }
  const auto& j = r.result;
  const auto* m = at(j, "/metrics");
  if (!m) return f;
  f.gpu_hours = number(j, "/metrics/gpu_hours", 0);
  f.energy_mwh = opt_number(j, "/metrics/energy_mwh");
  f.tokens = number(j, "/workload/training_tokens", 0);
  f.device = text(j, "/hardware/device");
  f.ok = f.gpu_hours > 0 && std::isfinite(f.gpu_hours) &&
         (!f.energy_mwh || std::isfinite(*f.energy_mwh));
  return f;
}

struct Carbon {
  std::string region;
  double g_per_kwh = 0;
  std::string source, basis;
};

Carbon carbon_of(const ordered_json& eff) {
  Carbon c;
  c.region = text(eff, "/costs/grid_region", "us");
  if (const auto g = models::find_grid_intensity(c.region)) {
    c.g_per_kwh = g->g_co2e_per_kwh;
    c.source = std::string(g->source);
    c.basis = std::string(g->basis);
  }
  if (const auto o = opt_number(eff, "/costs/grid_g_co2e_per_kwh")) {
    c.g_per_kwh = *o;
    c.source = "scenario /costs/grid_g_co2e_per_kwh";
    c.basis = "as given";
  }
  return c;
}

ordered_json carbon_json(const Carbon& c) {
  return {{"grid_region", c.region}, {"g_co2e_per_kwh", c.g_per_kwh}, {"basis", c.basis}, {"source", c.source}};
}

// Energy per busy device-hour (IT, before PUE), kWh, and where it came from.
std::optional<std::pair<double, std::string>> energy_per_device_hour(const ordered_json& eff, const Scenario& s,
                                                                     const EstimateFacts& est) {
  if (const auto p = opt_number(eff, "/costs/owned/power_kw_per_device"))
    return std::make_pair(*p, std::string("/costs/owned/power_kw_per_device"));
  if (est.ok && est.energy_mwh && est.gpu_hours > 0 && s.pue > 0)
    return std::make_pair(*est.energy_mwh * 1000.0 / est.gpu_hours / s.pue,
                          std::string("analytic estimate: energy_mwh / gpu_hours / PUE"));
  return std::nullopt;
}

models::RentOption option_from(const ordered_json& item, const std::string& pointer, const std::string& device,
                               double demand_per_month) {
  models::RentOption o;
  o.provider = item.value("provider", "");
  const std::string tier_text = item.value("tier", "on_demand");
  const auto tier = models::price_tier_from_string(tier_text);
  if (!tier)
    throw InputError{pointer + "/tier", "is \"" + tier_text +
                                            "\": expected one of on_demand, reserved_1y, reserved_3y, spot, "
                                            "capacity_block, reserved, monthly"};
  o.tier = *tier;
  if (item.contains("usd_per_device_hour")) {
    o.usd_per_device_hour = item["usd_per_device_hour"].get<double>();
    o.price_source = "scenario " + pointer + "/usd_per_device_hour";
  } else {
    const auto row = models::find_price(price_table(), device, o.provider, o.tier);
    if (!row)
      throw InputError{pointer, "no " + tier_text + " price for " + device + " at provider \"" + o.provider +
                                    "\" in the price table and no costs.md s1.2 rule to derive one: expected "
                                    "usd_per_device_hour"};
    o.usd_per_device_hour = row->usd_per_device_hour;
    o.derived = row->derived;
    o.price_source = row->derived ? "derived: " + row->derivation
                                  : row->instance + ", " + row->region + ", " + row->date + " (" + row->confidence +
                                        "): " + row->source +
                                        (row->fx_per_usd ? " [" + row->currency + " at " +
                                                               ordered_json(*row->fx_per_usd).dump() + "/USD, " +
                                                               row->fx_date + "]"
                                                         : "");
  }
  o.preemptions_per_hour = item.value("preemptions_per_hour", 0.0);
  o.hours_lost_per_preemption = item.value("hours_lost_per_preemption", 0.0);
  const bool reserved = o.tier == models::PriceTier::reserved_1y || o.tier == models::PriceTier::reserved_3y ||
                        o.tier == models::PriceTier::reserved;
  if (reserved || item.contains("committed_devices")) {
    o.committed_devices = item.contains("committed_devices")
                              ? item["committed_devices"].get<int>()
                              : static_cast<int>(std::ceil(demand_per_month / models::kHoursPerMonth - 1e-9));
    o.term_months = o.tier == models::PriceTier::reserved_3y ? 36 : 12;
  }
  o.label = item.value("label", o.provider + " " + tier_text + (o.derived ? " (derived)" : ""));
  return o;
}

ordered_json schedule_json(const models::Schedule& s) {
  ordered_json cash = ordered_json::array(), cum = ordered_json::array();
  for (const auto& m : s.months) {
    cash.push_back(finite_or(m.cash_usd));
    cum.push_back(finite_or(m.cumulative_cash_usd));
  }
  return {{"monthly_cash_usd", cash}, {"cumulative_cash_usd", cum}, {"residual_value_usd", s.residual_value_usd}};
}

}  // namespace

const std::vector<models::PriceRow>& price_table() {
  static const std::vector<models::PriceRow> rows = load_prices();
  return rows;
}

std::vector<std::string> costs_grid_regions() {
  std::vector<std::string> out;
  for (const auto& g : models::grid_intensities()) out.emplace_back(g.region);
  return out;
}

void validate_costs_items(const ordered_json& costs, std::vector<std::pair<std::string, std::string>>& issues) {
  check_items(costs, "/rent/options",
              {{"provider", 's', true, 0, 0}, {"tier", 's', false, 0, 0}, {"usd_per_device_hour", 'n', false, 0, 10000},
               {"committed_devices", 'i', false, 0, 1e8}, {"preemptions_per_hour", 'n', false, 0, 10},
               {"hours_lost_per_preemption", 'n', false, 0, 1000}, {"label", 's', false, 0, 0}},
              issues);
  check_items(costs, "/capacity/pools",
              {{"name", 's', true, 0, 0}, {"devices", 'i', true, 0, 1e8}, {"owned", 'b', false, 0, 0},
               {"usd_per_device_hour", 'n', true, 0, 10000}},
              issues);
  check_items(costs, "/capacity/workload/sizes", {{"devices", 'i', true, 1, 1e7}, {"weight", 'n', true, 0, 1e12}},
              issues);
  check_items(costs, "/capacity/workload/priorities",
              {{"priority", 'i', true, -1000, 1000}, {"weight", 'n', true, 0, 1e12}, {"deadline_factor", 'n', false, 0, 1e6}},
              issues);
  if (const ordered_json* opts = at(costs, "/rent/options"); opts && opts->is_array())
    for (std::size_t i = 0; i < opts->size(); ++i) {
      const auto& o = (*opts)[i];
      if (o.is_object() && o.contains("tier") && o["tier"].is_string() &&
          !models::price_tier_from_string(o["tier"].get<std::string>()))
        issues.push_back({"/costs/rent/options/" + std::to_string(i) + "/tier",
                          "is " + o["tier"].dump() +
                              ": expected one of on_demand, reserved_1y, reserved_3y, spot, capacity_block, reserved, monthly"});
    }
}

// ============================================================================================
RunResult run_roi(const RunRequest& req, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  try {
    const LoadResult loaded = load_scenario_text(req.scenario_text, req.origin);
    if (!loaded.ok) {
      RunResult r;
      r.exit_code = 2;
      r.diagnostics = loaded.diagnostics;
      return r;
    }
    const Scenario& s = loaded.scenario;
    const ordered_json& eff = s.effective;
    if (progress) progress(0.0, "estimate");
    const EstimateFacts est = estimate_facts(req, cancel);
    std::vector<std::string> notes;
    if (!est.ok) notes.push_back("analytic estimate unavailable (" + est.error + "): per-run cost needs /costs/run");

    models::BuyVsRentInputs in;
    const auto demand = opt_number(eff, "/costs/demand/device_hours_per_month");
    if (!demand) throw InputError{"/costs/demand/device_hours_per_month", "missing: expected the demand in device-hours per month (roi needs it)"};
    in.demand.device_hours_per_month = *demand;
    in.demand.growth_per_year = number(eff, "/costs/demand/growth_per_year", 0);
    in.horizon_months = std::max(1, static_cast<int>(std::lround(number(eff, "/costs/horizon_years", 4) * 12)));
    in.discount_rate = number(eff, "/costs/discount_rate", 0.10);
    in.rental_trend_per_year = number(eff, "/costs/rent/trend_per_year", -0.143);

    auto& o = in.owned;
    o.devices = static_cast<int>(number(eff, "/costs/owned/devices", 0));
    const auto price = opt_number(eff, "/costs/owned/device_price_usd");
    if (o.devices > 0 && !price)
      throw InputError{"/costs/owned/device_price_usd", "missing: expected the purchase price of one device (USD) when /costs/owned/devices > 0"};
    o.device_price_usd = price.value_or(0);
    o.server_usd_per_device = opt_number(eff, "/costs/owned/server_usd_per_device").value_or(0.64 * o.device_price_usd);
    o.network_share = number(eff, "/costs/owned/network_share", 0.19);
    o.installation_usd = number(eff, "/costs/owned/installation_usd", 0);
    o.depreciation = text(eff, "/costs/owned/depreciation", "straight_line") == "declining_balance"
                         ? models::DepreciationMethod::declining_balance
                         : models::DepreciationMethod::straight_line;
    o.life_years = number(eff, "/costs/owned/life_years", 4);
    o.residual_fraction = number(eff, "/costs/owned/residual_fraction", 0);
    o.declining_factor = number(eff, "/costs/owned/declining_factor", 2);
    const auto energy = energy_per_device_hour(eff, s, est);
    if (o.devices > 0 && !energy)
      throw InputError{
          "/costs/owned/power_kw_per_device",
          std::string("missing and ") +
              (est.ok ? "the analytic estimate has no energy (the device's power is unknown)"
                      : "the analytic estimate failed") +
              ": expected the average kW of one busy device"};
    o.power_kw_per_device = energy ? energy->first : 0;
    o.provisioned_kw_per_device = opt_number(eff, "/costs/owned/provisioned_kw_per_device").value_or(o.power_kw_per_device / 0.75);
    o.pue = s.pue;
    o.tariff_usd_per_kwh = opt_number(eff, "/costs/owned/tariff_usd_per_kwh").value_or(s.electricity_usd_per_kwh);
    o.colo_usd_per_kw_month = number(eff, "/costs/owned/colo_usd_per_kw_month", 184.06);
    o.staff_usd_per_year = number(eff, "/costs/owned/staff_usd_per_year", 0);
    o.maintenance_fraction_per_year = number(eff, "/costs/owned/maintenance_fraction_per_year", 0);
    o.financed_fraction = number(eff, "/costs/owned/financed_fraction", 0);
    o.interest_rate_per_year = number(eff, "/costs/owned/interest_rate_per_year", 0);
    o.loan_years = number(eff, "/costs/owned/loan_years", 0);
    o.refresh_after_years = number(eff, "/costs/owned/refresh_after_years", 0);
    o.hardware_price_trend_per_year = number(eff, "/costs/owned/hardware_price_trend_per_year", 0);
    in.failures_per_device_year = number(eff, "/costs/owned/failures_per_device_year", 0.173);
    in.device_hours_lost_per_failure = number(eff, "/costs/owned/device_hours_lost_per_failure", 24);

    const std::string device = text(eff, "/costs/rent/device", est.ok ? est.device : s.device_id);
    // Burst (overflow) price.
    std::string burst_source;
    if (const auto b = opt_number(eff, "/costs/rent/burst_usd_per_device_hour")) {
      in.burst_usd_per_device_hour = *b;
      burst_source = "scenario /costs/rent/burst_usd_per_device_hour";
    } else {
      const std::string provider = text(eff, "/costs/rent/burst_provider");
      std::optional<models::PriceRow> best;
      if (!provider.empty()) {
        best = models::find_price(price_table(), device, provider, models::PriceTier::on_demand);
        if (!best) throw InputError{"/costs/rent/burst_provider", "no on-demand price for " + device + " at \"" + provider + "\" in the price table: expected another provider or /costs/rent/burst_usd_per_device_hour"};
      } else {
        std::set<std::string> providers;
        for (const auto& r : price_table())
          if (r.device == device) providers.insert(r.provider);
        for (const auto& p : providers)
          if (auto r = models::find_price(price_table(), device, p, models::PriceTier::on_demand))
            if (!best || r->usd_per_device_hour < best->usd_per_device_hour) best = r;
      }
      if (!best)
        throw InputError{"/costs/rent/burst_usd_per_device_hour", "no on-demand price for device \"" + device + "\" in the price table: expected a burst price"};
      in.burst_usd_per_device_hour = best->usd_per_device_hour;
      burst_source = best->provider + " on_demand " + best->date + ": " + best->source;
    }
    // Rental options.
    const ordered_json* opts = at(eff, "/costs/rent/options");
    if (opts && opts->is_array() && !opts->empty()) {
      for (std::size_t i = 0; i < opts->size(); ++i)
        in.rent_options.push_back(option_from((*opts)[i], "/costs/rent/options/" + std::to_string(i), device, *demand));
    } else {  // every provider of the device: on-demand, 1- and 3-year reserved (derived where missing), spot
      std::set<std::string> providers;
      for (const auto& r : price_table())
        if (r.device == device && r.tier == models::PriceTier::on_demand) providers.insert(r.provider);
      for (const auto& p : providers)
        for (const char* t : {"on_demand", "reserved_1y", "reserved_3y", "spot", "monthly"}) {
          const ordered_json item = {{"provider", p}, {"tier", t}};
          try {
            in.rent_options.push_back(option_from(item, "/costs/rent/options", device, *demand));
          } catch (const InputError&) {  // tier not in the table and not derivable: not offered
          }
        }
      if (in.rent_options.empty())
        throw InputError{"/costs/rent/options", "device \"" + device + "\" has no price in the price table: expected options with usd_per_device_hour"};
      notes.push_back("rent options: every provider of " + device + " in the price table (on-demand, 1-/3-year reserved, spot, monthly where known)");
    }
    // One run.
    in.run_device_hours = opt_number(eff, "/costs/run/device_hours").value_or(est.ok ? est.gpu_hours : 0.0);
    in.run_tokens = opt_number(eff, "/costs/run/tokens").value_or(est.ok ? est.tokens : s.training.training_tokens);
    // Monte Carlo.
    auto& mc = in.monte_carlo;
    mc.samples = static_cast<int>(number(eff, "/costs/monte_carlo/samples", 1000));
    mc.seed = s.seed;
    mc.trend_low = number(eff, "/costs/monte_carlo/trend_low", -0.4);
    mc.trend_high = number(eff, "/costs/monte_carlo/trend_high", 0.0);
    mc.demand_scale_low = number(eff, "/costs/monte_carlo/demand_scale_low", 0.7);
    mc.demand_scale_high = number(eff, "/costs/monte_carlo/demand_scale_high", 1.3);
    mc.failure_rate_low = number(eff, "/costs/monte_carlo/failure_rate_low", 0.1);
    mc.failure_rate_high = number(eff, "/costs/monte_carlo/failure_rate_high", 0.2);
    if (mc.trend_low > mc.trend_high) throw InputError{"/costs/monte_carlo/trend_low", "expected trend_low <= trend_high"};
    if (mc.demand_scale_low > mc.demand_scale_high) throw InputError{"/costs/monte_carlo/demand_scale_low", "expected demand_scale_low <= demand_scale_high"};
    if (mc.failure_rate_low > mc.failure_rate_high) throw InputError{"/costs/monte_carlo/failure_rate_low", "expected failure_rate_low <= failure_rate_high"};
    if (cancel.load()) {
      RunResult r;
      r.exit_code = 1;
      r.diagnostics.push_back(diag(req.origin, "", "cancelled"));
      return r;
    }
    if (progress) progress(0.2, "buy vs rent");
    models::BuyVsRentResult res;
    try {
      res = models::analyse_buy_vs_rent(in);
    } catch (const std::invalid_argument& e) {
      throw InputError{"/costs", e.what()};
    }
    if (progress) progress(1.0, "done");

    const Carbon carbon = carbon_of(eff);
    const double kwh = energy ? energy->first : 0.0;
    ordered_json out;
    out["result_version"] = 1;
    out["job"] = "roi";
    out["scenario"] = {{"name", s.name}, {"file", req.origin}};
    out["device"] = device;
    out["currency"] = "USD";
    out["horizon_years"] = in.horizon_months / 12.0;
    out["discount_rate"] = in.discount_rate;
    ordered_json inputs;
    inputs["demand_device_hours_per_month"] = in.demand.device_hours_per_month;
    inputs["demand_growth_per_year"] = in.demand.growth_per_year;
    inputs["owned_devices"] = o.devices;
    inputs["capex_usd"] = o.capex_usd();
    inputs["energy_kwh_per_device_hour"] = energy ? ordered_json(kwh) : ordered_json(nullptr);
    inputs["energy_source"] = energy ? energy->second : "none";
    inputs["pue"] = o.pue;
    inputs["tariff_usd_per_kwh"] = o.tariff_usd_per_kwh;
    inputs["rental_trend_per_year"] = in.rental_trend_per_year;
    inputs["burst_usd_per_device_hour"] = in.burst_usd_per_device_hour;
    inputs["burst_price_source"] = burst_source;
    inputs["failure_loss"] = res.failure_loss;
    inputs["owned_utilisation_mean"] = res.owned_utilisation_mean;
    inputs["run_device_hours"] = in.run_device_hours;
    inputs["run_tokens"] = in.run_tokens;
    out["inputs"] = inputs;
    out["carbon"] = carbon_json(carbon);
    ordered_json options = ordered_json::array();
    for (const auto& r : res.options) {
      ordered_json j;
      j["label"] = r.label;
      j["kind"] = r.kind;
      if (r.kind == "rent") {
        j["tier"] = std::string(models::to_string(r.tier));
        j["derived"] = r.derived;
        j["price_source"] = r.price_source;
        j["usd_per_device_hour"] = r.usd_per_device_hour;
      }
      j["cost_usd"] = finite_or(r.cost_usd);
      j["pv_cost_usd"] = finite_or(r.pv_cost_usd);
      j["effective_usd_per_device_hour"] = finite_or(r.effective_usd_per_device_hour);
      j["cost_per_run_usd"] = num_or_null(r.cost_per_run_usd);
      j["usd_per_million_tokens"] = num_or_null(r.usd_per_million_tokens);
      // Energy of every device-hour this option runs (rented: same device power and PUE assumed).
      double busy_h = 0;
      for (const auto& m : r.schedule.months)
        busy_h += r.kind == "own" ? m.owned_device_hours / (1.0 - res.failure_loss) + m.rented_device_hours
                                  : m.rented_device_hours;
      const double mwh = busy_h * kwh * o.pue / 1000.0;
      j["energy_mwh"] = energy ? ordered_json(mwh) : ordered_json(nullptr);
      j["tco2e"] = energy ? ordered_json(models::tco2e(mwh, carbon.g_per_kwh)) : ordered_json(nullptr);
      if (r.kind == "rent") {
        j["npv_usd"] = num_or_null(r.npv_usd);
        j["irr"] = r.irr.status == models::IrrStatus::unique ? ordered_json(r.irr.roots[0]) : ordered_json(nullptr);
        j["irr_status"] = std::string(models::to_string(r.irr.status));
        j["irr_roots"] = r.irr.roots;
        if (!r.irr.note.empty()) j["irr_note"] = r.irr.note;
        j["payback_years"] = num_or_null(r.payback_years);
        j["break_even_utilisation"] = num_or_null(r.break_even_utilisation);
        if (!r.break_even_note.empty()) j["break_even_note"] = r.break_even_note;
        j["npv_p10_usd"] = num_or_null(r.npv_p10_usd);
        j["npv_p50_usd"] = num_or_null(r.npv_p50_usd);
        j["npv_p90_usd"] = num_or_null(r.npv_p90_usd);
        j["yearly_savings_usd"] = r.yearly_savings_usd;
        ordered_json sens = ordered_json::array();
        for (const auto& it : r.sensitivity)
          sens.push_back({{"input", it.input}, {"npv_low_usd", finite_or(it.npv_low_usd)},
                          {"npv_high_usd", finite_or(it.npv_high_usd)}, {"swing_usd", finite_or(it.swing_usd)}});
        j["sensitivity"] = sens;
      }
      j["schedule"] = schedule_json(r.schedule);
      options.push_back(j);
    }
    out["options"] = options;
    if (est.ok) {
      out["run"] = {
          {"gpu_hours", est.gpu_hours},
          {"energy_mwh", est.energy_mwh ? ordered_json(*est.energy_mwh) : ordered_json(nullptr)},
          {"tco2e", est.energy_mwh ? ordered_json(models::tco2e(*est.energy_mwh, carbon.g_per_kwh))
                                   : ordered_json(nullptr)}};
    }
    for (const auto& n : res.notes) notes.push_back(n);
    out["notes"] = notes;
    out["provenance"] = provenance(s, req);
    RunResult rr;
    rr.ok = true;
    rr.result = std::move(out);
    return rr;
  } catch (const InputError& e) {
    return bad(req.origin, e);
  } catch (const std::exception& e) {
    RunResult r;
    r.exit_code = 1;
    r.diagnostics.push_back(diag(req.origin, "", std::string("internal error: ") + e.what()));
    return r;
  }
}

// ============================================================================================
namespace {

std::string dir_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string resolve(const std::string& origin, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  return dir_of(origin) + "/" + rel;
}

cap::CapacityConfig capacity_config(const ordered_json& eff) {
  cap::CapacityConfig c;
  c.scheduler = *cap::scheduler_from_string(text(eff, "/costs/capacity/scheduler", "fifo"));
  c.preemption = flag(eff, "/costs/capacity/preemption", false);
  c.checkpoint_interval_s = number(eff, "/costs/capacity/checkpoint_interval_s", 0);
  c.backfill_depth = static_cast<int>(number(eff, "/costs/capacity/backfill_depth", 256));
  c.horizon_s = number(eff, "/costs/capacity/horizon_days", 0) * 86400.0;
  if (const ordered_json* pools = at(eff, "/costs/capacity/pools"); pools && pools->is_array())
    for (const auto& p : *pools)
      c.pools.push_back({p.value("name", ""), p.value("devices", 0), p.value("owned", true), p.value("usd_per_device_hour", 0.0)});
  auto& a = c.autoscale;
  a.enabled = flag(eff, "/costs/capacity/autoscale/enabled", false);
  a.usd_per_device_hour = number(eff, "/costs/capacity/autoscale/usd_per_device_hour", 0);
  a.max_devices = static_cast<int>(number(eff, "/costs/capacity/autoscale/max_devices", 0));
  a.step_devices = static_cast<int>(number(eff, "/costs/capacity/autoscale/step_devices", 8));
  a.queue_threshold = static_cast<int>(number(eff, "/costs/capacity/autoscale/queue_threshold", 1));
  a.utilisation_threshold = number(eff, "/costs/capacity/autoscale/utilisation_threshold", 1.01);
  a.scale_down_utilisation = number(eff, "/costs/capacity/autoscale/scale_down_utilisation", 0.5);
  a.provisioning_delay_s = number(eff, "/costs/capacity/autoscale/provisioning_delay_s", 600);
  a.cooldown_s = number(eff, "/costs/capacity/autoscale/cooldown_s", 600);
  a.check_interval_s = number(eff, "/costs/capacity/autoscale/check_interval_s", 300);
  if (c.pools.empty() && !(a.enabled && a.max_devices > 0))
    throw InputError{"/costs/capacity/pools", "no capacity: expected at least one pool or an enabled autoscale with max_devices > 0"};
  return c;
}

cap::PoissonWorkload workload_of(const ordered_json& eff) {
  cap::PoissonWorkload w;
  const auto rate = opt_number(eff, "/costs/capacity/workload/arrivals_per_hour");
  const auto jobs = opt_number(eff, "/costs/capacity/workload/jobs");
  if (!rate) throw InputError{"/costs/capacity/workload/arrivals_per_hour", "missing: expected the job arrival rate (or a /costs/capacity/trace)"};
  if (!jobs) throw InputError{"/costs/capacity/workload/jobs", "missing: expected the number of jobs per seed (or a /costs/capacity/trace)"};
  w.arrivals_per_hour = *rate;
  w.jobs = static_cast<std::int64_t>(*jobs);
  w.growth_per_year = number(eff, "/costs/capacity/workload/growth_per_year", 0);
  w.mean_service_h = number(eff, "/costs/capacity/workload/mean_service_h", 1);
  w.duration = *cap::duration_dist_from_string(text(eff, "/costs/capacity/workload/duration", "exponential"));
  w.lognormal_sigma = number(eff, "/costs/capacity/workload/lognormal_sigma", 1);
  if (const ordered_json* sizes = at(eff, "/costs/capacity/workload/sizes"); sizes && sizes->is_array() && !sizes->empty()) {
    w.sizes.clear();
    for (const auto& x : *sizes) w.sizes.push_back({x.value("devices", 1), x.value("weight", 1.0)});
  }
  if (const ordered_json* pr = at(eff, "/costs/capacity/workload/priorities"); pr && pr->is_array() && !pr->empty()) {
    w.priorities.clear();
    for (const auto& x : *pr) w.priorities.push_back({x.value("priority", 0), x.value("weight", 1.0), x.value("deadline_factor", 0.0)});
  }
  double total = 0;
  for (const auto& x : w.sizes) total += x.weight;
  if (!(total > 0)) throw InputError{"/costs/capacity/workload/sizes", "expected at least one weight > 0"};
  total = 0;
  for (const auto& x : w.priorities) total += x.weight;
  if (!(total > 0)) throw InputError{"/costs/capacity/workload/priorities", "expected at least one weight > 0"};
  return w;
}

ordered_json summary_json(const cap::Summary& s, double scale) {
  return {{"jobs", s.jobs}, {"mean", s.mean / scale}, {"median", s.median / scale}, {"p95", s.p95 / scale}, {"max", s.max / scale}};
}

}  // namespace

RunResult run_capacity(const RunRequest& req, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  try {
    const LoadResult loaded = load_scenario_text(req.scenario_text, req.origin);
    if (!loaded.ok) {
      RunResult r;
      r.exit_code = 2;
      r.diagnostics = loaded.diagnostics;
      return r;
    }
    const Scenario& s = loaded.scenario;
    const ordered_json& eff = s.effective;
    const cap::CapacityConfig cfg = capacity_config(eff);
    std::vector<std::string> notes;

    // Jobs: a trace, or the synthetic workload per seed.
    std::vector<std::vector<cap::JobSpec>> streams;
    std::vector<std::uint64_t> seeds;
    std::optional<cap::TraceImport> trace;
    std::string trace_format;
    std::optional<cap::PoissonWorkload> workload;
    if (const ordered_json* fmt = at(eff, "/costs/capacity/trace/format"); fmt && fmt->is_string()) {
      trace_format = fmt->get<std::string>();
      const std::string rel = text(eff, "/costs/capacity/trace/path");
      if (rel.empty()) throw InputError{"/costs/capacity/trace/path", "missing: expected the trace file (relative to the scenario)"};
      std::string body, tasks;
      const std::string path = resolve(req.origin, rel);
      if (std::string err = read_file(path, body); !err.empty()) throw InputError{"/costs/capacity/trace/path", path + ": " + err};
      try {
        switch (*cap::trace_format_from_string(trace_format)) {
          case cap::TraceFormat::alibaba_gpu2023: trace = cap::parse_alibaba_gpu2023(body); break;
          case cap::TraceFormat::helios: trace = cap::parse_helios(body); break;
          case cap::TraceFormat::philly: trace = cap::parse_philly(body); break;
          case cap::TraceFormat::alibaba_pai2020: {
            const std::string trel = text(eff, "/costs/capacity/trace/task_path");
            if (trel.empty()) throw InputError{"/costs/capacity/trace/task_path", "missing: PAI 2020 needs pai_task_table.csv"};
            const std::string tpath = resolve(req.origin, trel);
            if (std::string err = read_file(tpath, tasks); !err.empty()) throw InputError{"/costs/capacity/trace/task_path", tpath + ": " + err};
            trace = cap::parse_pai2020(body, tasks);
            break;
          }
        }
      } catch (const std::invalid_argument& e) {
        throw InputError{"/costs/capacity/trace/path", path + ": " + e.what()};
      }
      streams.push_back(trace->jobs);
      seeds.push_back(0);
    } else {
      workload = workload_of(eff);
      if (const ordered_json* sd = at(eff, "/costs/capacity/seeds"); sd && sd->is_array())
        for (const auto& x : *sd) seeds.push_back(x.get<std::uint64_t>());
      if (seeds.empty()) throw InputError{"/costs/capacity/seeds", "expected at least one seed"};
      for (std::uint64_t seed : seeds) streams.push_back(cap::generate_jobs(*workload, seed));
    }

    // Simulate each stream.
    std::vector<cap::CapacityResult> results;
    const double n = static_cast<double>(streams.size());
    const bool fleet = at(eff, "/costs/capacity/fleet/owned_grid") != nullptr && workload.has_value();
    const double sim_share = fleet ? 0.5 : 1.0;
    for (std::size_t i = 0; i < streams.size(); ++i) {
      const cap::ProgressFn pf = [&](double f) {
        if (progress) progress(sim_share * (i + f) / n, "simulating");
      };
      try {
        results.push_back(cap::simulate(streams[i], cfg, pf, &cancel));
      } catch (const std::invalid_argument& e) {
        throw InputError{"/costs/capacity", e.what()};
      }
      if (results.back().cancelled || cancel.load()) {
        RunResult r;
        r.exit_code = 1;
        r.diagnostics.push_back(diag(req.origin, "", "cancelled"));
        return r;
      }
    }
    // Aggregate: means over seeds (and the spread of p_wait / mean wait).
    auto mean = [&](auto f) {
      double s2 = 0;
      for (const auto& r : results) s2 += f(r);
      return s2 / results.size();
    };
    auto sd = [&](auto f) {
      if (results.size() < 2) return 0.0;
      const double m = mean(f);
      double v = 0;
      for (const auto& r : results) v += (f(r) - m) * (f(r) - m);
      return std::sqrt(v / (results.size() - 1));
    };
    std::int64_t simulated = 0, done = 0, rejected = 0, misses = 0, preempt = 0;
    for (const auto& r : results) {
      simulated += r.jobs_submitted;
      done += r.jobs_done;
      rejected += r.jobs_rejected;
      misses += r.deadline_misses;
      preempt += r.preemptions;
    }
    ordered_json out;
    out["result_version"] = 1;
    out["job"] = "capacity";
    out["scenario"] = {{"name", s.name}, {"file", req.origin}};
    out["scheduler"] = cap::to_string(cfg.scheduler);
    out["preemption"] = cfg.preemption;
    out["seeds"] = seeds;
    out["jobs_simulated"] = simulated;
    out["jobs_done"] = done;
    out["jobs_rejected"] = rejected;
    out["deadline_misses"] = misses;
    out["preemptions"] = preempt;
    out["p_wait"] = mean([](const auto& r) { return r.p_wait; });
    out["p_wait_sd_over_seeds"] = sd([](const auto& r) { return r.p_wait; });
    out["queue_wait_mean_h"] = mean([](const auto& r) { return r.wait_mean_s / 3600; });
    out["queue_wait_mean_h_sd_over_seeds"] = sd([](const auto& r) { return r.wait_mean_s / 3600; });
    out["queue_wait_p50_h"] = mean([](const auto& r) { return r.wait_p50_s / 3600; });
    out["queue_wait_p95_h"] = mean([](const auto& r) { return r.wait_p95_s / 3600; });
    out["owned_utilisation"] = mean([](const auto& r) { return r.owned_utilisation; });
    out["span_days"] = mean([](const auto& r) { return r.span_s / 86400; });
    out["owned_cost_usd"] = mean([](const auto& r) { return r.owned_cost_usd; });
    out["rented_cost_usd"] = mean([](const auto& r) { return r.rented_cost_usd; });
    out["useful_device_hours"] = mean([](const auto& r) { return r.useful_device_hours; });
    out["lost_device_hours"] = mean([](const auto& r) { return r.lost_device_hours; });
    out["owned_device_hours_used"] = mean([](const auto& r) { return r.owned_device_hours_used; });
    out["rented_device_hours_used"] = mean([](const auto& r) { return r.rented_device_hours_used; });
    // Carbon beside the cost: every busy device-hour at the owned power and PUE.
    const Carbon carbon = carbon_of(eff);
    std::optional<double> kw = opt_number(eff, "/costs/owned/power_kw_per_device");
    if (!kw) {
      const EstimateFacts est = estimate_facts(req, cancel);
      if (auto e = energy_per_device_hour(eff, s, est)) kw = e->first;
    }
    const double busy_h = mean([](const auto& r) { return r.busy_device_hours; });
    if (kw) {
      const double mwh = busy_h * *kw * s.pue / 1000.0;
      out["energy_mwh"] = mwh;
      out["tco2e"] = models::tco2e(mwh, carbon.g_per_kwh);
    } else {
      out["energy_mwh"] = nullptr;
      out["tco2e"] = nullptr;
      notes.push_back("energy and carbon not computed: set /costs/owned/power_kw_per_device");
    }
    out["carbon"] = carbon_json(carbon);
    // Per priority (first seed's classes; values averaged over seeds).
    ordered_json prio = ordered_json::array();
    for (std::size_t k = 0; k < results[0].by_priority.size(); ++k) {
      auto pm = [&](auto f) {
        double s2 = 0;
        int c = 0;
        for (const auto& r : results)
          if (k < r.by_priority.size()) s2 += f(r.by_priority[k]), ++c;
        return c ? s2 / c : 0.0;
      };
      std::int64_t jobs = 0, dn = 0, dm = 0, pre = 0;
      for (const auto& r : results)
        if (k < r.by_priority.size())
          jobs += r.by_priority[k].jobs, dn += r.by_priority[k].done, dm += r.by_priority[k].deadline_misses,
              pre += r.by_priority[k].preemptions;
      prio.push_back({{"priority", results[0].by_priority[k].priority}, {"jobs", jobs}, {"jobs_done", dn},
                      {"p_wait", pm([](const auto& p) { return p.p_wait; })},
                      {"queue_wait_mean_h", pm([](const auto& p) { return p.wait_mean_s / 3600; })},
                      {"queue_wait_p50_h", pm([](const auto& p) { return p.wait_p50_s / 3600; })},
                      {"queue_wait_p95_h", pm([](const auto& p) { return p.wait_p95_s / 3600; })},
                      {"deadline_misses", dm}, {"preemptions", pre}});
    }
    out["by_priority"] = prio;
    ordered_json pools = ordered_json::array();
    for (std::size_t k = 0; k < results[0].pools.size(); ++k) {
      auto pm = [&](auto f) {
        double s2 = 0;
        for (const auto& r : results) s2 += f(r.pools[k]);
        return s2 / results.size();
      };
      const auto& p0 = results[0].pools[k];
      pools.push_back({{"name", p0.name}, {"owned", p0.owned}, {"autoscaled", p0.autoscaled},
                       {"devices", p0.autoscaled ? ordered_json(nullptr) : ordered_json(p0.devices)},
                       {"peak_devices", pm([](const auto& p) { return static_cast<double>(p.peak_devices); })},
                       {"busy_device_hours", pm([](const auto& p) { return p.busy_device_hours; })},
                       {"billed_device_hours", pm([](const auto& p) { return p.billed_device_hours; })},
                       {"utilisation", pm([](const auto& p) { return p.utilisation; })},
                       {"cost_usd", pm([](const auto& p) { return p.cost_usd; })}});
    }
    out["pools"] = pools;
    if (trace) {
      std::vector<double> service;
      for (const auto& j : trace->jobs) service.push_back(j.service_s);
      std::vector<double> sizes;
      for (const auto& j : trace->jobs) sizes.push_back(j.devices);
      out["trace"] = {{"format", trace_format},
                      {"rows", trace->rows},
                      {"imported", static_cast<std::int64_t>(trace->jobs.size())},
                      {"skipped", trace->skipped},
                      {"notes", trace->notes},
                      {"observed_queue_s", summary_json(cap::summarise(trace->observed_queue_s), 1)},
                      {"service_s", summary_json(cap::summarise(service), 1)},
                      {"devices", summary_json(cap::summarise(sizes), 1)},
                      {"simulated_queue_s", {{"mean", results[0].wait_mean_s}, {"median", results[0].wait_p50_s}, {"p95", results[0].wait_p95_s}}}};
    }
    if (fleet) {
      cap::FleetSearch fs;
      for (const auto& x : *at(eff, "/costs/capacity/fleet/owned_grid")) fs.owned_grid.push_back(x.get<int>());
      fs.reserved_grid.clear();
      for (const auto& x : *at(eff, "/costs/capacity/fleet/reserved_grid")) fs.reserved_grid.push_back(x.get<int>());
      if (fs.owned_grid.empty()) throw InputError{"/costs/capacity/fleet/owned_grid", "expected at least one owned size"};
      if (fs.reserved_grid.empty()) fs.reserved_grid = {0};
      fs.owned_usd_per_device_hour = number(eff, "/costs/capacity/fleet/owned_usd_per_device_hour", 0);
      fs.reserved_usd_per_device_hour = number(eff, "/costs/capacity/fleet/reserved_usd_per_device_hour", 0);
      fs.wait_limit_p95_s = number(eff, "/costs/capacity/fleet/wait_limit_p95_h", 1) * 3600;
      fs.seeds = seeds;
      const cap::FleetResult fr = cap::optimise_fleet(
          *workload, cfg, fs, [&](double f) { if (progress) progress(0.5 + 0.5 * f, "fleet optimiser"); }, &cancel);
      if (cancel.load()) {
        RunResult r;
        r.exit_code = 1;
        r.diagnostics.push_back(diag(req.origin, "", "cancelled"));
        return r;
      }
      auto point = [](const cap::FleetPoint& p) {
        return ordered_json{{"owned_devices", p.owned_devices}, {"reserved_devices", p.reserved_devices},
                            {"expected_cost_usd", p.expected_cost_usd}, {"queue_wait_p95_h", p.wait_p95_s / 3600},
                            {"queue_wait_mean_h", p.wait_mean_s / 3600}, {"feasible", p.feasible}};
      };
      ordered_json curve = ordered_json::array();
      for (const auto& p : fr.curve) curve.push_back(point(p));
      out["fleet"] = {{"wait_limit_p95_h", fs.wait_limit_p95_s / 3600}, {"curve", curve},
                      {"best", fr.best ? point(*fr.best) : ordered_json(nullptr)}};
      if (!fr.best) notes.push_back("fleet optimiser: no grid point meets the wait limit");
    } else if (at(eff, "/costs/capacity/fleet/owned_grid")) {
      notes.push_back("fleet optimiser runs on the synthetic workload only (not on a trace)");
    }
    if (progress) progress(1.0, "done");
    out["notes"] = notes;
    out["provenance"] = provenance(s, req);
    RunResult rr;
    rr.ok = true;
    rr.result = std::move(out);
    return rr;
  } catch (const InputError& e) {
    return bad(req.origin, e);
  } catch (const std::exception& e) {
    RunResult r;
    r.exit_code = 1;
    r.diagnostics.push_back(diag(req.origin, "", std::string("internal error: ") + e.what()));
    return r;
  }
}

}  // namespace flopcast::scenarios
