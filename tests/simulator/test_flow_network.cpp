#include <catch2/catch.hpp>

#include "simulator/flow_network.h"
#include "simulator/topology.h"

using namespace flopcast::simulator;

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

TEST_CASE("topology routes inside a node over NVSwitch and across nodes over NICs and leaves", "[topology]") {
  Engine e;
  FlowNetwork net(e);
  NodeSpec node;
  node.gpus_per_node = 8;
  node.scale_up_bytes_per_s = 450e9;
  node.nics_per_node = 8;
  node.nic_bytes_per_s = 50e9;
  ClusterSpec cl;
  cl.nodes = 4;
  cl.shape = NetworkShape::rail_optimized;
  cl.nodes_per_leaf = 2;
  cl.spines = 2;
  cl.leaf_uplink_bytes_per_s = 50e9;
  Topology t(net, node, cl);
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
