#include <catch2/catch.hpp>

#include <cmath>

#include "models/flops.h"
#include "test_helpers.h"

using namespace flopcast::models;
using namespace flopcast::models::testing;

TEST_CASE("Megatron 2021 Eq. 3: FLOPs per token with full recompute", "[flops]") {
  // Narayanan et al. SC21, Eq. 3: F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) per iteration of B
  // sequences of s tokens, i.e. 96·l·h²·(1 + s/(6h) + V/(16·l·h)) per token.
  for (auto [l, h, a] : {std::tuple{24, 2304, 24}, std::tuple{40, 5120, 40}, std::tuple{96, 12288, 96}}) {
    TransformerShape m = gpt(l, h, a, 2048, 51200);
    TrainingSpec t;
    t.recompute = Recompute::full;
    const FlopsPerToken f = flops_per_token(m, t);
    const double s = 2048, V = 51200;
    const double eq3 = 96.0 * l * double(h) * h * (1 + s / (6.0 * h) + V / (16.0 * l * h));
    CHECK(f.hardware == Approx(eq3).epsilon(1e-12));
    // Without recompute: 72·l·h²·(1 + s/(6h)) + 6·V·h (three passes instead of four, LM head not recomputed).
    TrainingSpec t0;
    const FlopsPerToken f0 = flops_per_token(m, t0);
    CHECK(f0.model == Approx(72.0 * l * double(h) * h * (1 + s / (6.0 * h)) + 6 * V * h).epsilon(1e-12));
    CHECK(f0.hardware == f0.model);
    CHECK(f.model == f0.model);  // recompute is not model work
  }
}

TEST_CASE("the 6N rule plus the attention term", "[flops]") {
  // Kaplan et al. 2020 / PaLM App. B: training FLOPs per token = 6·N + 12·l·h·s, with N the
  // parameters that take part in matmuls (everything but the input embedding and norms).
  TransformerShape m = gpt(32, 4096, 32, 4096, 32000);
  m.ffn_gated = true;
  m.ffn_dim = 11008;
  m.n_kv_heads = 8;
  const ParamCount p = count_params(m);
  const double norms = 32 * 2 * 4096.0 + 4096;
  const double n_matmul = p.total - p.embedding - norms;
  const FlopsPerToken f = flops_per_token(m, TrainingSpec{});
  CHECK(f.model == Approx(6 * n_matmul + 12.0 * 32 * 4096 * 4096).epsilon(1e-12));
}

TEST_CASE("parameter counts from the shape match published totals", "[flops]") {
  // Llama 2 7B: 32 layers, h 4096, 32 heads, SwiGLU 11008, vocab 32000, untied: 6.74B.
  TransformerShape llama = gpt(32, 4096, 32, 4096, 32000);
  llama.ffn_gated = true;
  llama.ffn_dim = 11008;
  CHECK(count_params(llama).total == Approx(6.738e9).epsilon(0.002));
  // GPT-3 175B: 96 layers, h 12288, vocab 50257, tied embeddings (OpenAI) -> 174.6B (+ biases).
  TransformerShape gpt3 = gpt(96, 12288, 96, 2048, 50257);
  gpt3.tied_embeddings = true;
  CHECK(count_params(gpt3).total == Approx(175e9).epsilon(0.01));
  // DeepSeek-V3: 671B total, 37B active (MLA, 256 routed experts top-8, 1 shared, 3 dense layers).
  TransformerShape ds;
  ds.n_layers = 61;
  ds.d_model = 7168;
  ds.n_heads = 128;
  ds.n_kv_heads = 128;
  ds.ffn_dim = 18432;
  ds.vocab_size = 129280;
  ds.seq_len = 4096;
  ds.moe = MoeSpec{256, 8, 2048, 2048, 3};
  ds.mla = MlaSpec{1536, 512, 128, 64, 128};
  const ParamCount pds = count_params(ds);
  CHECK(pds.total == Approx(671e9).epsilon(0.02));
  CHECK(pds.active == Approx(37e9).epsilon(0.03));
}

TEST_CASE("more recompute never means fewer FLOPs", "[flops][property]") {
  for (int l : {2, 12, 48})
    for (int h : {512, 2048, 8192})
      for (int s : {512, 4096, 32768}) {
        TransformerShape m = gpt(l, h, h / 128, s);
        TrainingSpec t;
        t.recompute = Recompute::none;
        const double none = flops_per_token(m, t).hardware;
        t.recompute = Recompute::selective;
        const double sel = flops_per_token(m, t).hardware;
        t.recompute = Recompute::full;
        const double full = flops_per_token(m, t).hardware;
        CHECK(none < sel);
        CHECK(sel < full);
      }
}

TEST_CASE("LoRA and frozen layers change the backward work", "[flops]") {
  TransformerShape m = gpt(80, 8192, 64, 8192, 32000);
  m.ffn_gated = true;
  m.ffn_dim = 28672;
  m.n_kv_heads = 8;
  TrainingSpec full;
  TrainingSpec lora;
  lora.phase = Phase::finetune;
  lora.lora = LoraSpec{16, {"qkv_proj", "o_proj"}};
  const auto ff = flops_per_token(m, full);
  const auto fl = flops_per_token(m, lora);
  // LoRA: frozen base weights need no weight gradient: backward matmuls ≈ 1× forward, not 2×.
  CHECK(fl.backward_matmul < 0.6 * ff.backward_matmul);
  CHECK(fl.backward_matmul > 0.45 * ff.backward_matmul);
  // Adapters: r·(in+out) per target per layer.
  const double qkv_out = 8192 + 2 * 1024;
  CHECK(lora_params(m, *lora.lora) == Approx(80.0 * 16 * ((8192 + qkv_out) + (8192 + 8192))));
  // Frozen bottom half: no backward through it at all.
  TrainingSpec frozen;
  frozen.frozen_layers = 40;
  const auto fz = flops_per_token(m, frozen);
  CHECK(fz.backward_matmul == Approx(ff.backward_matmul / 2).epsilon(1e-9));
}

TEST_CASE("an incomplete shape falls back on the published parameter count", "[flops]") {
  TransformerShape m;
  m.params_hint = 7e9;
  bool hint = false;
  const auto f = flops_per_token(m, TrainingSpec{}, &hint);
  CHECK(hint);
  CHECK(f.model == Approx(6 * 7e9));
}
