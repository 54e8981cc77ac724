// scenarios/examples/default.json worked by hand: GPT-2 small (preset gpt2-small) pre-trained on
// 10B tokens on 8 x A100-SXM4-80GB, bf16, auto layout, 1.79 USD/GPU-hour.
// Every expected value below is a literal derived step by step in the comments, not computed by
// calling models/.
#include <catch2/catch.hpp>

#include <string>

#include "hwprofiles/catalog.h"
#include "models/estimate.h"
#include "scenarios/scenario.h"

using namespace flopcast;

TEST_CASE("default.json by hand: parameters, FLOPs, time, GPU-hours, cost", "[default][by-hand]") {
  const auto loaded = scenarios::load_scenario_file(std::string(FLOPCAST_SOURCE_DIR) + "/scenarios/examples/default.json");
  REQUIRE(loaded.ok);
  const auto* dev = hwprofiles::builtin_catalog().find("nvidia-a100-sxm4-80gb");
  REQUIRE(dev);
  const auto in = scenarios::to_estimate_input(loaded.scenario, dev->to_device_spec());
  const auto r = models::estimate(in);
  REQUIRE(r.ok);

  // Shape (preset gpt2-small): l = 12, h = 768, 12 heads (d_head = 64), ffn 3072 (GELU, 2 matrices),
  // V = 50,257, s = 1,024, tied embeddings.
  // Parameters per layer:
  //   attention Q, K, V, O: 4·h² = 4 · 589,824            = 2,359,296
  //   FFN: 2·h·f = 2 · 768 · 3,072                          = 4,718,592
  //   two norm scales: 2·h                                  =     1,536
  //   per layer                                             = 7,079,424
  //   12 layers                                             = 84,953,088
  // Embedding V·h = 50,257 · 768 = 38,597,376 (tied: no separate LM head); final norm h = 768.
  // Total = 84,953,088 + 38,597,376 + 768 = 123,551,232 (GPT-2's 124M adds position embeddings
  // and biases, which Flopcast does not count).
  CHECK(r.params == 123551232.0);

  // FLOPs per token, forward:
  //   layer matmuls 2·(4h² + 2hf) = 2 · 7,077,888 = 14,155,776; × 12 layers = 169,869,312
  //   attention scores 2·s·H·(d_qk + d_v) = 2 · 1,024 · 12 · 128 = 3,145,728; × 12 = 37,748,736
  //   LM head 2·h·V = 2 · 768 · 50,257 = 77,194,752
  //   forward total = 284,812,800
  // Training (no recompute): forward + backward (2 × forward) = 3 × 284,812,800 = 854,438,400.
  CHECK(r.model_flops_per_token == 854438400.0);
  CHECK(r.hardware_flops_per_token == 854438400.0);

  // Work W = 10,000,000,000 tokens × 854,438,400 = 8.544384e18 FLOPs.
  // Time T = W / (d · v · η) with d = 8, v = 312e12 FLOP/s (A100 bf16 dense peak) and v·η the
  // achieved fraction. The model's documented ceiling for GEMMs is η_max (docs/parameters.md,
  // below 0.75), and end-to-end MFU at this size lies above 0.20 (GPT-2 small on 8 A100:
  // llm.c measures about 0.38 with bf16, tests/data/groundtruth public.json llmc-gpt2-124m), so
  //   T_min = 8.544384e18 / (8 · 312e12 · 0.75) = 4,564.3 s   (1.268 h)
  //   T_max = 8.544384e18 / (8 · 312e12 · 0.20) = 17,116.0 s  (4.754 h)
  // The wall time is T / goodput: the scenario leaves /simulation/goodput out, so it is "auto",
  // g0 × interruptions = 0.814 (models/efficiency.h) × failure_goodput(8 GPUs), which is above
  // 0.998 for 8 GPUs (one interruption in ~260 days: tests/models/test_goodput.cpp), so 0.814 ·
  // 0.998 = 0.812372 < goodput ≤ 0.814.
  CHECK(in.goodput > 0.812372);
  CHECK(in.goodput <= 0.814);
  const double compute_s = r.training_time_s * in.goodput;
  CHECK(compute_s > 4564.3);
  CHECK(compute_s < 17116.0);
  // MFU is the steps' (compute time): MFU = W / (T · 8 · 312e12).
  CHECK(r.mfu == Approx(8.544384e18 / (compute_s * 8 * 312e12)).epsilon(1e-9));
  // GPU-hours = 8 × wall / 3600; of compute, between 8 · 1.268 = 10.14 and 8 · 4.754 = 38.03.
  CHECK(r.gpu_hours == Approx(8 * r.training_time_s / 3600).epsilon(1e-12));
  CHECK(r.gpu_hours * in.goodput > 10.14);
  CHECK(r.gpu_hours * in.goodput < 38.04);
  // Energy (PUE 1.25 and 0.08 USD/kWh are the scenario format's documented defaults): 8 A100 draw
  // at most the 6.5 kW of their server (system power 6.5 kW per 8 GPUs) × 1.25 for at most
  // 4.754 h / 0.81736 = 5.816 h = 47.3 kWh = 0.0473 MWh; at least the idle 25 % of that for
  // 1.268 h = 2.58 kWh.
  CHECK(r.energy_mwh > 0.00258);
  CHECK(r.energy_mwh < 0.0473);
  // Cost = GPU-hours × 1.79 USD + kWh × 0.08 USD: between 18.15 + 0.21 = 18.36 and
  // 8 · 5.816 · 1.79 + 47.3 · 0.08 = 83.28 + 3.78 = 87.06 USD.
  CHECK(r.cost_usd == Approx(r.gpu_hours * 1.79 + r.energy_mwh * 1000 * 0.08).epsilon(1e-9));
  CHECK(r.cost_usd > 18.36);
  CHECK(r.cost_usd < 87.06);
}
