#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "models/collectives.h"
#include "models/estimate.h"
#include "models/layout_search.h"
#include "models/parallelism.h"
#include "test_helpers.h"

using namespace flopcast::models;
using namespace flopcast::models::testing;

namespace {
Layout layout(int dp, int tp, int pp, int mb = 1, Sharding sh = Sharding::zero1) {
  Layout l;
  l.dp = dp;
  l.tp = tp;
  l.pp = pp;
  l.micro_batch_size = mb;
  l.sharding = sh;
  l.sequence_parallel = tp > 1;
  return l;
}
}  // namespace

TEST_CASE("step time is the documented function of the breakdown", "[estimate]") {
  for (auto l : {layout(8, 1, 1), layout(2, 2, 2, 2), layout(1, 2, 4, 1), layout(4, 2, 1, 4, Sharding::zero3)}) {
    for (bool inter : {false, true}) {
      if (inter && l.pp == 1) continue;
      if (inter) {
        l.schedule = PipelineSchedule::interleaved;
        l.vp = 2;
      }
      EstimateInput in = basic_input(8, l);
      const EstimateResult r = estimate(in);
      REQUIRE(r.ok);
      const auto& b = r.breakdown;
      const int v = inter ? 2 : 1;
      const double t_mb = b.forward_s + b.backward_s + b.tp_comm_forward_s + b.tp_comm_backward_s + b.cp_comm_s +
                          b.ep_comm_s + (l.pp > 1 ? 2.0 * v * b.pp_p2p_s : 0.0);
      const double slots = inter ? (double(v) * b.num_microbatches + l.pp - 1) / v : b.num_microbatches + l.pp - 1;
      CHECK(r.step_time_s == Approx(slots * t_mb + b.dp_comm_exposed_s + b.optimizer_s).epsilon(1e-12));
      CHECK(r.step_time_s == Approx(step_time_from_breakdown(b, r.layout)).epsilon(1e-12));
      CHECK(b.dp_comm_exposed_s <= b.dp_comm_s + 1e-15);
      CHECK(r.tokens_per_s_per_gpu > 0);
      CHECK(std::isfinite(r.mfu));
      CHECK(r.mfu > 0);
      CHECK(r.mfu < 1);
      CHECK(r.pipeline_bubble_fraction == Approx(bubble_fraction(r.layout.schedule, l.pp, b.num_microbatches, r.layout.vp)));
    }
  }
}

TEST_CASE("more bandwidth is never slower (whole estimate)", "[estimate][property]") {
  for (auto l : {layout(8, 1, 1), layout(2, 4, 1), layout(1, 2, 4), layout(16, 2, 2), layout(64, 1, 1, 2, Sharding::zero3)}) {
    const int n = l.devices();
    EstimateInput slow = basic_input(n, l);
    EstimateInput fast = slow;
    for (double k : {1.5, 2.0, 4.0}) {
      fast.device.scale_out_bytes_per_s = *slow.device.scale_out_bytes_per_s * k;
      fast.device.scale_up_bytes_per_s = *slow.device.scale_up_bytes_per_s * k;
      const auto rs = estimate(slow), rf = estimate(fast);
      REQUIRE(rs.ok);
      REQUIRE(rf.ok);
      CHECK(rf.step_time_s <= rs.step_time_s);
      fast.device.memory_bandwidth_bytes_per_s = *slow.device.memory_bandwidth_bytes_per_s * k;
      CHECK(estimate(fast).step_time_s <= rs.step_time_s);
    }
  }
}

TEST_CASE("more recompute is never faster; full recompute costs about one forward", "[estimate][property]") {
  EstimateInput in = basic_input(8, layout(8, 1, 1, 4));
  in.training.recompute = Recompute::none;
  const double none = estimate(in).step_time_s;
  in.training.recompute = Recompute::selective;
  const double sel = estimate(in).step_time_s;
  in.training.recompute = Recompute::full;
  const auto full = estimate(in);
  CHECK(none <= sel);
  CHECK(sel <= full.step_time_s);
  CHECK(full.step_time_s / none == Approx(4.0 / 3.0).margin(0.12));
}

TEST_CASE("invalid fixed layouts are errors, not numbers", "[estimate]") {
  EstimateInput in = basic_input(8, layout(4, 3, 1));
  auto r = estimate(in);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("must equal the device count 8"));
  in.layout = layout(8, 1, 1);
  in.training.precision = Precision::fp8;  // A100 has no fp8
  r = estimate(in);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("peak_flops_fp8"));
}

TEST_CASE("whole-run time, GPU-hours and energy follow from throughput", "[estimate]") {
  EstimateInput in = basic_input(8, layout(8, 1, 1, 4));
  in.training.training_tokens = 1e10;
  in.goodput = 0.9;
  const auto r = estimate(in);
  REQUIRE(r.ok);
  CHECK(r.training_time_s == Approx(1e10 / (r.tokens_per_s_per_gpu * 8) / 0.9));
  CHECK(r.gpu_hours == Approx(r.wall_time_h * 8));
  CHECK(r.energy_mwh > 0);
  CHECK(std::isfinite(r.energy_mwh));
}

TEST_CASE("small GEMMs at micro-batch 1 run far below peak", "[estimate]") {
  // vTrain-style: h = 1024, tp = 8, micro-batch 1 reaches a much lower MFU than h = 8192, tp = 1.
  EstimateInput small = basic_input(8, layout(1, 8, 1, 1));
  small.model = gpt(12, 1024, 16, 1024);
  small.training.global_batch_tokens = 8.0 * 1024;
  EstimateInput big = basic_input(8, layout(8, 1, 1, 2, Sharding::zero3));
  big.model = gpt(8, 8192, 64, 2048);
  big.training.global_batch_tokens = 64.0 * 2048;
  const auto rs = estimate(small), rb = estimate(big);
  REQUIRE(rs.ok);
  REQUIRE(rb.ok);
  CHECK(rs.mfu < 0.5 * rb.mfu);
}

TEST_CASE("auto layout: the fastest that fits, and the next four", "[layout_search]") {
  EstimateInput in = basic_input(64, layout(64, 1, 1));
  in.model = gpt(80, 8192, 64, 4096, 128256);
  in.model.ffn_gated = true;
  in.model.ffn_dim = 28672;
  in.model.n_kv_heads = 8;
  in.training.global_batch_tokens = 1024.0 * 4096;
  in.auto_layout = true;
  in.fixed_recompute = false;
  const auto r = estimate(in);
  REQUIRE(r.ok);
  REQUIRE(r.alternatives.size() == 5);
  CHECK(r.layouts_evaluated > 20);
  for (size_t i = 1; i < r.alternatives.size(); ++i)
    CHECK(r.alternatives[i].tokens_per_s_per_gpu <= r.alternatives[i - 1].tokens_per_s_per_gpu);
  CHECK(r.alternatives[0].tokens_per_s_per_gpu == Approx(r.tokens_per_s_per_gpu));
  CHECK(r.memory.checked);
  CHECK(r.memory.fits);
  CHECK(r.layout.devices() == 64);
  CHECK_FALSE(r.alternatives[0].why.empty());
  // 70B in bf16 cannot run unsharded on one 80 GB device: the search must have split it.
  CHECK(r.layout.tp * r.layout.pp * (r.layout.sharding == Sharding::none ? 1 : r.layout.dp) > 1);
  // Constraints are honoured.
  in.fixed.tp = 4;
  const auto r4 = estimate(in);
  REQUIRE(r4.ok);
  CHECK(r4.layout.tp == 4);
}

TEST_CASE("MoE: expert parallelism and all-to-all", "[estimate]") {
  EstimateInput in = basic_input(8, layout(8, 1, 1, 1));
  in.model = gpt(16, 2048, 16, 4096, 50000);
  in.model.ffn_gated = true;
  in.model.moe = MoeSpec{64, 8, 768, 0, 0};
  in.training.global_batch_tokens = 256.0 * 4096;
  in.layout.ep = 8;
  const auto r8 = estimate(in);
  REQUIRE(r8.ok);
  CHECK(r8.breakdown.ep_comm_s > 0);
  in.layout.ep = 1;
  const auto r1 = estimate(in);
  REQUIRE(r1.ok);
  CHECK(r1.breakdown.ep_comm_s == 0);
  in.layout.ep = 3;
  CHECK_FALSE(estimate(in).ok);
}

TEST_CASE("MoE: cross-domain expert dispatch is hierarchical, by hand", "[estimate]") {
  // 16 ranks, domains of 8 (a100(): NVLink 300 GB/s, 25 GB/s scale-out per GPU), ep = 16, k = 8,
  // one micro-batch of T = 4096 tokens of h = 2048 bf16 values (4096 bytes each).
  EstimateInput in = basic_input(16, layout(16, 1, 1));
  in.model = gpt(16, 2048, 16, 4096, 50000);
  in.model.ffn_gated = true;
  in.model.moe = MoeSpec{64, 8, 768, 0, 0};
  in.training.global_batch_tokens = 64.0 * 4096;
  in.layout.ep = 16;
  const auto r = estimate(in);
  REQUIRE(r.ok);
  const Topology t = make_topology(in.device, in.efficiency);
  const double tok_bytes = 4096.0 * 2048 * 2;
  // N = 2 domains: a token reaches the remote domain with probability 1 − (1/2)^8 and crosses once.
  const double t_out = tok_bytes * (1 - std::pow(0.5, 8)) / t.scale_out_bytes_per_s;
  // NVLink: 8·7/16 copies to local peers + 8·8/16 arrivals of which 7/8 are forwarded.
  const double t_in = tok_bytes * (8.0 * 7 / 16 + 8.0 * 8 / 16 * 7 / 8) / t.scale_up_bytes_per_s;
  const double one = std::max(t_in, t_out) + 5 * t.latency_s;
  // dispatch + combine, forward and backward, in each of the 16 layers
  CHECK(r.breakdown.ep_comm_s == Approx(16 * 4 * one).epsilon(1e-9));
  // and less than the flat all-to-all of all k copies
  CHECK(r.breakdown.ep_comm_s < 16 * 4 * all_to_all_s(tok_bytes * 8, 16, 1, t));
}
