#include "scenarios/presets.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "scenarios/record_values.h"

// Generated at build time from scenarios/data/model_presets.json (scenarios/embed.cmake).
extern "C" const char flopcast_model_presets_json[];
extern "C" const std::size_t flopcast_model_presets_json_size;

namespace flopcast::scenarios {

models::TransformerShape decoder_shape_from_json(const nlohmann::json& e) {
  models::TransformerShape s;
  s.kind = models::ModelKind::decoder;
  s.n_layers = e.at("n_layers").get<int>();
  s.d_model = e.at("d_model").get<int>();
  s.n_heads = e.at("n_heads").get<int>();
  s.n_kv_heads = e.at("n_kv_heads").get<int>();
  s.head_dim = e.value("head_dim", 0);
  s.ffn_dim = e.at("ffn_dim").get<double>();
  s.ffn_gated = e.at("ffn_gated").get<bool>();
  s.vocab_size = e.at("vocab_size").get<int>();
  s.seq_len = e.value("seq_len", 0);
  s.tied_embeddings = e.at("tied_embeddings").get<bool>();
  if (e.contains("moe")) {
    const auto& m = e.at("moe");
    models::MoeSpec moe;
    moe.n_experts = m.at("n_experts").get<int>();
    moe.experts_per_token = m.at("experts_per_token").get<int>();
    moe.expert_ffn_dim = m.at("expert_ffn_dim").get<double>();
    moe.shared_ffn_dim = m.value("shared_ffn_dim", 0.0);
    moe.n_dense_layers = m.value("n_dense_layers", 0);
    s.moe = moe;
  }
  if (e.contains("attention")) {
    // Only DeepSeek's multi-head latent attention differs from what n_heads / n_kv_heads describe.
    const auto& a = e.at("attention");
    if (a.at("kind").get<std::string>() != "mla")
      throw std::runtime_error("decoder shape: attention.kind must be \"mla\"");
    models::MlaSpec mla;
    mla.q_lora_rank = a.value("q_lora_rank", 0);
    mla.kv_lora_rank = a.at("kv_lora_rank").get<int>();
    mla.qk_nope_head_dim = a.at("qk_nope_head_dim").get<int>();
    mla.qk_rope_head_dim = a.at("qk_rope_head_dim").get<int>();
    mla.v_head_dim = a.at("v_head_dim").get<int>();
    s.mla = mla;
  }
  if (e.contains("params")) s.params_hint = e.at("params").get<double>();
  if (e.contains("params_active")) s.params_active_hint = e.at("params_active").get<double>();
  return s;
}

namespace {

std::vector<ModelPreset> load() {
  // The file is ours and checked by a test; a malformed one is a build defect, so fail loudly
  // (the test suite catches it before any user can).
  const auto doc = nlohmann::json::parse(model_presets_json());
  std::vector<ModelPreset> out;
  for (const auto& e : doc.at("presets")) {
    ModelPreset p;
    p.name = e.at("name").get<std::string>();
    if (e.contains("aliases"))
      for (const auto& a : e.at("aliases")) p.aliases.push_back(a.get<std::string>());
    if (e.at("kind").get<std::string>() != "decoder")
      throw std::runtime_error("model_presets.json: only decoder presets are supported: " + p.name);
    p.shape = decoder_shape_from_json(e);
    if (p.shape.seq_len <= 0)
      throw std::runtime_error("model_presets.json: seq_len missing: " + p.name);
    p.source = e.at("source").get<std::string>();
    p.source_url = e.at("source_url").get<std::string>();
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string_view model_presets_json() {
  return {flopcast_model_presets_json, flopcast_model_presets_json_size};
}

const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> presets = load();
  return presets;
}

const ModelPreset* find_preset(std::string_view name) {
  for (const auto& p : model_presets())
    if (p.name == name) return &p;
  return nullptr;
}

const ModelPreset* match_preset(std::string_view text) {
  return match_named(model_presets(), text);
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& p : model_presets()) names.push_back(p.name);
  return names;
}

}  // namespace flopcast::scenarios
