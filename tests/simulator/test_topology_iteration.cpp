// The iteration simulation on a topology: collectives as flows, max-min sharing, symmetry.
#include <catch2/catch.hpp>

#include "hwprofiles/node_profile.h"
#include "simulator/iteration.h"
#include "simulator/profiles.h"

using namespace flopcast::simulator;
using flopcast::models::PipelineSchedule;

namespace {
// One micro-batch through one layer per pipeline rank, compute 0: only what the caller adds moves.
IterationCosts bare(int dp, int tp, int pp = 1, int tp_collectives_per_layer = 0) {
  IterationCosts c;
  c.layout.dp = dp;
  c.layout.tp = tp;
  c.layout.pp = pp;
  c.num_microbatches = 1;
  c.layers_per_stage = 1;
  c.tp_collectives_per_layer = tp_collectives_per_layer;
  return c;
}

// Only a data-parallel all-reduce: compute 0, one bucket.
IterationCosts dp_only(int dp, int tp, double bytes) {
  IterationCosts c = bare(dp, tp);
  c.dp_buckets = 1;
  c.dp_sync.bytes = bytes;
  return c;
}

// 8 GPUs on a 400 GB/s NVSwitch, one 50 GB/s NIC each.
NodeSpec eight_gpu_node() {
  NodeSpec node;
  node.gpus_per_node = 8;
  node.scale_up_bytes_per_s = 400e9;
  node.nics_per_node = 8;
  node.nic_bytes_per_s = 50e9;
  return node;
}

// One MoE layer on one pipeline rank, compute 0: only its 4 expert all-to-alls of `bytes` each.
IterationCosts moe_only(int dp, int tp, int ep, double bytes, int experts_per_token = 1) {
  IterationCosts c = bare(dp, tp);
  c.layout.ep = ep;
  c.moe_layers = true;
  c.experts_per_token = experts_per_token;
  c.ep_all_to_all.bytes = bytes;
  return c;
}
}  // namespace

TEST_CASE("uncontended collectives take latency + bytes / bandwidth", "[iteration][network]") {
  NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 1;
  // TP all-reduce of 1 GB over 8 GPUs: ring moves 2·7/8 GB per GPU at 400 GB/s.
  IterationCosts c;
  c.layout.tp = 8;
  c.num_microbatches = 1;
  c.layers_per_stage = 1;
  c.tp_collectives_per_layer = 1;
  c.tp_forward.bytes = 1e9;
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  // forward: one all-reduce; backward: tp_backward.bytes = 0 -> instant.
  CHECK(r.step_time_s == Approx(2.0 * 7 / 8 * 1e9 / 400e9).epsilon(1e-9));
  CHECK(r.flows == 8);
  CHECK(r.max_link_utilisation == Approx(1.0).epsilon(1e-6));

  // With 1 µs per link latency the route GPU -> NVSwitch -> GPU adds 2 µs.
  node.scale_up_latency_s = 1e-6;
  auto lat = simulate_iteration(c, &node, &cl);
  REQUIRE(lat.ok);
  CHECK(lat.step_time_s == Approx(2.0 * 7 / 8 * 1e9 / 400e9 + 2e-6).epsilon(1e-9));
}

TEST_CASE("collectives on a topology reach comm_efficiency of the links and pay α per step",
          "[iteration][network]") {
  NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 1;
  IterationCosts c = bare(1, 8, 1, 1);
  c.tp_forward.bytes = 1e9;
  c.comm_efficiency = 0.8;
  c.comm_step_latency_s = 8e-6;
  // The estimate's ring all-reduce (models/collectives.h): 2·7/8 GB at 0.8 × 400 GB/s, then
  // 2·(8 − 1) steps of 8 µs: 5.46875 ms + 112 µs.
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx(2.0 * 7 / 8 * 1e9 / (0.8 * 400e9) + 14 * 8e-6).epsilon(1e-9));
  // The links carry the payload, not the efficiency's padding: 7/4 GB out of each GPU.
  REQUIRE(!r.links.empty());
  CHECK(r.links.front().bytes == Approx(2.0 * 7 / 8 * 1e9).epsilon(1e-9));
  // An all-gather (ZeRO-3's weight gather, one bucket) pays (n − 1) steps: dp 8 on the node.
  IterationCosts g = bare(8, 1);
  g.layout.sharding = flopcast::models::Sharding::zero3;
  g.dp_param_gather.bytes = 1e9;
  g.comm_efficiency = 0.8;
  g.comm_step_latency_s = 8e-6;
  auto rg = simulate_iteration(g, &node, &cl);
  REQUIRE(rg.ok);
  // Forward: gather (7/8 GB); backward: gather again, then the (empty) gradient reduce-scatter.
  CHECK(rg.step_time_s == Approx(2 * (7.0 / 8 * 1e9 / (0.8 * 400e9) + 7 * 8e-6)).epsilon(1e-9));
  // A pipeline send between two nodes' GPUs: bytes at 0.8 of the 50 GB/s NIC, plus one α.
  ClusterSpec two;
  two.nodes = 2;
  IterationCosts pp = bare(1, 1, 2);
  pp.pp_p2p.bytes = 1e9;
  pp.comm_efficiency = 0.8;
  pp.comm_step_latency_s = 8e-6;
  NodeSpec one_gpu;
  one_gpu.gpus_per_node = 1;
  one_gpu.nics_per_node = 1;
  one_gpu.nic_bytes_per_s = 50e9;
  auto rp = simulate_iteration(pp, &one_gpu, &two);
  REQUIRE(rp.ok);
  // Forward send (stage 0 -> 1) and backward send (1 -> 0), each waited for by its sender.
  CHECK(rp.step_time_s == Approx(2 * (1e9 / (0.8 * 50e9) + 8e-6)).epsilon(1e-9));
  // Out of range: rejected with the field's name.
  c.comm_efficiency = 0;
  CHECK(c.validate() == "comm_efficiency must be in (0, 1]");
  c.comm_efficiency = 1.5;
  CHECK(c.validate() == "comm_efficiency must be in (0, 1]");
  c.comm_efficiency = 1;
  c.comm_step_latency_s = -1;
  CHECK(c.validate() == "comm_step_latency_s must be finite and >= 0 s");
}

TEST_CASE("two rings sharing one NIC link slow down exactly as max-min sharing predicts", "[iteration][network]") {
  // 2 nodes × 2 GPUs, dp = 2, tp = 2: the dp rings (gpu0<->gpu2, gpu1<->gpu3) cross the nodes.
  NodeSpec node;
  node.gpus_per_node = 2;
  node.scale_up_bytes_per_s = 400e9;
  node.nic_bytes_per_s = 50e9;
  ClusterSpec cl;
  cl.nodes = 2;
  const double bytes = 1e9;
  // All-reduce over 2 ranks: each moves 2·1/2 = 1 GB.
  node.nics_per_node = 2;  // a NIC per GPU: no sharing
  auto alone = simulate_iteration(dp_only(2, 2, bytes), &node, &cl);
  node.nics_per_node = 1;  // both rings through one NIC: each gets half of it
  auto shared = simulate_iteration(dp_only(2, 2, bytes), &node, &cl);
  REQUIRE(alone.ok);
  REQUIRE(shared.ok);
  CHECK(alone.step_time_s == Approx(bytes / 50e9).epsilon(1e-9));
  CHECK(shared.step_time_s == Approx(2 * bytes / 50e9).epsilon(1e-9));
  CHECK(shared.step_time_s == Approx(2 * alone.step_time_s).epsilon(1e-9));
}

TEST_CASE("link contention makes the simulation slower than the contention-free schedule", "[iteration][network]") {
  // Same pipeline on two clusters: rail-optimised non-blocking vs a 4:1 oversubscribed fat tree.
  IterationCosts c;
  c.layout.dp = 4;
  c.layout.tp = 8;
  c.layout.pp = 2;
  c.num_microbatches = 8;
  c.layers_per_stage = 4;
  c.forward_s = 0.01;
  c.backward_s = 0.02;
  c.tp_forward.bytes = c.tp_backward.bytes = 16e6;
  c.pp_p2p.bytes = 4e6;
  c.dp_sync.bytes = 2e9;
  NodeSpec node;
  node.gpus_per_node = 8;
  node.scale_up_bytes_per_s = 450e9;
  node.nics_per_node = 8;
  node.nic_bytes_per_s = 50e9;
  ClusterSpec rail;
  rail.nodes = 8;
  rail.shape = NetworkShape::rail_optimized;
  rail.nodes_per_leaf = 2;
  rail.spines = 8;
  rail.leaf_uplink_bytes_per_s = 50e9;
  ClusterSpec thin = rail;
  thin.shape = NetworkShape::fat_tree;
  thin.nodes_per_leaf = 1;
  thin.spines = 2;  // 8 NICs of 50 GB/s per leaf, 2 uplinks: 4:1
  auto a = simulate_iteration(c, &node, &rail);
  auto b = simulate_iteration(c, &node, &thin);
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK(b.step_time_s > a.step_time_s);
  CHECK(a.event_count == expected_event_count(c, true));
  CHECK(b.event_count == a.event_count);
}

TEST_CASE("representative-TP symmetry gives the full simulation's result at 256 GPUs", "[iteration][network][symmetry]") {
  const auto* node_profile = flopcast::hwprofiles::find_node("dgx-h100");
  REQUIRE(node_profile);
  NodeSpec node = node_spec_from(*node_profile);
  ClusterSpec cl;
  cl.nodes = 32;  // 256 GPUs
  cl.shape = NetworkShape::rail_optimized;
  cl.nodes_per_leaf = 8;
  cl.spines = 8;
  cl.leaf_uplink_bytes_per_s = 50e9;
  for (auto sched : {PipelineSchedule::one_f_one_b, PipelineSchedule::interleaved}) {
    IterationCosts c;
    c.layout.tp = 8;
    c.layout.pp = 4;
    c.layout.dp = 8;
    c.layout.schedule = sched;
    c.layout.vp = sched == PipelineSchedule::interleaved ? 2 : 1;
    c.num_microbatches = 8;
    c.layers_per_stage = 4;
    c.forward_s = 0.02;
    c.backward_s = 0.04;
    c.tp_forward.bytes = c.tp_backward.bytes = 32e6;
    c.pp_p2p.bytes = 8e6;
    c.dp_sync.bytes = 1.5e9;
    c.optimizer_s = 0.003;
    IterationOptions full, rep;
    rep.representative_tp = true;
    auto a = simulate_iteration(c, &node, &cl, full);
    auto b = simulate_iteration(c, &node, &cl, rep);
    REQUIRE(a.ok);
    REQUIRE(b.ok);
    CHECK(a.step_time_s == b.step_time_s);  // same to the nanosecond
    CHECK(a.bubble_fraction == b.bubble_fraction);
    CHECK(a.event_count == b.event_count);
    CHECK(b.flows < a.flows);
  }
}

TEST_CASE("built-in node and cluster profiles load and validate", "[profiles]") {
  using namespace flopcast::hwprofiles;
  REQUIRE(find_node("dgx-h100"));
  CHECK(find_node("dgx-h100")->gpus_per_node == 8);
  CHECK(find_node("dgx-h100")->nic_bytes_per_s == 50e9);
  const auto* big = find_cluster("h100-superpod-16k");
  REQUIRE(big);
  CHECK(big->nodes * find_node(big->node)->gpus_per_node == 16384);
  CHECK(big->storage_write_bytes_per_s.value_or(0) > 0);
  for (const auto& c : builtin_clusters()) CHECK(find_node(c.node));
}

TEST_CASE("node and cluster profile errors name the JSON pointer", "[profiles]") {
  using namespace flopcast::hwprofiles;
  auto r = parse_node_profile_text(R"({"schema_version": 1, "id": "x", "name": "x", "device": "d",
    "gpus_per_node": 8, "scale_up_kind": "nvswitch", "scale_up_bytes_per_s": -1, "nics_per_node": 3,
    "nic_bytes_per_s": 5e10, "sources": [{"title": "t"}], "colour": "red"})", "my.json");
  REQUIRE_FALSE(r.profile);
  std::string all;
  for (const auto& e : r.errors) all += e.to_string() + "\n";
  CHECK(all.find("/scale_up_bytes_per_s") != std::string::npos);
  CHECK(all.find("/nics_per_node") != std::string::npos);
  CHECK(all.find("/colour") != std::string::npos);
  CHECK(all.find("my.json") != std::string::npos);
  auto c = parse_cluster_profile_text(R"({"schema_version": 1, "id": "c", "name": "c", "node": "nope",
    "nodes": 4, "network": "torus", "nodes_per_leaf": 2, "spines": 1, "leaf_uplink_bytes_per_s": 1e10,
    "sources": [{"title": "t"}]})", "c.json");
  REQUIRE_FALSE(c.profile);
  all.clear();
  for (const auto& e : c.errors) all += e.to_string() + "\n";
  CHECK(all.find("/network") != std::string::npos);
  CHECK(all.find("/node") != std::string::npos);
  CHECK(parse_node_profile_text("{not json", "bad.json").errors.size() == 1);
}

TEST_CASE("a data-parallel ring over nodes runs as one ring per member of a node, one NIC each",
          "[iteration][network]") {
  // dp 16, tp 1 on 2 nodes of 8: NCCL's 8 rings each carry 1/8 of the all-reduce and cross the
  // node boundary through a different GPU's NIC. The NIC hop bounds each ring:
  // 2·15/16 · 8 GB / 8 rings at 50 GB/s = 37.5 ms (one ring through one NIC would take 300 ms).
  const NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 2;
  auto c = dp_only(16, 1, 8e9);
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx(2.0 * 15 / 16 * 8e9 / 8 / 50e9).epsilon(1e-6));
  CHECK(r.flows == 16 * 8);
  // Inside one node (dp 8) it stays one ring over NVLink.
  cl.nodes = 1;
  auto one = simulate_iteration(dp_only(8, 1, 8e9), &node, &cl);
  REQUIRE(one.ok);
  CHECK(one.step_time_s == Approx(2.0 * 7 / 8 * 8e9 / 400e9).epsilon(1e-6));
  CHECK(one.flows == 8);
}

TEST_CASE("an MoE model's expert gradients move over the expert data-parallel groups",
          "[iteration][network]") {
  // dp 2 × tp 8 on 2 nodes of 8: a replica is one node. Of an 8 GB gradient all-reduce, 2 GB are
  // dense weights: each tp rank's pair (GPU t, GPU t + 8) all-reduces them across the nodes,
  // 2·1/2 · 2 GB through each NIC. The 6 GB of experts (etp 1, ep 1: every GPU holds every expert)
  // all-reduce over all 16 GPUs: 8 rings of 0.75 GB, each NIC carrying one ring's 2·15/16 · 0.75
  // GB. Both share each NIC: (2 + 1.40625) GB at 50 GB/s = 68.125 ms.
  const NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 2;
  auto c = dp_only(2, 8, 8e9);
  c.dp_expert_share = 0.75;
  c.expert_stride = 1;
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx((2e9 + 2.0 * 15 / 16 * 0.75e9) / 50e9).epsilon(1e-6));
  CHECK(r.flows == 8 * 2 + 8 * 16);
  CHECK(r.dp_collectives == 1);
  // Without the split all 8 GB would cross each NIC between the pairs: 160 ms.
  c.dp_expert_share = 0;
  auto whole = simulate_iteration(c, &node, &cl);
  REQUIRE(whole.ok);
  CHECK(whole.step_time_s == Approx(8e9 / 50e9).epsilon(1e-6));
  // ep 16: each GPU holds its own experts, whose gradients stay where they are: only the 2 GB.
  c.dp_expert_share = 0.75;
  c.layout.ep = 16;
  c.expert_stride = 16;
  auto own = simulate_iteration(c, &node, &cl);
  REQUIRE(own.ok);
  CHECK(own.step_time_s == Approx(2e9 / 50e9).epsilon(1e-6));
  CHECK(own.flows == 8 * 2);
  // Representative TP simulates tensor-parallel rank 0's flows: its pair, and the expert group
  // it belongs to (here every GPU's); the same step time.
  c.layout.ep = 1;
  c.expert_stride = 1;
  IterationOptions o;
  o.representative_tp = true;
  auto rep = simulate_iteration(c, &node, &cl, o);
  REQUIRE(rep.ok);
  CHECK(rep.step_time_s == Approx(r.step_time_s).epsilon(1e-6));
  CHECK(rep.flows == 2 + 8 * 16);
}

TEST_CASE("an expert all-to-all runs over ep consecutive ranks, as Megatron-Core groups them",
          "[iteration][network]") {
  // dp 4 × tp 4 on 2 nodes of 8, ep 8: Megatron-Core's expert groups are ranks 0-7 and 8-15, one
  // node each (the tp GPUs of two replicas). Each all-to-all of 8 GB per rank sends 1 GB to each of
  // 7 peers over NVLink: 7 GB at 400 GB/s = 17.5 ms; one layer runs 2 forward and 2 backward.
  const NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 2;
  IterationCosts c = moe_only(4, 4, 8, 8e9);
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx(4 * 7e9 / 400e9).epsilon(1e-6));
  CHECK(r.flows == 4 * 2 * 8 * 7);
  CHECK(r.ep_collectives == 4 * 2);
  CHECK(r.event_count == expected_event_count(c, true));
  // ep 2 inside a replica of tp 4: two groups of two tp ranks each, 4 GB to one peer: 10 ms.
  c.layout.ep = 2;
  auto in = simulate_iteration(c, &node, &cl);
  REQUIRE(in.ok);
  CHECK(in.step_time_s == Approx(4 * 4e9 / 400e9).epsilon(1e-6));
  CHECK(in.flows == 4 * 4 * 2 * 2);
  CHECK(in.event_count == expected_event_count(c, true));
}

TEST_CASE("an expert all-to-all across nodes is dispatched hierarchically, as DeepEP does",
          "[iteration][network]") {
  // dp 16 × tp 1 on 2 nodes of 8, ep 16, top-4 routing, 1 GB of tokens per rank (bytes = 4 GB:
  // four copies). A token crosses the network once to the other node if one of its 4 experts is
  // there, 1 − (1/2)^4 = 15/16 of them: 0.9375 GB through the rank's own 50 GB/s NIC to the rank at
  // its position there, 18.75 ms. Over NVLink each rank passes its 7 node peers the copies for
  // their experts, local or just arrived: 1 GB · 4/8 each, 3.5 GB at 400 GB/s, 8.75 ms, at the
  // same time. One all-to-all takes 18.75 ms; a layer runs 4. Sending the 4 copies directly would
  // put 2 GB on each NIC (40 ms).
  const NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 2;
  IterationCosts c = moe_only(16, 1, 16, 4e9, 4);
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx(4 * 0.9375e9 / 50e9).epsilon(1e-6));
  CHECK(r.ep_collectives == 4);
  CHECK(r.flows == 4 * 16 * (1 + 7));
  CHECK(r.event_count == expected_event_count(c, true));
  // Inside one node (ep 8 of dp 8) the 4 copies go straight to their ranks: 4 GB · 7/8 at
  // 400 GB/s, 8.75 ms.
  c.layout.dp = 8;
  c.layout.ep = 8;
  ClusterSpec one;
  one.nodes = 1;
  auto in = simulate_iteration(c, &node, &one);
  REQUIRE(in.ok);
  CHECK(in.step_time_s == Approx(4 * 4e9 * 7 / 8 / 400e9).epsilon(1e-6));
  CHECK(in.flows == 4 * 8 * 7);
}

TEST_CASE("experts held by every tp rank reduce their gradients over them even at dp 1",
          "[iteration][network]") {
  // dp 1 × tp 8 in one node, ep 1 (etp 1): each of the 8 GPUs holds every expert and trains it on
  // its own tokens, so an 8 GB expert gradient is all-reduced over the 8: 2·7/8 · 8 GB at 400 GB/s.
  const NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 1;
  auto c = dp_only(1, 8, 8e9);
  c.dp_expert_share = 1.0;
  c.expert_stride = 1;
  auto r = simulate_iteration(c, &node, &cl);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx(2.0 * 7 / 8 * 8e9 / 400e9).epsilon(1e-6));
  CHECK(r.dp_collectives == 1);
  CHECK(r.event_count == expected_event_count(c, true));
  // A dense model at dp 1 moves nothing.
  c.dp_expert_share = 0;
  auto dense = simulate_iteration(c, &node, &cl);
  REQUIRE(dense.ok);
  CHECK(dense.step_time_s == 0);
  CHECK(dense.dp_collectives == 0);
}

TEST_CASE(
    "a context-parallel K/V ring hides behind the attention half of a layer, or shows past it",
    "[iteration][network][cp]") {
  // One replica of cp 2 (two workers) on one node (400 GB/s NVSwitch), one layer, one micro-batch:
  // forward 0.1 s, backward 0.2 s. The ring all-gathers the K/V buffer: each rank receives half of
  // it. The forward's first half (0.05 s) runs beside the ring, the second half after it; the
  // backward moves twice the bytes beside a 0.1 s half.
  const NodeSpec node = eight_gpu_node();
  ClusterSpec cl;
  cl.nodes = 1;
  IterationCosts c = dp_only(2, 1, 0);
  c.cp_ranks = 2;
  c.forward_s = 0.1;
  c.backward_s = 0.2;
  c.cp_exchange_s = 1.0;  // charged only without a topology
  // 80 GB: 40 GB per rank forward (0.1 s, 0.05 s past the half), 80 GB backward (0.2 s, 0.1 s
  // past).
  c.cp_ring.bytes = 80e9;
  auto slow = simulate_iteration(c, &node, &cl);
  REQUIRE(slow.ok);
  CHECK(slow.step_time_s == Approx(0.15 + 0.3).epsilon(1e-6));
  CHECK(slow.cp_collectives == 2);
  CHECK(slow.event_count == expected_event_count(c, true));
  // 8 GB: 0.01 s and 0.02 s, inside the halves: the step is the compute alone.
  c.cp_ring.bytes = 8e9;
  auto hidden = simulate_iteration(c, &node, &cl);
  REQUIRE(hidden.ok);
  CHECK(hidden.step_time_s == Approx(0.3).epsilon(1e-6));
  // Without a topology the exchange is the injected cp_exchange_s inside the operations.
  auto plain = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(plain.ok);
  CHECK(plain.step_time_s == Approx(0.3 + 1.0).epsilon(1e-6));
  CHECK(plain.cp_collectives == 0);
}
