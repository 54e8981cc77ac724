#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "helpers.h"
#include "scenarios/presets.h"

using namespace flopcast::scenarios;

TEST_CASE("the embedded presets are the checked-in file, byte for byte", "[presets]") {
  CHECK(std::string(model_presets_json()) == test::slurp(test::source_path("scenarios/data/model_presets.json")));
}

TEST_CASE("the required presets exist, with sources and consistent shapes", "[presets]") {
  for (const char* name : {"gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl", "gpt3-175b", "llama2-7b",
                           "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b", "llama3.1-405b", "mixtral-8x7b"}) {
    INFO(name);
    const ModelPreset* p = find_preset(name);
    REQUIRE(p != nullptr);
    CHECK(p->source_url.rfind("https://", 0) == 0);
    CHECK_FALSE(p->source.empty());
    const auto& s = p->shape;
    CHECK(s.n_layers > 0);
    CHECK(s.d_model % s.n_heads == 0);
    CHECK(s.n_heads % s.n_kv_heads == 0);
    CHECK(s.seq_len > 0);
    CHECK(s.vocab_size > 0);
  }
  CHECK(find_preset("gpt5") == nullptr);
}

// Parameter count from the shape (embeddings + attention + FFN; norms and biases ignored, < 0.1%)
// against the published total: catches a mistyped shape number.
TEST_CASE("preset shapes reproduce the published parameter counts within 3%", "[presets]") {
  for (const auto& p : model_presets()) {
    INFO(p.name);
    const auto& s = p.shape;
    const double h = s.d_model, kv = double(s.n_kv_heads) / s.n_heads;
    const double attention = 2 * h * h + 2 * h * h * kv;
    const double mats = s.ffn_gated ? 3 : 2;
    const double ffn = s.moe ? s.moe->n_experts * mats * h * s.moe->expert_ffn_dim : mats * h * s.ffn_dim;
    const double embed = double(s.vocab_size) * h * (s.tied_embeddings ? 1 : 2);
    const double params = s.n_layers * (attention + ffn) + embed;
    REQUIRE(s.params_hint.has_value());
    CHECK(std::fabs(params / *s.params_hint - 1) < 0.03);
  }
}
