// What one training iteration costs, operation by operation: the durations and message sizes the
// iteration simulator replays. Filled from the analytic model (models::estimate()'s
// StepBreakdown), or by hand with constant durations in tests.
//
// Collectives carry both a duration (used when no topology is simulated) and a payload in bytes
// (used when a topology is given: the flow model then decides how long it takes). Payload
// conventions (per rank, Megatron-LM, Narayanan et al. 2021 / Korthikanti et al. 2022):
//   tensor parallel : 2 collectives per layer forward and 2 backward, each on the layer's output
//                     activation b·s·h elements (all-reduce; with sequence parallelism an
//                     all-gather + reduce-scatter pair, same bytes on the wire);
//   pipeline p2p    : one activation b·s·h per micro-batch per stage boundary (÷ tp when the
//                     scatter-gather optimisation splits it over the tp ranks);
//   data parallel   : the stage's gradient bytes, all-reduce (no ZeRO) or reduce-scatter (ZeRO-1/2)
//                     in buckets at the end of the backward, plus for ZeRO-1/2 the parameter
//                     all-gather of the updated 16-bit weights; ZeRO-3 (FSDP) instead gathers a
//                     chunk's weights for every forward and backward and reduce-scatters its
//                     gradients after every backward;
//   context parallel: every cp rank is a worker on its own GPUs (IterationCosts::layout); the KV
//                     exchange of one micro-batch is charged inside its operations;
//   expert parallel : 2 all-to-alls forward (dispatch, combine) and 2 backward per MoE layer.
// A ring collective over n ranks moves 2(n−1)/n × bytes per rank (all-reduce) or (n−1)/n × bytes
// (reduce-scatter, all-gather, all-to-all).
#pragma once

#include <string>
#include <vector>

#include "models/estimate.h"
#include "models/layout.h"
#include "models/zoo_estimate.h"

namespace flopcast::simulator {

struct CollectiveCost {
  double bytes = 0;       // payload per rank
  double duration_s = 0;  // when no topology is simulated
};

struct IterationCosts {
  // dp, tp, pp, ep, vp, schedule, sharding. Context parallelism is folded into dp: each of a
  // replica's cp ranks is a worker of its own (rank t + tp·(c + cp·d), Megatron's tp-cp-dp-pp
  // order, so layout.dp = dp·cp and layout.cp = 1). That is the group Megatron-Core reduces
  // gradients over (data parallel with context parallel), the pool expert parallelism is carved
  // from, and each cp rank sends its own share of the activations to the next stage; the KV
  // exchange between a replica's cp ranks stays inside the operations (cp_exchange_s).
  models::Layout layout;
  int num_microbatches = 1;  // per pipeline per step
  int layers_per_stage = 1;  // layers on one pipeline rank (all its virtual chunks together)
  bool moe_layers = false;   // every layer has an expert all-to-all (when layout.ep > 1)

  double forward_s = 0;   // compute of one micro-batch on one pipeline rank (all its layers)
  double backward_s = 0;  // same for backward, including recompute
  // Multiplier of forward_s/backward_s per pipeline rank (uneven stages); empty = all 1.
  std::vector<double> stage_compute_scale;

  CollectiveCost tp_forward;   // ONE tensor-parallel collective of the forward pass
  CollectiveCost tp_backward;  // ONE of the backward pass (recomputed forwards' collectives too)
  int tp_collectives_per_layer = 2;  // forward, and backward unless the next is set
  // Backward TP collectives per layer; -1: tp_collectives_per_layer. Full recompute re-runs each
  // layer's forward, and its collectives, inside the backward: twice the forward's count.
  int tp_backward_collectives_per_layer = -1;
  int tp_backward_count() const {
    return tp_backward_collectives_per_layer >= 0 ? tp_backward_collectives_per_layer
                                                  : tp_collectives_per_layer;
  }
  CollectiveCost ep_all_to_all;      // ONE expert all-to-all (4 per MoE layer: 2 fwd, 2 bwd):
                                     // bytes = a rank's tokens × experts_per_token × token bytes
  // Experts each token is routed to (k). On a topology an all-to-all whose group spans several
  // nodes is hierarchical, as DeepEP / HybridEP dispatch it (the estimate's expert_all_to_all_s):
  // a token crosses the network once to each remote node holding one of its experts, to the rank
  // there at its own position, which forwards it over NVLink; inside one node, k copies.
  int experts_per_token = 1;
  CollectiveCost pp_p2p;             // ONE activation (or gradient) send between stages
  CollectiveCost dp_sync;            // the whole gradient sync of one pipeline rank at the end of
                                     // the backward, in buckets (none with ZeRO-3)
  int dp_buckets = 4;                // gradient buckets per virtual chunk
  // ZeRO-1/2: the all-gather of one pipeline rank's updated parameters. Megatron-LM
  // (--overlap-param-gather) runs it under the next step's first forward of each chunk; the one
  // simulated step stands for every step, so it runs beside this step's first forwards, 1/vp per
  // chunk. ZeRO-3: ONE gather of one chunk's weights, beside each forward and each backward.
  CollectiveCost dp_param_gather;
  CollectiveCost dp_grad_scatter;  // ZeRO-3: ONE reduce-scatter of one chunk's gradients, beside
                                   // each backward, after its gather
  // MoE: the share of every data-parallel payload above (dp_sync, dp_param_gather,
  // dp_grad_scatter) that is expert weights or their gradients. On a topology it moves over the
  // expert data-parallel groups instead of the replicas' groups: Megatron-Core orders a stage's
  // dp·tp GPUs (rank t + tp·d) as etp × ep × edp, so an expert group is every expert_stride-th GPU
  // (expert_stride = ep·etp, edp = dp·tp / expert_stride members). With ep = dp·tp it has one
  // member and moves nothing; with ep = 1 it spans the stage's tensor-parallel ranks too.
  double dp_expert_share = 0;
  int expert_stride = 1;
  // Members of one expert data-parallel group: dp·tp / expert_stride; 0 when the payloads have no
  // expert share to move apart (none, or expert_stride does not divide dp·tp).
  int expert_dp_group() const;
  // Whether a step moves data-parallel traffic: more than one replica, or experts held by several
  // GPUs of one replica (etp 1, ep < tp: every tp rank holds the experts, even at dp 1).
  bool has_dp_traffic() const { return layout.dp > 1 || expert_dp_group() > 1; }
  bool dp_overlap = true;          // false: those run after the operation, not beside it
  double cp_exchange_s = 0;        // context-parallel exchange of one micro-batch on one rank
                                   // (forward + backward, all chunks), inside the operations
                                   // when no topology is simulated
  // Context parallelism on a topology: every cp_ranks consecutive workers (layout.dp counts them)
  // are one replica's cp ranks. In each layer's forward they all-gather K and V over a ring of
  // their GPUs (cp_ring.bytes: the full buffer, (cp−1)/cp of it moved per rank; twice that in the
  // backward, K and V again and their gradients), started with the layer and hidden behind its
  // first half (attention), as ring attention overlaps it; the layer waits for the ring before its
  // second half. Then cp_exchange_s is not charged.
  int cp_ranks = 1;
  CollectiveCost cp_ring;
  double optimizer_s = 0;
  // On a topology, what the estimate's collective formulas (models/collectives.h) charge beyond
  // the links' capacities: a collective's or send's flows reach comm_efficiency of the capacity
  // they are given (NCCL's bus bandwidth over the link's: protocol headers and flags, chunk
  // synchronisation; models::EfficiencyParams::comm_eff), and every algorithm step costs
  // comm_step_latency_s (α, comm_latency_s): a ring all-reduce over n ranks ends 2(n−1)·α after its
  // last flow, a reduce-scatter or all-gather (n−1)·α, an all-to-all (1 + ⌈log2 n⌉)·α, a send α.
  // 1 and 0: the links as given, no latency beyond theirs. Without a topology the durations above
  // already hold both.
  double comm_efficiency = 1.0;
  double comm_step_latency_s = 0;

  // Checks ranges; returns "" or a one-line description of the first problem.
  std::string validate() const;
};

// Builds the per-operation costs from an estimate. Durations come from result.breakdown; payload
// sizes from the model shape (conventions above). Uses the estimate's layout.
IterationCosts iteration_costs_from_estimate(const models::EstimateInput& input,
                                             const models::EstimateResult& result);

// The step of a model-library workload (encoder, encoder-decoder, ViT, CNN: models/zoo_estimate)
// as the simulator replays it: dp = devices / tp replicas of one pipeline rank, grad_accumulation
// micro-batches, each a forward and a backward of the whole layer list (the estimate's per-op
// times summed); the tensor-parallel all-reduces stay inside those operations, half in each
// direction, as the zoo estimate charges them (not overlapped, not on the topology); the gradient
// all-reduce of 4 bytes per parameter of a rank (fp32 gradients) in 1 / last_bucket_fraction
// buckets (20), one ready after each equal step of the last backward and overlapped with the rest
// of it unless the input's dp_overlap is 0; then the optimizer.
IterationCosts iteration_costs_from_zoo(const models::ZooEstimateInput& input,
                                        const models::ZooEstimateResult& result);

}  // namespace flopcast::simulator
