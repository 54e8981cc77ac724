// Memory per device of one training configuration: weights, gradients, optimizer state,
// activations (with recompute, sequence/context parallelism, FlashAttention, pipeline in-flight
// micro-batches), logits, buffers, and a fits / does-not-fit verdict.
//
// Formula (bytes, per device, on the busiest pipeline stage):
//   total      = allocated + framework + fragmentation
//   allocated  = weights + gradients + optimizer + activations + buffers    (what
//                torch.cuda.max_memory_allocated() reports: compare with a measured "peak
//                allocated")
//   model state per parameter (Megatron-LM mixed precision, Adam):
//     weights   W_b  = bytes of the compute precision (bf16/fp16: 2; fp8: 2 + 1 for the cached fp8
//     copy;
//                      fp32/tf32: 4), or weight_bits/8 when quantized weights are stored;
//     gradients G_b  = 4 (fp32 main gradients, --accumulate-allreduce-grads-in-fp32; fp32 training:
//     4); optimizer O_b  = 12 (fp32 master copy + Adam m + v) for 16-bit/8-bit compute; 8 (m + v)
//     when
//                      the compute precision is fp32/tf32 (the weights are the master copy).
//   ZeRO (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion Parameter
//   Models"), shard group N_d = dp·cp (Megatron's distributed optimizer shards over data-parallel ×
//   context-parallel ranks, which hold identical weights):
//     none: W + G + O;  zero1: W + G + O/N_d;  zero2: W + (G + O)/N_d;  zero3 (FSDP): (W + G +
//     O)/N_d plus, for zero2/zero3, a reduce-scatter bucket of min(40M fp32 elements, the stage's
//     gradients), and for zero3 two gathered layers of weights in flight (prefetch). Over a group
//     of one (N_d = 1) ZeRO shards nothing and adds nothing (FSDP's NO_SHARD at world size 1).
//   parameters per device: layers of one stage (L/pp, the first stage also holds the embedding, the
//     last the LM head; tied embeddings sit on both ends) split by tp; routed experts split by ep
//     (not by tp: expert tensor parallelism 1, models/parallelism.h expert_tp), expert optimizer
//     state sharded over dp·cp·tp/ep.
//   activations per transformer layer per micro-batch (Korthikanti et al. 2022, "Reducing
//   Activation Recomputation in Large Transformer Models", arXiv:2205.05198, Sec. 4), generalised
//   from their 16-bit GPT layer (s·b·h·(34 + 5·a·s/h) bytes) to GQA, gated FFNs, MoE and MLA:
//     e = activation bytes (2 for 16-bit; activation_bits/8 when set), 1-byte dropout masks,
//     LN/norm inputs 2·e·sbh, QKV input e·sbh, Q e·sbh, K and V e·sbh·(kv_heads/heads) each,
//     out-projection input e·sbh, FFN input e·sbh, FFN inner e·sbf·(2 plain | 3 gated),
//     dropout masks 2·sbh (when dropout is on), softmax output + dropout mask + dropout output
//     (2e + 1)·a·s²·b (= 5·a·s²·b for e = 2; without dropout e·a·s²·b), gone with FlashAttention,
//     which stores a fp32 log-sum-exp of 4·a·s·b instead.
//     For Korthikanti's GPT layer (MHA, f = 4h, plain FFN, dropout, no FlashAttention, e = 2) this
//     is s·b·h·(34 + 5·a·s/h) exactly. fp8 / fp4 training: the inputs of the low-precision GEMMs
//     (QKV input, out-projection input, FFN input, fc2 input; MoE: the permuted expert inputs; MLA:
//     the up-projection inputs) are kept in their 8-bit cast, 1 byte (Transformer Engine's Linear /
//     LayerNormLinear save the quantized input for the weight gradient; fp4 counted at 8 bits);
//     norm inputs, Q/K/V and activation- function inputs stay 16-bit: Korthikanti's layer becomes
//     s·b·h·(27 + 5·a·s/h). TP without SP: only the parts inside the TP region are split: sbh·(10 +
//     24/t + 5as/(ht)); TP with SP: everything /t: sbh·(34 + 5as/h)/t. selective recompute: the
//     attention core (scores, softmax; FlashAttention's log-sum-exp) is recomputed in backward:
//     34·sbh/t. full recompute: only each layer's input is kept: 2·sbh (/t with SP), plus one
//     layer's full activations live during its recomputation. block recompute (recompute_layers = k
//     of a stage's ⌈L/pp⌉ layers): k layers keep only their input, the others everything: a linear
//     blend by k/⌈L/pp⌉ (Megatron-Core --recompute-method block). FlashAttention is assumed where
//     the device has bf16 tensor hardware and the precision is 16-bit or lower (fused_attention);
//     otherwise the s² term stays. context parallelism splits s by cp (the s² term becomes
//     (s/cp)·s).
//   in-flight micro-batches (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training
//   on GPU Clusters Using Megatron-LM"): 1F1B: stage 0 holds min(p, m) micro-batches of L/p layers;
//   interleaved: × (1 + (p−1)/(p·v)); GPipe: all m; no pipeline: 1.
//   embedding / LM head / logits: the embedding output is layer 0's input (counted there; its
//   dropout mask, when on, is extra); the last stage keeps the final norm input and LM-head input
//   (2·e·sbh/t with SP) and the logits for the cross entropy: a fp32 copy plus the 16-bit matmul
//   output it is cast from, (4 + 2)·s·b·V/t (one micro-batch: the last stage runs its backward at
//   once); with distillation also the teacher's fp32 logits 4·s·b·V/t.
//   MoE layers: k·e·h per token for the permuted expert inputs, e·(2|3)·(k·f_expert + f_shared)
//   inner activations, fp32 router logits 4·E per token (balanced routing).
//   buffers: two cuBLAS workspaces (kCublasWorkspaceBytes); pipeline send + receive activations;
//   ZeRO-2/3: one fp32 gradient bucket of 40M elements (Megatron-LM DDP default) before each
//   reduce-scatter; ZeRO-3: two layers of gathered weights (current + prefetch).
//   distillation: the frozen teacher's weights in 16 bits, split by tp·pp.
//   framework: CUDA context + library handles, a documented constant (kFrameworkBytes).
//   fragmentation: a documented fraction of allocated (kFragmentationFraction), the caching
//   allocator's reserved-minus-allocated.
// Frozen layers (the first `frozen_layers`): no gradients, optimizer state or activations (no
// backward runs through them). LoRA (Hu et al. 2021): base weights frozen in the compute
// precision (or weight_bits), no gradients / optimizer for them; adapters of rank r on each target
// matrix (r·(d_in + d_out) parameters) carry weights + gradients + full Adam state; activations as
// in full training (backward still flows through every layer).
// Assumptions: Megatron-LM/NeMo-style training (the ground truth's source); Adam; activations in
// the compute precision; no activation offload; no CPU offload of optimizer state.
// Ignores: temporary kernel workspaces beyond the cuBLAS workspace, NCCL internal buffers
// (outside the allocator), MoE token-imbalance (balanced routing), optimizer-step temporaries.
#pragma once

#include <optional>
#include <string>

#include "models/device_spec.h"
#include "models/estimate.h"
#include "models/layout.h"
#include "models/workload.h"

namespace flopcast::models {

// Documented constants (see docs/parameters.md, section "Memory").
inline constexpr double kFrameworkBytes = 1.0 * 1024 * 1024 * 1024;  // CUDA context + NCCL/cuBLAS handles
inline constexpr double kFragmentationFraction = 0.05;               // reserved − allocated, of allocated
inline constexpr double kCublasWorkspaceBytes = 32.0 * 1024 * 1024;  // per stream (CUBLAS_WORKSPACE_CONFIG)

// Parameter counts of one model, split the way memory placement needs them.
struct ParameterSplit {
  double embedding = 0;          // V·h (input embedding)
  double lm_head = 0;            // V·h, 0 when tied
  double attention_per_layer = 0;  // Q, K, V, O (+ MLA low-rank matrices) + norms
  double dense_ffn_per_layer = 0;  // dense FFN of width ffn_dim (+ its norm)
  double expert_each = 0;          // one routed expert's FFN
  double shared_ffn_per_layer = 0; // shared experts (MoE)
  double router_per_layer = 0;
  int n_dense_layers = 0;  // layers with a dense FFN (all when not MoE)
  int n_moe_layers = 0;
  double total = 0;
  double active = 0;  // per token (top-k experts)
};
ParameterSplit parameter_split(const TransformerShape& m);

// LoRA adapter parameters of one layer (rank r on the target matrices).
double lora_params_per_layer(const TransformerShape& m, const LoraSpec& lora);

struct MemoryOptions {
  // FlashAttention (Dao et al. 2022): no s² attention scores stored. nullopt: true for bf16, fp16,
  // fp8, fp4 compute, false for fp32/tf32/fp64.
  std::optional<bool> flash_attention;
  bool dropout = false;  // attention/hidden dropout masks stored (Korthikanti's GPT: true; Llama: false)
  bool fp32_gradients = true;  // main gradients kept in fp32 (Megatron default for bf16)
  std::optional<int> num_microbatches;  // per pipeline per step; nullopt: from the global batch
  double framework_bytes = kFrameworkBytes;
  double fragmentation_fraction = kFragmentationFraction;
};

// Activation bytes of one transformer layer for one micro-batch on one device (no pipeline
// factor), following the formula above. `micro_batch` sequences of the model's seq_len.
double activation_bytes_per_layer(const TransformerShape& m, const TrainingSpec& t, const Layout& l,
                                  int micro_batch, bool flash_attention, bool dropout);

// Micro-batches whose activations stage 0 holds at its peak (may be fractional for interleaved).
double inflight_microbatches(const Layout& l, int num_microbatches);

// Share of a stage's layers whose activations are recomputed under full recompute: 1 for
// recompute == full with recompute_layers == 0 (all), k/⌈L/pp⌉ for block recompute of k layers,
// 0 for none/selective.
double recompute_layer_fraction(const TransformerShape& m, const TrainingSpec& t, const Layout& l);

// Micro-batches per pipeline per step: global_batch_tokens / (seq_len · micro_batch · dp), >= 1.
int microbatches_per_step(const TransformerShape& m, const TrainingSpec& t, const Layout& l);

bool default_flash_attention(Precision p);

// Whether training on this device runs a fused (FlashAttention-style) attention kernel: the
// precision must be 16-bit or lower (default_flash_attention) and, for GPUs, the device must have
// bf16 tensor hardware — FlashAttention-2 needs NVIDIA sm80+ (Ampere) or AMD CDNA2+, exactly the
// GPUs with a bf16 peak; V100/T4/P100 (fp16 only) run attention unfused (QKᵀ, softmax, AV as
// separate kernels over the materialised s×s scores). Non-GPU accelerators (TPU, Trainium, Gaudi,
// Ascend) ship their own fused attention kernels.
bool fused_attention(const DeviceSpec& d, Precision p);

// The full breakdown on the busiest device. Uses l.micro_batch_size as the micro-batch (sequences).
// Fills capacity_bytes/checked/fits from d.memory_bytes (checked = false when unknown).
MemoryBreakdown memory_per_device(const TransformerShape& m, const TrainingSpec& t, const Layout& l,
                                  const DeviceSpec& d, const MemoryOptions& o = {});

}  // namespace flopcast::models
