#include "models/estimate.h"

#include <cmath>

namespace flopcast::models {

// First cut (foundation issue): 6N + attention FLOPs, peak × a fixed efficiency, a ring
// all-reduce of the gradients over the scale-out network. The analytic-model issue replaces the
// internals; the signature stays.
EstimateResult estimate(const EstimateInput& in) {
  EstimateResult r;
  const auto& m = in.model;
  const double h = m.d_model, l = m.n_layers, s = m.seq_len, V = m.vocab_size;
  const double ffn_mats = m.ffn_gated ? 3.0 : 2.0;
  const double kv = m.n_heads > 0 ? double(m.n_kv_heads) / m.n_heads : 1.0;
  const double per_layer = 2 * h * h + 2 * h * h * kv + ffn_mats * h * m.ffn_dim;
  r.params = l * per_layer + V * h * (m.tied_embeddings ? 1 : 2);
  r.params_active = r.params;
  r.model_flops_per_token = 6 * r.params + 12 * l * h * s;
  r.hardware_flops_per_token = r.model_flops_per_token;
  auto peak = in.device.peak(in.training.precision);
  if (!peak) {
    r.error = "unknown for " + in.device.id + ": peak_flops_" + std::string(to_string(in.training.precision));
    return r;
  }
  const double efficiency = 0.5;
  r.achieved_flops_per_s_per_device = *peak * efficiency;
  const double d = in.device_count;
  const double tokens_per_step = in.training.global_batch_tokens;
  const double compute_s = tokens_per_step * r.model_flops_per_token / (d * r.achieved_flops_per_s_per_device);
  double comm_s = 0;
  if (d > 1 && in.device.scale_out_bytes_per_s)
    comm_s = 2 * (d - 1) / d * r.params * 2 / *in.device.scale_out_bytes_per_s;
  r.step_time_s = compute_s + comm_s;
  r.parallel_efficiency = compute_s / r.step_time_s;
  r.tokens_per_s_per_gpu = tokens_per_step / r.step_time_s / d;
  r.training_time_s = in.training.training_tokens / (r.tokens_per_s_per_gpu * d) / in.goodput;
  r.wall_time_h = r.training_time_s / 3600;
  r.gpu_hours = r.wall_time_h * d;
  r.ok = true;
  r.layout.dp = in.device_count;
  return r;
}

}  // namespace flopcast::models
