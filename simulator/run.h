// Run simulation: a whole training run with failures, checkpoints, restarts and spot preemption.
//
// The job needs T_s seconds of failure-free compute (Daly's T_s: no checkpoints, no failures).
// It computes in segments of τ seconds (the checkpoint interval), each followed by a checkpoint
// write of δ seconds (the last segment, possibly shorter, is also saved). Interruptions arrive as
// one aggregate Poisson process with mean time between failures M (the sum of independent
// per-component exponential processes is exponential with the summed rate, so drawing the
// aggregate and then the component by its share of the rate is exact). An interruption can
// strike during compute, checkpoint writes and restarts alike (Daly 2006's assumptions); it
// loses the work since the last completed checkpoint and costs a restart of R seconds (re-queue,
// re-load; a failure during the restart starts it over).
//
// Expected wall time under these assumptions (Daly, "A higher order estimate of the optimum
// checkpoint interval for restart dumps", FGCS 22(3), 2006, eq. 20 with T_s/τ whole segments):
//   T_w = M · e^{R/M} · (e^{(τ+δ)/M} − 1) · T_s / τ
// and Daly's interval  τ_opt = √(2δM)·[1 + ⅓√(δ/2M) + (1/9)(δ/2M)] − δ  for δ < 2M, else M.
//
// Spot preemption: a second Poisson process (rate per hour) whose events come with a notice of
// n seconds. If n ≥ δ the job writes a checkpoint in the notice window (no work lost), else the
// work since the last checkpoint is lost; either way it waits the re-queue time Q, then restarts
// (R). Failures are not drawn while the job is off the machines (re-queue).
//
// Defaults (failure_components_llama3()): Llama 3 405B pre-training, 419 unexpected interruptions
// in 54 days on 16,384 H100 GPUs (Dubey et al. 2024, arXiv 2407.21783 §3.3.4, Table 5), i.e.
// 1.973e-5 interruptions per GPU-hour, M = 11,135 s at 16,384 GPUs.
// Randomness: one SplitMix64-seeded xoshiro256** stream per seed (portable, byte-identical).
// Ignores: failure correlation (a bad node failing again), spare-node pools, partial restarts,
// throughput variation during the run, failures that need no restart.
#pragma once

#include "models/goodput.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace flopcast::simulator {

struct FailureComponent {
  std::string name;
  double per_gpu_per_hour = 0;  // interruptions per GPU-hour attributed to this component
};

// The Llama 3 405B interruption table, per GPU-hour (counts / (54 d × 24 h × 16,384 GPUs)).
std::vector<FailureComponent> failure_components_llama3();

// Most checkpoints one simulated run may write (RunSpec::validate rejects more).
inline constexpr double kMaxCheckpointsPerRun = 1e6;

struct RunSpec {
  double failure_free_time_s = 0;  // T_s
  double step_time_s = 0;  // one training step: checkpoints fall on step boundaries (0 = unknown)
  double checkpoint_interval_s = 0;  // τ; <= 0: Daly's interval
  double checkpoint_write_s = 0;     // δ
  double restart_s = 600;            // R
  int devices = 1;
  // Aggregate mean time between interruptions; when <= 0 it is 1 / (devices · Σ component rates).
  double mtbf_s = 0;
  std::vector<FailureComponent> components;  // empty: failure_components_llama3()
  bool failures = true;                      // false: no failures at all
  double preemptions_per_hour = 0;           // spot preemption rate of the whole job
  double preemption_notice_s = 0;
  double requeue_s = 0;  // Q, waiting for capacity after a preemption

  std::string validate() const;  // "" or one line naming the field
  double effective_mtbf_s() const;  // M
  double effective_interval_s() const;  // τ actually used (Daly's, at least one step)
};

// Daly's and Young's intervals and T_w / T_s from the formula above (whole segments): shared with the
// analytic whole-run goodput (models/goodput.h).
using models::daly_expected_ratio;
using models::daly_interval_s;
using models::young_interval_s;

// Bytes of one checkpoint: bf16 weights (2 B) + fp32 master weights (4 B) + Adam m and v (8 B) per
// parameter = 14 B/parameter (Megatron-LM distributed-optimizer checkpoint; gradients not saved).
double checkpoint_bytes(double params);

struct RunOutcome {
  double wall_time_s = 0;
  double lost_work_s = 0;
  double checkpoint_time_s = 0;
  double restart_time_s = 0;
  double requeue_time_s = 0;
  int failures = 0;
  int preemptions = 0;
  int checkpoints = 0;
  std::vector<int> failures_by_component;  // same order as the components
  std::uint64_t events = 0;
};

RunOutcome simulate_run_once(const RunSpec& spec, std::uint64_t seed);

struct Quantiles {
  double mean = 0, p10 = 0, p50 = 0, p90 = 0, sd = 0, ci95_half_width = 0;
};

struct RunSummary {
  bool ok = false;
  bool cancelled = false;
  std::string error;
  int seeds = 0;
  double interval_s = 0, mtbf_s = 0;
  Quantiles wall_time_s, ratio, goodput, gpu_hours, failures, lost_work_s;
  double daly_ratio = 0;  // formula value at this τ
  std::vector<std::string> component_names;
  std::vector<double> mean_failures_by_component;
  std::uint64_t events = 0;
};

using RunProgress = std::function<void(double fraction)>;

// Seeds base_seed, base_seed+1, ...; each seed an independent run.
RunSummary simulate_run(const RunSpec& spec, int seeds, std::uint64_t base_seed,
                        const RunProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

struct WastePoint {
  double interval_s = 0;
  double simulated_ratio = 0;  // mean T_w/T_s over the seeds
  double ci95_half_width = 0;
  double daly_ratio = 0;
};
// The waste curve around τ: simulated T_w/T_s at the given multiples of τ.
std::vector<WastePoint> waste_curve(const RunSpec& spec, const std::vector<double>& multiples, int seeds,
                                    std::uint64_t base_seed, const std::atomic<bool>* cancel = nullptr);

}  // namespace flopcast::simulator
