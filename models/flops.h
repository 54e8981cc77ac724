// Parameter counts and FLOPs per token of decoder-only transformers (dense and MoE).
//
// Formula (per layer, per token, forward; a matmul of an x×y weight costs 2·x·y FLOPs):
//   attention projections  2·(h·q_dim + 2·h·kv_dim + q_dim·h)        (MHA/GQA/MQA: q_dim = n_heads·dh,
//                                                                     kv_dim = n_kv_heads·dh, dh = h/n_heads)
//   DeepSeek MLA           2·(h·r_q + r_q·H·(d_nope+d_rope) + h·(r_kv+d_rope) + r_kv·H·(d_nope+d_v) + H·d_v·h)
//   attention scores       2·s·H·(d_qk + d_v)   (QKᵀ and AV over the whole context s: the "model FLOPs"
//                                                convention of Megatron Eq. 3 / PaLM App. B = 12·l·h·s
//                                                per token for fwd+bwd; causal kernels execute about half)
//   FFN                    2·mats·h·f           (mats = 3 gated SwiGLU/GeGLU, 2 plain GELU/ReLU)
//   MoE FFN                2·h·E (router) + k·2·mats·h·f_e (routed) + 2·mats·h·f_shared
//   LM head (once)         2·h·V
//   backward = 2 × forward for every matmul (activation + weight gradient); recompute adds one more
//   forward (full) or the attention-score part only (selective, Korthikanti et al. 2022).
//   Frozen layers / LoRA: a frozen matrix needs only its activation gradient (1 × forward) and none
//   at all below the lowest trainable layer; a LoRA adapter of rank r on an x×y matrix adds
//   2·r·(x+y) forward FLOPs and 2× that backward (Hu et al. 2021).
// Checks: with full recompute, dense MHA, ungated FFN f = 4h, this is Megatron's Eq. 3
//   96·l·h²·(1 + s/(6h) + V/(16·l·h)) per sequence of s tokens (Narayanan et al. SC21);
//   without attention and LM head, forward + backward = 6·N (Kaplan et al. 2020).
// Ignores: layer norms, biases, softmax, rotary and activation functions (elementwise: time is
//   charged by efficiency.h as memory traffic, not FLOPs), embedding lookup (no FLOPs).
#pragma once

#include "models/workload.h"

namespace flopcast::models {

struct ParamCount {
  double total = 0;           // every parameter (embedding + LM head + layers)
  double active = 0;          // used per token (MoE: routed top-k + shared + dense)
  double embedding = 0;       // input embedding V·h
  double lm_head = 0;         // output projection V·h (0 when tied)
  double per_layer_attention = 0;
  double per_dense_layer_ffn = 0;
  double per_moe_layer_ffn_total = 0;   // all experts + shared + router
  double per_moe_layer_ffn_active = 0;  // k experts + shared + router
  int n_moe_layers = 0;
  int n_dense_layers = 0;
};

// Dimensions of one layer derived from the shape.
struct LayerDims {
  double h = 0;        // d_model
  double q_dim = 0;    // width of the query projection output (n_heads · d_qk)
  double kv_dim = 0;   // width of K (and of V) projection output for GQA/MQA
  double v_dim = 0;    // n_heads · d_v (attention output width)
  double qk_head_dim = 0;
  double v_head_dim = 0;
  double ffn_mats = 3;
};

LayerDims layer_dims(const TransformerShape& m);

// True when the shape has what the per-layer formulas need (layers, width, heads, seq, vocab, ffn).
bool shape_complete(const TransformerShape& m);

ParamCount count_params(const TransformerShape& m);

struct FlopsPerToken {
  double forward_matmul = 0;  // layers' projections + FFN/experts (+ LoRA adapters), forward
  double forward_attention = 0;  // QKᵀ + AV over the full context (model convention), forward
  double forward_lm_head = 0;
  double model = 0;     // forward + backward, no recompute, frozen/LoRA aware: the MFU numerator
  double hardware = 0;  // model + recompute
  double backward_matmul = 0;
  double backward_attention = 0;
  double backward_lm_head = 0;
  double recompute = 0;  // extra forward work re-done in backward
};

// FLOPs per token for a training step. Uses the shape; when the shape is incomplete, falls back on
// params_active_hint / params_hint (6·N rule, no attention term) and says so via `from_hint`.
FlopsPerToken flops_per_token(const TransformerShape& m, const TrainingSpec& t, bool* from_hint = nullptr);

// Fraction of a layer's matmul forward FLOPs whose weight gradient is needed (0..1) and whether
// activation gradients are needed for a layer index (0-based from the input).
double trainable_weight_fraction(const TrainingSpec& t);
bool layer_needs_backward(const TransformerShape& m, const TrainingSpec& t, int layer);

// LoRA adapter parameters and forward FLOPs per token over all layers.
double lora_params(const TransformerShape& m, const LoraSpec& lora);

}  // namespace flopcast::models
