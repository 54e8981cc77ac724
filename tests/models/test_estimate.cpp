#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "models/collectives.h"
#include "models/estimate.h"
#include "models/flops.h"
#include "models/layout_search.h"
#include "models/memory.h"
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

// Llama 3 70B's shape (GQA, SwiGLU) on `devices` test A100s, layout and recompute searched.
EstimateInput llama70b_searched(int devices) {
  EstimateInput in = basic_input(devices, layout(devices, 1, 1));
  in.model = gpt(80, 8192, 64, 4096, 128256);
  in.model.ffn_gated = true;
  in.model.ffn_dim = 28672;
  in.model.n_kv_heads = 8;
  in.training.global_batch_tokens = 1024.0 * 4096;
  in.auto_layout = true;
  in.fixed_recompute = false;
  return in;
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
  EstimateInput in = llama70b_searched(64);
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

TEST_CASE("auto layout: a small model searches micro-batches past 8 (host-bound below)", "[layout_search]") {
  // GPT-2 small (124M), 512 sequences of 1,024 tokens on 8 devices: 64 per replica per step.
  EstimateInput in = basic_input(8, layout(8, 1, 1));
  in.model = gpt(12, 768, 12, 1024, 50257);
  in.training.global_batch_tokens = 512.0 * 1024;
  in.auto_layout = true;
  in.fixed_recompute = false;
  const auto r = estimate(in);
  REQUIRE(r.ok);
  CHECK(r.memory.fits);
  CHECK(r.layout.micro_batch_size > 8);
  // ...because it is faster than the best at micro-batch 8 (the old grid's largest).
  in.fixed.micro_batch_size = 8;
  const auto r8 = estimate(in);
  REQUIRE(r8.ok);
  CHECK(r.tokens_per_s_per_gpu > r8.tokens_per_s_per_gpu);
  // A micro-batch never exceeds the replica's share of the global batch.
  in.fixed.micro_batch_size.reset();
  in.training.global_batch_tokens = 64.0 * 1024;  // 8 sequences per replica
  const auto rs = estimate(in);
  REQUIRE(rs.ok);
  CHECK(rs.layout.micro_batch_size <= 8);
}

TEST_CASE("auto layout: interleaving for uneven layer counts, and 1F1B beside it", "[layout_search]") {
  // Llama 3.1 405B's 126 layers on 16 pipeline stages: 126 / 16 is uneven, but with the embedding
  // and the loss counted as one layer each (Megatron-Core's account_for_embedding/loss_in_pipeline
  // _split) 128 = 16 stages x 4 virtual stages x 2 layers. A small batch makes the bubble matter.
  EstimateInput in = basic_input(1024, layout(8, 8, 16));
  in.model = gpt(126, 16384, 128, 8192, 128256);
  in.model.ffn_gated = true;
  in.model.ffn_dim = 53248;
  in.model.n_kv_heads = 8;
  in.training.global_batch_tokens = 128.0 * 8192;  // 16 micro-batches per pipeline
  in.training.recompute = Recompute::full;         // so that it fits in 80 GB (16 in flight)
  in.auto_layout = true;
  in.fixed.tp = 8;
  in.fixed.pp = 16;
  in.fixed.cp = 1;
  const auto r = estimate(in);
  REQUIRE(r.ok);
  REQUIRE(r.memory.fits);
  CHECK(r.layout.vp == 4);
  CHECK(r.layout.schedule == PipelineSchedule::interleaved);
  // ... because it is faster than the same layout without interleaving (which was all the old
  // search tried for 126 layers), and 1F1B was costed too.
  in.fixed.vp = 1;
  const auto r1 = estimate(in);
  REQUIRE(r1.ok);
  CHECK(r1.layout.vp == 1);
  CHECK(r.tokens_per_s_per_gpu > r1.tokens_per_s_per_gpu);
  CHECK(r.pipeline_bubble_fraction < r1.pipeline_bubble_fraction);
  // A layer count that splits evenly either way keeps its exact split (80 = 4 x 4 x 5).
  in.model.n_layers = 80;
  in.fixed.pp = 4;
  in.fixed.vp.reset();
  const auto r80 = estimate(in);
  REQUIRE(r80.ok);
  CHECK(r80.layout.vp == 4);
}

TEST_CASE("auto layout where nothing fits: the leanest, or the fastest when asked",
          "[layout_search]") {
  // A 70B model on 8 x 80 GB: weights, gradients and Adam state alone need ~150 GB per device.
  EstimateInput in = llama70b_searched(8);
  const auto lean = estimate(in);
  REQUIRE(lean.ok);
  CHECK_FALSE(lean.memory.fits);
  // The answer shows the candidate the note is about: least memory, so its memory is the leanest.
  CHECK(lean.memory.total_bytes == lean.leanest_memory_bytes);
  CHECK(lean.layout_note.find("the leanest shown") != std::string::npos);
  in.infeasible_shows_fastest = true;
  const auto fast = estimate(in);
  REQUIRE(fast.ok);
  CHECK_FALSE(fast.memory.fits);
  CHECK(fast.tokens_per_s_per_gpu > lean.tokens_per_s_per_gpu);
  CHECK(fast.memory.total_bytes > lean.memory.total_bytes);
  CHECK(fast.leanest_memory_bytes == lean.leanest_memory_bytes);
  CHECK(fast.layout_note.find("the fastest shown") != std::string::npos);
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
  // tp 2 with sequence parallelism: each rank dispatches its own T/tp tokens to whole (not
  // tensor-split) experts, so the all-to-all halves; tp 2 with ep 4 spans the same 8 ranks.
  in.layout = layout(4, 2, 1, 1);
  in.layout.ep = 4;
  const auto t2 = estimate(in);
  REQUIRE(t2.ok);
  in.layout = layout(8, 1, 1, 1);
  in.layout.ep = 4;
  const auto t1 = estimate(in);
  REQUIRE(t1.ok);
  CHECK(t2.breakdown.ep_comm_s < 0.6 * t1.breakdown.ep_comm_s);
}

TEST_CASE("MoE: the host sync for expert token counts exposes the experts' dispatch time", "[estimate]") {
  // Long sequences make each layer GPU-bound overall (the attention core dominates), while 64 small
  // local experts after the router are host-bound. Without a sync the host would run ahead during
  // attention and hide the expert dispatch; the dispatcher's device-to-host sync of the per-expert
  // token counts stops that, so host overhead shows in a MoE forward but not in a dense one.
  EstimateInput in = basic_input(1, layout(1, 1, 1, 1, Sharding::none));
  in.model = gpt(2, 2048, 16, 32768, 50000);
  in.model.ffn_gated = true;
  in.training.global_batch_tokens = 32768;
  auto forward = [&](double host_s) {
    in.efficiency.host_overhead_s = host_s;
    const auto r = estimate(in);
    REQUIRE(r.ok);
    return r.breakdown.forward_s;
  };
  const double dense_gpu = forward(0), dense_host = forward(49.5e-6);
  // GPU-bound: dispatch hidden (far from the knee the p-norm of efficiency.h is the GPU time)
  CHECK(dense_host == Approx(dense_gpu).epsilon(1e-5));
  in.model.moe = MoeSpec{64, 2, 512, 0, 0};
  const double moe_gpu = forward(0), moe_host = forward(49.5e-6);
  // Per layer: 64 experts x 2 GEMMs dispatched after the sync at 49.5 us each (6.3 ms) against
  // about 1 ms of their GPU work: several ms exposed per layer, never more than all the ops' host time.
  CHECK(moe_host > moe_gpu + 2 * 3e-3);
  CHECK(moe_host < moe_gpu + 2 * 200 * 49.5e-6);
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

TEST_CASE("block recompute: k of a stage's layers, between none and full in time, FLOPs and memory", "[estimate][recompute]") {
  // GPT 18.4B-like shape on 8 A100s, pp 2: 20 layers per stage.
  EstimateInput in = basic_input(8, layout(2, 2, 2, 1));
  in.model = gpt(40, 6144, 48);
  auto run = [&](Recompute rc, int k) {
    EstimateInput x = in;
    x.training.recompute = rc;
    x.training.recompute_layers = k;
    const auto r = estimate(x);
    REQUIRE(r.ok);
    return r;
  };
  const auto none = run(Recompute::none, 0), full = run(Recompute::full, 0);
  const auto all20 = run(Recompute::full, 20), over = run(Recompute::full, 99);
  CHECK(all20.step_time_s == Approx(full.step_time_s));  // k = layers per stage is "all"
  CHECK(over.step_time_s == Approx(full.step_time_s));   // more than a stage holds: all
  double prev_t = none.step_time_s, prev_mem = none.memory.activations_bytes, prev_f = none.hardware_flops_per_token;
  for (int k : {1, 5, 10, 19}) {
    const auto r = run(Recompute::full, k);
    CHECK(r.recompute_layers == k);
    CHECK(r.step_time_s > prev_t);
    CHECK(r.step_time_s < full.step_time_s);
    CHECK(r.hardware_flops_per_token > prev_f);
    CHECK(r.hardware_flops_per_token < full.hardware_flops_per_token);
    CHECK(r.memory.activations_bytes < prev_mem);
    CHECK(r.memory.activations_bytes > full.memory.activations_bytes);
    // Recompute FLOPs are linear in k: k/20 of the full extra work.
    CHECK(r.hardware_flops_per_token - r.model_flops_per_token ==
          Approx((full.hardware_flops_per_token - full.model_flops_per_token) * k / 20.0).epsilon(1e-9));
    prev_t = r.step_time_s;
    prev_mem = r.memory.activations_bytes;
    prev_f = r.hardware_flops_per_token;
  }
  CHECK(none.model_flops_per_token == Approx(full.model_flops_per_token));
}

TEST_CASE("auto layout recomputes only the layers it must (block recompute) when nothing else fits", "[layout_search][recompute]") {
  // 96 layers × 6144 (about 44B) on 16 A100-80GB at 8k tokens, micro-batch 2, tp 8 × pp 2, dp 1:
  // without recompute the 48 layers per stage do not fit, with full they do, and a part is enough.
  const Layout base = layout(1, 8, 2, 2);
  EstimateInput in = basic_input(16, base);
  in.model = gpt(96, 6144, 48, 8192);
  in.training.global_batch_tokens = 64.0 * 8192;
  in.auto_layout = true;
  in.fixed_recompute = false;
  in.fixed.tp = 8;
  in.fixed.pp = 2;
  in.fixed.micro_batch_size = 2;
  in.fixed.vp = 1;
  in.fixed.sharding = Sharding::zero1;
  EstimateInput none_in = in;
  none_in.auto_layout = false;
  none_in.training.recompute = Recompute::none;
  const auto none = estimate(none_in);
  REQUIRE(none.ok);
  INFO("none: " << none.memory.total_bytes / 1e9 << " GB, act " << none.memory.activations_bytes / 1e9);
  REQUIRE_FALSE(none.memory.fits);  // the premise of the test
  EstimateInput all = none_in;
  all.training.recompute = Recompute::full;
  const auto full = estimate(all);
  REQUIRE(full.memory.fits);
  const auto r = estimate(in);
  REQUIRE(r.ok);
  CHECK(r.memory.fits);
  REQUIRE(r.recompute == Recompute::full);
  CHECK(r.recompute_layers > 0);
  CHECK(r.recompute_layers < 48);
  // One layer fewer would not fit: the search took the fewest.
  EstimateInput fewer = all;
  fewer.training.recompute_layers = r.recompute_layers - 1;
  if (fewer.training.recompute_layers > 0) CHECK_FALSE(estimate(fewer).memory.fits);
  CHECK(r.step_time_s < full.step_time_s);
}

TEST_CASE("head_dim apart from d_model / n_heads widens attention (Qwen3-30B-A3B shape)", "[estimate][flops]") {
  // Qwen3-30B-A3B config.json: 48 layers, hidden 2048, 32 heads × head_dim 128, 4 KV heads,
  // 128 experts × 768, top-8, vocab 151936, untied: 30.5B total, 3.3B active (model card).
  TransformerShape m;
  m.n_layers = 48;
  m.d_model = 2048;
  m.n_heads = 32;
  m.n_kv_heads = 4;
  m.ffn_gated = true;
  m.vocab_size = 151936;
  m.seq_len = 4096;
  MoeSpec e;
  e.n_experts = 128;
  e.experts_per_token = 8;
  e.expert_ffn_dim = 768;
  m.moe = e;
  const ParamCount narrow = count_params(m);
  m.head_dim = 128;
  const ParamCount wide = count_params(m);
  // attention per layer: q 2048·4096 + k,v 2·2048·512 + o 4096·2048 = 18,874,368 (+ 2 norms)
  CHECK(wide.per_layer_attention - 2 * 2048 == Approx(18874368.0));
  CHECK(wide.total == Approx(30.5e9).epsilon(0.01));
  CHECK(wide.active == Approx(3.3e9).epsilon(0.03));
  CHECK(narrow.total < wide.total);
}

TEST_CASE("attention runs unfused without bf16 hardware (V100) or in fp32, and costs more there", "[estimate][attention]") {
  DeviceSpec v100 = a100();  // same device with the A100's bf16 removed: FlashAttention-2 needs sm80+
  v100.id = "test-no-bf16";
  v100.peak_flops_per_s[index_of(Precision::bf16)].reset();
  CHECK(fused_attention(a100(), Precision::bf16));
  CHECK(fused_attention(a100(), Precision::fp16));
  CHECK_FALSE(fused_attention(a100(), Precision::fp32));
  CHECK_FALSE(fused_attention(v100, Precision::fp16));
  DeviceSpec npu = v100;  // a non-GPU accelerator whose profile lists no bf16 still fuses attention
  npu.device_type = "asic";
  CHECK(fused_attention(npu, Precision::fp16));

  EstimateInput in = basic_input(8, layout(8, 1, 1, 4));
  in.training.precision = Precision::fp16;
  const auto fused = estimate(in);
  in.device = v100;
  const auto unfused = estimate(in);
  REQUIRE(fused.ok);
  REQUIRE(unfused.ok);
  CHECK(fused.memory.flash_attention);
  CHECK_FALSE(unfused.memory.flash_attention);
  CHECK(unfused.step_time_s > fused.step_time_s);
  // The s×s scores are kept for backward: far more activation memory at 2k tokens.
  CHECK(unfused.memory.activations_bytes > 1.5 * fused.memory.activations_bytes);
  CHECK(std::any_of(unfused.notes.begin(), unfused.notes.end(),
                    [](const std::string& n) { return n.find("attention unfused") != std::string::npos; }));
  // Longer sequences make the unfused penalty grow (the score traffic grows with s²).
  auto ratio = [&](int seq) {
    EstimateInput x = in;
    x.model.seq_len = seq;
    x.training.global_batch_tokens = 256.0 * seq;
    x.device = v100;
    const double t_unfused = estimate(x).step_time_s;
    x.device = a100();
    return t_unfused / estimate(x).step_time_s;
  };
  CHECK(ratio(4096) > ratio(1024));
}

TEST_CASE("attention dropout: two passes over the unfused s×s scores, nothing with FlashAttention",
          "[estimate][attention]") {
  // GPT 24 × 2048, 16 heads, s = 2048, micro-batch 4, fp16 on the A100 with the scores materialised
  // (the Megatron-LM 2020-2022 stack). Dropout on the probabilities reads them, writes them and a
  // 1-byte mask forward, and the same backward: per layer 4·16·2048²·(2·2 + 1) bytes = 1.34 GB
  // each way, at η_mem of the HBM bandwidth plus one kernel.
  EstimateInput in = basic_input(8, layout(8, 1, 1, 4));
  in.training.precision = Precision::fp16;
  in.training.fused_attention = false;
  // GPU-bound layers; the sharp max (k = 0) keeps the host's share out of the difference exactly
  in.efficiency.dispatch_overlap_exponent = 0;
  const auto plain = estimate(in);
  in.training.attention_dropout = true;
  const auto dropped = estimate(in);
  REQUIRE(plain.ok);
  REQUIRE(dropped.ok);
  const EfficiencyParams p;
  const double bytes = 4.0 * 16 * 2048.0 * 2048.0 * 5.0;
  const double per_layer =
      bytes / (p.mem_eff * *in.device.memory_bandwidth_bytes_per_s) + p.kernel_overhead_s;
  CHECK(dropped.breakdown.forward_s - plain.breakdown.forward_s ==
        Approx(24 * per_layer).epsilon(1e-6));
  CHECK(dropped.breakdown.backward_s - plain.breakdown.backward_s ==
        Approx(24 * per_layer).epsilon(1e-6));
  CHECK(dropped.step_time_s > plain.step_time_s);
  // FlashAttention applies dropout inside its kernel: no extra traffic modelled.
  in.training.fused_attention = true;
  const auto fused_dropped = estimate(in);
  in.training.attention_dropout = false;
  CHECK(fused_dropped.step_time_s == estimate(in).step_time_s);
}

TEST_CASE("graph-compiled accelerators pay no per-op host dispatch", "[estimate]") {
  // A small model at micro-batch 1 is host-bound in eager PyTorch on a GPU; the same silicon run as
  // one compiled program (TPU/XLA, Trainium, Gaudi graph mode) is not.
  EstimateInput in = basic_input(8, layout(8, 1, 1, 1));
  in.model = gpt(12, 768, 12, 512, 50257);
  in.training.global_batch_tokens = 64.0 * 512;
  const auto gpu = estimate(in);
  in.device.device_type = "tpu";
  const auto tpu = estimate(in);
  in.device.device_type = "asic";
  const auto asic = estimate(in);
  REQUIRE(gpu.ok);
  REQUIRE(tpu.ok);
  CHECK(tpu.step_time_s < gpu.step_time_s);
  CHECK(asic.step_time_s == Approx(tpu.step_time_s));
  // Host dispatch is the only difference: the GPU step is bounded below by ops × t_host.
  CHECK(gpu.breakdown.forward_s > tpu.breakdown.forward_s);
}

TEST_CASE("fp8 weights are quantized once per step, not per micro-batch", "[estimate][fp8]") {
  DeviceSpec h100 = a100();
  h100.peak_flops_per_s[index_of(Precision::fp8)] = 2 * 312e12;  // an fp8-capable variant of the test device
  EstimateInput in = basic_input(8, layout(8, 1, 1, 1));
  in.device = h100;
  auto forward = [&](Precision p, double sequences) {
    EstimateInput x = in;
    x.training.precision = p;
    x.training.global_batch_tokens = sequences * 2048;
    const auto r = estimate(x);
    REQUIRE(r.ok);
    return r.breakdown.forward_s;  // one micro-batch on one stage
  };
  // 8 sequences over dp 8: one micro-batch per step; 64: eight. Only fp8 pays a per-step cost.
  CHECK(forward(Precision::bf16, 8) == Approx(forward(Precision::bf16, 64)));
  CHECK(forward(Precision::fp8, 64) < forward(Precision::fp8, 8));
}

TEST_CASE("fp4 training: 15% of layers and the LM head stay in bf16, so fp4 is not 2x fp8", "[estimate][fp8]") {
  DeviceSpec b = a100();
  b.peak_flops_per_s[index_of(Precision::bf16)] = 2.5e15;
  b.peak_flops_per_s[index_of(Precision::fp8)] = 5e15;
  b.peak_flops_per_s[index_of(Precision::fp4)] = 10e15;
  b.memory_bytes = 186e9;
  b.memory_bandwidth_bytes_per_s = 8e12;
  EstimateInput in = basic_input(8, layout(8, 1, 1, 1));
  in.model = gpt(32, 8192, 64, 4096);
  in.training.global_batch_tokens = 64.0 * 4096;
  in.device = b;
  auto step = [&](Precision p) {
    EstimateInput x = in;
    x.training.precision = p;
    const auto r = estimate(x);
    REQUIRE(r.ok);
    return r.step_time_s;
  };
  const double t16 = step(Precision::bf16), t8 = step(Precision::fp8), t4 = step(Precision::fp4);
  CHECK(t8 < t16);
  CHECK(t4 < t8);
  // With every GEMM at 2x the fp8 rate the step would be well under 0.6 x fp8; the bf16 layers
  // (15 %, at a quarter of the fp4 rate) alone cost 0.15 x 4 = 0.6 units against 0.85 in fp4.
  CHECK(t4 > 0.6 * t8);
}

TEST_CASE("TP collectives fill a host-bound pass's idle GPU time; they add to a GPU-bound one", "[estimate]") {
  // GPT-2 small at micro-batch 1, tp 2: with a slow host every pass is host-bound, so a slower
  // NVLink (larger TP collectives) leaves forward + TP time unchanged as long as the GPU timeline
  // (compute + collectives) stays below the host's; with no host overhead it adds directly.
  EstimateInput in = basic_input(2, layout(1, 2, 1, 1, Sharding::none));
  in.model = gpt(12, 768, 12, 512, 50257);
  in.training.global_batch_tokens = 512;
  auto fwd_plus_tp = [&](double host_s, double nvlink) {
    in.efficiency.host_overhead_s = host_s;
    in.device.scale_up_bytes_per_s = nvlink;
    const auto r = estimate(in);
    REQUIRE(r.ok);
    return std::pair{r.breakdown.forward_s + r.breakdown.tp_comm_forward_s, r.breakdown.tp_comm_forward_s};
  };
  const auto [host_fast, tp_fast] = fwd_plus_tp(200e-6, 300e9);
  const auto [host_slow, tp_slow] = fwd_plus_tp(200e-6, 100e9);
  CHECK(tp_slow > tp_fast);                          // the collectives themselves are slower
  // but hidden behind dispatch: only the LM head's sequence-parallel gather (outside the layers)
  // still shows.
  CHECK(host_slow - host_fast < 0.05 * (tp_slow - tp_fast));
  const auto [gpu_fast, tp_fast0] = fwd_plus_tp(0, 300e9);
  const auto [gpu_slow, tp_slow0] = fwd_plus_tp(0, 100e9);
  CHECK(gpu_slow - gpu_fast == Approx(tp_slow0 - tp_fast0).epsilon(1e-9));
}

TEST_CASE("data-parallel communication after the backward is all exposed", "[estimate][overlap]") {
  // overlap_grad_reduce = false (Megatron-LM's local DDP before 2023): nothing hides the reduction
  // or the ZeRO gathers, so exposed = whole DP comm; with overlap it is never more.
  for (auto sh : {Sharding::none, Sharding::zero1, Sharding::zero3}) {
    EstimateInput in = basic_input(64, layout(64, 1, 1, 1, sh));
    const EstimateResult on = estimate(in);
    in.training.overlap_grad_reduce = false;
    const EstimateResult off = estimate(in);
    REQUIRE(on.ok);
    REQUIRE(off.ok);
    CHECK(off.breakdown.dp_comm_s == Approx(on.breakdown.dp_comm_s));
    CHECK(off.breakdown.dp_comm_s > 0);
    CHECK(off.breakdown.dp_comm_exposed_s == Approx(off.breakdown.dp_comm_s));
    CHECK(on.breakdown.dp_comm_exposed_s < off.breakdown.dp_comm_exposed_s);
    CHECK(off.step_time_s - on.step_time_s ==
          Approx(off.breakdown.dp_comm_exposed_s - on.breakdown.dp_comm_exposed_s).epsilon(1e-9));
  }
}

TEST_CASE("fp32 decoder training takes the CUDA-core GEMM ceiling; other precisions do not", "[estimate][simt]") {
  auto run = [](Precision p, double simt) {
    EstimateInput in = basic_input(8, layout(8, 1, 1));
    in.training.precision = p;
    in.efficiency.simt_gemm_eff_max = simt;
    const EstimateResult r = estimate(in);
    REQUIRE(r.ok);
    return r.breakdown.forward_s;
  };
  // fp32 GEMMs: a higher ceiling than the tensor-core gemm_eff_max makes the forward faster
  REQUIRE(EfficiencyParams{}.simt_gemm_eff_max > EfficiencyParams{}.gemm_eff_max);
  CHECK(run(Precision::fp32, EfficiencyParams{}.simt_gemm_eff_max) < 0.9 * run(Precision::fp32, 0));
  for (Precision p : {Precision::bf16, Precision::fp16, Precision::tf32})
    CHECK(run(p, EfficiencyParams{}.simt_gemm_eff_max) == run(p, 0));
}

TEST_CASE("a pass combines GPU and host dispatch time as a p-norm", "[estimate][dispatch]") {
  EfficiencyParams p;
  p.dispatch_overlap_exponent = 3;
  CHECK(dispatch_bound_time_s(1.0, 1.0, p) ==
        Approx(std::cbrt(2.0)).epsilon(1e-12));      // 1.26 at the knee
  CHECK(dispatch_bound_time_s(2.0, 0.0, p) == 2.0);  // no host: GPU time
  CHECK(dispatch_bound_time_s(0.0, 3.0, p) == 3.0);
  CHECK(dispatch_bound_time_s(2.0, 1.0, p) ==
        Approx(dispatch_bound_time_s(1.0, 2.0, p)).epsilon(1e-15));
  for (double h : {0.01, 0.3, 1.0, 3.0, 100.0}) {  // between full overlap (max) and none (sum)
    const double t = dispatch_bound_time_s(1.0, h, p);
    CHECK(t >= std::max(1.0, h));
    CHECK(t <= 1.0 + h);
  }
  CHECK(dispatch_bound_time_s(1.0, 0.1, p) ==
        Approx(1.0).epsilon(1e-3));  // far from the knee: the max
  p.dispatch_overlap_exponent = 1;
  CHECK(dispatch_bound_time_s(1.0, 0.5, p) == Approx(1.5).epsilon(1e-12));
  p.dispatch_overlap_exponent = 0.25;  // below 1: taken as 1, never more than the sum
  CHECK(dispatch_bound_time_s(1.0, 0.5, p) == Approx(1.5).epsilon(1e-12));
  p.dispatch_overlap_exponent = 0;  // <= 0: the sharp max
  CHECK(dispatch_bound_time_s(1.0, 0.5, p) == 1.0);
  p.dispatch_overlap_exponent = 1e6;  // no overflow for a huge exponent
  CHECK(dispatch_bound_time_s(1e-3, 0.9e-3, p) == Approx(1e-3).epsilon(1e-9));
}

TEST_CASE("a layer pass near the host/GPU knee is slower than the larger of the two",
          "[estimate][dispatch]") {
  // GPT-2 small's layers, one GPU, micro-batch 1 of 1024 tokens, a small vocabulary so that the
  // layers (not the LM head, which is no pass) make the forward: with the host dispatch cost set so
  // that a layer's ops take about as long to dispatch as to run, the sharp max hides one of them
  // entirely, the p-norm does not; with no host cost both are the GPU time.
  EstimateInput in = basic_input(1, layout(1, 1, 1, 1, Sharding::none));
  in.model = gpt(12, 768, 12, 1024, 512);
  in.training.global_batch_tokens = 1024;
  auto fwd = [&](double host_s, double k) {
    in.efficiency.host_overhead_s = host_s;
    in.efficiency.dispatch_overlap_exponent = k;
    const auto r = estimate(in);
    REQUIRE(r.ok);
    return r.breakdown.forward_s;
  };
  CHECK(fwd(0, 3) == Approx(fwd(0, 0)).epsilon(1e-12));
  // find the host cost at which the sharp max first turns host-bound: the knee
  double lo = 1e-7, hi = 1e-3;
  const double gpu = fwd(0, 0);
  for (int i = 0; i < 60; ++i) {
    const double mid = std::sqrt(lo * hi);
    (fwd(mid, 0) > gpu * (1 + 1e-9) ? hi : lo) = mid;
  }
  const double knee = hi;
  CHECK(fwd(knee, 3) > 1.15 * fwd(knee, 0));  // near 2^(1/3) = 1.26 of each layer at the knee
  CHECK(fwd(knee, 3) < 1.27 * fwd(knee, 0));
  CHECK(fwd(knee / 20, 3) < 1.01 * fwd(knee / 20, 0));  // far below the knee: GPU-bound, as before
  CHECK(fwd(knee * 20, 3) < 1.01 * fwd(knee * 20, 0));  // far above: host-bound, as before
}
