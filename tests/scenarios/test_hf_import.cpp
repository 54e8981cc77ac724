// flopcast import hf: Hugging Face config.json -> workload section (scenarios/hf_import.h), on the
// hand-written copies of published config.json files in tests/data/hf/.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "helpers.h"
#include "models/flops.h"
#include "scenarios/hf_import.h"
#include "scenarios/model_library.h"
#include "scenarios/presets.h"

using namespace flopcast::scenarios;
using nlohmann::json;

namespace {
HfImportResult import_data(const std::string& name) {
  return import_hf_file(test::source_path("tests/data/hf/" + name + ".json"));
}
// The shipped config `name` with `key` set to `value`.
json edited(const std::string& name, const std::string& key, const json& value) {
  json cfg = json::parse(test::slurp(test::source_path("tests/data/hf/" + name + ".json")));
  cfg[key] = value;
  return cfg;
}
double preset_params(const std::string& name) {
  const ModelPreset* p = find_preset(name);
  REQUIRE(p != nullptr);
  return flopcast::models::count_params(p->shape).total;
}
double library_count(const std::string& name) {
  const LibraryModel* m = find_library_model(name);
  REQUIRE(m != nullptr);
  return library_params(*m);
}
}  // namespace

TEST_CASE("imported decoder configs reproduce the decoder presets' parameter counts", "[hf]") {
  const std::pair<const char*, const char*> pairs[] = {{"llama-2-7b", "llama2-7b"},
                                                       {"llama-2-70b", "llama2-70b"},
                                                       {"meta-llama-3-8b", "llama3-8b"},
                                                       {"meta-llama-3-70b", "llama3-70b"},
                                                       {"mixtral-8x7b-v0.1", "mixtral-8x7b"},
                                                       {"gpt2", "gpt2-small"},
                                                       {"gpt2-xl", "gpt2-xl"},
                                                       {"mistral-7b-v0.1", "mistral-7b"},
                                                       {"qwen2-7b", "qwen2-7b"},
                                                       {"qwen3-30b-a3b", "qwen3-30b-a3b"},
                                                       {"gemma-2-9b", "gemma2-9b"},
                                                       {"gemma-2-2b", "gemma2-2b"},
                                                       {"phi-3-mini-4k-instruct", "phi3-mini"}};
  for (const auto& [file, preset] : pairs) {
    INFO(file);
    const auto r = import_data(file);
    REQUIRE(r.ok);
    CHECK(r.workload["model"]["kind"] == "decoder");
    CHECK(r.params == Approx(preset_params(preset)).epsilon(1e-9));
  }
}

TEST_CASE("imported configs match the published parameter counts", "[hf]") {
  // Published totals (Hugging Face model cards / safetensors metadata).
  CHECK(import_data("llama-2-7b").params == Approx(6738415616.0).epsilon(0.01));
  CHECK(import_data("mistral-7b-v0.1").params == Approx(7241732096.0).epsilon(0.01));
  CHECK(import_data("mixtral-8x7b-v0.1").params == Approx(46702792704.0).epsilon(0.01));
  CHECK(import_data("meta-llama-3-8b").params == Approx(8030261248.0).epsilon(0.01));
  CHECK(import_data("qwen2-7b").params == Approx(7615616512.0).epsilon(0.01));
  CHECK(import_data("bert-base-uncased").params == Approx(109482240.0).epsilon(1e-9));
  CHECK(import_data("t5-v1_1-small").params == Approx(76961152.0).epsilon(1e-9));
  CHECK(import_data("vit-base-patch16-224").params == Approx(86567656.0).epsilon(1e-9));
}

TEST_CASE("imported encoder, encoder-decoder and ViT configs reproduce the library's counts", "[hf]") {
  const std::pair<const char*, const char*> pairs[] = {
      {"bert-base-uncased", "bert-base-uncased"}, {"bert-large-uncased", "bert-large-uncased"},
      {"electra-base-discriminator", "electra-base"}, {"t5-v1_1-small", "t5-v1.1-small"},
      {"t5-v1_1-xl", "t5-v1.1-xl"}, {"vit-base-patch16-224", "vit-b16"}, {"vit-large-patch16-224", "vit-l16"}};
  for (const auto& [file, lib] : pairs) {
    INFO(file);
    const auto r = import_data(file);
    REQUIRE(r.ok);
    CHECK(r.params == Approx(library_count(lib)).epsilon(1e-9));
  }
  const auto t5 = import_data("t5-v1_1-xl");
  CHECK(t5.workload["model"]["kind"] == "encoder-decoder");
  CHECK(t5.workload["model"]["ffn_gated"] == true);
  CHECK(t5.workload["model"]["n_layers_dec"] == 24);
  const auto vit = import_data("vit-large-patch16-224");
  CHECK(vit.workload["input"]["image_size"] == 224);
}

TEST_CASE("at least ten shipped configs import", "[hf]") {
  int n = 0;
  for (const char* f : {"llama-2-7b",
                        "llama-2-70b",
                        "meta-llama-3-8b",
                        "meta-llama-3-70b",
                        "mistral-7b-v0.1",
                        "mixtral-8x7b-v0.1",
                        "qwen2-7b",
                        "gpt2",
                        "gpt2-xl",
                        "bert-base-uncased",
                        "bert-large-uncased",
                        "electra-base-discriminator",
                        "t5-v1_1-small",
                        "t5-v1_1-xl",
                        "vit-base-patch16-224",
                        "vit-large-patch16-224",
                        "qwen3-30b-a3b",
                        "gpt-oss-120b",
                        "llama-4-scout-17b-16e",
                        "llama-4-maverick-17b-128e",
                        "deepseek-v3"}) {
    INFO(f);
    const auto r = import_data(f);
    CHECK(r.ok);
    CHECK(r.params > 0);
    n += r.ok ? 1 : 0;
  }
  CHECK(n >= 10);
}

TEST_CASE("Llama 4 configs import their nested text model, MoE in every step-th layer", "[hf]") {
  // Scout: every layer MoE (16 experts, top-1, a shared expert); Maverick: every second layer
  // (128 experts), the others a dense FFN of intermediate_size_mlp. The counts equal the presets'
  // (text stacks: Scout 107.8 B of the card's 109 B with its vision encoder; Maverick 400.7 B of
  // 400 B).
  const auto scout = import_data("llama-4-scout-17b-16e");
  REQUIRE(scout.ok);
  CHECK(scout.family == "llama4");
  CHECK(scout.workload["model"]["moe"]["n_experts"] == 16);
  CHECK(scout.workload["model"]["moe"]["shared_ffn_dim"] == 8192);
  CHECK(scout.workload["model"]["moe"]["n_dense_layers"] == 0);
  CHECK(scout.workload["model"]["n_kv_heads"] == 8);  // head_dim 128 = 5120 / 40: not written
  CHECK(scout.workload["seq_len"] == 8192);  // RoPE's original length, not max_position_embeddings
  CHECK(scout.params == Approx(preset_params("llama4-scout")).epsilon(1e-9));
  const auto maverick = import_data("llama-4-maverick-17b-128e");
  REQUIRE(maverick.ok);
  CHECK(maverick.workload["model"]["moe"]["n_dense_layers"] == 24);
  CHECK(maverick.workload["model"]["ffn_dim"] == 16384);
  CHECK_FALSE(maverick.workload.contains("seq_len"));
  CHECK(maverick.params == Approx(preset_params("llama4-maverick")).epsilon(1e-9));
  CHECK(maverick.params == Approx(400e9).epsilon(0.01));
  // The imported workload runs as a scenario.
  json sc = json::parse(test::slurp(test::source_path("scenarios/examples/llama3-70b-h100.json")));
  sc["workload"]["model"] = json::parse(scout.workload["model"].dump());
  sc["workload"]["seq_len"] = 8192;
  sc["parallelism"] = {{"layout", "auto"}};
  const auto run = test::run_text(sc.dump(), "scout.json");
  for (const auto& d : run.diagnostics) UNSCOPED_INFO(d.to_string());
  CHECK(run.ok);
  CHECK(run.result["metrics"]["tokens_per_s_per_gpu"].get<double>() > 0);
  // Errors inside the nested object name its pointer.
  json bad =
      json::parse(test::slurp(test::source_path("tests/data/hf/llama-4-scout-17b-16e.json")));
  bad["text_config"].erase("num_local_experts");
  CHECK(import_hf_config(bad, "l4.json").error ==
        "l4.json: /text_config/num_local_experts: missing; expected a positive integer");
  bad.erase("text_config");
  CHECK(import_hf_config(bad, "l4.json").error.rfind("l4.json: /text_config: missing", 0) == 0);
}

TEST_CASE("DeepSeek-V3's config imports with multi-head latent attention and runs as a scenario",
          "[hf]") {
  const auto ds = import_data("deepseek-v3");
  REQUIRE(ds.ok);
  const auto& m = ds.workload["model"];
  CHECK(m["attention"]["kind"] == "mla");
  CHECK(m["attention"]["kv_lora_rank"] == 512);
  CHECK(m["moe"]["n_dense_layers"] == 3);
  CHECK(m["moe"]["shared_ffn_dim"] == 2048);
  CHECK(ds.workload["seq_len"] == 4096);  // YaRN's original length, not 163,840
  // The same count as the preset (671.03 B; the paper: 671 B without the MTP module).
  CHECK(ds.params == Approx(preset_params("deepseek-v3")).epsilon(1e-9));
  CHECK(ds.params == Approx(671e9).epsilon(0.001));
  // Run as a scenario: the attention keys are read (the same tokens/s as the preset's).
  json sc = json::parse(test::slurp(test::source_path("scenarios/examples/llama3-70b-h100.json")));
  sc["workload"]["model"] = json::parse(m.dump());
  sc["workload"]["seq_len"] = 4096;
  sc["parallelism"] = {
      {"layout", "explicit"},  {"dp", 64},           {"tp", 1}, {"pp", 16}, {"ep", 64},
      {"micro_batch_size", 1}, {"sharding", "zero1"}};
  const auto own = test::run_text(sc.dump(), "ds.json");
  for (const auto& d : own.diagnostics) UNSCOPED_INFO(d.to_string());
  REQUIRE(own.ok);
  json by_preset = sc;
  by_preset["workload"]["model"] = {{"preset", "deepseek-v3"}};
  const auto pre = test::run_text(by_preset.dump(), "dsp.json");
  REQUIRE(pre.ok);
  CHECK(own.result["metrics"]["tokens_per_s_per_gpu"].get<double>() ==
        Approx(pre.result["metrics"]["tokens_per_s_per_gpu"].get<double>()).epsilon(1e-12));
  // Without the attention object the same shape is plain multi-head attention: more parameters.
  json mha = sc;
  mha["workload"]["model"].erase("attention");
  const auto plain = test::run_text(mha.dump(), "mha.json");
  REQUIRE(plain.ok);
  CHECK(plain.result["workload"]["params"].get<double>() >
        own.result["workload"]["params"].get<double>() + 1e9);
  // A MoE layer pattern it cannot represent is refused by name.
  json cfg = json::parse(test::slurp(test::source_path("tests/data/hf/deepseek-v3.json")));
  cfg["moe_layer_freq"] = 2;
  CHECK(import_hf_config(cfg, "d.json").error.rfind("d.json: /moe_layer_freq: 2: only 1", 0) == 0);
}

TEST_CASE("an unmappable config names the key and what was expected", "[hf]") {
  json cfg = {{"model_type", "llama"}, {"hidden_size", 4096}, {"num_attention_heads", 32},
              {"intermediate_size", 11008}, {"vocab_size", 32000}};
  auto r = import_hf_config(cfg, "c.json");
  CHECK_FALSE(r.ok);
  CHECK(r.error == "c.json: /num_hidden_layers: missing; expected a positive integer");
  cfg["num_hidden_layers"] = "32";
  r = import_hf_config(cfg, "c.json");
  CHECK(r.error == "c.json: /num_hidden_layers: expected a positive integer (at most 1000000000)");
  // A count past an int (2^62 wrapped to 0 and divided by zero: a crash, before) is refused.
  cfg["num_hidden_layers"] = 32;
  cfg["num_attention_heads"] = 4611686018427387904LL;
  r = import_hf_config(cfg, "c.json");
  CHECK(r.error == "c.json: /num_attention_heads: expected a positive integer (at most 1000000000)");
  r = import_hf_config(json{{"model_type", "mamba"}}, "m.json");
  CHECK_FALSE(r.ok);
  CHECK(r.error.rfind("m.json: /model_type: 'mamba' is not a family flopcast can map", 0) == 0);
  r = import_hf_config(json::array(), "a.json");
  CHECK(r.error == "a.json: /: expected a JSON object (a Hugging Face config.json)");
  r = import_hf_config(json{{"hidden_size", 1}}, "n.json");
  CHECK(r.error == "n.json: /model_type: missing; expected the Hugging Face model family");
  const auto missing = import_hf_file(test::source_path("tests/data/hf/does-not-exist.json"));
  CHECK_FALSE(missing.ok);
  CHECK(missing.error.find("cannot open file") != std::string::npos);
}

TEST_CASE("a config that is not valid JSON is reported at its line and column", "[hf]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "flopcast-test-hf-truncated.json").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 4096,\n";
  }
  const auto r = import_hf_file(path);
  std::remove(path.c_str());
  CHECK_FALSE(r.ok);
  CHECK(r.error == path +
                       ":4:1: invalid JSON: syntax error while parsing object key - unexpected end "
                       "of input; expected string literal");
}

TEST_CASE("head_dim apart from hidden_size / heads is imported and counted (Qwen3, gpt-oss)", "[hf]") {
  // Qwen3-30B-A3B model card: 30.5B total parameters; gpt-oss-120b (OpenAI model card): 116.83B.
  const auto qwen = import_data("qwen3-30b-a3b");
  REQUIRE(qwen.ok);
  CHECK(qwen.workload["model"]["head_dim"] == 128);
  CHECK(qwen.workload["model"]["moe"]["n_experts"] == 128);
  CHECK(qwen.workload["model"]["moe"]["expert_ffn_dim"] == 768);
  CHECK(qwen.params == Approx(30.5e9).epsilon(0.01));
  const auto oss = import_data("gpt-oss-120b");
  REQUIRE(oss.ok);
  CHECK(oss.workload["model"]["head_dim"] == 64);
  CHECK(oss.params == Approx(116.83e9).epsilon(0.01));
  // Where head_dim equals hidden_size / heads nothing is written (the default says it).
  json cfg = json::parse(R"({"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32,
      "num_hidden_layers": 32, "intermediate_size": 11008, "vocab_size": 32000, "head_dim": 128})");
  const auto plain = import_hf_config(cfg, "c.json");
  REQUIRE(plain.ok);
  CHECK_FALSE(plain.workload["model"].contains("head_dim"));
  // Without head_dim the attention is narrower: fewer parameters than the real model.
  json no_hd = json::parse(test::slurp(test::source_path("tests/data/hf/qwen3-30b-a3b.json")));
  no_hd.erase("head_dim");
  CHECK(import_hf_config(no_hd, "q.json").params < qwen.params);
}

TEST_CASE("Gemma 2 and Phi-3 configs import with their published parameter counts", "[hf]") {
  // Gemma 2 paper (arXiv:2408.00118), Table 2: embedding + non-embedding parameters. 9B:
  // 917,962,752 + 8,324,201,984; 2B: 590,118,912 + 2,024,517,888 (its embedding rows are a
  // 256,128-token table, the config's vocabulary 256,000). Phi-3-mini model card: 3.8B.
  const auto g9 = import_data("gemma-2-9b");
  REQUIRE(g9.ok);
  const auto& m = g9.workload["model"];
  CHECK(m["kind"] == "decoder");
  CHECK(m["head_dim"] == 256);          // not 3584 / 16
  CHECK(m["tied_embeddings"] == true);  // Gemma ties them; the published config leaves the key out
  CHECK(m["ffn_gated"] == true);        // GeGLU
  CHECK(m["n_kv_heads"] == 8);
  CHECK(g9.params == Approx(917962752.0 + 8324201984.0).epsilon(0.001));
  const auto g2 = import_data("gemma-2-2b");
  REQUIRE(g2.ok);
  CHECK(g2.params == Approx(590118912.0 + 2024517888.0).epsilon(0.001));
  const auto phi = import_data("phi-3-mini-4k-instruct");
  REQUIRE(phi.ok);
  CHECK(phi.workload["model"]["tied_embeddings"] == false);
  CHECK(phi.workload["seq_len"] == 4096);
  CHECK(phi.params == Approx(3.8e9).epsilon(0.01));
  // An explicit tie_word_embeddings is read as it is; an activation that is not gated is refused.
  CHECK(import_hf_config(edited("gemma-2-2b", "tie_word_embeddings", false), "g.json").params >
        g2.params);
  const auto bad = import_hf_config(edited("gemma-2-2b", "hidden_activation", "relu"), "g.json");
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("g.json: /hidden_activation: 'relu'") != std::string::npos);
}

TEST_CASE("GPT-NeoX (Pythia) configs import as a plain-GELU decoder", "[hf]") {
  // Pythia paper (Biderman et al. 2023, arXiv:2304.01373), Table 1: Pythia-1.4B has 1,414,647,808
  // parameters; flopcast leaves the linear layers' biases and the layer norms out (0.04 %).
  const auto p = import_data("pythia-1.4b");
  REQUIRE(p.ok);
  const auto& m = p.workload["model"];
  CHECK(m["ffn_gated"] == false);
  CHECK(m["ffn_dim"] == 8192);
  CHECK(m["tied_embeddings"] == false);
  CHECK(p.workload["seq_len"] == 2048);
  CHECK(p.params == Approx(1414647808.0).epsilon(0.001));
  CHECK(p.params < 1414647808.0);  // biases not counted
  const auto bad = import_hf_config(edited("pythia-1.4b", "hidden_act", "silu"), "p.json");
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("p.json: /hidden_act: 'silu'") != std::string::npos);
}

TEST_CASE("an imported Qwen3 workload runs as a scenario, head_dim included", "[hf]") {
  const auto qwen = import_data("qwen3-30b-a3b");
  REQUIRE(qwen.ok);
  json doc = {{"schema_version", 2},
              {"workload", json::parse(qwen.workload.dump())},
              {"hardware", {{"device", "nvidia-h100-sxm5-80gb"}, {"device_count", 16}}}};
  doc["workload"]["seq_len"] = 4096;
  doc["workload"]["global_batch_tokens"] = 1024 * 4096;
  doc["workload"]["training_tokens"] = 1e12;
  doc["workload"]["activation_recompute"] = "auto";
  const auto with = test::run_text(doc.dump(), "qwen.json");
  REQUIRE(with.exit_code == 0);
  doc["workload"]["model"].erase("head_dim");
  doc["workload"]["model"].erase("params");
  const auto without = test::run_text(doc.dump(), "qwen-narrow.json");
  REQUIRE(without.exit_code == 0);
  // The wider attention is more work per token: more FLOPs, fewer tokens per second.
  CHECK(with.result["workload"]["model_flops_per_token"].get<double>() >
        without.result["workload"]["model_flops_per_token"].get<double>());
  CHECK(with.result["metrics"]["tokens_per_s_per_gpu"].get<double>() <
        without.result["metrics"]["tokens_per_s_per_gpu"].get<double>());
}

TEST_CASE(
    "imported encoder, encoder-decoder and ViT workloads run as scenarios, as their presets do",
    "[hf]") {
  // `flopcast import hf` writes the workload section of a scenario: for the model-library kinds it
  // used to carry keys no scenario accepted (max_positions, n_layers_enc, patch_size, ...). Now the
  // shape runs without a preset, and gives the preset's answer where the config is the preset's.
  const std::pair<const char*, const char*> pairs[] = {{"bert-large-uncased", "bert-large-uncased"},
                                                       {"t5-v1_1-small", "t5-v1.1-small"},
                                                       {"t5-v1_1-xl", "t5-v1.1-xl"},
                                                       {"vit-base-patch16-224", "vit-b16"},
                                                       {"vit-large-patch16-224", "vit-l16"}};
  for (const auto& [file, preset] : pairs) {
    INFO(file);
    const auto imp = import_data(file);
    REQUIRE(imp.ok);
    json own = {{"schema_version", 2},
                {"workload", json::parse(imp.workload.dump())},
                {"hardware", {{"device", "nvidia-a100-sxm4-80gb"}, {"device_count", 8}}}};
    own["workload"]["precision"] = "fp16";
    own["workload"]["training_samples"] = 1e7;
    own["workload"]["global_batch_samples"] = 512;
    const auto a = test::run_text(own.dump(), "own.json");
    REQUIRE(a.exit_code == 0);
    CHECK(a.result["workload"]["model"] == "custom");
    json named = own;
    named["workload"]["model"] = {{"preset", preset}};
    const auto b = test::run_text(named.dump(), "preset.json");
    REQUIRE(b.exit_code == 0);
    CHECK(a.result["metrics"]["samples_per_s_per_gpu"].get<double>() ==
          Approx(b.result["metrics"]["samples_per_s_per_gpu"].get<double>()).epsilon(1e-12));
    CHECK(a.result["workload"]["params"].get<double>() ==
          Approx(b.result["workload"]["params"].get<double>()).epsilon(1e-12));
  }
}

TEST_CASE("an own encoder, encoder-decoder or ViT shape is checked key by key", "[hf]") {
  auto run = [](const json& model, const json& extra = json::object()) {
    json doc = {
        {"schema_version", 2},
        {"workload", {{"model", model}, {"training_samples", 1e6}, {"global_batch_samples", 64}}},
        {"hardware", {{"device", "nvidia-a100-sxm4-80gb"}, {"device_count", 8}}}};
    doc["workload"].update(extra);
    return test::run_text(doc.dump(), "own.json");
  };
  auto first = [](const flopcast::scenarios::RunResult& r) {
    REQUIRE_FALSE(r.diagnostics.empty());
    return r.diagnostics.front().pointer + ": " + r.diagnostics.front().message;
  };
  // A ViT without its width: the pointer and what is needed.
  auto r =
      run({{"kind", "vit"}, {"n_layers", 12}, {"n_heads", 12}}, {{"input", {{"image_size", 224}}}});
  CHECK(r.exit_code == 2);
  CHECK(first(r) ==
        "/workload/model/d_model: missing: required for a vit shape without a preset (or name a "
        "preset: "
        "flopcast models list)");
  // An encoder key on a ViT, and a ViT key with a preset that fixes it.
  r = run({{"kind", "vit"},
           {"n_layers", 12},
           {"d_model", 768},
           {"n_heads", 12},
           {"max_positions", 512}},
          {{"input", {{"image_size", 224}}}});
  CHECK(first(r) == "/workload/model/max_positions: applies to an encoder shape, not to a vit");
  r = run({{"preset", "vit-b16"}, {"patch_size", 14}});
  CHECK(first(r).rfind("/workload/model/patch_size: applies to an encoder, encoder-decoder or ViT "
                       "shape without a preset",
                       0) == 0);
  // A decoder has none of them.
  json dec = {{"schema_version", 2},
              {"workload",
               {{"model", {{"preset", "gpt2-small"}, {"num_classes", 10}}},
                {"training_tokens", 1e9},
                {"global_batch_tokens", 524288}}},
              {"hardware", {{"device", "nvidia-a100-sxm4-80gb"}, {"device_count", 8}}}};
  r = test::run_text(dec.dump(), "dec.json");
  CHECK(first(r) ==
        "/workload/model/num_classes: applies to an encoder, encoder-decoder or ViT shape without "
        "a preset, not to a decoder");
  // A patch size of its own changes the tokens: 14-pixel patches at 224 are 256 tokens, not 196.
  const json vit = {
      {"kind", "vit"}, {"n_layers", 12}, {"d_model", 768}, {"n_heads", 12}, {"ffn_dim", 3072}};
  json p14 = vit;
  p14["patch_size"] = 14;
  const auto a = run(vit, {{"input", {{"image_size", 224}}}});
  const auto b = run(p14, {{"input", {{"image_size", 224}}}});
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK(b.result["workload"]["model_flops_per_sample"].get<double>() >
        1.25 * a.result["workload"]["model_flops_per_sample"].get<double>());
}
