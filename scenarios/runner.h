// The runner API: the one narrow door between the front ends (CLI, GUI) and the core.
//
// Scenario in (parsed, validated JSON text or document), result out (the result JSON that
// `flopcast ... --format json` prints), a progress callback and a cancel flag. Runs on any thread;
// holds no global state, so the GUI can run it on a worker and drop stale results.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace flopcast::scenarios {

// One problem with the input: where (file, JSON pointer, line/column when known) and what.
struct Diagnostic {
  std::string file;
  std::string pointer;  // JSON pointer, "" for the document
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;
  std::string message;  // what was expected
  std::string to_string() const;  // "FILE:LINE:COL: POINTER: MESSAGE" (one line; empty parts left out)
};

enum class Job { estimate, sweep_gpus };

struct RunRequest {
  Job job = Job::estimate;
  std::string scenario_text;   // the scenario file's bytes
  std::string origin = "<scenario>";  // file name for messages
  std::string hw_profile_text;  // optional: a device profile JSON overriding the catalog entry
  std::string hw_profile_origin = "<hw profile>";  // its file name for messages
};

struct RunResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;  // errors when !ok, warnings otherwise
  nlohmann::ordered_json result;        // the result JSON (same as the CLI's --format json)
  int exit_code = 0;  // for front ends: 0 ok, 1 failure while running (or cancelled), 2 bad input
};

using ProgressFn = std::function<void(double fraction, std::string_view what)>;

// Never throws; every failure is a Diagnostic. Checks `cancel` between units of work and
// returns ok=false with a "cancelled" diagnostic if it was set.
RunResult run(const RunRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel);

// The result JSON's layout (docs/scenario-format.md, "Result JSON"):
//   result_version, job, scenario{name, file}, metrics{tokens_per_s_per_gpu, step_time_s,
//   wall_time_h, gpu_hours, energy_mwh, peak_memory_gib_per_gpu, mfu, cost_usd},
//   bands{p10{...}, p90{...}, sigma_log{...}, basis} (scenarios/uncertainty.h), costs{...},
//   workload{...}, hardware{device, device_name, device_count, source}, layout{...}, memory{...},
//   efficiency{...}, checks{...}, notes[], provenance{flopcast_version, git_sha, input_sha256,
//   catalog_hash, seed, schema_version}; Job::sweep_gpus adds sweep{points[], skipped[]} where
//   each point is {device_count, wall_time_h, wall_time_p10_h, wall_time_p90_h, gpu_hours, cost_usd, energy_mwh,
//   tokens_per_s_per_gpu, layout}. Numbers are finite; unknown values are null.
inline constexpr int kResultVersion = 1;

}  // namespace flopcast::scenarios
