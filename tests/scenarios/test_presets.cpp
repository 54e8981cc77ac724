#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "helpers.h"
#include "models/flops.h"
#include "scenarios/model_library.h"
#include "scenarios/presets.h"
#include "scenarios/record_values.h"

using namespace flopcast::scenarios;

TEST_CASE("the embedded presets are the checked-in file, byte for byte", "[presets]") {
  CHECK(std::string(model_presets_json()) == test::slurp(test::source_path("scenarios/data/model_presets.json")));
}

TEST_CASE("the required presets exist, with sources and consistent shapes", "[presets]") {
  for (const char* name : {"gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl", "gpt3-175b",
                           "llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b",
                           "llama3.1-405b", "mixtral-8x7b", "mistral-7b", "qwen2-7b",
                           "qwen3-30b-a3b", "llama4-scout", "llama4-maverick", "deepseek-v3"}) {
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

// Parameter count from the shape (models::count_params: embeddings, attention (MLA included), FFN
// or experts; norms and biases ignored, < 0.1%) against the published total: catches a mistyped
// shape number. Within 1 % (issue 8), except where the published figure counts more than the text
// stack, which the entry's source says.
TEST_CASE("preset shapes reproduce the published parameter counts within 1%", "[presets]") {
  for (const auto& p : model_presets()) {
    INFO(p.name);
    const auto c = flopcast::models::count_params(p.shape);
    REQUIRE(p.shape.params_hint.has_value());
    // Llama 4 Scout's 109B includes its vision encoder: the 48-layer text stack is 107.8B.
    const double tolerance = p.name == "llama4-scout" ? 0.012 : 0.01;
    if (p.name == "llama4-scout") CHECK(p.source.find("vision encoder") != std::string::npos);
    CHECK(std::fabs(c.total / *p.shape.params_hint - 1) < tolerance);
    if (p.shape.params_active_hint) CHECK(std::fabs(c.active / *p.shape.params_active_hint - 1) < 0.04);
  }
}

TEST_CASE("DeepSeek-V3's multi-head latent attention is read from the preset", "[presets]") {
  const ModelPreset* p = find_preset("deepseek-v3");
  REQUIRE(p != nullptr);
  REQUIRE(p->shape.mla.has_value());
  CHECK(p->shape.mla->kv_lora_rank == 512);
  CHECK(p->shape.mla->q_lora_rank == 1536);
  CHECK(p->shape.mla->qk_rope_head_dim == 64);
  // 671,026,279,424 with MLA; read as plain multi-head attention over 128 heads of 56 it would be
  // 4·h² per layer instead of ~187 M, 1.1 B more.
  const auto c = flopcast::models::count_params(p->shape);
  CHECK(c.total == Approx(671.03e9).epsilon(1e-4));
  auto mha = p->shape;
  mha.mla.reset();
  CHECK(flopcast::models::count_params(mha).total > c.total + 1e9);
}

TEST_CASE("presets are found by their Hugging Face ids and spellings, never ambiguously",
          "[presets]") {
  CHECK(match_preset("llama2-7b")->name == "llama2-7b");
  CHECK(match_preset("Llama 2 7B")->name == "llama2-7b");
  CHECK(match_preset("meta-llama/Llama-2-7b-hf")->name == "llama2-7b");
  CHECK(match_preset("meta-llama/Meta-Llama-3-70B")->name == "llama3-70b");
  CHECK(match_preset("Llama-3.1-405B")->name == "llama3.1-405b");
  CHECK(match_preset("mistralai/Mixtral-8x7B-v0.1")->name == "mixtral-8x7b");
  CHECK(match_preset("openai-community/gpt2")->name == "gpt2-small");
  CHECK(match_preset("deepseek-ai/DeepSeek-V3")->name == "deepseek-v3");
  CHECK(match_preset("meta-llama/Llama-3.2-1B")->name == "llama3.2-1b");
  CHECK(match_preset("google/gemma-2-9b")->name == "gemma2-9b");
  CHECK(match_preset("microsoft/Phi-3-mini-4k-instruct")->name == "phi3-mini");
  CHECK(match_preset("llama2") == nullptr);  // 7B, 13B or 70B: not guessed
  CHECK(match_preset("llama2-7") == nullptr);
  CHECK(match_preset("") == nullptr);
  // No alias names another preset or a model-library entry.
  std::set<std::string> tokens;
  for (const auto& p : model_presets()) tokens.insert(record_token(p.name));
  const auto doc = nlohmann::json::parse(model_presets_json());
  for (const auto& e : doc["presets"])
    if (e.contains("aliases"))
      CHECK_FALSE(e.value("aliases_source", "").empty());  // where the name comes from
  for (const auto& p : model_presets()) {
    INFO(p.name);
    for (const auto& a : p.aliases) {
      INFO(a);
      CHECK(match_preset(a) == &p);
      CHECK(tokens.count(record_token(a)) == 0);
      CHECK(match_library_model(a) == nullptr);
    }
  }
}
