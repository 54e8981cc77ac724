#include "simulator/durations.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/flops.h"
#include "models/parallelism.h"

namespace flopcast::simulator {

namespace {
bool bad(double x) { return !std::isfinite(x) || x < 0; }
}  // namespace

std::string IterationCosts::validate() const {
  const auto& l = layout;
  if (l.dp < 1 || l.tp < 1 || l.pp < 1 || l.vp < 1 || l.ep < 1) return "layout dp, tp, pp, vp, ep must be >= 1";
  if (num_microbatches < 1) return "num_microbatches must be >= 1";
  if (layers_per_stage < 1) return "layers_per_stage must be >= 1";
  if (l.schedule == models::PipelineSchedule::interleaved) {
    if (l.vp < 2) return "interleaved schedule needs vp >= 2";
    if (num_microbatches % l.pp != 0)
      return "interleaved schedule needs num_microbatches divisible by pp";
  } else if (l.vp != 1) {
    return "vp > 1 needs the interleaved schedule";
  }
  if (bad(forward_s) || bad(backward_s) || bad(optimizer_s)) return "compute durations must be finite and >= 0 s";
  if (!stage_compute_scale.empty()) {
    if (static_cast<int>(stage_compute_scale.size()) != l.pp) return "stage_compute_scale needs one entry per pipeline rank";
    for (double s : stage_compute_scale)
      if (bad(s)) return "stage_compute_scale entries must be finite and >= 0";
  }
  if (bad(cp_exchange_s)) return "cp_exchange_s must be finite and >= 0 s";
  if (cp_ranks < 1 || l.dp % cp_ranks != 0) return "cp_ranks must be >= 1 and divide layout.dp";
  for (const CollectiveCost* c : {&tp_forward, &tp_backward, &ep_all_to_all, &pp_p2p, &dp_sync,
                                  &dp_param_gather, &dp_grad_scatter})
    if (bad(c->bytes) || bad(c->duration_s)) return "collective bytes and durations must be finite and >= 0";
  if (bad(dp_expert_share) || dp_expert_share > 1) return "dp_expert_share must be in [0, 1]";
  if (expert_stride < 1) return "expert_stride must be >= 1";
  if (experts_per_token < 1) return "experts_per_token must be >= 1";
  if (tp_collectives_per_layer < 0) return "tp_collectives_per_layer must be >= 0";
  if (tp_backward_collectives_per_layer < -1)
    return "tp_backward_collectives_per_layer must be >= 0 (or -1: as forward)";
  if (dp_buckets < 1) return "dp_buckets must be >= 1";
  if (!(comm_efficiency > 0) || comm_efficiency > 1) return "comm_efficiency must be in (0, 1]";
  if (bad(comm_step_latency_s)) return "comm_step_latency_s must be finite and >= 0 s";
  return "";
}

int IterationCosts::expert_dp_group() const {
  const int stage = layout.dp * layout.tp;
  if (!(dp_expert_share > 0) || expert_stride < 1 || stage % expert_stride != 0) return 0;
  return stage / expert_stride;
}

IterationCosts iteration_costs_from_estimate(const models::EstimateInput& in, const models::EstimateResult& r) {
  IterationCosts c;
  const auto& b = r.breakdown;
  const auto& l = r.layout;
  c.layout = l;
  // Every context-parallel rank is a worker of its own (IterationCosts::layout): dp × cp of them.
  c.layout.dp = l.dp * std::max(1, l.cp);
  c.layout.cp = 1;
  c.num_microbatches = std::max(1, b.num_microbatches);
  c.layers_per_stage = std::max(1, (in.model.n_layers + l.pp - 1) / l.pp);
  c.moe_layers = in.model.moe.has_value() && l.ep > 1;
  c.forward_s = b.forward_s;
  c.backward_s = b.backward_s;
  c.optimizer_s = b.optimizer_s;

  const double elem = std::max(2.0, models::bytes_per_element(in.training.precision));
  const int mbs = std::max(1, l.micro_batch_size > 0 ? l.micro_batch_size : in.training.micro_batch_size);
  const double act_bytes = double(mbs) * in.model.seq_len / std::max(1, l.cp) * in.model.d_model * elem;
  const int per_dir = c.tp_collectives_per_layer;
  // Collectives the simulator runs per stage: per_dir per layer of each of its vp operations.
  const int v = std::max(1, l.vp);
  const double layers_run = double(std::max(1, c.layers_per_stage / v)) * v;
  const double tp_count = layers_run * per_dir;
  c.tp_forward = {l.tp > 1 ? act_bytes : 0, l.tp > 1 && tp_count > 0 ? b.tp_comm_forward_s / tp_count : 0};
  // The backward runs what the estimate charges it: with full recompute each recomputed layer's
  // forward collectives run again inside its backward, (1 + recomputed share of the layers) times
  // the forward's (tp_comm_backward_s / tp_comm_forward_s: exactly 1 without recompute, 2 with
  // every layer). As a whole count of collectives per layer, the bytes carrying the rest.
  const double bwd_share =
      b.tp_comm_forward_s > 0 ? b.tp_comm_backward_s / b.tp_comm_forward_s : 1.0;
  const int per_bwd = std::max(per_dir, static_cast<int>(std::lround(per_dir * bwd_share)));
  c.tp_backward_collectives_per_layer = per_bwd;
  const double bwd_count = layers_run * per_bwd;
  c.tp_backward = {l.tp > 1 && per_bwd > 0 ? act_bytes * per_dir * bwd_share / per_bwd : 0,
                   l.tp > 1 && bwd_count > 0 ? b.tp_comm_backward_s / bwd_count : 0};
  if (c.moe_layers) {
    const int k = std::max(1, in.model.moe->experts_per_token);
    // Each rank dispatches its sequence-parallel share of the micro-batch, T·etp/tp tokens (the
    // estimate's tok_div), k copies of each.
    const double share = double(models::expert_tp(l)) / std::max(1, l.tp);
    c.experts_per_token = k;
    c.ep_all_to_all = {act_bytes * share * k, b.ep_comm_s / (4.0 * layers_run)};
  }
  c.pp_p2p = {l.pp > 1 ? act_bytes / l.tp : 0, l.pp > 1 ? b.pp_p2p_s : 0};
  c.cp_exchange_s = b.cp_comm_s;
  if (l.cp > 1) {
    // K and V of a rank's T = b·s/cp tokens, tp-split: the all-gather's full buffer is cp of them.
    const double kv_bytes = double(mbs) * in.model.seq_len / l.cp * 2.0 *
                            models::layer_dims(in.model).kv_dim / l.tp * elem;
    c.cp_ranks = l.cp;
    c.cp_ring = {kv_bytes * l.cp, 0};
  }
  c.dp_overlap = in.training.overlap_grad_reduce && in.efficiency.dp_overlap > 0;
  c.comm_efficiency = in.efficiency.comm_eff;
  c.comm_step_latency_s = in.efficiency.comm_latency_s;
  if (in.model.moe.has_value()) {
    c.dp_expert_share = b.dp_expert_share;
    c.expert_stride = std::max(1, l.ep * models::expert_tp(l));
  }
  if (c.has_dp_traffic()) {
    if (l.sharding == models::Sharding::zero3) {
      c.dp_param_gather = {b.dp_param_bytes / v, b.dp_gather_s / v};
      c.dp_grad_scatter = {b.dp_gradient_bytes / v, b.dp_reduce_s / v};
    } else {
      c.dp_sync = {b.dp_gradient_bytes, b.dp_reduce_s};
      if (l.sharding != models::Sharding::none)
        c.dp_param_gather = {b.dp_param_bytes, b.dp_gather_s};
    }
  }
  return c;
}

IterationCosts iteration_costs_from_zoo(const models::ZooEstimateInput& in,
                                        const models::ZooEstimateResult& r) {
  IterationCosts c;
  const int tp = std::max(1, in.tensor_parallel);
  c.layout.tp = tp;
  c.layout.dp = std::max(1, in.device_count / tp);
  c.layout.pp = 1;
  c.layout.micro_batch_size = r.micro_batch_size;
  c.num_microbatches = std::max(1, in.grad_accumulation);
  // Gradient buckets as the zoo estimate's exposure assumes them: the last one is
  // last_bucket_fraction of the all-reduce (DDP's 25 MB buckets, released as the backward reaches
  // them); the backward is split into as many equal steps, one bucket ready after each.
  const double lbf = in.zoo.last_bucket_fraction;
  c.dp_buckets = lbf > 0 && lbf < 1 ? std::max(1, static_cast<int>(std::lround(1.0 / lbf))) : 1;
  c.layers_per_stage = c.dp_buckets;
  c.tp_collectives_per_layer = 0;  // inside the operations
  double fwd = 0, bwd = 0;
  for (const auto& op : r.ops) fwd += op.forward_s, bwd += op.backward_s;
  c.forward_s = fwd + 0.5 * r.tp_comm_s;
  c.backward_s = bwd + 0.5 * r.tp_comm_s;
  c.optimizer_s = r.optimizer_s;
  c.dp_overlap = in.efficiency.dp_overlap > 0;
  c.comm_efficiency = in.efficiency.comm_eff;
  c.comm_step_latency_s = in.efficiency.comm_latency_s;
  if (c.layout.dp > 1) {
    const double held = r.params_per_rank > 0 ? r.params_per_rank : r.params;
    c.dp_sync = {4.0 * held, r.dp_comm_s};
  }
  return c;
}

}  // namespace flopcast::simulator
