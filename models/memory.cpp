#include "models/memory.h"

#include <algorithm>
#include <cmath>

#include "models/compression.h"
#include "models/flops.h"
#include "models/parallelism.h"

namespace flopcast::models {

namespace {

double finite_or(double x, double fallback) { return std::isfinite(x) ? x : fallback; }

int kv_heads_of(const TransformerShape& m) { return m.n_kv_heads > 0 ? m.n_kv_heads : m.n_heads; }

double head_dim_of(const TransformerShape& m) {
  if (m.head_dim > 0) return m.head_dim;
  return m.n_heads > 0 ? double(m.d_model) / m.n_heads : 0.0;
}

double ffn_mats(const TransformerShape& m) { return m.ffn_gated ? 3.0 : 2.0; }

bool has_shape(const TransformerShape& m) { return m.n_layers > 0 && m.d_model > 0 && m.n_heads > 0; }

// Gradient-reduction bucket of Megatron-LM's DDP (40M elements, fp32) used when gradients are
// sharded (ZeRO-2/3): a full bucket is assembled before each reduce-scatter.
constexpr double kGradBucketBytes = 40e6 * 4;

}  // namespace

ParameterSplit parameter_split(const TransformerShape& m) {
  ParameterSplit p;
  if (!has_shape(m)) {
    p.total = m.params_hint.value_or(0);
    p.active = m.params_active_hint.value_or(p.total);
    return p;
  }
  const double h = m.d_model, a = m.n_heads, hd = head_dim_of(m), kv = kv_heads_of(m);
  const double V = std::max(0, m.vocab_size);
  if (m.mla) {
    const MlaSpec& q = *m.mla;
    const double qk = q.qk_nope_head_dim + q.qk_rope_head_dim;
    const double q_part = q.q_lora_rank > 0 ? h * q.q_lora_rank + q.q_lora_rank + q.q_lora_rank * a * qk : h * a * qk;
    const double kv_part = h * (q.kv_lora_rank + q.qk_rope_head_dim) + q.kv_lora_rank +
                           q.kv_lora_rank * a * (q.qk_nope_head_dim + q.v_head_dim);
    p.attention_per_layer = q_part + kv_part + a * q.v_head_dim * h + h;
  } else {
    p.attention_per_layer = 2 * h * a * hd + 2 * h * kv * hd + h;  // Q, O, K, V, norm
  }
  p.dense_ffn_per_layer = ffn_mats(m) * h * m.ffn_dim + h;
  p.embedding = V * h;
  p.lm_head = m.tied_embeddings ? 0.0 : V * h;
  const int L = m.n_layers;
  if (m.moe && m.moe->n_experts > 0) {
    const MoeSpec& e = *m.moe;
    p.n_dense_layers = std::clamp(e.n_dense_layers, 0, L);
    p.n_moe_layers = L - p.n_dense_layers;
    p.expert_each = ffn_mats(m) * h * e.expert_ffn_dim;
    p.shared_ffn_per_layer = ffn_mats(m) * h * e.shared_ffn_dim + h;
    p.router_per_layer = h * e.n_experts;
    const double moe_layer_total = p.attention_per_layer + p.shared_ffn_per_layer + p.router_per_layer +
                                   e.n_experts * p.expert_each;
    const double moe_layer_active = p.attention_per_layer + p.shared_ffn_per_layer + p.router_per_layer +
                                    std::max(0, e.experts_per_token) * p.expert_each;
    const double dense_layer = p.attention_per_layer + p.dense_ffn_per_layer;
    p.total = p.n_dense_layers * dense_layer + p.n_moe_layers * moe_layer_total + p.embedding + p.lm_head + h;
    p.active = p.n_dense_layers * dense_layer + p.n_moe_layers * moe_layer_active + p.embedding + p.lm_head + h;
  } else {
    p.n_dense_layers = L;
    p.total = L * (p.attention_per_layer + p.dense_ffn_per_layer) + p.embedding + p.lm_head + h;
    p.active = p.total;
  }
  return p;
}

double lora_params_per_layer(const TransformerShape& m, const LoraSpec& lora) {
  if (lora.rank <= 0 || !has_shape(m)) return 0;
  const double r = lora.rank, h = m.d_model, hd = head_dim_of(m);
  const double q_out = m.n_heads * hd, kv_out = kv_heads_of(m) * hd;
  const double f = m.ffn_dim;
  double n = 0;
  for (const std::string& target : lora.targets) {
    if (target == "qkv_proj") n += r * (h + q_out + 2 * kv_out);
    else if (target == "q_proj") n += r * (h + q_out);
    else if (target == "k_proj" || target == "v_proj") n += r * (h + kv_out);
    else if (target == "o_proj") n += r * (q_out + h);
    else if (target == "up_proj" || target == "gate_proj") n += r * (h + f);
    else if (target == "down_proj") n += r * (f + h);
  }
  return n;
}

bool default_flash_attention(Precision p) {
  return p == Precision::bf16 || p == Precision::fp16 || p == Precision::fp8 || p == Precision::fp4;
}

bool fused_attention(const DeviceSpec& d, Precision p) {
  if (!default_flash_attention(p)) return false;
  // GPUs: FlashAttention needs the bf16 generation (NVIDIA sm80+, AMD CDNA2+). Other accelerators
  // (TPU, Trainium, Gaudi, Ascend) ship their own fused attention whatever their profile lists.
  if (d.device_type == "gpu") return d.peak(Precision::bf16).value_or(0) > 0;
  return true;
}

int microbatches_per_step(const TransformerShape& m, const TrainingSpec& t, const Layout& l) {
  const double per_mb = double(std::max(1, m.seq_len)) * std::max(1, l.micro_batch_size) * std::max(1, l.dp);
  const double n = finite_or(t.global_batch_tokens / per_mb, 1.0);
  return static_cast<int>(std::clamp(std::round(n), 1.0, 1e9));
}

double inflight_microbatches(const Layout& l, int num_microbatches) {
  const int p = std::max(1, l.pp), m = std::max(1, num_microbatches), v = std::max(1, l.vp);
  if (p == 1) return 1;
  switch (l.schedule) {
    case PipelineSchedule::gpipe: return m;
    case PipelineSchedule::one_f_one_b: return std::min(p, m);
    case PipelineSchedule::interleaved:
      return std::min(p, m) * (v > 1 ? 1.0 + double(p - 1) / (double(p) * v) : 1.0);
  }
  return std::min(p, m);
}

double recompute_layer_fraction(const TransformerShape& m, const TrainingSpec& t, const Layout& l) {
  if (t.recompute != Recompute::full) return 0.0;
  if (t.recompute_layers <= 0 || m.n_layers <= 0) return 1.0;
  const int per_stage = (m.n_layers + std::max(1, l.pp) - 1) / std::max(1, l.pp);
  return std::min(1.0, double(t.recompute_layers) / per_stage);
}

double activation_bytes_per_layer(const TransformerShape& m, const TrainingSpec& t, const Layout& l,
                                  int micro_batch, bool flash_attention, bool dropout) {
  if (!has_shape(m) || m.seq_len <= 0) return 0;
  const double tp = std::max(1, l.tp), cp = std::max(1, l.cp);
  const bool sp = l.sequence_parallel && tp > 1;
  const double s_full = m.seq_len, s = s_full / cp, b = std::max(1, micro_batch), h = m.d_model;
  const double a = m.n_heads;
  double e = bytes_per_element(t.precision);
  if (t.precision == Precision::fp32 || t.precision == Precision::tf32 || t.precision == Precision::fp64) {
    // fp32 training keeps fp32 activations; low-precision compute (fp8/fp4) keeps 16-bit activations
  } else {
    e = 2;
  }
  if (t.compression.activation_bits > 0) e = std::min(e, t.compression.activation_bits / 8.0);
  // The inputs of the fp8/fp4 GEMMs are kept for the weight gradient in their 8-bit cast (Transformer
  // Engine's Linear / LayerNormLinear save the quantized input; fp4 counted at 8 bits: scales, and the
  // layers NVFP4 keeps in bf16); everything else (norm inputs, attention Q/K/V, activation inputs)
  // stays 16-bit.
  const double g = (t.precision == Precision::fp8 || t.precision == Precision::fp4) ? std::min(e, 1.0) : e;
  const double sbh = s * b * h;
  const double mask = dropout ? 1.0 : 0.0;

  if (t.recompute == Recompute::full) return e * sbh / (sp ? tp : 1.0);  // the layer input only

  // Parts outside the tensor-parallel region (split by t only with sequence parallelism).
  double outside = 2 * e * sbh + g * sbh + g * sbh + 2 * mask * sbh;  // norm inputs, QKV input, FFN input, masks
  // Parts inside the tensor-parallel region (always split by t).
  double inside = 0;
  if (m.mla) {
    const MlaSpec& q = *m.mla;
    const double qk = q.qk_nope_head_dim + q.qk_rope_head_dim;
    // low-rank latents: norm input + up-projection input each (replicated across TP ranks)
    outside += (e + g) * s * b * (q.q_lora_rank + q.kv_lora_rank) + e * s * b * q.qk_rope_head_dim;
    inside += e * s * b * a * (2 * qk + q.v_head_dim);  // Q, K, V after up-projection
    inside += g * s * b * a * q.v_head_dim;             // out-projection input
  } else {
    const LayerDims ld = layer_dims(m);      // attention width may differ from h (head_dim set)
    inside += e * s * b * (ld.q_dim + 2 * ld.kv_dim);  // Q, K, V
    inside += g * s * b * ld.v_dim;                    // out-projection input
  }
  // FFN / MoE inner activations.
  const double inner_mats = m.ffn_gated ? 3.0 : 2.0;  // gated: gate + up outputs, product; plain: pre/post activation
  if (m.moe && m.moe->n_experts > 0) {
    const MoeSpec& mo = *m.moe;
    const double k = std::max(0, mo.experts_per_token);
    // permuted expert inputs (GEMM inputs), inner activations (the last one is the fc2 input)
    inside += g * s * b * k * h + (e * (inner_mats - 1) + g) * s * b * (k * mo.expert_ffn_dim + mo.shared_ffn_dim);
    outside += 4.0 * s * b * mo.n_experts;  // fp32 router logits / probabilities
  } else {
    inside += (e * (inner_mats - 1) + g) * s * b * m.ffn_dim;
  }
  // Attention core: selective recompute re-runs it in backward (nothing kept); FlashAttention keeps a
  // fp32 log-sum-exp per head and query; otherwise the softmax output (+ dropout mask and output).
  if (t.recompute != Recompute::selective)
    inside += flash_attention ? 4.0 * a * s * b : (dropout ? 2 * e + 1 : e) * a * s * s_full * b;
  return outside / (sp ? tp : 1.0) + inside / tp;
}

MemoryBreakdown memory_per_device(const TransformerShape& m, const TrainingSpec& t, const Layout& l,
                                  const DeviceSpec& d, const MemoryOptions& o) {
  MemoryBreakdown r;
  const int tp = std::max(1, l.tp), pp = std::max(1, l.pp), dp = std::max(1, l.dp), cp = std::max(1, l.cp);
  const int ep = std::max(1, l.ep);
  const int b = std::max(1, l.micro_batch_size);
  const bool flash = o.flash_attention.value_or(t.fused_attention.value_or(fused_attention(d, t.precision)));
  r.flash_attention = flash;
  const CompressionEffect ce = compression_effect(m, t, d);
  const ParameterSplit ps = parameter_split(m);
  const Precision P = t.precision;
  const bool full_precision = P == Precision::fp32 || P == Precision::tf32 || P == Precision::fp64;

  // Bytes per parameter.
  double w_b;  // the copy the matmuls read
  if (full_precision) w_b = bytes_per_element(P);
  else if (P == Precision::bf16 || P == Precision::fp16) w_b = 2;
  else w_b = 2 + bytes_per_element(P);  // bf16 parameter + cached low-precision copy (Transformer Engine)
  const double g_b = full_precision ? bytes_per_element(P) : (o.fp32_gradients ? 4.0 : 2.0);
  const double o_b = full_precision ? 2 * bytes_per_element(P) : 12.0;  // (master +) Adam m, v
  const double frozen_w_b = (t.compression.weight_bits > 0 ? t.compression.weight_bits / 8.0
                                                           : (full_precision ? bytes_per_element(P) : 2.0));
  w_b *= ce.weight_bytes_factor;

  const double shard_dense = double(dp) * cp;
  const int etp = expert_tp(l);  // experts split by etp, replicated over the dp·cp·tp/(ep·etp) others
  const double shard_expert = std::max(1.0, shard_dense * tp / (double(ep) * etp));
  // A ZeRO stage shards over a group; over a group of one device it shards nothing and allocates
  // nothing for it (no reduce-scatter bucket, no gathered layers): PyTorch FSDP switches to
  // NO_SHARD at world size 1, and Megatron's distributed optimizer has nothing to distribute.
  const bool dense_split = shard_dense > 1;
  const bool expert_split = shard_expert > 1;
  double split_grad_bytes = 0;  // this stage's gradient bytes, before sharding, of the split parts
  auto shard = [&](double w, double g, double opt, double group, double& W, double& G, double& O) {
    if (group > 1) split_grad_bytes += g;
    switch (l.sharding) {
      case Sharding::none:
        break;
      case Sharding::zero1:
        opt /= group;
        break;
      case Sharding::zero2:
        g /= group;
        opt /= group;
        break;
      case Sharding::zero3:
        w /= group;
        g /= group;
        opt /= group;
        break;
    }
    W += w;
    G += g;
    O += opt;
  };

  const int L = std::max(0, m.n_layers);
  const int num_mb = o.num_microbatches.value_or(microbatches_per_step(m, t, l));
  const bool lora = t.phase == Phase::finetune && t.lora && t.lora->rank > 0;
  const bool complete = has_shape(m);

  // Activation bytes of one layer, one micro-batch (dense and MoE layers may differ).
  TransformerShape dense_shape = m;
  dense_shape.moe.reset();
  TrainingSpec t_norc = t;
  t_norc.recompute = Recompute::none;
  const double act_none_dense = activation_bytes_per_layer(dense_shape, t_norc, l, b, flash, o.dropout) * ce.activation_bytes_factor;
  const double act_none_moe = activation_bytes_per_layer(m, t_norc, l, b, flash, o.dropout) * ce.activation_bytes_factor;
  double act_dense = activation_bytes_per_layer(dense_shape, t, l, b, flash, o.dropout) * ce.activation_bytes_factor;
  double act_moe = activation_bytes_per_layer(m, t, l, b, flash, o.dropout) * ce.activation_bytes_factor;
  // Block recompute of k of a stage's layers: those keep only their input, the others everything.
  // (Selective recompute applies to every layer: no blend.)
  if (t.recompute == Recompute::full) {
    const double rc_frac = recompute_layer_fraction(m, t, l);
    act_dense = rc_frac * act_dense + (1 - rc_frac) * act_none_dense;
    act_moe = rc_frac * act_moe + (1 - rc_frac) * act_none_moe;
  }
  const double act_full_layer = std::max(act_none_dense, act_none_moe);
  const bool sp = l.sequence_parallel && tp > 1;
  const double e_act = full_precision ? bytes_per_element(P) : 2.0;
  const double sbh_local = double(m.seq_len) / cp * b * m.d_model / (sp ? tp : 1);

  const int layers_per_stage = complete ? (L + pp - 1) / pp : 0;
  MemoryBreakdown best;
  double best_total = -1;
  const int stages_to_check = pp == 1 ? 1 : 2;
  for (int k = 0; k < stages_to_check; ++k) {
    const bool first = k == 0, last = (pp == 1) || k == 1;
    const int stage = first ? 0 : pp - 1;
    const int begin = std::min(L, stage * layers_per_stage);
    const int end = std::min(L, begin + layers_per_stage);
    MemoryBreakdown s;
    s.peak_stage = stage;
    double W = 0, G = 0, O = 0;
    split_grad_bytes = 0;
    double dense_layers = 0, moe_layers = 0, frozen_layers = 0, trainable_layers = 0;
    for (int i = begin; i < end; ++i) {
      const bool is_moe = i >= ps.n_dense_layers && ps.n_moe_layers > 0;
      (is_moe ? moe_layers : dense_layers) += 1;
      (i < t.frozen_layers ? frozen_layers : trainable_layers) += 1;
    }
    if (complete) {
      // Dense parameters on this device (embedding/LM head split over tp like Megatron's vocab-parallel layers).
      double dense_params_layers = 0, expert_params = 0, dense_params_frozen = 0, expert_frozen = 0;
      for (int i = begin; i < end; ++i) {
        const bool is_moe = i >= ps.n_dense_layers && ps.n_moe_layers > 0;
        const double dense = ps.attention_per_layer +
                             (is_moe ? ps.shared_ffn_per_layer + ps.router_per_layer : ps.dense_ffn_per_layer);
        const double experts = is_moe ? (double(m.moe->n_experts) / ep) * ps.expert_each : 0.0;
        if (i < t.frozen_layers) { dense_params_frozen += dense; expert_frozen += experts; }
        else { dense_params_layers += dense; expert_params += experts; }
      }
      double ends = 0;
      if (first) ends += ps.embedding;
      if (last) ends += m.tied_embeddings ? (pp > 1 ? ps.embedding : 0.0) : ps.lm_head;
      dense_params_layers += ends;
      dense_params_layers *= ce.params_factor / tp;
      expert_params *= ce.params_factor / etp;
      dense_params_frozen *= ce.params_factor / tp;
      expert_frozen *= ce.params_factor / etp;
      if (lora) {
        // Base frozen; adapters on every layer of this stage carry full training state.
        shard(frozen_w_b * (dense_params_layers + dense_params_frozen), 0, 0, shard_dense, W, G, O);
        shard(frozen_w_b * (expert_params + expert_frozen), 0, 0, shard_expert, W, G, O);
        const double adapters = lora_params_per_layer(m, *t.lora) * trainable_layers / tp;
        shard((full_precision ? bytes_per_element(P) : 2.0) * adapters, g_b * adapters, o_b * adapters,
              shard_dense, W, G, O);
      } else {
        shard(w_b * dense_params_layers, g_b * dense_params_layers, o_b * dense_params_layers, shard_dense, W, G, O);
        shard(w_b * expert_params, g_b * expert_params, o_b * expert_params, shard_expert, W, G, O);
        shard(frozen_w_b * dense_params_frozen, 0, 0, shard_dense, W, G, O);
        shard(frozen_w_b * expert_frozen, 0, 0, shard_expert, W, G, O);
      }
    } else {
      // Partial shape: the published parameter count spread evenly; activations unknown.
      const double n = ps.total * ce.params_factor / (double(tp) * pp);
      if (lora) shard(frozen_w_b * n, 0, 0, shard_dense, W, G, O);
      else shard(w_b * n, g_b * n, o_b * n, shard_dense, W, G, O);
    }
    if (ce.teacher_params > 0) W += 2.0 * ce.teacher_params / (double(tp) * pp);  // frozen 16-bit teacher

    // Activations: layers with a backward pass (not frozen), times in-flight micro-batches.
    const double inflight = first ? inflight_microbatches(l, num_mb)
                                  : (l.schedule == PipelineSchedule::gpipe ? double(std::max(1, num_mb)) : 1.0);
    double trainable_dense = dense_layers, trainable_moe = moe_layers;
    for (int i = begin; i < end && i < t.frozen_layers; ++i)
      (i >= ps.n_dense_layers && ps.n_moe_layers > 0 ? trainable_moe : trainable_dense) -= 1;
    double act = inflight * (trainable_dense * act_dense + trainable_moe * act_moe);
    if (t.recompute == Recompute::full && trainable_layers > 0) act += act_full_layer;  // one layer recomputed
    if (first && o.dropout) act += inflight * sbh_local / e_act;  // embedding dropout mask (1 byte)
    double logits = 0;
    if (last && complete && m.vocab_size > 0) {
      act += 2 * e_act * sbh_local;  // final norm input, LM-head input
      // fp32 logits for the cross entropy plus the 16-bit matmul output they are cast from.
      const double sbv = double(m.seq_len) / cp * b * m.vocab_size / tp;
      logits = (4.0 + (full_precision ? 0.0 : e_act)) * sbv;
      if (ce.teacher_params > 0) logits += 4.0 * sbv;  // teacher logits for the distillation loss
      act += logits;
    }

    // Buffers.
    double buffers = 2 * kCublasWorkspaceBytes;
    if (pp > 1) buffers += 2 * e_act * sbh_local;  // pipeline send + receive
    // The reduce-scatter bucket holds at most the gradients it reduces.
    if (l.sharding == Sharding::zero2 || l.sharding == Sharding::zero3)
      buffers += std::min(kGradBucketBytes, split_grad_bytes);
    if (l.sharding == Sharding::zero3 && complete) {
      const double experts = ps.n_moe_layers > 0 && expert_split
                                 ? double(m.moe->n_experts) / ep * ps.expert_each / etp
                                 : 0.0;
      const double attention = dense_split ? ps.attention_per_layer / tp : 0.0;
      const double dense_ffn = dense_split ? ps.dense_ffn_per_layer / tp : 0.0;
      const double shared_ffn = dense_split ? ps.shared_ffn_per_layer / tp : 0.0;
      const double layer =
          (attention + std::max(dense_ffn, shared_ffn + experts)) * ce.params_factor;
      buffers += 2 * w_b * layer;  // two gathered layers (current + prefetch) of the sharded parts
    }

    s.weights_bytes = W;
    s.gradients_bytes = G;
    s.optimizer_bytes = O;
    s.activations_bytes = act;
    s.logits_bytes = logits;
    s.buffers_bytes = buffers;
    s.allocated_bytes = W + G + O + act + buffers;
    s.fragmentation_bytes = std::max(0.0, o.fragmentation_fraction) * s.allocated_bytes;
    s.framework_bytes = std::max(0.0, o.framework_bytes);
    s.total_bytes = s.allocated_bytes + s.fragmentation_bytes + s.framework_bytes;
    s.flash_attention = flash;
    if (s.total_bytes > best_total) {
      best_total = s.total_bytes;
      best = s;
    }
  }
  r = best;
  if (d.memory_bytes && std::isfinite(*d.memory_bytes) && *d.memory_bytes > 0) {
    r.capacity_bytes = d.memory_bytes;
    r.checked = true;
    r.fits = r.total_bytes <= *d.memory_bytes;
  }
  return r;
}

}  // namespace flopcast::models
