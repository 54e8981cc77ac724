// Achieved speed of the kernels one training step runs: GEMMs, attention, memory-bound ops.
//
// Formula (Williams et al. 2009 roofline, with a size-dependent ceiling below the roof):
//   GEMM (M,N,K), F = 2·M·N·K FLOPs, B = (M·K + K·N + M·N)·bytes_per_element:
//     η(M,N,K) = η_max · M/(M + d½) · N/(N + d½) · K/(K + d½)          (continuous in each dimension)
//     t = max(F / (η·π), B / (η_mem·β)) + t_kernel
//   attention (FlashAttention, causal): F_exec = ½ · the model-convention FLOPs,
//     t = F_exec / (η_attn·π_bf16 · s_q/(s_q + d½)) + t_kernel
//   attention without FlashAttention (no bf16 hardware, or fp32 training; models/memory.h
//     fused_attention): QKᵀ and AV as batched GEMMs over the full s×s scores (η of the GEMM form),
//     plus the softmax as memory traffic over the scores (models/estimate.cpp)
//   memory-bound op moving B bytes: t = B / (η_mem·β) + t_kernel
//   a pass (forward or backward of one layer) issuing n ops, GPU time G = Σ t_kernel_i, host time
//   H = n·t_host: t_pass = (G^k + H^k)^(1/k), k = dispatch_overlap_exponent (k → ∞: max(G, H), the
//   host enqueueing perfectly ahead of the GPU; k = 1: G + H, no overlap). The host enqueues
//   asynchronously, but a layer's kernels are not uniform: during its long GEMMs the host runs ahead,
//   during its runs of short elementwise kernels the GPU waits for dispatch, so near G ≈ H the GPU
//   idles part of the pass (at k = 3 and G = H the pass takes 1.26 G, not G). Far from the knee
//   either term alone decides, as with the max;
//   a MoE layer's forward has a device-to-host sync (the dispatcher reads the per-expert token
//   counts: Megatron-Core's MoE token dispatcher `cuda_sync_point`, Transformer Engine
//   GroupedLinear's host-side m_splits), so it is two passes, t = Σ_seg (G_seg^k + H_seg^k)^(1/k);
//   graph-compiled devices (TPU, Trainium, Gaudi, FPGA profiles) have no per-op dispatch (t_host = 0).
//   π = dense peak of the compute precision, β = HBM bandwidth (DeviceSpec).
//   η_max is the tensor-core ceiling; fp32 training (no tensor cores for fp32: FFMA on the CUDA
//   cores) takes simt_gemm_eff_max instead (cuBLAS SGEMM: ~90 % of the fp32 peak on V100).
// Assumptions: tensor-core GEMMs for every matmul outside fp32 training; attention and the LM head run in 16-bit even in
//   fp8/fp4 training (Transformer Engine keeps attention in bf16 by default; the output layer is outside
//   its autocast); fp4 training keeps 15 % of the layers in bf16 (NVFP4 recipe, models/estimate.cpp); every kernel pays a fixed t_kernel
//   (launch + ramp-up + tail) which is what makes micro-batch 1 with small width slow.
// Ignores: wave quantization (the sawtooth in η against size), L2 reuse, clock throttling,
//   concurrency between kernels of the same stream.
// Sources: anchors-calibrate-trainer.md §A3 (cuBLAS 8192³ bf16 at 75–83 % of peak on A100/H100;
//   FlashAttention-3 at 75 % of peak; HBM kernels at 85–93 % of datasheet), §A7 (t_gemm form).
//   The values below are fitted by tools/fit_params.py under leave-one-source-out cross-validation
//   (docs/parameters.md lists each with its meaning and current value).
#pragma once

#include "models/device_spec.h"
#include "models/precision.h"

namespace flopcast::models {

// The model's few global, physical parameters. Defaults are the fitted values (docs/parameters.md).
struct EfficiencyParams {
  double gemm_eff_max = 0.677;       // η_max: fraction of peak a large GEMM reaches
  double gemm_half_dim = 26.8;       // d½: GEMM dimension at which that dimension halves η
  double attn_eff_max = 0.271;       // η_attn: FlashAttention fraction of the 16-bit peak
  double mem_eff = 0.85;             // η_mem: fraction of HBM bandwidth streaming kernels reach
  double kernel_overhead_s = 3e-6;   // t_kernel: GPU-side fixed cost per kernel (ramp-up, tail)
  double host_overhead_s = 50.5e-6;  // t_host: CPU time to dispatch one framework op (eager PyTorch);
                                     // a pass is host-bound when n_ops·t_host exceeds its GPU time
  double dispatch_overlap_exponent = 3.0;  // k: how sharply host dispatch and GPU work overlap in a
                                     // pass, t = (G^k + H^k)^(1/k); <= 0 means max(G, H)
  double comm_eff = 0.830;           // fraction of link bandwidth a collective reaches (bus bw)
  double comm_latency_s = 8e-6;      // α: latency per collective step
  double fp8_gemm_speedup_cap = 12.6; // fp8/bf16 GEMM speed-up per width halving (fit: no cap below 2×)
  double goodput = 0.814;            // g0: whole runs' useful-step fraction of wall time apart from
                                     // interruptions (eval, start-up); models/goodput.h adds failures
  double dp_overlap = 1.0;           // fraction of the last backward that hides data-parallel comm
  double simt_gemm_eff_max = 0.90;   // η_max of fp32 GEMMs on the CUDA cores (fitted on the zoo's V100
                                     // fp32 records: models::ZooParams, which must equal it; no decoder
                                     // record trains in fp32)
};

// η of a GEMM of dimensions M×N×K (continuous, 0 < η ≤ η_max).
double gemm_efficiency(double M, double N, double K, const EfficiencyParams& p);

// Time of one GEMM on the device in the given precision. π = peak(prec) (must be known).
double gemm_time_s(double M, double N, double K, double peak_flops_per_s, double hbm_bytes_per_s,
                   double bytes_per_element, const EfficiencyParams& p);

// Time of FlashAttention over exec_flops (already halved for causal), query length s_q.
double attention_time_s(double exec_flops, double s_q, double peak16_flops_per_s, const EfficiencyParams& p);

// Time of a pass with GPU time gpu_s and host dispatch time host_s: (G^k + H^k)^(1/k) with
// k = p.dispatch_overlap_exponent; max(G, H) when k <= 0 or either time is 0; k below 1 is
// taken as 1 (G + H, no overlap: a pass never takes longer than both in sequence).
double dispatch_bound_time_s(double gpu_s, double host_s, const EfficiencyParams& p);

// Time of a memory-bound kernel sequence moving `bytes` (n_kernels kernels).
double memory_time_s(double bytes, double hbm_bytes_per_s, int n_kernels, const EfficiencyParams& p);

// The effective GEMM peak for a precision: fp8/fp4 peaks are capped at fp8_gemm_speedup_cap × the
// 16-bit peak raised to log2 of the ratio (per halving of the element width), since scaling,
// amax and the 16-bit epilogue keep low-precision GEMMs from doubling.
double effective_gemm_peak(const DeviceSpec& d, Precision prec, const EfficiencyParams& p);

// The 16-bit peak used for attention and 16-bit work (bf16, else fp16, else the precision's own).
double peak16(const DeviceSpec& d, Precision prec);

}  // namespace flopcast::models
