// Iteration simulation: one training step, every micro-batch on every pipeline stage.
//
// Entities: one worker per (data-parallel replica d, pipeline rank p); a worker stands for the tp
// GPUs of its tensor-parallel group, which run in lockstep (same durations), while its
// collectives move bytes between those GPUs on the topology. GPU numbering follows Megatron-LM's
// default order (tp fastest, then dp, then pp): gpu = t + tp·(d + dp·p).
//
// Each worker runs its schedule's list of forward (F) and backward (B) operations in order; an
// operation starts when the worker is free and its input has arrived (the activation from the
// previous virtual stage, or the gradient from the next one):
//   GPipe          : all F, then all B;
//   1F1B           : p−rank−1 warm-up F, then one F one B, then the remaining B (PipeDream-Flush);
//   interleaved    : Megatron-LM's interleaved 1F1B with vp model chunks per rank (virtual stage
//                    c·pp + rank), warm-up (pp−rank−1)·2 + (vp−1)·pp (Narayanan et al. 2021).
// A send to the next (previous) stage follows each F (B); by default the sender waits for it
// (IterationOptions::blocking_p2p), as Megatron-LM does, so p2p time is part of the operation.
// Inside an operation, every layer runs [compute/2, TP collective, (EP all-to-all), compute/2,
// (EP all-to-all), TP collective] (forward; backward likewise); the context-parallel exchange is
// charged to the operation's compute. After the last backward of a chunk the chunk's gradients
// leave in dp_buckets buckets (all-reduce; ZeRO-1/2: reduce-scatter), one after another on the
// worker's DP stream, each bucket starting as soon as the backward of its layers is done (overlap
// with backward). ZeRO-1/2: from the step's start each pipeline rank gathers its chunks' updated
// parameters, chunk by chunk (Megatron-LM --overlap-param-gather: the previous step's gather,
// under this step's forward); the first forward of a chunk ends no earlier than its gather.
// ZeRO-3 (FSDP): beside every forward, a gather of the chunk's weights; beside every backward, a
// gather and then a reduce-scatter of its gradients; the operation ends when both its layers and
// these are done (after its layers, when IterationCosts::dp_overlap is false). No buckets then.
// When a worker's ops and buckets are done it runs the optimizer step. Step time = when the last
// worker is done.
//
// An expert all-to-all runs over ep consecutive ranks of the stage (Megatron-Core's order, rank
// t + tp·d): the tp GPUs of ep/tp replicas when tp divides ep (those replicas wait for each other),
// tp/ep groups inside a replica when ep divides tp; otherwise over gcd(ep, dp) replicas, one per tp
// rank.
// On a topology, a data-parallel collective of an MoE model moves its expert share over the expert
// data-parallel groups (IterationCosts::dp_expert_share, expert_stride: Megatron-Core's etp × ep ×
// edp order of a stage's GPUs) and the rest over the replicas' groups, all at once; at dp 1 too
// when several tp ranks of the replica hold the same experts (ep < tp). On a topology, a ring
// collective (all-reduce, reduce-scatter, all-gather) over a group with k > 1 members on each of
// several nodes runs as NCCL does, k rings of 1/k of the data, each leaving and entering the nodes
// through a different GPU's NIC; otherwise one ring in group order. Every collective's and send's
// flows reach IterationCosts::comm_efficiency of their links' capacity, and it ends its algorithm's
// steps × comm_step_latency_s after its last flow arrives (2(n−1) for a ring all-reduce, n−1 for
// reduce-scatter and all-gather, 1 + ⌈log2 n⌉ for an all-to-all, 1 for a send): the α-β costs of
// the estimate's formulas (models/collectives.h), with the β term shared max-min on the links.
//
// Bubble fraction = 1 − Σ busy / (workers × pipeline span), busy = time inside F/B operations,
// span = first F start to last B end. With uniform stages and free p2p it is exactly
// (p−1)/(m+p−1) (GPipe, 1F1B) and (p−1)/(v·m+p−1) (interleaved).
//
// Ignores: compute/communication interference (SM sharing), kernel launch gaps, stragglers, memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "simulator/durations.h"
#include "simulator/engine.h"
#include "simulator/topology.h"

namespace flopcast::simulator {

struct IterationOptions {
  // Simulate the flows of TP rank 0 only (the other tp ranks' flows are identical copies when the
  // tp GPUs of a worker hang off separate links): ~tp× fewer flows. Verified against the full
  // simulation in tests/simulator (256 GPUs).
  bool representative_tp = false;
  // The sender waits for its activation/gradient send to complete before its next operation
  // (Megatron-LM's batched isend/irecv + wait); false: sends overlap the sender's next operation.
  bool blocking_p2p = true;
  bool record_timeline = false;           // keep per-operation records for traces
  std::size_t max_timeline_flows = 200000;  // flow records kept for link tracks
  const std::atomic<bool>* cancel = nullptr;
  // Called with the fraction of forward/backward operations done (0..1), about 200 times per
  // iteration, from the simulating thread.
  std::function<void(double)> progress;
};

enum class OpKind : std::uint8_t { forward, backward, dp_bucket, optimizer, param_gather, p2p };

struct OpRecord {
  std::int32_t worker = 0;  // d·pp + p (-1 for flows)
  OpKind kind = OpKind::forward;
  std::int16_t chunk = 0;
  std::int32_t microbatch = 0;  // bucket index for dp_bucket
  SimTime start = 0, end = 0;
  std::int32_t pred = -1;  // record index of the operation that enabled this one (critical path)
};

struct FlowRecord {
  std::vector<LinkId> route;
  SimTime start = 0, end = 0;
};

struct LinkStat {
  LinkId link = 0;
  std::string name, kind;
  double bytes = 0;  // payload carried in the step
  double busy_s = 0;
  double utilisation = 0;  // wire bytes (payload / comm_efficiency) / (capacity × step time)
};

struct CriticalSegment {
  std::string what;  // "F mb3 chunk0 on d0 p2"
  double start_s = 0, end_s = 0;
};

struct IterationResult {
  bool ok = false;
  std::string error;
  bool cancelled = false;

  double step_time_s = 0;
  double pipeline_span_s = 0;
  double bubble_fraction = 0;

  // Operations simulated: F/B ops + collectives + optimizer steps; equals the formula in
  // expected_event_count().
  std::uint64_t event_count = 0;
  std::uint64_t cp_collectives = 0;  // context-parallel K/V rings (on a topology)
  std::uint64_t compute_ops = 0, tp_collectives = 0, ep_collectives = 0, p2p_sends = 0,
                dp_collectives = 0, optimizer_steps = 0;
  std::uint64_t engine_events = 0;  // engine callbacks, including flow bookkeeping
  std::uint64_t flows = 0;

  int workers = 0;  // dp × pp
  int tp = 1;
  std::vector<double> worker_busy_s;  // per worker (each of its tp GPUs has the same)
  std::vector<double> worker_idle_s;  // step time − busy

  std::vector<LinkStat> links;  // links that carried bytes, most utilised first
  double max_link_utilisation = 0;

  std::vector<CriticalSegment> critical_path;  // from step start to step end
  double critical_compute_s = 0, critical_wait_s = 0;

  std::vector<OpRecord> records;  // when options.record_timeline
  std::vector<FlowRecord> flow_records;
  std::vector<std::string> link_names;  // by LinkId, when options.record_timeline and a topology
  std::vector<int> worker_d, worker_p;  // replica and pipeline rank of each worker
  std::uint64_t flow_records_dropped = 0;  // beyond options.max_timeline_flows
};

// The number of operations simulate_iteration() will simulate for these costs (the formula the
// agreement test checks the simulation against).
std::uint64_t expected_event_count(const IterationCosts& costs, bool network);

// topology == nullptr: collectives take their injected durations. Otherwise the topology must
// have at least dp·tp·pp GPUs (its FlowNetwork must run on `engine`).
IterationResult simulate_iteration(const IterationCosts& costs, Engine& engine, Topology* topology,
                                   const IterationOptions& options = {});

// Convenience: a fresh engine (and topology when node/cluster are given).
IterationResult simulate_iteration(const IterationCosts& costs, const NodeSpec* node,
                                   const ClusterSpec* cluster, const IterationOptions& options = {});

}  // namespace flopcast::simulator
