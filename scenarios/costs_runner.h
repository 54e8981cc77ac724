// Buy vs rent and fleet capacity through the runner door: a scenario (schema version 2 costs
// section, keys_costs.cpp) in, the result JSON of `flopcast roi` / `flopcast capacity` out.
//
// roi: TCO of the owned fleet (models/tco.h), every rental option priced from the dated table
//   scenarios/data/prices/cloud_prices.json (embedded at build time; missing reserved tiers derived
//   by the costs.md §1.2 rule and labelled "derived"), NPV / IRR / payback / break-even /
//   sensitivity / Monte Carlo (models/roi.h), and tCO2e beside every cost (models/carbon.h). The
//   analytic estimate of the scenario's workload supplies energy per device-hour, GPU-hours and
//   tokens of one run when the costs section does not give them.
// capacity: the fleet simulation (simulator/capacity/) over a synthetic workload (several seeds)
//   or a public cluster trace (read here, relative to the scenario file), plus the fleet optimiser.
// Never throws; bad input -> ok=false, exit_code 2, a diagnostic with file + JSON pointer.
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cloud_prices.h"
#include "scenarios/runner.h"

namespace flopcast::scenarios {

RunResult run_roi(const RunRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel);
RunResult run_capacity(const RunRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel);

// The embedded price table, converted to USD at each row's dated exchange rate.
const std::vector<models::PriceRow>& price_table();

// Region keys of models/carbon.h, for the key table's enumeration.
std::vector<std::string> costs_grid_regions();

// Checks the members of the costs section's arrays of objects (rent options, pools, job sizes,
// priority classes); appends (JSON pointer, what was expected).
void validate_costs_items(const nlohmann::ordered_json& costs, std::vector<std::pair<std::string, std::string>>& issues);

}  // namespace flopcast::scenarios
