#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "scenarios/trace_writer.h"
#include "simulator/iteration.h"

using namespace flopcast;

TEST_CASE("the trace has a track per device and per link, times in microseconds", "[trace]") {
  simulator::IterationCosts c;
  c.layout.tp = 2;
  c.layout.pp = 2;
  c.num_microbatches = 2;
  c.layers_per_stage = 1;
  c.forward_s = 1e-3;
  c.backward_s = 2e-3;
  c.tp_forward.bytes = c.tp_backward.bytes = 1e6;
  c.pp_p2p.bytes = 1e6;
  simulator::NodeSpec node;
  node.gpus_per_node = 4;
  node.scale_up_bytes_per_s = 1e11;
  node.nics_per_node = 4;
  simulator::ClusterSpec cl;
  simulator::IterationOptions o;
  o.record_timeline = true;
  auto r = simulator::simulate_iteration(c, &node, &cl, o);
  REQUIRE(r.ok);
  const std::string text = scenarios::chrome_trace_json(r);
  CHECK(text == scenarios::chrome_trace_json(r));  // deterministic
  const auto j = nlohmann::json::parse(text);
  REQUIRE(j.contains("traceEvents"));
  std::set<int> device_tids, link_tids;
  int complete = 0;
  double max_end_us = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X") {
      ++complete;
      (e["pid"] == 1 ? device_tids : link_tids).insert(e["tid"].get<int>());
      max_end_us = std::max(max_end_us, e["ts"].get<double>() + e["dur"].get<double>());
      CHECK(e["dur"].get<double>() >= 0);
    }
  }
  CHECK(device_tids.size() == 4);  // every GPU
  CHECK(link_tids.size() >= 4);    // NVLink up/down links used by TP and p2p
  CHECK(complete > 0);
  CHECK(max_end_us == Approx(r.step_time_s * 1e6).epsilon(1e-6));
}
