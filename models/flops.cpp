#include "models/flops.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace flopcast::models {

LayerDims layer_dims(const TransformerShape& m) {
  LayerDims d;
  d.h = m.d_model;
  d.ffn_mats = m.ffn_gated ? 3.0 : 2.0;
  const double H = m.n_heads > 0 ? m.n_heads : 1;
  if (m.mla) {
    const auto& a = *m.mla;
    d.qk_head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;
    d.v_head_dim = a.v_head_dim;
    d.q_dim = H * d.qk_head_dim;
    d.kv_dim = H * d.qk_head_dim;  // after up-projection every head has its own K
    d.v_dim = H * d.v_head_dim;
  } else {
    const double dh = m.head_dim > 0 ? double(m.head_dim) : (m.n_heads > 0 ? double(m.d_model) / m.n_heads : m.d_model);
    const double kvh = m.n_kv_heads > 0 ? m.n_kv_heads : H;
    d.qk_head_dim = dh;
    d.v_head_dim = dh;
    d.q_dim = H * dh;
    d.kv_dim = kvh * dh;
    d.v_dim = H * dh;
  }
  return d;
}

bool shape_complete(const TransformerShape& m) {
  if (m.n_layers <= 0 || m.d_model <= 0 || m.n_heads <= 0 || m.seq_len <= 0 || m.vocab_size <= 0) return false;
  if (m.moe) {
    const auto& e = *m.moe;
    if (e.n_experts <= 0 || e.experts_per_token <= 0 || e.expert_ffn_dim <= 0) return false;
    if (e.n_dense_layers > 0 && m.ffn_dim <= 0) return false;
    return true;
  }
  return m.ffn_dim > 0;
}

namespace {

// Parameters of the attention block of one layer (projections only).
double attention_params(const TransformerShape& m, const LayerDims& d) {
  if (m.mla) {
    const auto& a = *m.mla;
    const double H = m.n_heads, h = d.h;
    const double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank * H * d.qk_head_dim
                                       : h * H * d.qk_head_dim;
    const double kv = h * (a.kv_lora_rank + a.qk_rope_head_dim) +
                      double(a.kv_lora_rank) * H * (a.qk_nope_head_dim + a.v_head_dim);
    return q + kv + H * a.v_head_dim * h;
  }
  return d.h * d.q_dim + 2 * d.h * d.kv_dim + d.v_dim * d.h;
}

// Input/output widths of the matrices a LoRA target names.
void lora_target_dims(const TransformerShape& m, const LayerDims& d, const std::string& t, double& in,
                      double& out, int& count) {
  in = out = 0;
  count = 1;
  const double f = m.moe ? 0 : m.ffn_dim;  // adapters on routed experts are not modelled
  if (t == "qkv_proj") { in = d.h; out = d.q_dim + 2 * d.kv_dim; }
  else if (t == "q_proj") { in = d.h; out = d.q_dim; }
  else if (t == "k_proj" || t == "v_proj") { in = d.h; out = d.kv_dim; }
  else if (t == "o_proj") { in = d.v_dim; out = d.h; }
  else if (t == "up_proj" || t == "gate_proj") { in = d.h; out = f; }
  else if (t == "down_proj") { in = f; out = d.h; }
}

}  // namespace

double lora_params(const TransformerShape& m, const LoraSpec& lora) {
  const LayerDims d = layer_dims(m);
  double per_layer = 0;
  std::vector<std::string> targets;
  for (const auto& t : lora.targets) {
    if (t == "all_linear" || t == "all")
      targets.insert(targets.end(), {"q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"});
    else targets.push_back(t);
    if ((t == "all_linear" || t == "all") && m.ffn_gated) targets.push_back("gate_proj");
  }
  for (const auto& t : targets) {
    double in, out;
    int count;
    lora_target_dims(m, d, t, in, out, count);
    per_layer += count * lora.rank * (in + out);
  }
  return per_layer * m.n_layers;
}

ParamCount count_params(const TransformerShape& m) {
  ParamCount p;
  if (!shape_complete(m)) {
    p.total = m.params_hint.value_or(0);
    p.active = m.params_active_hint.value_or(p.total);
    return p;
  }
  const LayerDims d = layer_dims(m);
  const double h = d.h;
  p.embedding = double(m.vocab_size) * h;
  p.lm_head = m.tied_embeddings ? 0 : double(m.vocab_size) * h;
  p.per_layer_attention = attention_params(m, d) + 2 * h;  // + two norm scales
  p.per_dense_layer_ffn = d.ffn_mats * h * m.ffn_dim;
  if (m.moe) {
    const auto& e = *m.moe;
    p.n_dense_layers = std::clamp(e.n_dense_layers, 0, m.n_layers);
    p.n_moe_layers = m.n_layers - p.n_dense_layers;
    const double expert = d.ffn_mats * h * e.expert_ffn_dim;
    const double shared = d.ffn_mats * h * e.shared_ffn_dim;
    const double router = h * e.n_experts;
    p.per_moe_layer_ffn_total = e.n_experts * expert + shared + router;
    p.per_moe_layer_ffn_active = e.experts_per_token * expert + shared + router;
  } else {
    p.n_dense_layers = m.n_layers;
  }
  const double layers_common = m.n_layers * p.per_layer_attention + p.n_dense_layers * p.per_dense_layer_ffn;
  p.total = p.embedding + p.lm_head + layers_common + p.n_moe_layers * p.per_moe_layer_ffn_total + h;
  p.active = p.embedding + p.lm_head + layers_common + p.n_moe_layers * p.per_moe_layer_ffn_active + h;
  return p;
}

double trainable_weight_fraction(const TrainingSpec& t) {
  if (t.lora) return 0.0;
  return 1.0;
}

bool layer_needs_backward(const TransformerShape& m, const TrainingSpec& t, int layer) {
  if (t.lora && !t.lora->targets.empty()) return true;  // adapters in every layer need gradients
  (void)m;
  return layer >= t.frozen_layers;
}

FlopsPerToken flops_per_token(const TransformerShape& m, const TrainingSpec& t, bool* from_hint) {
  FlopsPerToken f;
  if (from_hint) *from_hint = false;
  if (!shape_complete(m)) {
    // 6·N rule on the active parameters (no attention term: the shape is unknown).
    const double n = m.params_active_hint.value_or(m.params_hint.value_or(0));
    if (from_hint) *from_hint = true;
    f.forward_matmul = 2 * n;
    const bool lora = t.lora.has_value();
    f.backward_matmul = lora ? 2 * n : 4 * n;
    f.model = f.forward_matmul + f.backward_matmul;
    f.recompute = t.recompute == Recompute::full ? f.forward_matmul : 0;
    f.hardware = f.model + f.recompute;
    return f;
  }
  const ParamCount p = count_params(m);
  const LayerDims d = layer_dims(m);
  const double s = m.seq_len;
  const double H = m.n_heads;
  const double attn_params = p.per_layer_attention - 2 * d.h;
  const bool lora = t.lora.has_value();
  const double lora_per_layer = lora ? lora_params(m, *t.lora) / std::max(1, m.n_layers) : 0;

  double fwd_mm = 0, fwd_att = 0, bwd_mm = 0, bwd_att = 0, rec = 0;
  for (int i = 0; i < m.n_layers; ++i) {
    const bool moe_layer = m.moe && i >= p.n_dense_layers;
    const double ffn = moe_layer ? p.per_moe_layer_ffn_active : p.per_dense_layer_ffn;
    const double mm = 2 * (attn_params + ffn);
    const double adapters = 2 * lora_per_layer;
    const double att = 2 * s * H * (d.qk_head_dim + d.v_head_dim);
    fwd_mm += mm + adapters;
    fwd_att += att;
    if (!layer_needs_backward(m, t, i)) continue;
    const double weight_grad = lora ? 0.0 : mm;  // frozen base weights: no weight gradient
    bwd_mm += mm + weight_grad + 2 * adapters;
    bwd_att += 2 * att;
    if (t.recompute == Recompute::full) rec += mm + adapters + att;
    else if (t.recompute == Recompute::selective) rec += att;
  }
  f.forward_matmul = fwd_mm;
  f.forward_attention = fwd_att;
  f.forward_lm_head = 2 * d.h * m.vocab_size;
  f.backward_matmul = bwd_mm;
  f.backward_attention = bwd_att;
  // LM head: activation gradient always; weight gradient unless frozen (LoRA freezes it).
  f.backward_lm_head = f.forward_lm_head * (lora ? 1.0 : 2.0);
  f.recompute = rec;
  f.model = fwd_mm + fwd_att + f.forward_lm_head + bwd_mm + bwd_att + f.backward_lm_head;
  f.hardware = f.model + rec;
  return f;
}

}  // namespace flopcast::models
