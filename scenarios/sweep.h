// Hardware choice: one scenario's workload evaluated on many (device, device count) pairs of the
// built-in catalog, each with its own auto layout, and the time / cost Pareto front.
//
// For every device of the list and every count:
//   input   = scenarios::to_estimate_input(scenario with device_count = count, layout auto, device)
//   result  = models::estimate(input)  (auto layout: models/layout_search.h)
//   cost    = GPU-hours × usd_per_gpu_hour + facility energy × electricity price (as `estimate`)
// usd_per_gpu_hour is the scenario's /costs/usd_per_gpu_hour for the scenario's own device (a rental
// price is a price of one device: an A100 rate says nothing of a GB200's), and for every device
// when the request asks for a uniform price (an internal charge-back rate); else the device's
// cheapest on-demand price in the catalog (hwprofiles/data/devices.json, cloud_prices with
// pricing_kind "on-demand"; per-device price, or instance price / devices per instance), else
// unknown: cost null, with the reason.
// A device whose peak for the scenario's precision (or whose memory bandwidth) is unknown cannot be
// estimated: it is listed once under `skipped` with the reason. A configuration whose best layout
// does not fit in device memory (or for which no layout is valid) is `infeasible`, with the reason.
// Pareto front: among feasible configurations whose memory fit was checked and whose cost is known,
// those no other such configuration beats on both wall time and cost (ties on both are all kept).
// Order is deterministic: device list order (catalog order for "all"), then ascending count,
// whatever the number of threads.
// Layout: auto for every configuration; with an auto-layout scenario the parts it fixes
// (sharding, sequence parallelism, micro-batch) stay fixed, an explicit layout is not used at all;
// recompute is searched too unless the scenario sets /workload/activation_recompute. A model-library
// preset runs data parallelism over replicas of its scenario's tensor parallelism (1 unless an
// explicit layout sets tp): counts tp does not divide are infeasible, with the reason.
// Ignores: any custom device profile of the scenario (only catalog devices are swept).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/estimate.h"
#include "scenarios/runner.h"

namespace flopcast::scenarios {

// "all" or "ID,ID,...": catalog ids (deduplicated, order kept; "all" = catalog order).
// Returns "" or a one-line error (unknown id, empty list).
std::string parse_device_list(std::string_view text, std::vector<std::string>& ids);

// "A..B" (every power of two in [A, B]) or "N,N,..." (sorted, deduplicated); counts within
// 1 .. kMaxSweepDevices. Returns "" or a one-line error saying what was expected.
inline constexpr int kMaxSweepDevices = 1 << 20;
std::string parse_count_list(std::string_view text, std::vector<int>& counts);

struct SweepRequest {
  std::string scenario_text;
  std::string origin = "<scenario>";
  std::vector<std::string> device_ids;  // empty: every catalog device
  std::vector<int> device_counts;       // must not be empty
  int threads = 1;                      // worker threads (results do not depend on it)
  bool uniform_price = false;           // the scenario's usd_per_gpu_hour for every device, not
                                        // only its own (the others: catalog prices)
};

// The cheapest catalog on-demand price of a device, or why there is none.
struct PriceChoice {
  std::optional<double> usd_per_gpu_hour;
  std::string label;  // "scenario /costs/usd_per_gpu_hour", "catalog on-demand Lambda ~2025", "unknown"
  std::string why_unknown;  // set when !usd_per_gpu_hour
};

struct SweepRow {
  std::string device_id;
  std::string device_name;
  std::string device_type;
  int device_count = 0;
  bool feasible = false;
  std::string reason;  // !feasible: why (memory, no valid layout)
  models::EstimateResult result;  // the best layout's estimate (ok when an estimate was made)
  PriceChoice price;
  std::optional<double> cost_usd;  // null when the price is unknown or !feasible
  std::string cost_note;           // why cost_usd is null, or what it leaves out
  bool energy_known = true;        // false: the device's power is unknown (energy_mwh null)
  std::string memory_fit;          // "yes", "no", "not checked"
  bool pareto = false;
  std::string off_front;  // why not on the front: "dominated by ID x N", "cost unknown", ...
  double wall_time_sigma = 0;  // σ of the wall time's P10-P90 band (scenarios/uncertainty.h)
};

struct SkippedDevice {
  std::string device_id;
  std::string device_name;
  std::string device_type;
  std::string reason;  // "unknown for ID: peak_flops_per_s.bf16"
};

struct SweepOutcome {
  std::vector<SweepRow> rows;  // device order, then ascending count
  std::vector<SkippedDevice> skipped;
  std::vector<std::size_t> front;  // indices into rows, by ascending wall time
};

// Marks rows[i].pareto / off_front and returns the front (indices by ascending wall time, then
// cost, then row order). Eligible: feasible, memory fit "yes", cost known.
std::vector<std::size_t> pareto_front(std::vector<SweepRow>& rows);

// The sweep. Never throws; bad input -> ok=false with diagnostics and exit_code 2; cancelled ->
// exit_code 1. `outcome` (optional) receives the rows; result JSON in RunResult::result:
//   result_version, job "sweep", scenario{name, file}, workload{model, precision, training_tokens,
//   global_batch_tokens, seq_len}, sweep{devices[], device_counts[], configurations, front_size},
//   rows[] {device, device_name, device_type, device_count, status (feasible|infeasible), reason,
//   pareto, off_front, wall_time_h, wall_time_p10_h, wall_time_p90_h (the band of scenarios/uncertainty.h),
//   gpu_hours, cost_usd, usd_per_gpu_hour, price, energy_mwh,
//   tokens_per_s_per_gpu, mfu, peak_memory_gib_per_gpu, capacity_gib, memory_fit, layout{...},
//   layouts_evaluated, notes[]}, pareto_front[] {device, device_count, wall_time_h, cost_usd},
//   skipped[] {device, device_name, device_type, reason}, provenance{...}. Numbers are finite; unknown values are null.
RunResult run_sweep(const SweepRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel,
                    SweepOutcome* outcome = nullptr);

// The rows of a sweep result JSON as CSV (RFC 4180, header first, one line per configuration,
// then one per skipped device with status "skipped"; null -> empty cell).
std::string sweep_csv(const nlohmann::ordered_json& result);

}  // namespace flopcast::scenarios
