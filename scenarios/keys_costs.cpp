// Scenario keys of the "costs" section.
//
// Schema version 1: rental price, electricity, PUE, currency.
// Schema version 2 (buy vs rent): horizon, discount rate, grid region (carbon), demand, owned
// hardware (TCO), rental options (price table tiers), Monte Carlo, the training run, and the fleet
// capacity simulation (pools, scheduler, auto-scaling, synthetic workload or a cluster trace, fleet
// optimiser). Version 1 files migrate unchanged (scenarios/migrate.cpp, step 1 -> 2).
//
// Defaults and their sources (the costs research notes (docs/buy-vs-rent.md lists the sources)):
//   electricity_usd_per_kwh 0.08: the "suggested simulator default" there (US industrial average,
//     EIA: 8.06 cents/kWh in 2023).
//   pue 1.25: Epoch AI training-cost-trends' default for non-hyperscale facilities.
//   usd_per_gpu_hour: no default; rental prices vary 3-5x by provider and date, so the cost is
//     reported as not computed until the user gives one.
//   owned/network_share 0.19: Epoch's cluster-interconnect share of total cluster cost (§3.2).
//   owned/server_usd_per_device: 0.64 × device price (Epoch: server ≈ 1.64 × GPU price, §2).
//   owned/life_years 4: the suggested simulator default of §3.2 (range 3–6).
//   owned/colo_usd_per_kw_month 184.06: CBRE North America H2 2024 asking rate (§3.1).
//   owned/failures_per_device_year 0.173: Llama 3 405B, 419 unexpected interruptions in 54 days on
//     16,384 GPUs (§4.1).
//   owned/device_hours_lost_per_failure 24: an assumption (a day of repair or replacement per failed
//     device); no published figure.
//   rent/trend_per_year −0.143: Lambda 8× H100 on-demand $3.49 (2024-01) → $2.99 (~2025) (§1.3).
//   monte_carlo/failure_rate 0.1–0.2 per device-year: the suggested range of §4.2.
//   staff, maintenance, installation, residual value: 0 unless given (§3.2: no authoritative figure).
#include <string>

#include "models/energy.h"
#include "scenarios/costs_runner.h"
#include "scenarios/keys_sections.h"

namespace flopcast::scenarios::detail {

namespace {
const char* kGroup = "costs";
using J = nlohmann::ordered_json;

void obj(std::vector<KeySpec>& k, const char* p, const char* help) {
  k.push_back({.pointer = p, .type = KeyType::object, .default_value = J::object(), .help = help, .group = kGroup});
}
void num(std::vector<KeySpec>& k, const char* p, J def, const char* unit, double lo, double hi, const char* help,
         const char* default_text = "") {
  k.push_back({.pointer = p, .type = KeyType::number, .default_value = def, .unit = unit, .minimum = lo,
               .maximum = hi, .help = help, .group = kGroup, .default_text = default_text});
}
void integer(std::vector<KeySpec>& k, const char* p, J def, const char* unit, double lo, double hi, const char* help,
             const char* default_text = "") {
  k.push_back({.pointer = p, .type = KeyType::integer, .default_value = def, .unit = unit, .minimum = lo,
               .maximum = hi, .help = help, .group = kGroup, .default_text = default_text});
}
void enumeration(std::vector<KeySpec>& k, const char* p, J def, std::vector<std::string> choices, const char* help,
                 const char* default_text = "") {
  k.push_back({.pointer = p, .type = KeyType::enumeration, .default_value = def, .choices = std::move(choices),
               .help = help, .group = kGroup, .default_text = default_text});
}
void boolean(std::vector<KeySpec>& k, const char* p, bool def, const char* help) {
  k.push_back({.pointer = p, .type = KeyType::boolean, .default_value = def, .help = help, .group = kGroup});
}
void string(std::vector<KeySpec>& k, const char* p, const char* help, const char* default_text) {
  k.push_back({.pointer = p, .type = KeyType::string, .help = help, .group = kGroup, .default_text = default_text});
}
// Arrays of objects: their items are checked member by member in apply_costs().
void objects(std::vector<KeySpec>& k, const char* p, const char* help, const char* default_text) {
  k.push_back({.pointer = p, .type = KeyType::array, .help = help, .group = kGroup, .item_type = KeyType::object,
               .default_text = default_text});
}
void integers(std::vector<KeySpec>& k, const char* p, J def, double lo, double hi, const char* help,
              const char* default_text = "") {
  k.push_back({.pointer = p, .type = KeyType::array, .default_value = def, .minimum = lo, .maximum = hi, .help = help,
               .group = kGroup, .item_type = KeyType::integer, .default_text = default_text});
}
}  // namespace

void add_costs_keys(std::vector<KeySpec>& k) {
  k.push_back({.pointer = "/costs", .type = KeyType::object, .default_value = nlohmann::ordered_json::object(),
               .help = "What the run costs: rental price, electricity and facility overhead; buy vs rent (schema 2).",
               .group = kGroup});
  k.push_back({.pointer = "/costs/currency", .type = KeyType::enumeration, .default_value = "USD",
               .choices = {"USD"},
               .help = "Currency of every amount. Prices in other currencies (CNY) are converted at the dated exchange rate of their price-table row.", .group = kGroup});
  k.push_back({.pointer = "/costs/usd_per_gpu_hour", .type = KeyType::number, .unit = "USD/GPU-hour",
               .minimum = 0, .maximum = 10000,
               .help = "Rental price of one accelerator for one hour. Absent: the rental cost and cost_usd are not computed (null).",
               .group = kGroup, .default_text = "none: cost not computed"});
  k.push_back({.pointer = "/costs/electricity_usd_per_kwh", .type = KeyType::number, .default_value = 0.08,
               .unit = "USD/kWh", .minimum = 0, .maximum = 100,
               .help = "Electricity price (US industrial average, EIA 2023: 0.0806). Set 0 when electricity is included in the rental price.",
               .group = kGroup});
  k.push_back({.pointer = "/costs/pue", .type = KeyType::number, .default_value = models::kPueOther, .unit = "",
               .minimum = 1, .maximum = 5,
               .help = "Power usage effectiveness: facility energy / IT energy (Epoch AI's default 1.25; hyperscale about 1.1).",
               .group = kGroup});
  // ---- schema version 2: buy vs rent ----
  num(k, "/costs/horizon_years", 4, "years", 0.0833, 30, "Months to plan over, in years (buy-vs-rent and TCO schedules).");
  num(k, "/costs/discount_rate", 0.10, "1/year", -0.5, 2, "Discount rate for NPV and present values (cost of capital; costs.md: WACC 8-15 %).");
  std::vector<std::string> regions;
  for (const auto& g : costs_grid_regions()) regions.push_back(g);
  enumeration(k, "/costs/grid_region", "us", regions, "Grid whose carbon intensity turns energy into tCO2e (costs.md s3.4: Ember 2023 / EIA 2023).");
  num(k, "/costs/grid_g_co2e_per_kwh", nullptr, "gCO2e/kWh", 0, 2000, "Carbon intensity overriding grid_region (e.g. a contracted supply).", "the grid_region's value");
  obj(k, "/costs/demand", "Compute demand in device-hours per month and its growth.");
  num(k, "/costs/demand/device_hours_per_month", nullptr, "device-hours/month", 0, 1e12, "Demand today. Required by `roi`.", "none: roi needs it");
  num(k, "/costs/demand/growth_per_year", 0, "1/year", -0.99, 100, "Demand growth per year (0.5 = +50 %/yr), compounded monthly.");
  obj(k, "/costs/owned", "Owned capacity: purchase, depreciation, power, colocation, staff, maintenance, financing, refresh.");
  integer(k, "/costs/owned/devices", 0, "devices", 0, 1e8, "Devices bought.");
  num(k, "/costs/owned/device_price_usd", nullptr, "USD/device", 0, 1e8, "Purchase price of one device. Required when devices > 0.", "none: required when devices > 0");
  num(k, "/costs/owned/server_usd_per_device", nullptr, "USD/device", 0, 1e8, "Server share per device (chassis, CPUs, memory, NICs).", "0.64 x device_price_usd (Epoch: server = 1.64 x GPU price)");
  num(k, "/costs/owned/network_share", 0.19, "", 0, 0.9, "Cluster interconnect as a share of total capex (Epoch AI: 19 %).");
  num(k, "/costs/owned/installation_usd", 0, "USD", 0, 1e12, "One-off installation per purchase (rack, cable, commission).");
  enumeration(k, "/costs/owned/depreciation", "straight_line", {"straight_line", "declining_balance"}, "Depreciation method.");
  num(k, "/costs/owned/life_years", 4, "years", 0.25, 20, "Depreciation life (costs.md suggested default 4, range 3-6).");
  num(k, "/costs/owned/residual_fraction", 0, "", 0, 0.99, "Residual (resale) value at the end of the life, as a share of capex.");
  num(k, "/costs/owned/declining_factor", 2, "", 0.1, 10, "Declining-balance factor (2 = double-declining).");
  num(k, "/costs/owned/power_kw_per_device", nullptr, "kW/device", 0, 1000, "Average IT power of one device with its server share while busy.", "the analytic model's energy per device-hour");
  num(k, "/costs/owned/provisioned_kw_per_device", nullptr, "kW/device", 0, 1000, "Power the colocation contract bills per device.", "power_kw_per_device / 0.75 (average draw 0.75 of maximum, Epoch)");
  num(k, "/costs/owned/tariff_usd_per_kwh", nullptr, "USD/kWh", 0, 100, "Electricity price of the owned fleet.", "/costs/electricity_usd_per_kwh");
  num(k, "/costs/owned/colo_usd_per_kw_month", 184.06, "USD/kW-month", 0, 1e5, "Colocation price (CBRE N. America H2 2024: 184.06).");
  num(k, "/costs/owned/staff_usd_per_year", 0, "USD/year", 0, 1e12, "Operations staff (no authoritative figure; an explicit assumption).");
  num(k, "/costs/owned/maintenance_fraction_per_year", 0, "1/year", 0, 1, "Maintenance as a share of capex per year (an explicit assumption; costs.md suggests 3-10 %).");
  num(k, "/costs/owned/financed_fraction", 0, "", 0, 1, "Share of capex paid by a loan (annuity, monthly payments).");
  num(k, "/costs/owned/interest_rate_per_year", 0, "1/year", 0, 1, "Loan interest rate.");
  num(k, "/costs/owned/loan_years", 0, "years", 0, 30, "Loan term; 0 = the depreciation life.");
  num(k, "/costs/owned/refresh_after_years", 0, "years", 0, 30, "Replace the fleet after this many years at the then-current price; 0 = never.");
  num(k, "/costs/owned/hardware_price_trend_per_year", 0, "1/year", -0.99, 10, "Change of the purchase price per year, applied at refresh (-0.2 = 20 % cheaper each year).");
  num(k, "/costs/owned/failures_per_device_year", 0.173, "1/device-year", 0, 100, "Device failures per year (Llama 3 405B: 0.173).");
  num(k, "/costs/owned/device_hours_lost_per_failure", 24, "device-hours", 0, 1e6, "Useful device-hours lost per failure (assumption: one day of repair).");
  obj(k, "/costs/rent", "Rental options from the dated price table (scenarios/data/prices/cloud_prices.json).");
  string(k, "/costs/rent/device", "Catalog id whose prices are looked up.", "/hardware/device");
  num(k, "/costs/rent/trend_per_year", -0.143, "1/year", -0.99, 10, "Rental price change per year (costs.md s1.3, Lambda H100 3.49 -> 2.99: -14.3 %).");
  string(k, "/costs/rent/burst_provider", "Provider whose on-demand price pays for demand above the owned fleet or a commitment.", "the cheapest on-demand row of the device");
  num(k, "/costs/rent/burst_usd_per_device_hour", nullptr, "USD/device-hour", 0, 10000, "Burst price overriding burst_provider.", "from burst_provider");
  objects(k, "/costs/rent/options", "Rental options compared with buying: objects {provider, tier (on_demand, reserved_1y, reserved_3y, spot, capacity_block, reserved or monthly), usd_per_device_hour?, committed_devices?, preemptions_per_hour?, hours_lost_per_preemption?, label?}.",
          "every provider of the device in the price table: on-demand, 1-/3-year reserved, spot, monthly");
  obj(k, "/costs/monte_carlo", "Seeded Monte Carlo over the uncertain inputs: P10/P50/P90 of NPV.");
  integer(k, "/costs/monte_carlo/samples", 1000, "samples", 0, 1000000, "Samples; 0 skips the Monte Carlo.");
  num(k, "/costs/monte_carlo/trend_low", -0.4, "1/year", -0.99, 10, "Lowest rental price trend drawn (uniform).");
  num(k, "/costs/monte_carlo/trend_high", 0.0, "1/year", -0.99, 10, "Highest rental price trend drawn.");
  num(k, "/costs/monte_carlo/demand_scale_low", 0.7, "", 0, 100, "Lowest demand multiplier (utilisation) drawn.");
  num(k, "/costs/monte_carlo/demand_scale_high", 1.3, "", 0, 100, "Highest demand multiplier drawn.");
  num(k, "/costs/monte_carlo/failure_rate_low", 0.1, "1/device-year", 0, 100, "Lowest failure rate drawn (costs.md s4.2: 0.1-0.2).");
  num(k, "/costs/monte_carlo/failure_rate_high", 0.2, "1/device-year", 0, 100, "Highest failure rate drawn.");
  obj(k, "/costs/run", "One training run, for cost per run and per million tokens.");
  num(k, "/costs/run/device_hours", nullptr, "device-hours", 0, 1e15, "Device-hours of one run.", "the analytic estimate's GPU-hours");
  num(k, "/costs/run/tokens", nullptr, "tokens", 0, 1e18, "Tokens of one run.", "/workload/training_tokens");
  obj(k, "/costs/capacity", "Fleet capacity simulation on the DES engine: pools, scheduler, auto-scaling, workload or trace.");
  enumeration(k, "/costs/capacity/scheduler", "fifo", {"fifo", "sjf", "easy_backfill"}, "Queue discipline inside each priority class.");
  boolean(k, "/costs/capacity/preemption", false, "Higher priority may preempt lower (lost work counted).");
  num(k, "/costs/capacity/checkpoint_interval_s", 0, "s", 0, 1e9, "Work kept by a preempted job: up to its last checkpoint; 0 = none kept.");
  integer(k, "/costs/capacity/backfill_depth", 256, "jobs", 1, 1e7, "Queued jobs EASY backfill examines behind the head.");
  num(k, "/costs/capacity/horizon_days", 0, "days", 0, 36500, "Stop the simulation here; 0 = when every job is done.");
  integers(k, "/costs/capacity/seeds", J::array({1}), 0, 9.0e15, "Seeds of the synthetic workload; results are averaged and the spread reported.");
  objects(k, "/costs/capacity/pools", "Fixed pools: objects {name, devices, owned (true or false), usd_per_device_hour}.", "none");
  obj(k, "/costs/capacity/autoscale", "Auto-scaling to rented cloud capacity.");
  boolean(k, "/costs/capacity/autoscale/enabled", false, "Burst to rented capacity.");
  num(k, "/costs/capacity/autoscale/usd_per_device_hour", 0, "USD/device-hour", 0, 10000, "Price of burst capacity, billed from the request.");
  integer(k, "/costs/capacity/autoscale/max_devices", 0, "devices", 0, 1e8, "Most cloud devices at once.");
  integer(k, "/costs/capacity/autoscale/step_devices", 8, "devices", 1, 1e7, "Devices added or released per action.");
  integer(k, "/costs/capacity/autoscale/queue_threshold", 1, "jobs", 1, 1e9, "Queued jobs that trigger a scale-up.");
  num(k, "/costs/capacity/autoscale/utilisation_threshold", 1.01, "", 0, 2, "Busy share of all capacity that triggers a scale-up (> 1: never).");
  num(k, "/costs/capacity/autoscale/scale_down_utilisation", 0.5, "", 0, 1, "Cloud busy share below which idle devices are released (queue empty).");
  num(k, "/costs/capacity/autoscale/provisioning_delay_s", 600, "s", 0, 1e7, "Time from request to usable devices.");
  num(k, "/costs/capacity/autoscale/cooldown_s", 600, "s", 0, 1e7, "Least time between scaling actions.");
  num(k, "/costs/capacity/autoscale/check_interval_s", 300, "s", 1, 1e7, "How often the auto-scaler looks.");
  obj(k, "/costs/capacity/workload", "Synthetic jobs: Poisson arrivals, service-time and size distributions, priority classes.");
  num(k, "/costs/capacity/workload/arrivals_per_hour", nullptr, "jobs/hour", 1e-9, 1e9, "Arrival rate today.", "none: required without a trace");
  num(k, "/costs/capacity/workload/growth_per_year", 0, "1/year", -0.99, 100, "Arrival-rate growth per year (exact non-homogeneous Poisson).");
  integer(k, "/costs/capacity/workload/jobs", nullptr, "jobs", 1, 1e9, "Jobs per seed.", "none: required without a trace");
  num(k, "/costs/capacity/workload/mean_service_h", 1, "h", 1e-9, 1e6, "Mean service time of a job.");
  enumeration(k, "/costs/capacity/workload/duration", "exponential", {"exponential", "deterministic", "lognormal"}, "Service-time distribution.");
  num(k, "/costs/capacity/workload/lognormal_sigma", 1, "", 0.01, 10, "Sigma of ln(service time) for lognormal.");
  objects(k, "/costs/capacity/workload/sizes", "Job sizes: objects {devices, weight}.", "every job takes 1 device");
  objects(k, "/costs/capacity/workload/priorities", "Priority classes: objects {priority, weight, deadline_factor?}.", "one class, priority 0, no deadline");
  obj(k, "/costs/capacity/trace", "Replay a public cluster trace instead of the synthetic workload.");
  enumeration(k, "/costs/capacity/trace/format", nullptr, {"alibaba_gpu2023", "alibaba_pai2020", "helios", "philly"}, "Trace layout (docs/buy-vs-rent.md).", "none: the synthetic workload");
  string(k, "/costs/capacity/trace/path", "Trace file, relative to the scenario file (PAI 2020: pai_job_table.csv).", "none");
  string(k, "/costs/capacity/trace/task_path", "PAI 2020 only: pai_task_table.csv, relative to the scenario file.", "none");
  obj(k, "/costs/capacity/fleet", "Fleet optimiser: cheapest owned size (and reserved commitment) under a wait limit.");
  integers(k, "/costs/capacity/fleet/owned_grid", nullptr, 0, 1e8, "Owned device counts to try.", "none: no optimisation");
  integers(k, "/costs/capacity/fleet/reserved_grid", J::array({0}), 0, 1e8, "Reserved device counts to try.");
  num(k, "/costs/capacity/fleet/owned_usd_per_device_hour", 0, "USD/device-hour", 0, 10000, "Cost of an owned device-hour (e.g. the roi command's effective owned price).");
  num(k, "/costs/capacity/fleet/reserved_usd_per_device_hour", 0, "USD/device-hour", 0, 10000, "Price of a reserved device-hour.");
  num(k, "/costs/capacity/fleet/wait_limit_p95_h", 1, "h", 0, 1e6, "Largest acceptable P95 queue wait.");
}

void apply_costs(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  s.currency = r.string("/costs/currency", "USD");
  if (r.has("/costs/usd_per_gpu_hour")) s.usd_per_gpu_hour = r.number("/costs/usd_per_gpu_hour");
  s.electricity_usd_per_kwh = r.number("/costs/electricity_usd_per_kwh", 0.08);
  s.pue = r.number("/costs/pue", models::kPueOther);
  // Schema 2: the members of arrays of objects (the key table checks scalars only).
  std::vector<std::pair<std::string, std::string>> found;
  if (const auto* costs = r.get("/costs")) validate_costs_items(*costs, found);
  for (auto& [pointer, message] : found) issues.push_back({pointer, message});
}

}  // namespace flopcast::scenarios::detail
