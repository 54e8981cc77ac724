// Throughput of one non-decoder workload (encoder, encoder-decoder, ViT, CNN) on one device
// configuration, from its layer list.
//
// Formula (per micro-batch of b samples, every op of the layer list, roofline per op):
//   GEMM / convolution (implicit GEMM) of M = b·m_per_sample rows, N×K weights:
//     t_fwd = gemm_time_s(M, N, K)  (models/efficiency.h: η(M,N,K)·π for compute, HBM roofline;
//     η_max = gemm_eff_max on tensor cores, simt_gemm_eff_max on the CUDA-core fp32 pipe, which
//     runs fp32 (and tf32 where the device has no TF32 tensor cores): cuBLAS SGEMM holds ~90 %
//     of that peak on V100)
//     t_bwd = 2 · t_fwd             (activation gradient + weight gradient GEMMs of the same size)
//   memory-bound op (norms, elementwise, softmax, depthwise conv, squeeze-excitation pooling,
//     embedding gather) moving E elements per sample of e bytes:
//     t_fwd = memory_time_s(φ·b·E·e),  t_bwd = backward_bytes_factor · t_fwd
//     (φ = memory_traffic_factor, × depthwise_traffic_factor for depthwise convs; e = 4 in
//     fp32/tf32, 2 in 16-bit mixed precision; fitted: 0.75, the codes fuse some of the counted
//     passes)
//   attention scores: unfused (QKᵀ and AV as batched GEMMs, softmax + dropout as memory traffic
//   over
//     the s² score matrix) unless fused_attention (then attention_time_s of efficiency.h)
//   tensor parallelism over tp ranks (transformer stacks; Shoeybi et al. 2019): each op runs its
//     TpSplit share (column / row / head / width split: N, K, heads or elements ÷ tp; norms and
//     embeddings whole), plus an all-reduce of b·m·width·e bytes over the tp ranks after every
//     row-split GEMM forward and before every column-split GEMM backward, not overlapped:
//     t_tp = Σ all_reduce_s(bytes, tp)
//   step (per data-parallel replica of tp ranks, n_mb micro-batches accumulated):
//     t_step = n_mb · (Σ t_fwd + Σ t_bwd + t_tp) + t_dp_exposed + t_opt
//     t_dp   = all_reduce_s(grad_bytes, dp = devices/tp) (models/collectives.h; grad_bytes =
//     4·params
//              per rank: PyTorch AMP / TF mixed precision keep fp32 gradients)
//     t_dp_exposed = max(t_dp − dp_overlap · t_bwd(last micro-batch), t_dp · last_bucket_fraction)
//              (DDP / Horovod overlap the bucketed all-reduce with the last backward; the last
//              bucket always waits)
//     t_opt  = memory_time_s(optimizer_bytes_per_param · params)   (fp32 master weights, Adam/LAMB
//              moments: read w, g, m, v; write w, m, v)
//              + n_tensors · optimizer_tensor_overhead_s on GPUs (2 tensors per parametrised op:
//              weight and bias, or scale and shift; the per-variable ops of the optimizer step,
//              amortised over the accumulated micro-batches; fine-tuning at accumulation 1 pays it
//              every micro-batch)
//   samples/s per device = b · n_mb / (t_step · tp);  tokens/s = samples/s · tokens_per_sample.
// Assumptions: data parallelism, with Megatron-style tensor parallelism where a record states it
//   (T5X's model partitions); no ZeRO or pipeline; attention materialises the score matrix (the
//   BERT/T5X/ViT implementations the zoo records use); one kernel per op; the framework fuses
//   nothing beyond what the layer list says.
// Ignores: data loading / augmentation (DALI keeps it off the critical path in the sources),
//   wave quantization, cuDNN algorithm choice, host dispatch limits, stragglers.
// Sources: Williams et al. 2009 (roofline); Li et al. 2020 "PyTorch Distributed" (bucketed
//   all-reduce overlapped with backward, 25 MB buckets); Micikevicius et al. 2018 (mixed precision:
//   fp32 master weights and gradients); You et al. 2020 (LAMB optimizer state).
#pragma once

#include <string>
#include <vector>

#include "models/device_spec.h"
#include "models/efficiency.h"
#include "models/workload.h"

namespace flopcast::models {

enum class ZooOpKind { gemm, memory };

// How Megatron-style tensor parallelism over tp ranks splits an op (Shoeybi et al. 2019):
// columns: the weight's output width N / tp (QKV, cross K/V, FFN in, the vocabulary-parallel head);
// rows: the reduction K / tp, followed by an all-reduce of the output (attention out, FFN out);
// heads: attention heads / tp (scores, softmax); width: elementwise work over a split width
// (activation function, vocabulary-parallel loss); replicate: every rank does it all (norms,
// residuals, embeddings, small heads).
enum class TpSplit { replicate, columns, rows, heads, width };

// One op of a layer list, sized for one sample. `repeat` identical ops share one entry.
struct ZooOp {
  std::string name;
  ZooOpKind kind = ZooOpKind::gemm;
  double m_per_sample = 0;  // GEMM rows one sample contributes (tokens, output pixels)
  double n = 0;             // GEMM output width (convolution: output channels)
  double k = 0;             // GEMM reduction (convolution: k²·C_in / groups)
  int batch = 1;            // independent GEMMs of this size per sample-row set (heads, groups)
  double flops_per_sample = 0;     // forward FLOPs (2 per multiply-add)
  double elems_per_sample = 0;     // memory-bound ops: elements read + written per sample, forward
  double weight_params = 0;        // trainable parameters of this op (one instance)
  double saved_elems_per_sample = 0;  // activations kept for backward, per sample
  int repeat = 1;
  bool elementwise_fp32 = false;   // memory traffic in fp32 regardless of precision (loss, softmax logits)
  bool depthwise = false;          // depthwise convolution (memory traffic × depthwise_traffic_factor)
  bool attention_score = false;    // QKᵀ, softmax, AV: one fused kernel when ZooParams::fused_attention
  TpSplit tp_split = TpSplit::replicate;
};

struct LayerList {
  std::string name;
  ModelKind kind = ModelKind::cnn;
  double tokens_per_sample = 1;  // sequence tokens (encoder-decoder: target tokens); 1 for images
  std::vector<ZooOp> ops;
  bool tensor_parallel = false;  // the builder tagged every op's TpSplit (transformer stacks)

  double params() const;               // Σ weight_params · repeat
  // Whether tp tensor-parallel ranks split this list evenly: every head-split op's heads divide by
  // tp (Megatron's requirement; it pads the vocabulary to a multiple of tp, so the head's width
  // need not divide).
  bool splits_evenly(int tp) const;
  double forward_flops_per_sample() const;  // Σ flops_per_sample · repeat
  double saved_elems_per_sample() const;
  // Adds an op (helper for the builders).
  ZooOp& add(ZooOp op);
};

// Builder helpers shared by the layer lists.
ZooOp gemm_op(std::string name, double m_per_sample, double n, double k, double weight_params, int batch = 1);
ZooOp memory_op(std::string name, double elems_per_sample, double saved_elems_per_sample = 0,
                double flops_per_sample = 0);

// Global physical parameters of the zoo time model (docs/parameters.md, "Zoo").
struct ZooParams {
  // Fitted by tests/scenarios/test_zoo_groundtruth.cpp (leave-one-family-out grid search on
  // tests/data/groundtruth/public-zoo.json; docs/parameters.md "Zoo").
  double memory_traffic_factor =
      0.75;  // real / counted traffic of memory-bound ops: fitted (below 1:
             // the frameworks fuse some counted passes, e.g. XLA, fused
             // LayerNorm / bias-dropout-add; above 1 would mean extra passes)
  double depthwise_traffic_factor = 16.0;  // depthwise conv traffic / counted (poor reuse, slow
                                           // weight-gradient kernels): fitted
  double gemm_eff_max = 0.50;          // η_max for GEMMs/convs of these models (0: efficiency.h's)
  double simt_gemm_eff_max = 0.90;     // η_max of GEMMs/convs on the CUDA-core fp32 pipe (no tensor
                                       // cores for the precision: fp32 on V100); 0: gemm_eff_max.
                                       // EfficiencyParams::simt_gemm_eff_max (decoders) is this value
  // Band spreads (P10/P90 = P50·exp(∓1.2816·σ)), coverage-calibrated by the same test: the smallest σ
  // that holds 82 % of the held-out |ln(predicted/measured)| of throughput rows (sigma_log) and of
  // time-to-train rows (σ_total² = sigma_log² + sigma_run²).
  double sigma_log = 0.290;            // throughput
  double sigma_run = 0.668;            // added for whole-run metrics (wall time, GPU-hours)
  bool fused_attention = false;        // scores in one FlashAttention-style kernel (no s² traffic)
  double backward_bytes_factor = 2.0;       // memory-bound backward / forward traffic
  double optimizer_bytes_per_param = 28.0;  // read w,g,m,v (16 B) + write w,m,v (12 B), fp32
  double grad_bytes_per_param = 4.0;        // fp32 gradients all-reduced
  double last_bucket_fraction = 0.05;       // share of the all-reduce that cannot overlap
  double activation_memory_fraction = 0.7;  // of device memory usable for activations (micro-batch cap)
  double optimizer_tensor_overhead_s = 100e-6;  // per parameter tensor per optimizer step on a GPU:
                                                // the optimizer's per-variable ops (update,
                                                // loss-scale check, zeroing) dispatched one by one:
                                                // fitted. A TPU step is one XLA program: none there
};

struct ZooEstimateInput {
  LayerList layers;
  Precision precision = Precision::fp16;
  DeviceSpec device;
  int device_count = 1;        // devices: tensor_parallel × data-parallel ranks
  int tensor_parallel = 1;     // tp ranks per model replica (Megatron-style; layer lists that tag
                               // their ops only: LayerList::tensor_parallel)
  int micro_batch_size = 0;    // samples per micro-batch per device; 0: choose (see zoo_estimate)
  int grad_accumulation = 1;   // micro-batches per optimizer step
  EfficiencyParams efficiency;
  ZooParams zoo;
};

struct ZooOpTime {
  std::string name;
  double forward_s = 0;   // one micro-batch, all repeats
  double backward_s = 0;
  bool memory_bound = false;
};

struct ZooEstimateResult {
  bool ok = false;
  std::string error;
  int micro_batch_size = 0;
  double params = 0;
  double params_per_rank = 0;  // the share one tensor-parallel rank holds (params when tp = 1)
  double forward_flops_per_sample = 0;
  double model_flops_per_sample = 0;  // 3 × forward
  double compute_s_per_microbatch = 0;
  double memory_bound_s_per_microbatch = 0;  // the part of it spent in memory-bound ops
  double tp_comm_s = 0;  // tensor-parallel all-reduces per micro-batch (forward + backward), exposed
  double dp_comm_s = 0;
  double dp_comm_exposed_s = 0;
  double optimizer_s = 0;
  double step_time_s = 0;
  double parallel_efficiency =
      0;  // compute share of the step: n_mb · compute_s_per_microbatch / t_step
  double samples_per_s_per_gpu = 0;
  double tokens_per_s_per_gpu = 0;
  double mfu = 0;  // model FLOPs / (peak of the precision)
  double activation_bytes_per_sample = 0;
  // Model states per device: 16 B per parameter of the rank's share (fp32 weights, gradients, two
  // Adam moments).
  double state_bytes_per_device = 0;
  // The states and one sample's saved activations fit the device's memory (true when unknown). Only
  // this floor is checked: the activation estimate counts every saved tensor and runs above what
  // frameworks hold (DeepLearningExamples' V100 16GB ResNet-50 at micro-batch 256 ran), so a
  // micro-batch the record states is taken as having fit.
  bool fits_memory = true;
  std::vector<ZooOpTime> ops;
  std::vector<std::string> notes;
};

// 0 < result for a valid input; !ok with a one-line reason otherwise (unknown peak, empty list).
// micro_batch_size 0: the largest power of two ≤ 256 whose saved activations fit
// activation_memory_fraction of device memory (256 when memory is unknown).
ZooEstimateResult zoo_estimate(const ZooEstimateInput& in);

// Bytes of model state per parameter a data-parallel rank holds (fp32 weights, gradients, two Adam
// moments), the figure the micro-batch cap and fits_memory use.
inline constexpr double kZooStateBytesPerParam = 16.0;

// Whether the result's states plus one sample's saved activations stay within `fraction` of the
// device's memory (true when the memory is unknown).
bool zoo_fits(const ZooEstimateResult& r, const DeviceSpec& d, double fraction);

// Whether tp ranks can split L over `devices` devices: tp divides the devices and L splits evenly.
bool zoo_tp_valid(const LayerList& L, int devices, int tp);

// The tensor-parallel degrees above 1 that an auto layout tries for a model too large for one
// device, fewest first: powers of two within the device's scale-up domain (8 when unknown) for
// which zoo_tp_valid holds.
std::vector<int> zoo_tp_degrees(const LayerList& L, const DeviceSpec& d, int devices);

// The GEMM peak used for a precision: fp32 runs at the fp32 (CUDA-core) peak, as the decoders'
// fp32 does (a run that lets cuDNN/cuBLAS use TF32, the default of cuDNN and TensorFlow on Ampere+,
// says tf32); tf32 on a device without TF32 tensor cores runs as fp32; others as efficiency.h says.
double zoo_gemm_peak(const DeviceSpec& d, Precision p, const EfficiencyParams& e);

}  // namespace flopcast::models
