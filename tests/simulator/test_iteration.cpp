#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "simulator/iteration.h"

using namespace flopcast::simulator;
using flopcast::models::PipelineSchedule;
using flopcast::models::Sharding;

namespace {
IterationCosts pipeline_costs(PipelineSchedule s, int pp, int m, int v = 1) {
  IterationCosts c;
  c.layout.pp = pp;
  c.layout.vp = v;
  c.layout.schedule = s;
  c.num_microbatches = m;
  c.layers_per_stage = 4 * v;
  c.forward_s = 1.0;
  c.backward_s = 2.0;
  return c;
}
}  // namespace

TEST_CASE("pipeline bubble is (p-1)/(m+p-1) for GPipe and 1F1B", "[iteration]") {
  for (auto s : {PipelineSchedule::gpipe, PipelineSchedule::one_f_one_b}) {
    for (auto [p, m] : {std::pair{8, 32}, std::pair{4, 4}, std::pair{4, 16}, std::pair{2, 1}}) {
      auto c = pipeline_costs(s, p, m);
      auto r = simulate_iteration(c, nullptr, nullptr);
      REQUIRE(r.ok);
      INFO("schedule " << int(s) << " p " << p << " m " << m);
      CHECK(r.bubble_fraction == Approx(double(p - 1) / (m + p - 1)).epsilon(1e-9));
      CHECK(r.step_time_s == Approx((m + p - 1) * 3.0).epsilon(1e-9));
      CHECK(r.event_count == expected_event_count(c, false));
    }
  }
}

TEST_CASE("interleaved 1F1B bubble is (p-1)/(v·m+p-1)", "[iteration]") {
  for (auto [p, m, v] : {std::tuple{8, 32, 4}, std::tuple{4, 8, 2}, std::tuple{2, 4, 3}}) {
    auto c = pipeline_costs(PipelineSchedule::interleaved, p, m, v);
    auto r = simulate_iteration(c, nullptr, nullptr);
    REQUIRE(r.ok);
    INFO("p " << p << " m " << m << " v " << v);
    CHECK(r.bubble_fraction == Approx(double(p - 1) / (v * m + p - 1)).epsilon(1e-9));
    CHECK(r.step_time_s == Approx((v * m + p - 1) * 3.0 / v).epsilon(1e-9));
    CHECK(r.event_count == expected_event_count(c, false));
  }
}

TEST_CASE("test-vectors: p=8, m=32 gives 17.9% of the step for 1F1B", "[iteration]") {
  auto r = simulate_iteration(pipeline_costs(PipelineSchedule::one_f_one_b, 8, 32), nullptr, nullptr);
  REQUIRE(r.ok);
  CHECK(r.bubble_fraction == Approx(0.179).margin(0.0005));
}

TEST_CASE("an uneven stage lengthens the step by the extra work of the slowest stage", "[iteration]") {
  auto c = pipeline_costs(PipelineSchedule::one_f_one_b, 4, 16);
  auto uniform = simulate_iteration(c, nullptr, nullptr);
  c.stage_compute_scale = {1.0, 1.5, 1.0, 1.0};
  auto uneven = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(uniform.ok);
  REQUIRE(uneven.ok);
  CHECK(uneven.step_time_s > uniform.step_time_s);
  // The slow stage bounds the steady state: at least m × 1.5 × (f + b).
  CHECK(uneven.step_time_s >= 16 * 1.5 * 3.0);
  CHECK(uneven.bubble_fraction > uniform.bubble_fraction);
}

TEST_CASE("p2p latency, TP collectives and the optimizer add to the step as scheduled", "[iteration]") {
  auto c = pipeline_costs(PipelineSchedule::one_f_one_b, 4, 8);
  c.layout.tp = 2;
  c.tp_forward.duration_s = 0.01;
  c.tp_backward.duration_s = 0.02;
  c.optimizer_s = 0.5;
  auto r = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(r.ok);
  const double f = 1.0 + 4 * 2 * 0.01, b = 2.0 + 4 * 2 * 0.02;
  // 1F1B: (m + p − 1)(f + b), plus the optimizer.
  CHECK(r.step_time_s == Approx((8 + 3) * (f + b) + 0.5).epsilon(1e-9));
  // A p2p delay d adds at least the first forward's and the last backward's trips, 2(p − 1)d.
  c.pp_p2p.duration_s = 0.1;
  auto slow = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(slow.ok);
  CHECK(slow.step_time_s >= r.step_time_s + 2 * 3 * 0.1 - 1e-9);
  CHECK(slow.p2p_sends == 8ull * 2 * 3);
  CHECK(r.event_count == expected_event_count(c, false));
  CHECK(r.tp_collectives == 4ull * 8 * 2 * 4 * 2);
  // critical path starts at 0 and ends at the step end
  REQUIRE(!r.critical_path.empty());
  CHECK(r.critical_path.front().start_s == Approx(0));
  CHECK(r.critical_path.back().end_s == Approx(r.step_time_s));
}

TEST_CASE("data-parallel buckets overlap with the last backward", "[iteration]") {
  auto c = pipeline_costs(PipelineSchedule::one_f_one_b, 1, 4);
  c.layout.dp = 4;
  c.layers_per_stage = 8;
  c.dp_buckets = 4;
  c.dp_sync.duration_s = 0.8;  // 4 buckets × 0.2 s
  auto r = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(r.ok);
  // Buckets become ready every 2 layers of the last backward (0.5 s apart) and take 0.2 s:
  // only the last one is exposed.
  CHECK(r.step_time_s == Approx(4 * 3.0 + 0.2).epsilon(1e-9));
  CHECK(r.event_count == expected_event_count(c, false));
  // Longer buckets than the gaps pile up: 4 × 0.9 = 3.6 s of sync starting at 12 − 2 + 0.5 = 10.5 s.
  c.dp_sync.duration_s = 3.6;
  auto slow = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(slow.ok);
  CHECK(slow.step_time_s == Approx(10.5 + 3.6).epsilon(1e-9));
}

TEST_CASE("ZeRO-3 gathers beside every operation and reduce-scatters after every backward",
          "[iteration]") {
  // No pipeline, 4 micro-batches of F 1 s + B 2 s, dp 4. Gather 1.5 s: the forward waits for it
  // (1.5 s), the backward runs beside gather + reduce-scatter (1.5 + 0.4 s < 2 s).
  auto c = pipeline_costs(PipelineSchedule::one_f_one_b, 1, 4);
  c.layout.dp = 4;
  c.layout.sharding = Sharding::zero3;
  c.dp_param_gather.duration_s = 1.5;
  c.dp_grad_scatter.duration_s = 0.4;
  c.optimizer_s = 0.1;
  auto r = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(r.ok);
  CHECK(r.step_time_s == Approx(4 * (1.5 + 2.0) + 0.1).epsilon(1e-9));
  CHECK(r.event_count == expected_event_count(c, false));
  CHECK(r.dp_collectives ==
        4 * 3);  // per micro-batch: a gather beside F, a gather and a scatter beside B
  // Without overlap they follow the layers: 4 × (1 + 1.5 + 2 + 1.5 + 0.4) + 0.1.
  c.dp_overlap = false;
  auto serial = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(serial.ok);
  CHECK(serial.step_time_s == Approx(4 * 6.4 + 0.1).epsilon(1e-9));
}

TEST_CASE("ZeRO-1 parameter gathers start with the step and hide in the pipeline fill",
          "[iteration]") {
  // 1F1B over 4 stages, 8 micro-batches, dp 2. Each rank gathers its parameters (2.5 s) from t = 0;
  // its first forward (1 s) cannot end before. Rank 0 waits 1.5 s; rank 1's first forward starts
  // at 2.5 s, after its gather: only rank 0's wait reaches the step.
  auto c = pipeline_costs(PipelineSchedule::one_f_one_b, 4, 8);
  c.layout.dp = 2;
  c.layout.sharding = Sharding::zero1;
  c.dp_param_gather.duration_s = 2.5;
  auto r = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(r.ok);
  const double no_gather = (8 + 4 - 1) * 3.0;
  CHECK(r.step_time_s == Approx(no_gather + 1.5).epsilon(1e-9));
  CHECK(r.event_count == expected_event_count(c, false));
  // A gather shorter than the first forward is hidden entirely.
  c.dp_param_gather.duration_s = 0.5;
  auto hidden = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(hidden.ok);
  CHECK(hidden.step_time_s == Approx(no_gather).epsilon(1e-9));
  // Without gather costs there is nothing to gather, and the count says so.
  c.dp_param_gather = {};
  auto none = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(none.ok);
  CHECK(none.event_count == expected_event_count(c, false));
  c.layout.sharding = Sharding::zero3;
  auto none3 = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(none3.ok);
  CHECK(none3.event_count == expected_event_count(c, false));
}

TEST_CASE("iteration rejects a bad layout with a one-line error", "[iteration]") {
  auto c = pipeline_costs(PipelineSchedule::interleaved, 4, 6, 2);  // m not divisible by p
  auto r = simulate_iteration(c, nullptr, nullptr);
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("divisible") != std::string::npos);
  c = pipeline_costs(PipelineSchedule::one_f_one_b, 4, 8);
  c.forward_s = -1;
  CHECK_FALSE(simulate_iteration(c, nullptr, nullptr).ok);
}

TEST_CASE("simulation is deterministic: same inputs, identical results", "[iteration]") {
  auto c = pipeline_costs(PipelineSchedule::interleaved, 4, 8, 2);
  c.layout.dp = 2;
  c.dp_sync.duration_s = 1;
  auto a = simulate_iteration(c, nullptr, nullptr);
  auto b = simulate_iteration(c, nullptr, nullptr);
  REQUIRE(a.ok);
  CHECK(a.step_time_s == b.step_time_s);
  CHECK(a.engine_events == b.engine_events);
  CHECK(a.worker_busy_s == b.worker_busy_s);
}

TEST_CASE("iteration progress rises to 1 over the forward and backward operations", "[iteration]") {
  // 4 stages × 32 micro-batches × (F + B) = 256 operations: a report every 256/200 → 1 of them.
  auto c = pipeline_costs(PipelineSchedule::one_f_one_b, 4, 32);
  IterationOptions o;
  std::vector<double> seen;
  o.progress = [&seen](double f) { seen.push_back(f); };
  auto r = simulate_iteration(c, nullptr, nullptr, o);
  REQUIRE(r.ok);
  REQUIRE(seen.size() == 256);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.front() == Approx(1.0 / 256));
  CHECK(seen.back() == Approx(1.0));
  // Same result with or without the callback.
  auto plain = simulate_iteration(c, nullptr, nullptr);
  CHECK(plain.step_time_s == r.step_time_s);
}
