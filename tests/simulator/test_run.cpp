#include <catch2/catch.hpp>

#include <cmath>

#include "simulator/run.h"

using namespace flopcast::simulator;

namespace {
// test-vectors.md: M = 11,135 s, R = 600 s.
constexpr double kM = 11135, kR = 600;

RunSpec daly_spec(double delta, double tau) {
  RunSpec s;
  s.mtbf_s = kM;
  s.restart_s = kR;
  s.checkpoint_write_s = delta;
  s.checkpoint_interval_s = tau;
  // T_s >= 1,000 h and a whole number of intervals (Daly's formula counts T_s/τ segments).
  s.failure_free_time_s = std::ceil(1000 * 3600 / tau) * tau;
  return s;
}

void check_against_daly(double delta, double multiple, double expected) {
  const double tau = daly_interval_s(delta, kM) * multiple;
  const RunSummary r = simulate_run(daly_spec(delta, tau), 1000, 1);
  REQUIRE(r.ok);
  INFO("delta " << delta << " tau " << tau << " mean " << r.ratio.mean << " ± " << r.ratio.ci95_half_width);
  // The oracle value (4 decimals, so ± 5e-5) inside the 95% CI of 1,000 seeds.
  CHECK(std::abs(r.ratio.mean - expected) <= r.ratio.ci95_half_width + 5e-5);
  // Half-width <= 0.5%.
  CHECK(r.ratio.ci95_half_width <= 0.005 * r.ratio.mean);
  // Our closed form agrees with the oracle too.
  CHECK(daly_expected_ratio(tau, delta, kM, kR) == Approx(expected).margin(6e-5));
}
}  // namespace

TEST_CASE("Daly's interval matches test-vectors.md", "[run]") {
  CHECK(daly_interval_s(60, kM) == Approx(1116.3).margin(0.05));
  CHECK(daly_interval_s(300, kM) == Approx(2388.6).margin(0.05));
  CHECK(young_interval_s(300, kM) == Approx(2584.8).margin(0.05));
  CHECK(daly_expected_ratio(young_interval_s(300, kM), 300, kM, kR) == Approx(1.3445).margin(6e-5));
}

TEST_CASE("simulated T_w/T_s at Daly's interval: 1.1730 (δ=60 s) and 1.3436 (δ=300 s)", "[run][daly]") {
  check_against_daly(60, 1.0, 1.1730);
  check_against_daly(300, 1.0, 1.3436);
}

TEST_CASE("simulated T_w/T_s at twice Daly's interval: 1.2034 (δ=60 s) and 1.4211 (δ=300 s)", "[run][daly]") {
  check_against_daly(60, 2.0, 1.2034);
  check_against_daly(300, 2.0, 1.4211);
}

TEST_CASE("the default failure table gives Llama 3's M = 11,135 s on 16,384 GPUs", "[run]") {
  RunSpec s;
  s.devices = 16384;
  CHECK(s.effective_mtbf_s() == Approx(54.0 * 24 * 3600 / 419).epsilon(1e-12));
  CHECK(s.effective_mtbf_s() == Approx(11135).margin(1));
}

TEST_CASE("without failures the run is compute plus checkpoints, exactly", "[run]") {
  RunSpec s;
  s.failures = false;
  s.failure_free_time_s = 10000;
  s.checkpoint_interval_s = 3000;
  s.checkpoint_write_s = 100;
  const RunOutcome o = simulate_run_once(s, 1);
  // segments 3000, 3000, 3000, 1000, each saved
  CHECK(o.checkpoints == 4);
  CHECK(o.wall_time_s == Approx(10000 + 4 * 100));
  CHECK(o.failures == 0);
}

TEST_CASE("a seed gives byte-identical runs; different seeds differ", "[run]") {
  RunSpec s = daly_spec(300, 2388.6);
  s.failure_free_time_s = 200 * 3600;
  s.preemptions_per_hour = 0.01;
  s.preemption_notice_s = 120;
  s.requeue_s = 1800;
  const RunOutcome a = simulate_run_once(s, 42), b = simulate_run_once(s, 42), c = simulate_run_once(s, 43);
  CHECK(a.wall_time_s == b.wall_time_s);
  CHECK(a.failures == b.failures);
  CHECK(a.preemptions == b.preemptions);
  CHECK(a.wall_time_s != c.wall_time_s);
  CHECK(a.wall_time_s > s.failure_free_time_s);
}

TEST_CASE("spot preemption with enough notice loses no work", "[run]") {
  RunSpec s;
  s.failures = false;
  s.failure_free_time_s = 100 * 3600;
  s.checkpoint_interval_s = 3600;
  s.checkpoint_write_s = 60;
  s.preemptions_per_hour = 0.05;
  s.requeue_s = 600;
  s.restart_s = 300;
  s.preemption_notice_s = 120;  // >= δ: save in the window
  RunSummary saved = simulate_run(s, 50, 7);
  s.preemption_notice_s = 30;  // < δ: lose the work since the last checkpoint
  RunSummary lost = simulate_run(s, 50, 7);
  REQUIRE(saved.ok);
  REQUIRE(lost.ok);
  CHECK(saved.lost_work_s.mean == 0);
  CHECK(lost.lost_work_s.mean > 0);
  CHECK(lost.wall_time_s.mean > saved.wall_time_s.mean);
}

TEST_CASE("a 54-day 16,384-GPU run draws about 419 interruptions", "[run]") {
  RunSpec s;
  s.devices = 16384;
  s.failure_free_time_s = 40 * 86400.0;
  s.checkpoint_write_s = 60;
  s.restart_s = 600;
  const RunSummary r = simulate_run(s, 200, 1);
  REQUIRE(r.ok);
  // Interruptions per wall day ≈ 419 / 54 (failures stop only while re-queued, never here).
  const double per_day = r.failures.mean / (r.wall_time_s.mean / 86400);
  CHECK(per_day == Approx(419.0 / 54).epsilon(0.02));
  CHECK(r.wall_time_s.p10 <= r.wall_time_s.p50);
  CHECK(r.wall_time_s.p50 <= r.wall_time_s.p90);
}

TEST_CASE("run spec validation names the field", "[run]") {
  RunSpec s;
  CHECK(s.validate().find("failure_free_time_s") != std::string::npos);
  s.failure_free_time_s = 100;
  s.checkpoint_write_s = -1;
  CHECK(s.validate().find("checkpoint_write_s") != std::string::npos);
  CHECK_FALSE(simulate_run(s, 10, 1).ok);
}

TEST_CASE("a zero checkpoint write time: Daly's interval floors at one step, and runs stay bounded", "[run]") {
  RunSpec s;
  s.failure_free_time_s = 54 * 86400.0;
  s.devices = 16384;
  s.checkpoint_write_s = 0;  // Daly's τ = 0: without a floor, one checkpoint per tick (never ends)
  CHECK(s.validate().find("checkpoint_write_s > 0") != std::string::npos);
  CHECK_FALSE(simulate_run(s, 1, 1).ok);
  s.step_time_s = 10;  // checkpoints fall on step boundaries
  CHECK(s.effective_interval_s() == 10);
  CHECK(s.validate().empty());
  const auto r = simulate_run(s, 2, 1);
  REQUIRE(r.ok);
  CHECK(r.wall_time_s.p50 > s.failure_free_time_s);
  // An explicit interval that would write more than kMaxCheckpointsPerRun checkpoints is refused.
  s.checkpoint_interval_s = 1;
  s.failure_free_time_s = 1e7;
  CHECK(s.validate().find("checkpoint_interval_s") != std::string::npos);
}
