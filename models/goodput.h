// Goodput of a whole training run under hardware and software interruptions: the fraction of wall
// time spent on steps that count, from the failure rate, the checkpoint cost and the restart cost.
//
// Formula (Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps",
// FGCS 22(3), 2006, eq. 20, whole segments of τ):
//   M        = 1 / (λ · N)                       mean time between interruptions of an N-device job
//   T_w/T_s  = M · e^{R/M} · (e^{(τ+δ)/M} − 1) / τ  expected wall time over failure-free time
//   τ_opt    = √(2δM)·[1 + ⅓√(δ/2M) + (1/9)(δ/2M)] − δ   for δ < 2M, else M   (Daly's interval)
//   goodput  = g₀ · T_s/T_w at τ_opt              (failure_goodput() returns T_s/T_w)
//   δ        = checkpoint bytes / (N · b_ckpt)   every device writes its shard in parallel
//   checkpoint bytes = 14 per parameter: bf16 weights (2) + fp32 master (4) + Adam m, v (8)
// g₀ (efficiency.h `goodput`, fitted by tools/fit_params.py on the published whole runs) keeps what
// is not a failure: evaluation, start-up, data-loader stalls, ramp-up of the batch size.
// Constants and sources:
//   λ = 419 unexpected interruptions in 54 days on 16,384 H100 GPUs = 1.973e-5 per GPU-hour
//       (Llama 3 405B pre-training: Dubey et al. 2024, arXiv 2407.21783, §3.3.4, Table 5).
//   R = 600 s per interruption (detect, re-queue, re-load: the run simulator's default restart).
//   b_ckpt = 1 GB/s per device of checkpoint write bandwidth (an assumption: a parallel file system
//       or local NVMe shared by 8 GPUs of a node at ~8 GB/s; its effect is small, δ enters as √δ).
// Assumptions: exponential interruptions at a rate proportional to the device count; the job
//   checkpoints at Daly's optimum; an interruption loses the work since the last checkpoint.
// Ignores: failure correlation, spare-node pools, partial restarts, asynchronous checkpointing
//   (which makes δ smaller still), interruptions that need no restart.
#pragma once

namespace flopcast::models {

inline constexpr double kInterruptionsPerGpuHour = 419.0 / (54.0 * 24.0 * 16384.0);
inline constexpr double kRestartS = 600.0;
inline constexpr double kCheckpointBytesPerParam = 14.0;
inline constexpr double kCheckpointWriteBytesPerSPerDevice = 1e9;

// Daly's optimum checkpoint interval τ_opt for write time δ and mean time between interruptions M.
double daly_interval_s(double checkpoint_write_s, double mtbf_s);
// Young's first-order interval √(2δM).
double young_interval_s(double checkpoint_write_s, double mtbf_s);
// T_w / T_s of Daly's eq. 20 at interval τ (whole segments); M <= 0 means no interruptions.
double daly_expected_ratio(double interval_s, double checkpoint_write_s, double mtbf_s,
                           double restart_s);

// T_s / T_w of an N-device job of `params` parameters at Daly's interval with the constants above
// (1 when devices or params are not positive).
double failure_goodput(double devices, double params);

}  // namespace flopcast::models
