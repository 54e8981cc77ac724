#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "simulator/flow_network.h"
#include "simulator/topology.h"

using namespace flopcast::simulator;

namespace {
NodeSpec node_spec(int gpus, int nics, double nic_bytes_per_s, double scale_up_bytes_per_s = 0) {
  NodeSpec node;
  node.gpus_per_node = gpus;
  node.scale_up_bytes_per_s = scale_up_bytes_per_s;
  node.nics_per_node = nics;
  node.nic_bytes_per_s = nic_bytes_per_s;
  return node;
}
ClusterSpec two_level(int nodes, NetworkShape shape, int nodes_per_leaf, int spines,
                      double uplink_bytes_per_s) {
  ClusterSpec cl;
  cl.nodes = nodes;
  cl.shape = shape;
  cl.nodes_per_leaf = nodes_per_leaf;
  cl.spines = spines;
  cl.leaf_uplink_bytes_per_s = uplink_bytes_per_s;
  return cl;
}
}  // namespace

TEST_CASE("a lone flow moves at the link capacity, after the route latency", "[flows]") {
  Engine e;
  FlowNetwork net(e);
  const LinkId a = net.add_link(100.0, 1000);  // 100 B/s, 1 µs
  const LinkId b = net.add_link(50.0, 2000);
  SimTime done = -1;
  net.start_flow({a, b}, 100.0, [&] { done = e.now(); });
  e.run();
  // bottleneck 50 B/s: 2 s + 3 µs of latency
  CHECK(done == 2 * kTicksPerSecond + 3000);
  CHECK(net.bytes_carried(a) == Approx(100.0));
  CHECK(net.active_flows() == 0);
}

TEST_CASE("two flows on one link share it max-min fairly, and the survivor speeds up", "[flows]") {
  Engine e;
  FlowNetwork net(e);
  const LinkId shared = net.add_link(100.0);
  SimTime t1 = -1, t2 = -1;
  net.start_flow({shared}, 100.0, [&] { t1 = e.now(); });
  net.start_flow({shared}, 300.0, [&] { t2 = e.now(); });
  e.run();
  // Both at 50 B/s until flow 1 ends at 2 s (flow 2 has 200 B left), then flow 2 at 100 B/s: 4 s.
  CHECK(t1 == 2 * kTicksPerSecond);
  CHECK(t2 == 4 * kTicksPerSecond);
}

TEST_CASE("progressive filling gives the unconstrained flow the leftover capacity", "[flows]") {
  // Classic example: link X (cap 10) carries f1, f2; link Y (cap 4) carries f2, f3.
  // Y's fair share 2 is the smallest: f2 = f3 = 2; then X leaves f1 = 10 − 2 = 8.
  Engine e;
  FlowNetwork net(e);
  const LinkId x = net.add_link(10.0), y = net.add_link(4.0);
  const FlowId f1 = net.start_flow({x}, 1e6, {});
  const FlowId f2 = net.start_flow({x, y}, 1e6, {});
  const FlowId f3 = net.start_flow({y}, 1e6, {});
  // Rates are set once per instant, after the instant's starts: none yet, all after time 0.
  CHECK(net.rate(f1) == 0);
  e.run_until(0);
  CHECK(net.rate_recomputations() == 1);
  CHECK(net.rate(f1) == Approx(8.0));
  CHECK(net.rate(f2) == Approx(2.0));
  CHECK(net.rate(f3) == Approx(2.0));
  e.run();
}

TEST_CASE("a flow that starts later slows the first one exactly as max-min predicts", "[flows]") {
  Engine e;
  FlowNetwork net(e);
  const LinkId l = net.add_link(1e9);
  SimTime t1 = -1, t2 = -1;
  net.start_flow({l}, 1e9, [&] { t1 = e.now(); });  // alone: 1 s
  e.schedule_at(kTicksPerSecond / 2, [&] { net.start_flow({l}, 1e9, [&] { t2 = e.now(); }); });
  e.run();
  // 0.5 s alone (0.5 GB), then 0.5 GB at 0.5 GB/s: ends at 1.5 s; the second has 0.5 GB left at
  // 1.5 s and finishes at 2.0 s.
  CHECK(t1 == 3 * kTicksPerSecond / 2);
  CHECK(t2 == 2 * kTicksPerSecond);
}

TEST_CASE("flows that end at the same tick finish from one engine event, in flow-id order",
          "[flows]") {
  Engine e;
  FlowNetwork net(e);
  std::vector<int> order;
  for (int i = 0; i < 4; ++i) {
    const LinkId l = net.add_link(1e9);
    net.start_flow({l}, 1e9, [&order, i] { order.push_back(i); });
  }
  e.run();
  CHECK(order == std::vector<int>{0, 1, 2, 3});
  CHECK(e.now() == kTicksPerSecond);
  // The rate recomputation at 0, one completion event at 1 s for all four, and the recomputation
  // their ends request (over no flows): 3 events, not 4 completions.
  CHECK(e.events_processed() == 3);
}

TEST_CASE("a completion replaced by a later one goes stale in its batch", "[flows]") {
  // A (link x) and B (link y) are both due at 1 s in one batch. C joins A's link at 0.5 s: A's
  // last 0.5 GB then moves at 0.5 GB/s and it ends at 1.5 s; B still ends at 1 s; C moves 0.5 GB
  // by 1.5 s and the rest alone: 2 s.
  Engine e;
  FlowNetwork net(e);
  const LinkId x = net.add_link(1e9), y = net.add_link(1e9);
  int a_calls = 0, b_calls = 0;
  SimTime ta = -1, tb = -1, tc = -1;
  net.start_flow({x}, 1e9, [&] { ta = e.now(), ++a_calls; });
  net.start_flow({y}, 1e9, [&] { tb = e.now(), ++b_calls; });
  e.schedule_at(kTicksPerSecond / 2, [&] { net.start_flow({x}, 1e9, [&] { tc = e.now(); }); });
  e.run();
  CHECK(tb == kTicksPerSecond);
  CHECK(ta == 3 * kTicksPerSecond / 2);
  CHECK(tc == 2 * kTicksPerSecond);
  CHECK(a_calls == 1);
  CHECK(b_calls == 1);
  CHECK(net.active_flows() == 0);
}

TEST_CASE("topology routes inside a node over NVSwitch and across nodes over NICs and leaves", "[topology]") {
  Engine e;
  FlowNetwork net(e);
  Topology t(net, node_spec(8, 8, 50e9, 450e9),
             two_level(4, NetworkShape::rail_optimized, 2, 2, 50e9));
  CHECK(t.gpu_count() == 32);
  CHECK(t.route(0, 3).size() == 2);   // NVSwitch
  CHECK(t.route(0, 8).size() == 4);   // gpu0 -> nic -> rail-0 leaf -> nic -> gpu8 (same group)
  CHECK(t.route(0, 16).size() == 6);  // other group: via a spine
  CHECK(t.route(0, 11).size() == 6);  // other rail: via a spine
  CHECK(t.route(5, 5).empty());
  // 1 GB from gpu0 to gpu8 alone: 1 GB / 50 GB/s.
  SimTime done = -1;
  net.start_flow(t.route(0, 8), 1e9, [&] { done = e.now(); });
  e.run();
  CHECK(to_seconds(done) == Approx(0.02));
}

TEST_CASE("topology rejects inconsistent profiles with a message naming the field", "[topology]") {
  Engine e;
  FlowNetwork net(e);
  NodeSpec node;
  node.gpus_per_node = 8;
  node.scale_up_bytes_per_s = 450e9;
  node.nics_per_node = 3;
  ClusterSpec cl;
  CHECK_THROWS_WITH(Topology(net, node, cl), Catch::Contains("nics_per_node"));
}

TEST_CASE("topology routes over more than 1,024 leaves (leaf paths kept in a map)", "[topology]") {
  Engine e;
  FlowNetwork net(e);
  Topology t(net, node_spec(1, 1, 50e9),
             two_level(1030, NetworkShape::fat_tree, 1, 4, 25e9));  // 1,030 leaves
  const Route r = t.route(0, 1029);
  REQUIRE(r.size() == 6);  // gpu -> nic -> leaf -> spine -> leaf -> nic -> gpu
  const Route again = t.route(0, 1029);
  CHECK(std::vector<LinkId>(r.begin(), r.end()) == std::vector<LinkId>(again.begin(), again.end()));
  CHECK(t.links()[r[2]].kind == "uplink");
  CHECK(t.links()[r[3]].kind == "uplink");
  // 1 GB through a 25 GB/s uplink: 40 ms.
  SimTime done = -1;
  net.start_flow(r, 1e9, [&] { done = e.now(); });
  e.run();
  CHECK(to_seconds(done) == Approx(0.04));
}

TEST_CASE("flows into one leaf spread over the spines by destination (d-mod-k)", "[topology]") {
  // Two leaves of 4 single-GPU nodes, 4 spines, every link 50 GB/s. Node i sends 1 GB to node 4 +
  // i: each destination has its own port on leaf 1, hence its own spine, so the four flows do not
  // share an uplink and each takes 20 ms (one spine for the leaf pair would make it 80 ms).
  Engine e;
  FlowNetwork net(e);
  Topology t(net, node_spec(1, 1, 50e9), two_level(8, NetworkShape::fat_tree, 4, 4, 50e9));
  std::vector<LinkId> first_uplinks;
  for (int i = 0; i < 4; ++i) {
    const Route r = t.route(i, 4 + i);
    REQUIRE(r.size() == 6);
    first_uplinks.push_back(r[2]);  // leaf 0 -> spine
  }
  std::sort(first_uplinks.begin(), first_uplinks.end());
  CHECK(std::unique(first_uplinks.begin(), first_uplinks.end()) == first_uplinks.end());
  // One destination, one spine, whichever the source.
  CHECK(t.route(0, 5)[3] == t.route(2, 5)[3]);
  std::vector<SimTime> done(4, -1);
  for (int i = 0; i < 4; ++i)
    net.start_flow(t.route(i, 4 + i), 1e9,
                   [&done, &e, i] { done[static_cast<std::size_t>(i)] = e.now(); });
  e.run();
  for (SimTime d : done) CHECK(to_seconds(d) == Approx(0.02));
}
