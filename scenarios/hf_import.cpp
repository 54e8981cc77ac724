#include "scenarios/hf_import.h"

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

#include "hwprofiles/json_syntax_error.h"
#include "models/flops.h"
#include "scenarios/model_library.h"
#include "scenarios/presets.h"

namespace flopcast::scenarios {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Largest integer a config value may hold: every shape count fits an int, with room to multiply
// (the scenario's own ranges, checked after import, are tighter).
constexpr long long kMaxInteger = 1'000'000'000;

struct Reader {
  const json& cfg;
  std::string origin;
  std::string error;
  std::string prefix;  // JSON pointer of cfg inside the file ("text_config/" for Llama 4)

  const json* find(const std::string& key) const {
    auto it = cfg.find(key);
    if (it == cfg.end() || it->is_null()) return nullptr;
    return &*it;
  }
  // The first of `keys` present; a present key of the wrong type is an error naming it.
  std::optional<int> integer(std::initializer_list<const char*> keys, bool required) {
    for (const char* k : keys) {
      const json* v = find(k);
      if (!v) continue;
      if (!v->is_number_integer() || v->get<long long>() < 1 || v->get<long long>() > kMaxInteger) {
        fail(k, "expected a positive integer (at most " + std::to_string(kMaxInteger) + ")");
        return std::nullopt;
      }
      return int(v->get<long long>());
    }
    if (required) fail(*keys.begin(), "missing; expected a positive integer");
    return std::nullopt;
  }
  std::optional<bool> boolean(const char* k) {
    const json* v = find(k);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      fail(k, "expected true or false");
      return std::nullopt;
    }
    return v->get<bool>();
  }
  std::optional<std::string> string(const char* k) {
    const json* v = find(k);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      fail(k, "expected a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }
  void fail(const std::string& key, const std::string& what) {
    if (error.empty()) error = origin + ": /" + prefix + key + ": " + what;
  }
  // rope_scaling.original_max_position_embeddings: the length a RoPE-scaled model trained at
  // (Llama 4, DeepSeek's YaRN); max_position_embeddings is the extended context.
  std::optional<int> rope_original_length() {
    const json* rs = find("rope_scaling");
    if (!rs || !rs->is_object()) return std::nullopt;
    Reader rr{*rs, origin, {}, prefix + "rope_scaling/"};
    const auto v = rr.integer({"original_max_position_embeddings"}, false);
    if (!rr.error.empty() && error.empty()) error = rr.error;
    return v;
  }
};

double decoder_params(const ordered_json& m, bool* ok) {
  // The import wrote every key a decoder shape needs; the count is the presets' (count_params).
  models::TransformerShape s;
  try {
    s = decoder_shape_from_json(json::parse(m.dump()));
  } catch (const std::exception&) {
    *ok = false;
    return 0;
  }
  s.seq_len = 2048;  // the count does not depend on it; shape_complete wants one
  *ok = models::shape_complete(s);
  return *ok ? models::count_params(s).total : 0;
}

}  // namespace

HfImportResult import_hf_config(const json& cfg, const std::string& origin) {
  HfImportResult r;
  if (!cfg.is_object()) {
    r.error = origin + ": /: expected a JSON object (a Hugging Face config.json)";
    return r;
  }
  Reader rd{cfg, origin, {}};
  const auto type = rd.string("model_type");
  if (!type) {
    r.error = rd.error.empty() ? origin + ": /model_type: missing; expected the Hugging Face model family" : rd.error;
    return r;
  }
  r.family = *type;
  ordered_json model = ordered_json::object();
  ordered_json w = ordered_json::object();
  const std::string& t = *type;
  if (t == "llama" || t == "mistral" || t == "mixtral" || t == "qwen2" || t == "qwen2_moe" ||
      t == "qwen3" || t == "qwen3_moe" || t == "gpt_oss" || t == "phi3" || t == "gemma" ||
      t == "gemma2" || t == "gpt_neox") {
    // Gemma and Gemma 2: GeGLU (gelu_pytorch_tanh, gated like SwiGLU), head_dim 256 apart from
    // hidden_size / heads, and the embeddings tied unless the config says otherwise (the
    // transformers GemmaConfig / Gemma2Config default; their config.json files leave the key out).
    // Gemma 2's alternating sliding-window layers and logit soft-capping are not modelled.
    const bool gemma = t == "gemma" || t == "gemma2";
    // GPT-NeoX and Pythia: a plain GELU FFN (two matrices), rotary positions, untied embeddings
    // unless the config ties them. The parallel residual (attention and FFN from the same input)
    // changes neither the FLOPs nor the parameters; the linear layers' biases are not counted.
    const bool plain_ffn = t == "gpt_neox";
    model["kind"] = "decoder";
    const auto L = rd.integer({"num_hidden_layers"}, true);
    const auto h = rd.integer({"hidden_size"}, true);
    const auto H = rd.integer({"num_attention_heads"}, true);
    const auto kv = rd.integer({"num_key_value_heads"}, false);
    const auto f = rd.integer({"intermediate_size"}, true);
    const auto V = rd.integer({"vocab_size"}, true);
    const auto ctx = rd.integer({"max_position_embeddings"}, false);
    const auto tied = rd.boolean("tie_word_embeddings");
    const json* ha = rd.find("hidden_activation");  // Gemma's key; null or absent elsewhere
    const char* act_key = gemma && ha && ha->is_string() ? "hidden_activation" : "hidden_act";
    const auto act = rd.string(act_key);
    const auto hd = rd.integer({"head_dim"}, false);
    if (!rd.error.empty()) {
      r.error = rd.error;
      return r;
    }
    const bool act_ok = !act || (plain_ffn ? act->rfind("gelu", 0) == 0 || *act == "relu"
                                           : *act == "silu" || *act == "swiglu" || *act == "gelu" ||
                                                 *act == "gelu_pytorch_tanh");
    if (!act_ok) {
      r.error = origin + ": /" + act_key + ": '" + *act + "' is not " +
                (plain_ffn ? "an activation flopcast maps for gpt_neox (gelu, relu)"
                           : "a gated activation flopcast maps (silu, gelu, gelu_pytorch_tanh)");
      return r;
    }
    model["n_layers"] = *L;
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["n_kv_heads"] = kv.value_or(*H);
    // head_dim only where it is not hidden_size / heads (Qwen3: 128 on 2048 with 32 heads).
    if (hd && (*h % *H != 0 || *hd != *h / *H)) model["head_dim"] = *hd;
    model["ffn_dim"] = *f;
    model["ffn_gated"] = !plain_ffn;
    model["vocab_size"] = *V;
    model["tied_embeddings"] = tied.value_or(gemma);
    if (t == "mixtral" || t == "qwen2_moe" || t == "qwen3_moe" || t == "gpt_oss") {
      const auto E = rd.integer({"num_local_experts", "num_experts"}, true);
      const auto k = rd.integer({"num_experts_per_tok"}, true);
      const auto fe = rd.integer({"moe_intermediate_size"}, false);
      const auto fs = rd.integer({"shared_expert_intermediate_size"}, false);
      if (!rd.error.empty()) {
        r.error = rd.error;
        return r;
      }
      model["moe"] = {{"n_experts", *E}, {"experts_per_token", *k}, {"expert_ffn_dim", fe.value_or(*f)},
                      {"shared_ffn_dim", fs.value_or(0)}, {"n_dense_layers", 0}};
    }
    if (ctx) w["seq_len"] = *ctx;
  } else if (t == "llama4" || t == "llama4_text") {
    // Llama 4 (Scout, Maverick): the multimodal config nests the text model under text_config (the
    // vision encoder is not imported). Every interleave_moe_layer_step-th layer has the MoE FFN
    // (routed experts and one shared expert, both intermediate_size wide); the others a dense FFN
    // of intermediate_size_mlp. Counted as leading dense layers (docs/model-zoo.md).
    const json* tc = &cfg;
    std::string prefix;
    if (t == "llama4") {
      auto it = cfg.find("text_config");
      if (it == cfg.end() || !it->is_object()) {
        r.error =
            origin +
            ": /text_config: missing; expected the text model's config object (Llama 4 nests it)";
        return r;
      }
      tc = &*it;
      prefix = "text_config/";
    }
    Reader tr{*tc, origin, {}, prefix};
    model["kind"] = "decoder";
    const auto L = tr.integer({"num_hidden_layers"}, true);
    const auto h = tr.integer({"hidden_size"}, true);
    const auto H = tr.integer({"num_attention_heads"}, true);
    const auto kv = tr.integer({"num_key_value_heads"}, false);
    const auto hd = tr.integer({"head_dim"}, false);
    const auto f = tr.integer({"intermediate_size"}, true);
    const auto f_dense = tr.integer({"intermediate_size_mlp"}, false);
    const auto V = tr.integer({"vocab_size"}, true);
    const auto E = tr.integer({"num_local_experts"}, true);
    const auto k = tr.integer({"num_experts_per_tok"}, true);
    const auto step = tr.integer({"interleave_moe_layer_step"}, false);
    const auto tied = tr.boolean("tie_word_embeddings");
    const auto ctx = tr.rope_original_length();
    if (!tr.error.empty()) {
      r.error = tr.error;
      return r;
    }
    const int moe_layers = *L / step.value_or(1);
    model["n_layers"] = *L;
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["n_kv_heads"] = kv.value_or(*H);
    if (hd && (*h % *H != 0 || *hd != *h / *H)) model["head_dim"] = *hd;
    model["ffn_dim"] = f_dense.value_or(*f);
    model["ffn_gated"] = true;
    model["vocab_size"] = *V;
    model["tied_embeddings"] = tied.value_or(false);
    model["moe"] = {{"n_experts", *E},
                    {"experts_per_token", *k},
                    {"expert_ffn_dim", *f},
                    {"shared_ffn_dim", *f},
                    {"n_dense_layers", *L - moe_layers}};
    // The RoPE base length (8,192), not max_position_embeddings (10 M, a long-context limit).
    if (ctx) w["seq_len"] = *ctx;
  } else if (t == "deepseek_v3" || t == "deepseek_v2") {
    // DeepSeek-V2/V3 and the models built on them (Kimi K2): multi-head latent attention, routed
    // plus shared experts (n_shared_experts of moe_intermediate_size each), the first
    // first_k_dense_replace layers dense (intermediate_size). The multi-token-prediction layers
    // (num_nextn_predict_layers) are not imported.
    model["kind"] = "decoder";
    const auto L = rd.integer({"num_hidden_layers"}, true);
    const auto h = rd.integer({"hidden_size"}, true);
    const auto H = rd.integer({"num_attention_heads"}, true);
    const auto f = rd.integer({"intermediate_size"}, true);
    const auto fe = rd.integer({"moe_intermediate_size"}, true);
    const auto E = rd.integer({"n_routed_experts"}, true);
    const auto k = rd.integer({"num_experts_per_tok"}, true);
    const auto shared = rd.integer({"n_shared_experts"}, false);
    int first_dense = 0;  // 0 is valid here (every layer MoE), which integer() refuses
    if (const json* v = rd.find("first_k_dense_replace");
        v && !(v->is_number_integer() && v->get<long long>() == 0))
      first_dense = rd.integer({"first_k_dense_replace"}, false).value_or(0);
    const auto freq = rd.integer({"moe_layer_freq"}, false);
    const auto q_rank = rd.integer({"q_lora_rank"}, false);  // null in V2-Lite: full-rank queries
    const auto kv_rank = rd.integer({"kv_lora_rank"}, true);
    const auto nope = rd.integer({"qk_nope_head_dim"}, true);
    const auto rope = rd.integer({"qk_rope_head_dim"}, true);
    const auto vd = rd.integer({"v_head_dim"}, true);
    const auto V = rd.integer({"vocab_size"}, true);
    const auto tied = rd.boolean("tie_word_embeddings");
    auto ctx = rd.rope_original_length();
    if (!ctx) ctx = rd.integer({"max_position_embeddings"}, false);
    if (!rd.error.empty()) {
      r.error = rd.error;
      return r;
    }
    if (freq && *freq != 1) {
      r.error = origin + ": /moe_layer_freq: " + std::to_string(*freq) +
                ": only 1 (a MoE FFN in every layer after the first dense ones) is mapped";
      return r;
    }
    if (first_dense > *L) {
      r.error = origin + ": /first_k_dense_replace: expected at most num_hidden_layers (" +
                std::to_string(*L) + ")";
      return r;
    }
    model["n_layers"] = *L;
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["n_kv_heads"] = *H;  // every head has its own decompressed keys and values
    model["ffn_dim"] = *f;
    model["ffn_gated"] = true;
    model["vocab_size"] = *V;
    model["tied_embeddings"] = tied.value_or(false);
    model["moe"] = {{"n_experts", *E},
                    {"experts_per_token", *k},
                    {"expert_ffn_dim", *fe},
                    {"shared_ffn_dim", shared.value_or(0) * *fe},
                    {"n_dense_layers", first_dense}};
    model["attention"] = {{"kind", "mla"},
                          {"q_lora_rank", q_rank.value_or(0)},
                          {"kv_lora_rank", *kv_rank},
                          {"qk_nope_head_dim", *nope},
                          {"qk_rope_head_dim", *rope},
                          {"v_head_dim", *vd}};
    if (ctx) w["seq_len"] = *ctx;  // YaRN's original length (4,096 for V3), not the extended one
  } else if (t == "gpt2") {
    model["kind"] = "decoder";
    const auto L = rd.integer({"n_layer"}, true);
    const auto h = rd.integer({"n_embd"}, true);
    const auto H = rd.integer({"n_head"}, true);
    const auto f = rd.integer({"n_inner"}, false);
    const auto V = rd.integer({"vocab_size"}, true);
    const auto ctx = rd.integer({"n_positions", "n_ctx"}, false);
    if (!rd.error.empty()) {
      r.error = rd.error;
      return r;
    }
    model["n_layers"] = *L;
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["n_kv_heads"] = *H;
    model["ffn_dim"] = f.value_or(4 * *h);
    model["ffn_gated"] = false;
    model["vocab_size"] = *V;
    model["tied_embeddings"] = true;
    if (ctx) w["seq_len"] = *ctx;
  } else if (t == "bert" || t == "electra" || t == "roberta") {
    model["kind"] = "encoder";
    const auto L = rd.integer({"num_hidden_layers"}, true);
    const auto h = rd.integer({"hidden_size"}, true);
    const auto H = rd.integer({"num_attention_heads"}, true);
    const auto f = rd.integer({"intermediate_size"}, true);
    const auto V = rd.integer({"vocab_size"}, true);
    const auto ctx = rd.integer({"max_position_embeddings"}, false);
    const auto types = rd.integer({"type_vocab_size"}, false);
    if (!rd.error.empty()) {
      r.error = rd.error;
      return r;
    }
    model["n_layers"] = *L;
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["ffn_dim"] = *f;
    model["ffn_gated"] = false;
    model["vocab_size"] = *V;
    model["max_positions"] = ctx.value_or(512);
    model["type_vocab"] = types.value_or(2);
    w["seq_len"] = std::min(512, ctx.value_or(512));
  } else if (t == "t5" || t == "mt5" || t == "umt5") {
    model["kind"] = "encoder-decoder";
    const auto L = rd.integer({"num_layers"}, true);
    const auto Ld = rd.integer({"num_decoder_layers"}, false);
    const auto h = rd.integer({"d_model"}, true);
    const auto H = rd.integer({"num_heads"}, true);
    const auto dk = rd.integer({"d_kv"}, true);
    const auto f = rd.integer({"d_ff"}, true);
    const auto V = rd.integer({"vocab_size"}, true);
    const auto proj = rd.string("feed_forward_proj");
    const auto tied = rd.boolean("tie_word_embeddings");
    if (!rd.error.empty()) {
      r.error = rd.error;
      return r;
    }
    const std::string p = proj.value_or("relu");
    if (p != "relu" && p != "gated-gelu" && p != "gated-silu" && p != "gelu") {
      r.error = origin + ": /feed_forward_proj: '" + p + "' is not one of relu, gelu, gated-gelu, gated-silu";
      return r;
    }
    model["n_layers_enc"] = *L;
    model["n_layers_dec"] = Ld.value_or(*L);
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["head_dim"] = *dk;
    model["ffn_dim"] = *f;
    model["ffn_gated"] = p.rfind("gated", 0) == 0;
    model["vocab_size"] = *V;
    model["tied_embeddings"] = tied.value_or(true);
    model["biases"] = false;
    model["norm"] = "rms";
    model["relative_position_bias"] = true;
    w["input"] = {{"seq_len_enc", 512}, {"seq_len_dec", 128}};
  } else if (t == "vit") {
    model["kind"] = "vit";
    const auto L = rd.integer({"num_hidden_layers"}, true);
    const auto h = rd.integer({"hidden_size"}, true);
    const auto H = rd.integer({"num_attention_heads"}, true);
    const auto f = rd.integer({"intermediate_size"}, true);
    const auto img = rd.integer({"image_size"}, true);
    const auto patch = rd.integer({"patch_size"}, true);
    const auto ch = rd.integer({"num_channels"}, false);
    if (!rd.error.empty()) {
      r.error = rd.error;
      return r;
    }
    model["n_layers"] = *L;
    model["d_model"] = *h;
    model["n_heads"] = *H;
    model["ffn_dim"] = *f;
    model["ffn_gated"] = false;
    model["patch_size"] = *patch;
    model["num_classes"] = 1000;
    w["input"] = {{"image_size", *img}, {"channels", ch.value_or(3)}};
  } else {
    r.error =
        origin + ": /model_type: '" + t +
        "' is not a family flopcast can map (llama, llama4, mistral, mixtral, qwen2, qwen2_moe, "
        "qwen3, qwen3_moe, gpt_oss, phi3, gemma, gemma2, deepseek_v2, deepseek_v3, gpt_neox, gpt2, "
        "bert, "
        "electra, roberta, t5, mt5, vit)";
    return r;
  }

  // Parameters from the imported shape.
  if (model["kind"] == "decoder") {
    bool ok = false;
    r.params = decoder_params(model, &ok);
  } else {
    SampleInput in;
    in.seq_len = 128;
    in.seq_len_enc = 16;
    in.seq_len_dec = 16;
    in.image_size = w.contains("input") && w["input"].contains("image_size") ? w["input"]["image_size"].get<int>() : 224;
    in.channels = w.contains("input") && w["input"].contains("channels") ? w["input"]["channels"].get<int>() : 3;
    const json entry = json::parse(model.dump());
    std::string err;
    auto Lst = build_layers(entry, json::object(), in, models::Phase::finetune, &err);
    if (!Lst) {
      r.error = origin + ": " + err;
      return r;
    }
    double p = 0;
    for (const auto& o : Lst->ops)
      if (o.name != "span head") p += o.weight_params * o.repeat;
    r.params = p;
  }
  model["params"] = static_cast<long long>(std::llround(r.params));
  ordered_json out = ordered_json::object();
  out["model"] = model;
  for (auto it = w.begin(); it != w.end(); ++it) out[it.key()] = it.value();
  r.workload = out;
  r.ok = true;
  return r;
}

HfImportResult import_hf_file(const std::string& path) {
  HfImportResult r;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    r.error = path + ": cannot open file";
    return r;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  json cfg;
  try {
    cfg = json::parse(text);
  } catch (const json::parse_error& e) {
    const hwprofiles::JsonSyntaxError err = hwprofiles::describe_parse_error(text, e);
    r.error = path + ":" + std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
              err.message;
    return r;
  }
  return import_hf_config(cfg, path);
}

void merge_imported_model(nlohmann::ordered_json& doc, const HfImportResult& imported) {
  if (!doc.is_object()) doc = ordered_json::object();
  auto& w = doc["workload"];
  if (!w.is_object()) w = ordered_json::object();
  std::optional<int> training_seq;
  if (w.contains("seq_len") && w["seq_len"].is_number_integer())
    training_seq = w["seq_len"].get<int>();
  else if (w.contains("model") && w["model"].is_object() && w["model"].contains("preset") &&
           w["model"]["preset"].is_string())
    if (const auto* p = find_preset(w["model"]["preset"].get<std::string>()))
      training_seq = p->shape.seq_len;
  w["model"] = imported.workload["model"];
  const bool decoder = imported.workload["model"].value("kind", std::string()) == "decoder";
  if (imported.workload.contains("input")) {
    w.erase("seq_len");
    w["input"] = imported.workload["input"];
  } else if (decoder && training_seq) {
    w.erase("input");
    w["seq_len"] = *training_seq;
  } else if (imported.workload.contains("seq_len")) {
    w.erase("input");
    w["seq_len"] = imported.workload["seq_len"];
  }
}

}  // namespace flopcast::scenarios
