#include "simulator/iteration.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace flopcast::simulator {

namespace {

using models::PipelineSchedule;
using models::Sharding;

struct OpRef {
  bool backward;
  int microbatch;
  int chunk;
};

// The order in which pipeline rank `p` runs its operations.
std::vector<OpRef> schedule_for(PipelineSchedule s, int P, int p, int m, int v) {
  std::vector<OpRef> ops;
  ops.reserve(static_cast<std::size_t>(2 * m * v));
  if (s == PipelineSchedule::gpipe) {
    for (int i = 0; i < m; ++i) ops.push_back({false, i, 0});
    for (int i = 0; i < m; ++i) ops.push_back({true, i, 0});
    return ops;
  }
  if (s == PipelineSchedule::one_f_one_b) {
    const int warm = std::min(P - p - 1, m);
    for (int i = 0; i < warm; ++i) ops.push_back({false, i, 0});
    for (int i = 0; i < m - warm; ++i) {
      ops.push_back({false, warm + i, 0});
      ops.push_back({true, i, 0});
    }
    for (int i = m - warm; i < m; ++i) ops.push_back({true, i, 0});
    return ops;
  }
  // Interleaved 1F1B (Megatron-LM schedules.py, forward_backward_pipelining_with_interleaving).
  const int total = m * v;
  auto mb_of = [&](int k) { return (k / (P * v)) * P + k % P; };
  auto fchunk = [&](int k) { return (k / P) % v; };
  auto bchunk = [&](int k) { return v - 1 - (k / P) % v; };
  const int warm = std::min((P - p - 1) * 2 + (v - 1) * P, total);
  for (int k = 0; k < warm; ++k) ops.push_back({false, mb_of(k), fchunk(k)});
  const int steady = total - warm;
  for (int i = 0; i < steady; ++i) {
    ops.push_back({false, mb_of(warm + i), fchunk(warm + i)});
    ops.push_back({true, mb_of(i), bchunk(i)});
  }
  for (int k = steady; k < total; ++k) ops.push_back({true, mb_of(k), bchunk(k)});
  return ops;
}

enum class SegKind : std::uint8_t { compute, tp, ep, cp_start, cp_wait };
struct Seg {
  SegKind kind;
  double frac = 0;          // share of the op's compute (compute segments)
  int buckets_after = 0;    // DP buckets that become ready when this segment ends (final B only)
};

// Per-layer steps of one op, compute segments merged except where a bucket boundary falls.
std::vector<Seg> build_segments(int layers, bool tp, int tp_per_layer, bool ep, int buckets,
                                bool cp) {
  std::vector<Seg> raw;
  const double half = 0.5 / layers;
  std::vector<int> ready_after_layer(static_cast<std::size_t>(layers), 0);
  if (buckets > 0)
    for (int b = 0; b < buckets; ++b) {
      const int layer = (static_cast<long long>(b + 1) * layers + buckets - 1) / buckets - 1;  // ceil − 1
      ready_after_layer[static_cast<std::size_t>(layer)]++;
    }
  for (int l = 0; l < layers; ++l) {
    if (cp)
      raw.push_back({SegKind::cp_start, 0, 0});  // the K/V ring starts beside the attention half
    raw.push_back({SegKind::compute, half, 0});
    if (cp) raw.push_back({SegKind::cp_wait, 0, 0});
    if (tp && tp_per_layer >= 1) raw.push_back({SegKind::tp, 0, 0});
    if (ep) raw.push_back({SegKind::ep, 0, 0});
    raw.push_back({SegKind::compute, half, 0});
    if (ep) raw.push_back({SegKind::ep, 0, 0});
    if (tp)
      for (int k = 1; k < tp_per_layer; ++k) raw.push_back({SegKind::tp, 0, 0});
    raw.back().buckets_after += ready_after_layer[static_cast<std::size_t>(l)];
  }
  std::vector<Seg> out;
  for (const Seg& s : raw) {
    if (s.kind == SegKind::compute && !out.empty() && out.back().kind == SegKind::compute &&
        out.back().buckets_after == 0) {
      out.back().frac += s.frac;
      out.back().buckets_after += s.buckets_after;
    } else {
      out.push_back(s);
    }
  }
  return out;
}

enum class CollKind { all_reduce, reduce_scatter, all_gather, all_to_all };

// Layers one operation (one virtual chunk) runs: a stage's layers over vp, at least one (a stage
// whose layers do not split evenly over its chunks runs the rounded-down count per chunk; its
// compute is the stage's over vp either way).
int layers_per_chunk(const IterationCosts& c) {
  return std::max(1, c.layers_per_stage / std::max(1, c.layout.vp));
}

// Replicas (workers of one pipeline rank) in one expert all-to-all. Megatron-Core carves ep out of
// a stage's dp·tp GPUs in rank order (t + tp·d, etp 1): an ep group is ep consecutive ranks. When
// tp divides ep it is the tp GPUs of ep/tp consecutive replicas; when ep divides tp it lies inside
// one replica (tp/ep groups there). Otherwise (neither divides) it is simulated over the largest
// divisor of dp that divides ep, one all-to-all per tp rank.
int ep_group_size(const models::Layout& l) {
  if (l.ep % l.tp == 0 && l.dp % (l.ep / l.tp) == 0) return l.ep / l.tp;
  if (l.tp % l.ep == 0) return 1;
  return std::max(1, std::gcd(l.ep, l.dp));
}

// The costs a simulation runs. On a topology every context-parallel rank is a worker of its own
// (IterationCosts::layout). Without one the cp ranks of a replica run the same durations at the
// same times, so one worker stands for them (dp / cp_ranks workers per pipeline rank, as many
// operations as before cp was folded into dp); whether the step moves data-parallel traffic is
// still the folded layout's answer.
IterationCosts simulated_costs(const IterationCosts& c, bool network) {
  if (network || c.cp_ranks <= 1) return c;
  IterationCosts u = c;
  u.layout.dp = c.layout.dp / c.cp_ranks;
  u.cp_ranks = 1;
  return u;
}

class Sim {
 public:
  Sim(const IterationCosts& c, Engine& e, Topology* topo, const IterationOptions& o)
      : c_(simulated_costs(c, topo != nullptr)),
        dp_traffic_(c.has_dp_traffic()),
        e_(e),
        topo_(topo),
        o_(o) {}
  IterationResult run();

 private:
  struct Worker {
    int d = 0, p = 0;
    std::vector<OpRef> ops;
    std::size_t next = 0;
    bool busy = false;
    std::vector<char> fwd_arrived, bwd_arrived, fwd_done;
    std::vector<std::int32_t> fwd_from, bwd_from;  // record index of the sender
    std::vector<int> last_backward_index;          // per chunk: index into ops
    // current op
    std::size_t seg = 0;
    const std::vector<Seg>* segs = nullptr;
    std::int32_t record = -1;
    double compute_s = 0;  // this op's compute
    int op_parts = 0;      // the op ends when its segments and its data-parallel side work are done
    bool side_after = false;  // the side work starts when the segments end (no overlap)
    int waits_gather = -1;    // ZeRO-1/2: the chunk whose parameter gather this F waits for
    // DP stream
    int buckets_ready = 0, buckets_started = 0, buckets_done = 0;
    bool dp_busy = false;
    std::int32_t last_record = -1;  // last F/B record
    std::int32_t last_bucket_record = -1;
    bool cp_done = true, cp_waiting = false;  // this layer's K/V ring (context parallelism)
    bool ops_finished = false, finished = false;
    double busy_s = 0;
    SimTime finish_time = 0;
  };

  int gpu(int t, int d, int p) const { return t + c_.layout.tp * (d + c_.layout.dp * p); }
  int S() const { return c_.layout.pp * c_.layout.vp; }
  double stage_scale(int p) const {
    return c_.stage_compute_scale.empty() ? 1.0 : c_.stage_compute_scale[static_cast<std::size_t>(p)];
  }
  int wid(int d, int p) const { return d * c_.layout.pp + p; }

  void try_start(int w);
  void run_segment(int w);
  void segment_done(int w);
  void op_done(int w);
  void part_done(int w);
  bool has_side() const;
  void start_side(int w);
  void start_param_gathers(int p, int chunk);
  // One collective over the data-parallel groups of pipeline rank p, on every tp rank at once (one
  // rank with representative TP or without a topology); on a topology the expert share of the
  // bytes (IterationCosts::dp_expert_share) moves over the expert data-parallel groups instead.
  // `done` when all of them are.
  void dp_collective(int p, CollKind kind, double bytes, double duration_s, Callback done);
  // On a topology: one collective per group (bytes[i] per rank of groups[i]), all at once; `done`
  // when every one has.
  void collectives(CollKind kind, const std::vector<std::vector<int>>& groups,
                   const std::vector<double>& bytes, Callback done);
  // A collective of a group of workers starts when the last member arrives: true for that one.
  // The key names the group and the point; the kind goes into its top two bits.
  enum class Barrier : std::uint64_t { cp_ring = 0, expert_all_to_all = 1, bucket = 2, side = 3 };
  bool last_to_arrive(Barrier kind, std::uint64_t key, int members);
  // The key of one segment of one operation of group g on pipeline rank w.p: 14 bits of pipeline
  // rank, 16 of group, 20 of operation index, 12 of segment (a chunk's layers run at most a few
  // hundred segments).
  static std::uint64_t segment_key(const Worker& w, int g) {
    return (static_cast<std::uint64_t>(w.p) << 48) | (static_cast<std::uint64_t>(g) << 32) |
           (static_cast<std::uint64_t>(w.next) << 12) | static_cast<std::uint64_t>(w.seg);
  }
  void finish_op(int w);
  void arrive(int dst_w, bool backward, int mb, int chunk, std::int32_t rec);
  void bucket_ready(int w, int n);
  void try_start_bucket(int w);
  void worker_tail(int w);
  void worker_finished(int w);

  // Runs a collective over `gpus` (ring order) moving `bytes` per rank; `done` when all arrive.
  void collective(CollKind kind, const std::vector<int>& gpus, double bytes, double duration_s,
                  bool representative, Callback done);
  void p2p(int d, int src_p, int dst_p, Callback done);
  // The flows of one collective or send: `done` runs `latency` after the last of them arrives.
  struct FlowJoin {
    int left = 0;
    SimTime latency = 0;
    Callback done;
  };
  void start_flow(const Route& route, double bytes, const std::shared_ptr<FlowJoin>& join);
  std::vector<std::vector<int>> ring_orders(const std::vector<int>& gpus) const;
  const std::vector<int>& tp_group(int d, int p) const;
  std::vector<std::vector<int>> tp_groups_;
  std::vector<int> dp_group(int p, int t) const;

  const IterationCosts c_;
  const bool dp_traffic_;  // IterationCosts::has_dp_traffic() of the costs as given
  Engine& e_;
  Topology* topo_;
  IterationOptions o_;
  std::vector<Worker> w_;
  std::vector<Seg> segs_fwd_, segs_bwd_, segs_bwd_final_;
  std::vector<OpRecord> rec_;
  std::vector<FlowRecord> flow_rec_;
  std::unordered_map<std::uint64_t, int> barrier_;
  bool cp_flows_ =
      false;  // context parallelism as flows (on a topology), not inside the operations
  IterationResult r_;
  int nb_ = 1;  // buckets per chunk
  int finished_ = 0;
  bool zero_ = false;   // ZeRO-1/2: gradients reduce-scattered in buckets, parameters gathered
  bool zero3_ = false;  // ZeRO-3: weights gathered and gradients reduce-scattered per operation
  std::vector<char> gathered_;  // ZeRO-1/2: [p·vp + chunk] parameter gather done
  SimTime span_start_ = kSimTimeMax, span_end_ = 0;
  std::uint64_t ops_done_ = 0, ops_total_ = 0, progress_stride_ = 1;  // F/B operations, progress
};

const std::vector<int>& Sim::tp_group(int d, int p) const { return tp_groups_[static_cast<std::size_t>(wid(d, p))]; }

std::vector<int> Sim::dp_group(int p, int t) const {
  std::vector<int> g;
  for (int d = 0; d < c_.layout.dp; ++d) g.push_back(gpu(t, d, p));
  return g;
}

void Sim::collective(CollKind kind, const std::vector<int>& gpus, double bytes, double duration_s,
                     bool representative, Callback done) {
  const int n = static_cast<int>(gpus.size());
  if (!topo_) {
    e_.schedule_in(from_seconds(duration_s), std::move(done));
    return;
  }
  if (n <= 1 || bytes <= 0) {
    e_.schedule_in(0, std::move(done));
    return;
  }
  double per_flow = 0, steps = 0;
  switch (kind) {
    case CollKind::all_reduce:
      per_flow = 2.0 * (n - 1) / n * bytes, steps = 2.0 * (n - 1);
      break;
    case CollKind::reduce_scatter:
    case CollKind::all_gather:
      per_flow = double(n - 1) / n * bytes, steps = n - 1;
      break;
    case CollKind::all_to_all:
      per_flow = bytes / n, steps = 1 + std::ceil(std::log2(double(n)));
      break;
  }
  // Flows at comm_efficiency of the links' capacity: the bytes they would move at full capacity.
  per_flow /= c_.comm_efficiency;
  auto join = std::make_shared<FlowJoin>();
  join->done = std::move(done);
  join->latency = from_seconds(steps * c_.comm_step_latency_s);
  auto start = [&](int gpu_a, int gpu_b, double flow_bytes) {
    start_flow(topo_->route(gpu_a, gpu_b), flow_bytes, join);
  };
  const auto at = [&](int i) { return gpus[static_cast<std::size_t>(i)]; };
  if (kind == CollKind::all_to_all) {
    const int senders = representative ? 1 : n;
    // The members by node, in group order; hierarchical when the group spans nodes evenly.
    std::vector<int> nodes, pos(static_cast<std::size_t>(n));
    std::vector<std::vector<int>> on_node;
    for (int a = 0; a < n; ++a) {
      const int nd = topo_->node_of(at(a));
      const auto it = std::find(nodes.begin(), nodes.end(), nd);
      const std::size_t j = static_cast<std::size_t>(it - nodes.begin());
      if (it == nodes.end()) nodes.push_back(nd), on_node.emplace_back();
      pos[static_cast<std::size_t>(a)] = static_cast<int>(on_node[j].size());
      on_node[j].push_back(a);
    }
    const int N = static_cast<int>(nodes.size()), r = n / std::max(1, N);
    bool even = N > 1;
    for (const auto& m : on_node) even = even && static_cast<int>(m.size()) == r;
    if (!even) {
      join->left = senders * (n - 1);
      for (int a = 0; a < senders; ++a)
        for (int b = 0; b < n; ++b)
          if (a != b) start(at(a), at(b), per_flow);
      return;
    }
    // bytes = T·k·b. To each remote node: the tokens with at least one of their k experts there,
    // T·b·(1 − (1 − 1/N)^k), to the member at the sender's position; to each peer on its own node
    // over NVLink, its local copies and the remote arrivals it is passed: T·b·k/r in all.
    const double k = std::max(1, c_.experts_per_token);
    const double token_bytes = bytes / k / c_.comm_efficiency;
    const double remote = token_bytes * (1 - std::pow(1 - 1.0 / N, k));
    const double local = token_bytes * k / r;
    join->left = senders * ((N - 1) + (r - 1));
    for (int a = 0; a < senders; ++a) {
      const int my_pos = pos[static_cast<std::size_t>(a)];
      for (const auto& m : on_node) {
        const bool mine = std::find(m.begin(), m.end(), a) != m.end();
        if (!mine) {
          start(at(a), at(m[static_cast<std::size_t>(my_pos)]), remote);
          continue;
        }
        for (int b : m)
          if (b != a) start(at(a), at(b), local);
      }
    }
    return;
  }
  // One ring in the group's order, or NCCL's rings over nodes (ring_orders), 1/k of the data each.
  const std::vector<std::vector<int>> rings =
      representative ? std::vector<std::vector<int>>{} : ring_orders(gpus);
  const std::size_t k = std::max<std::size_t>(1, rings.size());
  const int senders = representative ? 1 : n;
  join->left = senders * static_cast<int>(k);
  auto run_ring = [&](const std::vector<int>& ring) {
    for (int a = 0; a < senders; ++a)
      start(ring[static_cast<std::size_t>(a)], ring[static_cast<std::size_t>((a + 1) % n)],
            per_flow / double(k));
  };
  if (rings.empty()) run_ring(gpus);
  for (const auto& ring : rings) run_ring(ring);
}

// NCCL's rings over a group that spans nodes with k > 1 members on each: k rings, each carrying
// 1/k of the data, the members of every node rotated by the ring's index, so that each ring leaves
// and enters a node through a different GPU and so a different NIC (rail). One ring moving all the
// data through one NIC per node would leave the node's other NICs idle. Inside one node, or with
// one member per node, it is the group's own order: no rings are returned (the common case, every
// tensor-parallel collective, allocates nothing).
std::vector<std::vector<int>> Sim::ring_orders(const std::vector<int>& gpus) const {
  if (topo_->node_of(gpus.front()) == topo_->node_of(gpus.back()))
    return {};  // groups run in node order
  std::vector<std::vector<int>> by_node;
  for (int g : gpus) {
    if (by_node.empty() || topo_->node_of(by_node.back().front()) != topo_->node_of(g))
      by_node.push_back({});
    by_node.back().push_back(g);
  }
  const std::size_t k = by_node.front().size();
  bool even = by_node.size() > 1 && k > 1;
  for (const auto& members : by_node) even = even && members.size() == k;
  if (!even) return {};
  std::vector<std::vector<int>> rings(k);
  for (std::size_t c = 0; c < k; ++c)
    for (const auto& members : by_node)
      for (std::size_t i = 0; i < k; ++i) rings[c].push_back(members[(c + i) % k]);
  return rings;
}

void Sim::p2p(int d, int src_p, int dst_p, Callback done) {
  ++r_.p2p_sends;
  if (!topo_) {
    e_.schedule_in(from_seconds(c_.pp_p2p.duration_s), std::move(done));
    return;
  }
  if (c_.pp_p2p.bytes <= 0) {
    e_.schedule_in(0, std::move(done));
    return;
  }
  const int tp = o_.representative_tp ? 1 : c_.layout.tp;
  auto join = std::make_shared<FlowJoin>();
  join->done = std::move(done);
  join->left = tp;
  join->latency = from_seconds(c_.comm_step_latency_s);
  for (int t = 0; t < tp; ++t)
    start_flow(topo_->route(gpu(t, d, src_p), gpu(t, d, dst_p)),
               c_.pp_p2p.bytes / c_.comm_efficiency, join);
}

void Sim::start_flow(const Route& route, double bytes, const std::shared_ptr<FlowJoin>& join) {
  std::int32_t fr = -1;
  if (o_.record_timeline && flow_rec_.size() < o_.max_timeline_flows) {
    fr = static_cast<std::int32_t>(flow_rec_.size());
    flow_rec_.push_back({std::vector<LinkId>(route.begin(), route.end()), e_.now(), 0});
  }
  ++r_.flows;
  topo_->network().start_flow(route, bytes, [this, join, fr] {
    if (fr >= 0) flow_rec_[static_cast<std::size_t>(fr)].end = e_.now();
    if (--join->left > 0) return;
    if (join->latency > 0)
      e_.schedule_in(join->latency, std::move(join->done));
    else
      join->done();
  });
}

void Sim::try_start(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  if (w.busy || w.next >= w.ops.size()) return;
  const OpRef op = w.ops[w.next];
  const int v = c_.layout.vp, m = c_.num_microbatches;
  const std::size_t slot = static_cast<std::size_t>(op.chunk * m + op.microbatch);
  const int vs = op.chunk * c_.layout.pp + w.p;
  std::int32_t pred = w.last_record;
  if (!op.backward) {
    if (vs > 0) {
      if (!w.fwd_arrived[slot]) return;
      const std::int32_t from = w.fwd_from[slot];
      if (from >= 0 && (pred < 0 || rec_[static_cast<std::size_t>(from)].end >= rec_[static_cast<std::size_t>(pred)].end)) pred = from;
    }
  } else {
    if (vs < S() - 1) {
      if (!w.bwd_arrived[slot]) return;
      const std::int32_t from = w.bwd_from[slot];
      if (from >= 0 && (pred < 0 || rec_[static_cast<std::size_t>(from)].end >= rec_[static_cast<std::size_t>(pred)].end)) pred = from;
    } else if (!w.fwd_done[slot]) {
      return;
    }
  }
  (void)v;
  w.busy = true;
  w.seg = 0;
  const bool final_b =
      op.backward && dp_traffic_ &&
      static_cast<int>(w.next) == w.last_backward_index[static_cast<std::size_t>(op.chunk)];
  w.segs = !op.backward ? &segs_fwd_ : (final_b ? &segs_bwd_final_ : &segs_bwd_);
  w.compute_s = (op.backward ? c_.backward_s : c_.forward_s) * stage_scale(w.p) / v +
                (cp_flows_ ? 0.0 : c_.cp_exchange_s / (2.0 * v));
  OpRecord r;
  r.worker = wi;
  r.kind = op.backward ? OpKind::backward : OpKind::forward;
  r.chunk = static_cast<std::int16_t>(op.chunk);
  r.microbatch = op.microbatch;
  r.start = e_.now();
  r.pred = pred;
  w.record = static_cast<std::int32_t>(rec_.size());
  rec_.push_back(r);
  span_start_ = std::min(span_start_, e_.now());
  ++r_.compute_ops;
  const bool side = has_side();
  w.op_parts = side ? 2 : 1;
  w.side_after = side && !c_.dp_overlap;
  if (side && c_.dp_overlap) start_side(wi);
  // ZeRO-1/2: the first forward of a chunk needs the chunk's gathered parameters.
  w.waits_gather = -1;
  if (!gathered_.empty() && !op.backward && op.microbatch == 0 &&
      !gathered_[static_cast<std::size_t>(w.p * c_.layout.vp + op.chunk)]) {
    w.waits_gather = op.chunk;
    ++w.op_parts;
  }
  run_segment(wi);
}

// ZeRO-1/2: every pipeline rank gathers its chunks' updated parameters one chunk after another
// from the start of the step (Megatron-LM --overlap-param-gather issues them after the optimizer
// step and overlaps them with the next step's forward; the simulated step stands for every step).
void Sim::start_param_gathers(int p, int chunk) {
  if (chunk >= c_.layout.vp) return;
  const double v = c_.layout.vp;
  const SimTime start = e_.now();
  dp_collective(p, CollKind::all_gather, c_.dp_param_gather.bytes / v,
                c_.dp_param_gather.duration_s / v, [this, p, chunk, start] {
                  gathered_[static_cast<std::size_t>(p * c_.layout.vp + chunk)] = 1;
                  for (int d = 0; d < c_.layout.dp; ++d) {
                    const int wi = wid(d, p);
                    OpRecord r;
                    r.worker = wi;
                    r.kind = OpKind::param_gather;
                    r.start = start;
                    r.end = e_.now();
                    rec_.push_back(r);
                    Worker& w = w_[static_cast<std::size_t>(wi)];
                    if (w.busy && w.waits_gather == chunk) {
                      w.waits_gather = -1;
                      part_done(wi);
                    }
                  }
                  start_param_gathers(p, chunk + 1);
                });
}

void Sim::dp_collective(int p, CollKind kind, double bytes, double duration_s, Callback done) {
  r_.dp_collectives += 1;
  if (!topo_) {
    collective(kind, dp_group(p, 0), bytes, duration_s, false, std::move(done));
    return;
  }
  // The replicas' groups carry the dense share, the expert data-parallel groups the expert share
  // (none when each GPU's experts are its own: a group of one).
  const auto& L = c_.layout;
  const int edp = c_.expert_dp_group();
  const int stride = c_.expert_stride;
  const double expert_bytes = edp > 0 ? bytes * c_.dp_expert_share : 0;
  const double dense_bytes = bytes - expert_bytes;
  std::vector<std::vector<int>> groups;
  std::vector<double> group_bytes;
  const int tps = o_.representative_tp ? 1 : L.tp;
  for (int t = 0; t < tps; ++t) {
    groups.push_back(dp_group(p, t));
    group_bytes.push_back(dense_bytes);
  }
  if (edp > 1) {
    for (int e = 0; e < stride; ++e) {
      std::vector<int> g;
      bool has_rank0 = false;
      for (int r = e; r < edp * stride; r += stride) {
        g.push_back(gpu(r % L.tp, r / L.tp, p));
        has_rank0 = has_rank0 || r % L.tp == 0;
      }
      // Representative TP simulates the flows of tensor-parallel rank 0: the groups it is in.
      if (o_.representative_tp && !has_rank0) continue;
      groups.push_back(std::move(g));
      group_bytes.push_back(expert_bytes);
    }
  }
  collectives(kind, groups, group_bytes, std::move(done));
}

bool Sim::last_to_arrive(Barrier kind, std::uint64_t key, int members) {
  const std::uint64_t full = (static_cast<std::uint64_t>(kind) << 62) | key;
  if (++barrier_[full] < members) return false;
  barrier_.erase(full);
  return true;
}

void Sim::collectives(CollKind kind, const std::vector<std::vector<int>>& groups,
                      const std::vector<double>& bytes, Callback done) {
  struct Join {
    int left = 0;
    Callback done;
  };
  auto join = std::make_shared<Join>();
  join->left = static_cast<int>(groups.size());
  join->done = std::move(done);
  for (std::size_t i = 0; i < groups.size(); ++i)
    collective(kind, groups[i], bytes[i], 0, false, [join] {
      if (--join->left == 0) join->done();
    });
}

// Data-parallel work beside an operation: ZeRO-3 gathers the chunk's weights for every F and B
// and reduce-scatters its gradients after every B (IterationCosts::dp_param_gather,
// dp_grad_scatter).
bool Sim::has_side() const {
  if (!dp_traffic_) return false;
  return zero3_ && (c_.dp_param_gather.duration_s > 0 || c_.dp_param_gather.bytes > 0 ||
                    c_.dp_grad_scatter.duration_s > 0 || c_.dp_grad_scatter.bytes > 0);
}

void Sim::start_side(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  const OpRef op = w.ops[w.next];
  const int p = w.p;
  // A collective over the data-parallel group: it starts when every replica has reached the op.
  if (!last_to_arrive(Barrier::side,
                      (static_cast<std::uint64_t>(p) << 32) | static_cast<std::uint64_t>(w.next),
                      c_.layout.dp))
    return;
  const CollectiveCost gather = c_.dp_param_gather;
  const bool scatter = op.backward;
  // Runs `kind` over the dp group, records it on every replica, then `next`.
  auto run = [this, p](CollKind kind, CollectiveCost cc, OpKind rec_kind, Callback next) {
    const SimTime start = e_.now();
    dp_collective(p, kind, cc.bytes, cc.duration_s,
                  [this, p, start, rec_kind, next = std::move(next)]() mutable {
                    for (int d = 0; d < c_.layout.dp; ++d) {
                      OpRecord r;
                      r.worker = wid(d, p);
                      r.kind = rec_kind;
                      r.start = start;
                      r.end = e_.now();
                      r.pred = w_[static_cast<std::size_t>(wid(d, p))].record;
                      rec_.push_back(r);
                    }
                    next();
                  });
  };
  auto all_done = [this, p] {
    for (int d = 0; d < c_.layout.dp; ++d) part_done(wid(d, p));
  };
  if (!scatter) {
    run(CollKind::all_gather, gather, OpKind::param_gather, all_done);
    return;
  }
  run(CollKind::all_gather, gather, OpKind::param_gather, [this, run, all_done] {
    run(CollKind::reduce_scatter, c_.dp_grad_scatter, OpKind::dp_bucket, all_done);
  });
}

void Sim::part_done(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  if (--w.op_parts == 0) op_done(wi);
}

void Sim::run_segment(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  const Seg& s = (*w.segs)[w.seg];
  const OpRef op = w.ops[w.next];
  switch (s.kind) {
    case SegKind::compute: {
      const double dur = w.compute_s * s.frac;
      w.busy_s += dur;
      e_.schedule_in(from_seconds(dur), [this, wi] { segment_done(wi); });
      break;
    }
    case SegKind::tp: {
      ++r_.tp_collectives;
      const CollectiveCost& cc = op.backward ? c_.tp_backward : c_.tp_forward;
      collective(CollKind::all_reduce, tp_group(w.d, w.p), cc.bytes, cc.duration_s,
                 o_.representative_tp, [this, wi] { segment_done(wi); });
      break;
    }
    case SegKind::cp_start: {
      // The replica's cp ranks (cp_ranks consecutive workers) meet, start their K/V ring and go on
      // with the attention half while it moves.
      const int n = c_.cp_ranks;
      const int g = w.d / n;
      if (!last_to_arrive(Barrier::cp_ring, segment_key(w, g), n)) break;
      ++r_.cp_collectives;
      const int base = g * n, p = w.p;
      std::vector<std::vector<int>> rings;
      const int tps = o_.representative_tp ? 1 : c_.layout.tp;
      for (int t = 0; t < tps; ++t) {
        std::vector<int> ring;
        for (int k = 0; k < n; ++k) ring.push_back(gpu(t, base + k, p));
        rings.push_back(std::move(ring));
      }
      const double bytes = c_.cp_ring.bytes * (op.backward ? 2.0 : 1.0);
      for (int k = 0; k < n; ++k) w_[static_cast<std::size_t>(wid(base + k, p))].cp_done = false;
      collectives(CollKind::all_gather, rings, std::vector<double>(rings.size(), bytes),
                  [this, base, n, p] {
                    for (int k = 0; k < n; ++k) {
                      const int m = wid(base + k, p);
                      Worker& wm = w_[static_cast<std::size_t>(m)];
                      wm.cp_done = true;
                      if (wm.cp_waiting) {
                        wm.cp_waiting = false;
                        segment_done(m);
                      }
                    }
                  });
      for (int k = 0; k < n; ++k) segment_done(wid(base + k, p));
      break;
    }
    case SegKind::cp_wait:
      if (w.cp_done)
        segment_done(wi);
      else
        w.cp_waiting = true;
      break;
    case SegKind::ep: {
      // All-to-all over the expert-parallel group (ep_group_size replicas): a barrier.
      const int ep = ep_group_size(c_.layout);
      const int g = w.d / ep;
      if (!last_to_arrive(Barrier::expert_all_to_all, segment_key(w, g), ep)) break;
      ++r_.ep_collectives;
      std::vector<int> gpus;
      for (int k = 0; k < ep; ++k) gpus.push_back(gpu(0, g * ep + k, w.p));
      const int base = g * ep;
      const int p = w.p;
      auto finish_all = [this, base, ep, p] {
        for (int k = 0; k < ep; ++k) segment_done(wid(base + k, p));
      };
      const auto& L = c_.layout;
      if (!topo_) {
        collective(CollKind::all_to_all, gpus, c_.ep_all_to_all.bytes, c_.ep_all_to_all.duration_s,
                   false, finish_all);
        break;
      }
      std::vector<std::vector<int>> groups;
      if (L.ep % L.tp == 0 && ep * L.tp == L.ep) {
        // ep consecutive ranks: every tp GPU of the group's replicas (one group; representative TP
        // runs it whole, as it is no copy of a rank-0 group).
        std::vector<int> g_all;
        for (int k = 0; k < ep; ++k)
          for (int t = 0; t < L.tp; ++t) g_all.push_back(gpu(t, base + k, p));
        groups.push_back(std::move(g_all));
      } else if (L.tp % L.ep == 0) {
        // Inside the replica: tp/ep groups of ep consecutive tp ranks (rank 0's with
        // representative TP).
        const int n = o_.representative_tp ? 1 : L.tp / L.ep;
        for (int b = 0; b < n; ++b) {
          std::vector<int> g_in;
          for (int i = 0; i < L.ep; ++i) g_in.push_back(gpu(b * L.ep + i, base, p));
          groups.push_back(std::move(g_in));
        }
      } else {
        // One all-to-all per tp rank over the group's replicas (rank 0's with representative TP).
        const int n = o_.representative_tp ? 1 : L.tp;
        for (int t = 0; t < n; ++t) {
          std::vector<int> gt;
          for (int k = 0; k < ep; ++k) gt.push_back(gpu(t, base + k, p));
          groups.push_back(std::move(gt));
        }
      }
      collectives(CollKind::all_to_all, groups,
                  std::vector<double>(groups.size(), c_.ep_all_to_all.bytes), finish_all);
      break;
    }
  }
}

void Sim::segment_done(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  const Seg& s = (*w.segs)[w.seg];
  if (s.buckets_after > 0) bucket_ready(wi, s.buckets_after);
  if (++w.seg < w.segs->size()) {
    run_segment(wi);
    return;
  }
  if (w.side_after) {
    w.side_after = false;
    start_side(wi);
  }
  part_done(wi);
}

void Sim::op_done(int wi) {
  if (o_.progress && ++ops_done_ % progress_stride_ == 0)
    o_.progress(double(ops_done_) / double(std::max<std::uint64_t>(1, ops_total_)));
  Worker& w = w_[static_cast<std::size_t>(wi)];
  const OpRef op = w.ops[w.next];
  const int m = c_.num_microbatches, P = c_.layout.pp;
  const int vs = op.chunk * P + w.p;
  if (!op.backward) w.fwd_done[static_cast<std::size_t>(op.chunk * m + op.microbatch)] = 1;
  int dst = -1, dst_chunk = 0;
  if (!op.backward && vs < S() - 1) dst = wid(w.d, (vs + 1) % P), dst_chunk = (vs + 1) / P;
  if (op.backward && vs > 0) dst = wid(w.d, (vs - 1) % P), dst_chunk = (vs - 1) / P;
  const std::int32_t rec = w.record;
  if (dst < 0) return finish_op(wi);
  if (dst == wi) {  // next virtual stage on the same rank (pp = 1): no transfer
    finish_op(wi);
    return arrive(dst, op.backward, op.microbatch, dst_chunk, rec);
  }
  const Worker& t = w_[static_cast<std::size_t>(dst)];
  if (o_.blocking_p2p) {
    // Megatron-LM: the send is part of the step (batched isend/irecv, then wait).
    p2p(w.d, w.p, t.p, [this, wi, dst, op, dst_chunk, rec] {
      finish_op(wi);
      arrive(dst, op.backward, op.microbatch, dst_chunk, rec);
    });
    return;
  }
  p2p(w.d, w.p, t.p, [this, dst, op, dst_chunk, rec] { arrive(dst, op.backward, op.microbatch, dst_chunk, rec); });
  finish_op(wi);
}

void Sim::finish_op(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  OpRecord& r = rec_[static_cast<std::size_t>(w.record)];
  r.end = e_.now();
  span_end_ = std::max(span_end_, e_.now());
  w.last_record = w.record;
  w.busy = false;
  ++w.next;
  if (w.next >= w.ops.size()) {
    w.ops_finished = true;
    worker_tail(wi);
  } else {
    try_start(wi);
  }
}

void Sim::arrive(int dst, bool backward, int mb, int chunk, std::int32_t rec) {
  Worker& t = w_[static_cast<std::size_t>(dst)];
  const std::size_t slot = static_cast<std::size_t>(chunk * c_.num_microbatches + mb);
  (backward ? t.bwd_arrived : t.fwd_arrived)[slot] = 1;
  (backward ? t.bwd_from : t.fwd_from)[slot] = rec;
  try_start(dst);
}

void Sim::bucket_ready(int wi, int n) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  w.buckets_ready += n;
  try_start_bucket(wi);
}

void Sim::try_start_bucket(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  if (w.dp_busy || w.buckets_started >= w.buckets_ready) return;
  w.dp_busy = true;
  const int b = w.buckets_started++;
  const int p = w.p;
  if (!last_to_arrive(Barrier::bucket,
                      (static_cast<std::uint64_t>(p) << 32) | static_cast<std::uint64_t>(b),
                      c_.layout.dp))
    return;
  const int total_buckets = c_.layout.vp * nb_;
  const CollKind kind = zero_ ? CollKind::reduce_scatter : CollKind::all_reduce;
  const double bytes = c_.dp_sync.bytes / total_buckets;
  const double dur = c_.dp_sync.duration_s / total_buckets;
  const SimTime start = e_.now();
  auto done_all = [this, p, b, start] {
    OpRecord r;
    r.kind = OpKind::dp_bucket;
    r.microbatch = b;
    r.start = start;
    r.end = e_.now();
    for (int d = 0; d < c_.layout.dp; ++d) {
      const int wi2 = wid(d, p);
      Worker& w2 = w_[static_cast<std::size_t>(wi2)];
      r.worker = wi2;
      r.pred = w2.last_record;
      w2.last_bucket_record = static_cast<std::int32_t>(rec_.size());
      rec_.push_back(r);
      w2.dp_busy = false;
      ++w2.buckets_done;
      try_start_bucket(wi2);
      worker_tail(wi2);
    }
  };
  dp_collective(p, kind, bytes, dur, done_all);
}

void Sim::worker_tail(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  if (w.finished || !w.ops_finished) return;
  const int need = dp_traffic_ && !zero3_ ? c_.layout.vp * nb_ : 0;
  if (w.buckets_done < need || w.dp_busy) return;
  if (w.finish_time < 0) return;  // optimizer already running
  w.finish_time = -1;
  ++r_.optimizer_steps;
  const double dur = c_.optimizer_s;
  const SimTime start = e_.now();
  const std::int32_t pred = (w.last_bucket_record >= 0 &&
                             rec_[static_cast<std::size_t>(w.last_bucket_record)].end >=
                                 rec_[static_cast<std::size_t>(w.last_record)].end)
                                ? w.last_bucket_record
                                : w.last_record;
  w.busy_s += dur;
  e_.schedule_in(from_seconds(dur), [this, wi, start, pred] {
    OpRecord r;
    r.worker = wi;
    r.kind = OpKind::optimizer;
    r.start = start;
    r.end = e_.now();
    r.pred = pred;
    Worker& w2 = w_[static_cast<std::size_t>(wi)];
    w2.last_record = static_cast<std::int32_t>(rec_.size());
    rec_.push_back(r);
    worker_finished(wi);
  });
}

void Sim::worker_finished(int wi) {
  Worker& w = w_[static_cast<std::size_t>(wi)];
  w.finished = true;
  w.finish_time = e_.now();
  ++finished_;
}

IterationResult Sim::run() {
  r_ = IterationResult{};
  if (auto err = c_.validate(); !err.empty()) {
    r_.error = err;
    return r_;
  }
  const auto& L = c_.layout;
  const int P = L.pp, v = L.vp, m = c_.num_microbatches, dp = L.dp;
  if (topo_ && topo_->gpu_count() < dp * L.tp * P) {
    r_.error = "topology has " + std::to_string(topo_->gpu_count()) + " GPUs, layout needs " +
               std::to_string(dp * L.tp * P);
    return r_;
  }
  zero3_ = L.sharding == Sharding::zero3;
  zero_ = L.sharding != Sharding::none && !zero3_;
  nb_ = c_.dp_buckets;
  const int layers = layers_per_chunk(c_);
  const bool ep = c_.moe_layers && L.ep > 1;
  cp_flows_ = topo_ && c_.cp_ranks > 1 && c_.cp_ring.bytes > 0;
  const int tp_f = L.tp > 1 ? c_.tp_collectives_per_layer : 0;
  const int tp_b = L.tp > 1 ? c_.tp_backward_count() : 0;
  segs_fwd_ = build_segments(layers, tp_f > 0, tp_f, ep, 0, cp_flows_);
  segs_bwd_ = build_segments(layers, tp_b > 0, tp_b, ep, 0, cp_flows_);
  segs_bwd_final_ =
      build_segments(layers, tp_b > 0, tp_b, ep, dp_traffic_ && !zero3_ ? nb_ : 0, cp_flows_);
  if (!c_.dp_overlap) {
    // No overlap with the backward: every bucket becomes ready when the last backward ends.
    int ready = 0;
    for (Seg& sg : segs_bwd_final_) ready += std::exchange(sg.buckets_after, 0);
    segs_bwd_final_.back().buckets_after = ready;
  }
  w_.assign(static_cast<std::size_t>(dp * P), Worker{});
  for (int d = 0; d < dp; ++d)
    for (int p = 0; p < P; ++p) {
      Worker& w = w_[static_cast<std::size_t>(wid(d, p))];
      w.d = d;
      w.p = p;
      w.ops = schedule_for(L.schedule, P, p, m, v);
      const std::size_t slots = static_cast<std::size_t>(m * v);
      w.fwd_arrived.assign(slots, 0);
      w.bwd_arrived.assign(slots, 0);
      w.fwd_done.assign(slots, 0);
      w.fwd_from.assign(slots, -1);
      w.bwd_from.assign(slots, -1);
      w.last_backward_index.assign(static_cast<std::size_t>(v), -1);
      for (std::size_t i = 0; i < w.ops.size(); ++i)
        if (w.ops[i].backward) w.last_backward_index[static_cast<std::size_t>(w.ops[i].chunk)] = static_cast<int>(i);
    }
  tp_groups_.assign(static_cast<std::size_t>(dp * P), {});
  for (int d = 0; d < dp; ++d)
    for (int p = 0; p < P; ++p)
      for (int t = 0; t < L.tp; ++t) tp_groups_[static_cast<std::size_t>(wid(d, p))].push_back(gpu(t, d, p));
  rec_.reserve(static_cast<std::size_t>(dp * P) * static_cast<std::size_t>(2 * m * v + v * nb_ + 2));
  const SimTime t0 = e_.now();
  const std::uint64_t ev0 = e_.events_processed();
  gathered_.clear();
  if (zero_ && dp_traffic_ && (c_.dp_param_gather.duration_s > 0 || c_.dp_param_gather.bytes > 0)) {
    gathered_.assign(static_cast<std::size_t>(P * v), 0);
    for (int p = 0; p < P; ++p) start_param_gathers(p, 0);
  }
  ops_total_ = 0;
  for (const auto& w : w_) ops_total_ += w.ops.size();
  progress_stride_ = std::max<std::uint64_t>(1, ops_total_ / 200);
  for (int i = 0; i < dp * P; ++i) try_start(i);
  if (o_.cancel) e_.set_cancel_flag(o_.cancel);
  e_.run();
  r_.engine_events = e_.events_processed() - ev0;
  if (e_.cancelled()) {
    r_.cancelled = true;
    r_.error = "cancelled";
    return r_;
  }
  if (finished_ != dp * P) {
    r_.error = "schedule deadlock: " + std::to_string(dp * P - finished_) + " workers never finished";
    return r_;
  }
  SimTime end = t0;
  int last = 0;
  for (int i = 0; i < dp * P; ++i)
    if (w_[static_cast<std::size_t>(i)].finish_time > end) end = w_[static_cast<std::size_t>(i)].finish_time, last = i;
  r_.step_time_s = to_seconds(end - t0);
  r_.pipeline_span_s = to_seconds(span_end_ - span_start_);
  double op_busy = 0;
  for (const auto& r : rec_)
    if (r.kind == OpKind::forward || r.kind == OpKind::backward) op_busy += to_seconds(r.end - r.start);
  r_.bubble_fraction = r_.pipeline_span_s > 0 ? std::max(0.0, 1.0 - op_busy / (dp * P * r_.pipeline_span_s)) : 0;
  r_.workers = dp * P;
  r_.tp = L.tp;
  for (const auto& w : w_) {
    r_.worker_busy_s.push_back(w.busy_s);
    r_.worker_idle_s.push_back(std::max(0.0, r_.step_time_s - w.busy_s));
  }
  r_.event_count = r_.compute_ops + r_.tp_collectives + r_.ep_collectives + r_.cp_collectives +
                   r_.p2p_sends + r_.dp_collectives + r_.optimizer_steps;
  // Critical path: walk back from the last record of the worker that finished last.
  {
    std::vector<std::int32_t> path;
    for (std::int32_t i = w_[static_cast<std::size_t>(last)].last_record; i >= 0; i = rec_[static_cast<std::size_t>(i)].pred)
      path.push_back(i);
    std::reverse(path.begin(), path.end());
    double on_path = 0;
    for (std::int32_t i : path) {
      const OpRecord& r = rec_[static_cast<std::size_t>(i)];
      const double dur = to_seconds(r.end - r.start);
      on_path += dur;
      if (r.kind == OpKind::forward || r.kind == OpKind::backward) r_.critical_compute_s += dur;
      static const char* names[] = {"F", "B", "dp-bucket", "optimizer", "param-gather", "p2p"};
      const Worker& w = w_[static_cast<std::size_t>(std::max(0, r.worker))];
      std::string what = std::string(names[static_cast<int>(r.kind)]);
      if (r.kind == OpKind::forward || r.kind == OpKind::backward)
        what += " mb" + std::to_string(r.microbatch) + " chunk" + std::to_string(r.chunk);
      else if (r.kind == OpKind::dp_bucket)
        what += " " + std::to_string(r.microbatch);
      what += " on d" + std::to_string(w.d) + " p" + std::to_string(w.p);
      r_.critical_path.push_back({what, to_seconds(r.start - t0), to_seconds(r.end - t0)});
    }
    r_.critical_wait_s = std::max(0.0, r_.step_time_s - on_path);
  }
  if (topo_) {
    FlowNetwork& net = topo_->network();
    const auto& info = topo_->links();
    for (LinkId l = 0; l < net.link_count(); ++l) {
      if (net.bytes_carried(l) <= 0) continue;
      LinkStat s;
      s.link = l;
      s.name = info[l].name;
      s.kind = info[l].kind;
      // The flows moved payload / comm_efficiency (protocol overhead on the wire): the payload is
      // what the link carried for the step; the wire bytes are how busy it was.
      const double wire = net.bytes_carried(l);
      s.bytes = wire * c_.comm_efficiency;
      s.busy_s = to_seconds(net.busy_time(l));
      s.utilisation = r_.step_time_s > 0 ? wire / (net.capacity(l) * r_.step_time_s) : 0;
      r_.max_link_utilisation = std::max(r_.max_link_utilisation, s.utilisation);
      r_.links.push_back(std::move(s));
    }
    std::stable_sort(r_.links.begin(), r_.links.end(),
                     [](const LinkStat& a, const LinkStat& b) { return a.utilisation > b.utilisation; });
  }
  for (const auto& w : w_) {
    r_.worker_d.push_back(w.d);
    r_.worker_p.push_back(w.p);
  }
  if (o_.record_timeline) {
    r_.records = std::move(rec_);
    r_.flow_records = std::move(flow_rec_);
    r_.flow_records_dropped = r_.flows > r_.flow_records.size() ? r_.flows - r_.flow_records.size() : 0;
    if (topo_)
      for (const auto& li : topo_->links()) r_.link_names.push_back(li.name);
  }
  r_.ok = true;
  return r_;
}

}  // namespace

std::uint64_t expected_event_count(const IterationCosts& given, bool network) {
  const IterationCosts c = simulated_costs(given, network);
  const auto& L = c.layout;
  const std::uint64_t dp = L.dp, pp = L.pp, v = L.vp, m = c.num_microbatches;
  const std::uint64_t layers = static_cast<std::uint64_t>(layers_per_chunk(c));
  std::uint64_t n = dp * pp * v * m * 2;  // F and B operations
  if (L.tp > 1)
    n += dp * pp * v * m * layers *
         static_cast<std::uint64_t>(c.tp_collectives_per_layer + c.tp_backward_count());
  if (c.moe_layers && L.ep > 1) n += (dp / ep_group_size(L)) * pp * v * m * layers * 4;
  // context parallelism on a topology: one K/V ring per cp group, layer and operation
  if (network && c.cp_ranks > 1 && c.cp_ring.bytes > 0)
    n += (dp / static_cast<std::uint64_t>(c.cp_ranks)) * pp * v * m * 2 * layers;
  n += dp * m * 2 * (pp * v - 1) * (pp > 1 ? 1 : 0);  // activation and gradient sends
  const auto any = [](const CollectiveCost& cc) { return cc.bytes > 0 || cc.duration_s > 0; };
  if (given.has_dp_traffic()) {
    if (L.sharding == models::Sharding::zero3) {
      // per operation: a gather beside each F, a gather and a reduce-scatter beside each B
      if (any(c.dp_param_gather) || any(c.dp_grad_scatter)) n += pp * v * m * 3;
    } else {
      n += pp * v * static_cast<std::uint64_t>(c.dp_buckets);
      // ZeRO-1/2: a parameter gather per chunk
      if (L.sharding != models::Sharding::none && any(c.dp_param_gather)) n += pp * v;
    }
  }
  n += dp * pp;  // optimizer steps
  return n;
}

IterationResult simulate_iteration(const IterationCosts& costs, Engine& engine, Topology* topology,
                                   const IterationOptions& options) {
  try {
    Sim sim(costs, engine, topology, options);
    return sim.run();
  } catch (const std::exception& ex) {
    IterationResult r;
    r.error = ex.what();
    return r;
  }
}

IterationResult simulate_iteration(const IterationCosts& costs, const NodeSpec* node,
                                   const ClusterSpec* cluster, const IterationOptions& options) {
  try {
    Engine engine;
    if (!node || !cluster) return simulate_iteration(costs, engine, nullptr, options);
    FlowNetwork net(engine);
    Topology topo(net, *node, *cluster);
    return simulate_iteration(costs, engine, &topo, options);
  } catch (const std::exception& ex) {
    IterationResult r;
    r.error = ex.what();
    return r;
  }
}

}  // namespace flopcast::simulator
