// One training configuration in, time / memory / energy out: the analytic "estimate" level.
//
//   T = W / (d · v · η)
//   W = FLOPs per token × training tokens (forward + backward + recompute), d devices,
//   v = achieved per-device FLOP/s for the precision, η = parallel efficiency (bubble, exposed
//   communication). The implementation files document each factor and its source.
//
// This is the API shared by the CLI, the GUI runner, sweeps, layout search and the predictor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/device_spec.h"
#include "models/efficiency.h"
#include "models/layout.h"
#include "models/workload.h"

namespace flopcast::models {

struct CostInputs {
  double usd_per_gpu_hour = 0;
  double electricity_usd_per_kwh = 0;
  double pue = 1.0;
};

struct EstimateInput {
  TransformerShape model;
  TrainingSpec training;
  DeviceSpec device;
  int device_count = 1;
  Layout layout;            // used when !auto_layout
  bool auto_layout = false;  // search the layout
  CostInputs costs;
  double goodput = 1.0;  // fraction of wall time doing useful steps (failures, restarts); <1 allowed
  EfficiencyParams efficiency;  // the model's global physical parameters (defaults: fitted values)
  LayoutConstraints fixed;  // auto layout: the parts of the layout that are given
  bool fixed_recompute = true;  // auto layout: keep training.recompute (false: search it too)
  // Auto layout when no candidate fits: return the leanest (least memory per device: the closest to
  // fitting, what a scenario's answer should show) or the fastest (a published run evidently
  // fitted, so the memory model overshot: its fastest candidate is the better guess of what ran).
  bool infeasible_shows_fastest = false;
  // Auto layout: search bounds (0: no bound beyond the device count).
  int max_tp = 0;
  int max_pp = 0;
};

// One layout the auto search evaluated (EstimateResult::alternatives: the fastest that fit).
struct LayoutCandidate {
  Layout layout;
  Recompute recompute = Recompute::none;
  int recompute_layers = 0;  // block recompute: layers per stage (0 = all, with full)
  double step_time_s = 0;
  double tokens_per_s_per_gpu = 0;
  double memory_gib = 0;
  std::string why;  // what dominates: "bubble 12%, exposed DP 3%, TP comm 8%, ..."
};

struct MemoryBreakdown {
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;
  double activations_bytes = 0;
  double buffers_bytes = 0;
  double total_bytes = 0;
  // Added by models/memory.h (parts of the fields above, or extra terms of total_bytes):
  double logits_bytes = 0;         // fp32 logits on the last stage (included in activations_bytes)
  double allocated_bytes = 0;      // peak tensor bytes (torch max_memory_allocated): total − framework − fragmentation
  double framework_bytes = 0;      // CUDA context + library handles (included in total_bytes)
  double fragmentation_bytes = 0;  // allocator reserved − allocated (included in total_bytes)
  int peak_stage = 0;              // pipeline stage the breakdown describes (the busiest)
  bool flash_attention = false;    // whether the activation term assumed FlashAttention
  std::optional<double> capacity_bytes;
  bool checked = false;  // false: not checked (capacity unknown)
  bool fits = false;
};

struct EstimateResult {
  bool ok = false;
  std::string error;  // set when !ok: which constraint failed
  Layout layout;      // the layout used (after auto search)
  std::string layout_note;

  double params = 0;
  double params_active = 0;
  double model_flops_per_token = 0;     // forward + backward, no recompute (6N + attention)
  double hardware_flops_per_token = 0;  // including recompute
  double achieved_flops_per_s_per_device = 0;  // v
  double parallel_efficiency = 1.0;            // η
  double pipeline_bubble_fraction = 0;
  double exposed_comm_s_per_step = 0;

  double step_time_s = 0;
  double tokens_per_s_per_gpu = 0;
  double mfu = 0;
  double training_time_s = 0;  // wall time for training_tokens (goodput included)
  double wall_time_h = 0;
  double gpu_hours = 0;
  double energy_mwh = 0;           // facility energy (× PUE); 0 where energy_known is false
  bool energy_known = false;       // false: device power unknown, or no run length
  std::string energy_why_unknown;  // then: what is missing (device power)
  double cost_usd = 0;    // GPU rental + electricity as configured
  MemoryBreakdown memory;

  // Per-step breakdown the iteration simulator replays (all seconds, one pipeline stage, one
  // micro-batch unless named otherwise). Step time = the schedule over these + exposed comm.
  struct StepBreakdown {
    int num_microbatches = 1;           // per pipeline, per step (per data-parallel replica)
    double forward_s = 0;               // one micro-batch, one stage (all of its layers), compute only
    double backward_s = 0;              // one micro-batch, one stage, incl. recompute
    double tp_comm_forward_s = 0;       // tensor/sequence-parallel collectives in that forward
    double tp_comm_backward_s = 0;      // ... and backward
    double cp_comm_s = 0;               // context-parallel exchange per micro-batch per stage
    double ep_comm_s = 0;               // expert all-to-all per micro-batch per stage (fwd+bwd)
    double pp_p2p_s = 0;                // one activation send between adjacent stages
    double dp_comm_s = 0;               // whole data-parallel gradient sync (before overlap)
    double dp_comm_exposed_s = 0;       // the part not hidden behind backward
    // Its parts, for the iteration simulator: no ZeRO: dp_reduce_s is the all-reduce; ZeRO-1/2:
    // the gradient reduce-scatter and the parameter all-gather of one step; ZeRO-3: ONE gather
    // of the stage's weights (before each forward and each backward) and ONE gradient
    // reduce-scatter (after each backward) of one micro-batch.
    double dp_reduce_s = 0;
    double dp_gather_s = 0;
    double dp_param_bytes = 0;          // 16-bit parameter bytes each rank gathers
    // Share of dp_param_bytes and dp_gradient_bytes that are expert weights (MoE): those move over
    // the expert data-parallel group (dp·cp·tp / (ep·etp) GPUs, every (ep·etp)-th of a stage), the
    // rest over the replica's data-parallel group (dp·cp GPUs, every tp-th).
    double dp_expert_share = 0;
    double optimizer_s = 0;             // optimizer step (+ mixed-precision bookkeeping)
    double dp_gradient_bytes = 0;       // bytes each rank reduces
  } breakdown;
  std::vector<std::string> notes;  // documented defaults used, warnings
  Recompute recompute = Recompute::none;     // the recompute used (auto search may change it)
  int recompute_layers = 0;                  // block recompute: layers per stage recomputed (0 = all)
  std::vector<LayoutCandidate> alternatives;  // auto layout: the five fastest that fit, best first
  int layouts_evaluated = 0;                  // auto layout: how many candidates were costed
  double leanest_memory_bytes = 0;            // auto layout: the least memory per device any candidate
                                              // needs (0: not searched); above capacity when none fits
};

// Step time as a function of the breakdown (uniform stages; s = schedule_slots(schedule, p, m, v)):
//   t_mb      = forward_s + backward_s + tp_comm_forward_s + tp_comm_backward_s + cp_comm_s + ep_comm_s
//               + 2·v·pp_p2p_s (when pp > 1; v = 1 unless interleaved)
//   step_time = s · t_mb + dp_comm_exposed_s + optimizer_s
//   with s = m + p − 1 (GPipe, 1F1B) or (v·m + p − 1)/v (interleaved), m = num_microbatches.
double step_time_from_breakdown(const EstimateResult::StepBreakdown& b, const Layout& l);

EstimateResult estimate(const EstimateInput& in);

// The fixed-layout estimate (no search), used by estimate() and by the layout search.
EstimateResult estimate_fixed(const EstimateInput& in);

}  // namespace flopcast::models
