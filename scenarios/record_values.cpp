#include "scenarios/record_values.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <set>
#include <utility>

#include "hwprofiles/catalog.h"
#include "scenarios/model_library.h"
#include "scenarios/presets.h"

namespace flopcast::scenarios {

std::string record_token(std::string_view s) {
  std::string t;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || c == '_' || c == '-') continue;
    t.push_back(static_cast<char>(std::tolower(u)));
  }
  return t;
}

std::string model_name_token(std::string_view s) {
  const auto slash = s.rfind('/');
  return record_token(slash == std::string_view::npos ? s : s.substr(slash + 1));
}

namespace {

std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> w;
  std::string cur;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      cur.push_back(static_cast<char>(std::tolower(u)));
    } else if (!cur.empty()) {
      w.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) w.push_back(std::move(cur));
  return w;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// Does the text's word `w` name one of the device's words `dw` (its id's and name's)?
bool word_names(const std::string& w, const std::vector<std::string>& dw) {
  for (size_t i = 0; i < dw.size(); ++i) {
    if (dw[i] == w) return true;
    // "sxm" for "sxm5": letters, then only the generation digits left off
    if (w.size() >= 3 && dw[i].size() > w.size() && dw[i].compare(0, w.size(), w) == 0 &&
        std::isalpha(static_cast<unsigned char>(w.back())) &&
        all_digits(std::string_view(dw[i]).substr(w.size())))
      return true;
    if (i + 1 < dw.size() && dw[i] + dw[i + 1] == w) return true;  // "tpuv4"
  }
  return false;
}

}  // namespace

const hwprofiles::DeviceProfile* catalog_device_spelled(std::string_view text) {
  const auto& catalog = hwprofiles::builtin_catalog();
  if (const auto* d = catalog.find(text)) return d;
  const std::string t = record_token(text);
  for (const auto& d : catalog.devices())
    if (record_token(d.id) == t) return &d;
  return nullptr;
}

std::vector<std::string> catalog_devices_named(std::string_view text) {
  const auto& catalog = hwprofiles::builtin_catalog();
  if (catalog.find(text)) return {std::string(text)};
  static const std::set<std::string> filler = {"tesla", "instinct", "gpu",  "gpus",  "accelerator",
                                               "card",  "hbm",      "hbm2", "hbm2e", "hbm3",
                                               "hbm3e", "tensor",   "core"};
  std::vector<std::string> words;
  for (auto& w : words_of(text))
    if (!filler.count(w)) words.push_back(std::move(w));
  std::vector<std::string> out;
  if (words.empty()) return out;
  for (const auto& d : catalog.devices()) {
    auto dw = words_of(d.id);
    for (auto& w : words_of(d.name)) dw.push_back(std::move(w));
    if (std::all_of(words.begin(), words.end(),
                    [&](const std::string& w) { return word_names(w, dw); }))
      out.push_back(d.id);
  }
  return out;
}

std::string device_hint(std::string_view text) {
  const auto ids = catalog_devices_named(text);
  if (ids.empty() || (ids.size() == 1 && ids.front() == text)) return "";
  std::string out = "; \"" + std::string(text) + (ids.size() == 1 ? "\" is " : "\" could be ");
  for (size_t i = 0; i < ids.size(); ++i)
    out += (i == 0 ? "" : i + 1 == ids.size() ? " or " : ", ") + ids[i];
  return out;
}

std::string model_name_hint(std::string_view text) {
  const std::string* name = nullptr;
  if (const auto* p = match_preset(text))
    name = &p->name;
  else if (const auto* m = match_library_model(text))
    name = &m->name;
  if (!name || *name == text) return "";
  return "; \"" + std::string(text) + "\" is " + *name;
}

namespace {

template <class T>
std::optional<T> lookup(std::string_view s,
                        std::initializer_list<std::pair<const char*, T>> table) {
  const std::string t = record_token(s);
  for (const auto& [name, value] : table)
    if (t == name) return value;
  return std::nullopt;
}

}  // namespace

std::optional<models::Precision> record_precision(std::string_view s) {
  using P = models::Precision;
  return lookup<P>(
      s,
      {{"fp32", P::fp32},    {"float32", P::fp32},  {"single", P::fp32},    {"tf32", P::tf32},
       {"bf16", P::bf16},    {"bfloat16", P::bf16}, {"bf16mixed", P::bf16}, {"ampbf16", P::bf16},
       {"fp16", P::fp16},    {"float16", P::fp16},  {"half", P::fp16},      {"fp16mixed", P::fp16},
       {"ampfp16", P::fp16}, {"fp8", P::fp8},       {"mxfp8", P::fp8},      {"e4m3", P::fp8},
       {"hybrid", P::fp8},   {"fp4", P::fp4},       {"nvfp4", P::fp4},      {"mxfp4", P::fp4}});
}

std::optional<models::Sharding> record_sharding(std::string_view s) {
  using S = models::Sharding;
  return lookup<S>(s, {{"none", S::none},
                       {"ddp", S::none},
                       {"no", S::none},
                       {"zero1", S::zero1},
                       {"os", S::zero1},
                       {"distributedoptimizer", S::zero1},
                       {"zero2", S::zero2},
                       {"zero3", S::zero3},
                       {"fsdp", S::zero3},
                       {"fullshard", S::zero3}});
}

std::optional<models::Recompute> record_recompute(std::string_view s) {
  using R = models::Recompute;
  return lookup<R>(s, {{"none", R::none},
                       {"no", R::none},
                       {"off", R::none},
                       {"false", R::none},
                       {"selective", R::selective},
                       {"full", R::full}});
}

std::optional<std::string> record_model_type(std::string_view s) {
  return lookup<std::string>(s, {{"dense", "dense"},
                                 {"decoder", "dense"},
                                 {"moe", "moe"},
                                 {"mixtureofexperts", "moe"},
                                 {"encoder", "encoder"},
                                 {"encoderdecoder", "encoder-decoder"},
                                 {"seq2seq", "encoder-decoder"},
                                 {"vit", "vit"},
                                 {"visiontransformer", "vit"},
                                 {"cnn", "cnn"},
                                 {"convnet", "cnn"}});
}

std::optional<std::vector<std::string>> record_lora_target(std::string_view s, bool ffn_gated) {
  using V = std::vector<std::string>;
  const V fc1 = ffn_gated ? V{"gate_proj", "up_proj"} : V{"up_proj"};
  return lookup<V>(s, {{"qkvproj", {"qkv_proj"}},
                       {"linearqkv", {"qkv_proj"}},
                       {"querykeyvalue", {"qkv_proj"}},
                       {"qproj", {"q_proj"}},
                       {"kproj", {"k_proj"}},
                       {"vproj", {"v_proj"}},
                       {"oproj", {"o_proj"}},
                       {"linearproj", {"o_proj"}},
                       {"dense", {"o_proj"}},
                       {"gateproj", {"gate_proj"}},
                       {"upproj", {"up_proj"}},
                       {"downproj", {"down_proj"}},
                       {"linearfc1", fc1},
                       {"densehto4h", fc1},
                       {"linearfc2", {"down_proj"}},
                       {"dense4htoh", {"down_proj"}},
                       {"alllinear", {"all_linear"}},
                       {"all", {"all_linear"}}});
}

std::optional<std::string> record_phase(std::string_view s) {
  return lookup<std::string>(s, {{"pretrain", "pretrain"},
                                 {"pretraining", "pretrain"},
                                 {"finetune", "finetune"},
                                 {"finetuning", "finetune"}});
}

namespace {

// The numeric fields of a record (FORMAT.md), by section.
struct NumericSection {
  const char* path;
  std::vector<const char*> keys;
};
const std::vector<NumericSection> kNumericFields = {
    {"model",
     {"params", "params_active", "n_layers", "d_model", "n_heads", "n_kv_heads", "ffn_dim",
      "seq_len", "vocab_size", "n_layers_enc", "n_layers_dec"}},
    {"model.moe",
     {"n_experts", "experts_per_token", "expert_ffn_dim", "shared_ffn_dim", "n_dense_layers"}},
    {"model.input", {"image_size", "channels", "seq_len", "seq_len_enc", "seq_len_dec"}},
    {"training",
     {"global_batch_tokens", "micro_batch_size", "training_tokens", "global_batch_samples",
      "gradient_accumulation", "training_samples"}},
    {"system", {"gpu_count"}},
    {"system.parallelism", {"dp", "tp", "pp", "cp", "ep", "vp"}},
};

// "8,192" / "1_000" / " 512 " / "1.5e12" → the number; nullopt when the text is not one number.
std::optional<double> numeric_text(const std::string& s) {
  std::string t;
  for (char c : s)
    if (c != ',' && c != '_' && !std::isspace(static_cast<unsigned char>(c))) t.push_back(c);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

nlohmann::json* section(nlohmann::json& rec, std::string_view path) {
  nlohmann::json* j = &rec;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string key(
        path.substr(start, dot == std::string_view::npos ? path.npos : dot - start));
    if (!j->is_object()) return nullptr;
    const auto it = j->find(key);
    if (it == j->end() || !it->is_object()) return nullptr;
    j = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return j;
}

}  // namespace

nlohmann::json canonical_record(const nlohmann::json& rec, std::vector<std::string>* notes) {
  nlohmann::json out = rec;
  if (!out.is_object()) return out;
  for (const auto& [path, keys] : kNumericFields) {
    nlohmann::json* sec = section(out, path);
    if (!sec) continue;
    for (const char* key : keys) {
      const auto it = sec->find(key);
      if (it == sec->end() || it->is_null() || it->is_number()) continue;
      const auto v = it->is_string() ? numeric_text(it->get<std::string>()) : std::nullopt;
      if (v) {
        *it = *v;
      } else if (notes) {
        notes->push_back(std::string(path) + "." + key + " " + it->dump() +
                         " is not a number: taken as unknown");
      }
    }
  }
  auto fix = [](nlohmann::json& section, const char* key, auto&& map) {
    if (!section.is_object()) return;
    const auto it = section.find(key);
    if (it == section.end() || !it->is_string()) return;
    if (const auto v = map(it->template get<std::string>())) *it = *v;
  };
  if (out.contains("model")) {
    auto& m = out["model"];
    fix(m, "type", record_model_type);
    fix(m, "preset", [](const std::string& name) -> std::optional<std::string> {
      if (find_library_model(name) || find_preset(name)) return std::nullopt;  // already a name
      if (const auto* lm = match_library_model(name)) return lm->name;
      if (const auto* p = match_preset(name)) return p->name;
      return std::nullopt;
    });
  }
  if (out.contains("training")) fix(out["training"], "phase_kind", record_phase);
  // A device as people write it ("H100-SXM", "TPU v5p"): the one catalog id it names; several is
  // said and left unknown (the prediction's why_null says the device is not in the catalog).
  if (auto* sys = out.contains("system") ? &out["system"] : nullptr;
      sys && sys->is_object() && sys->contains("device") && (*sys)["device"].is_string()) {
    const std::string text = (*sys)["device"].get<std::string>();
    if (!catalog_device_spelled(text)) {
      const auto ids = catalog_devices_named(text);
      if (ids.size() == 1) {
        (*sys)["device"] = ids.front();
        if (notes) notes->push_back("system.device '" + text + "' read as " + ids.front());
      } else if (ids.size() > 1 && notes) {
        std::string list;
        for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
        notes->push_back("system.device '" + text + "' could be any of " + list +
                         ": taken as unknown (name the form factor or the memory)");
      }
    }
  }
  return out;
}

std::optional<std::string> vocabulary_text(const nlohmann::json& j, const char* key,
                                           const std::string& field,
                                           std::vector<std::string>& notes) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  notes.push_back(field + " " + it->dump() + " is not a string: taken as unknown");
  return std::nullopt;
}

namespace {

// vocabulary_text, then `map`; a text that does not map gets unrecognized_note.
template <class Map>
auto stated(const nlohmann::json& j, const char* key, const std::string& field,
            const char* vocabulary, std::vector<std::string>& notes, Map map)
    -> decltype(map(std::string_view{})) {
  const auto text = vocabulary_text(j, key, field, notes);
  if (!text) return std::nullopt;
  auto v = map(*text);
  if (!v) notes.push_back(unrecognized_note(field, *text, vocabulary));
  return v;
}

}  // namespace

std::optional<models::Precision> stated_precision(const nlohmann::json& training,
                                                  std::vector<std::string>& notes) {
  return stated(training, "precision", "training.precision", "fp32, tf32, bf16, fp16, fp8, fp4",
                notes, record_precision);
}

std::optional<models::Sharding> stated_sharding(const nlohmann::json& system,
                                                std::vector<std::string>& notes) {
  return stated(system, "sharding", "system.sharding", "none, zero1, zero2, zero3", notes,
                record_sharding);
}

std::optional<models::Recompute> stated_recompute(const nlohmann::json& training,
                                                  std::vector<std::string>& notes) {
  return stated(training, "activation_recompute", "training.activation_recompute",
                "none, selective, full", notes, record_recompute);
}

std::string unrecognized_note(const std::string& field, const std::string& value,
                              const char* vocabulary) {
  return field + " '" + value + "' is not one of " + vocabulary + ": taken as unknown";
}

}  // namespace flopcast::scenarios
