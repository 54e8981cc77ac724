#include "scenarios/groundtruth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hwprofiles/catalog.h"
#include "hwprofiles/json_syntax_error.h"
#include "models/energy.h"
#include "models/flops.h"
#include "models/goodput.h"
#include "models/memory.h"
#include "models/parallelism.h"
#include "scenarios/model_library.h"  // zoo: encoder / encoder-decoder / vit / cnn records
#include "scenarios/presets.h"
#include "scenarios/record_values.h"

namespace flopcast::scenarios {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const json& sub(const json& j, const char* key) {
  static const json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}
std::optional<double> num(const json& j, const char* key) {
  const json& v = sub(j, key);
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d)) return d;
  }
  return std::nullopt;
}
std::optional<int> posint(const json& j, const char* key) {
  auto v = num(j, key);
  if (v && *v >= 1 && *v < 1e9) return int(std::llround(*v));
  return std::nullopt;
}
std::optional<std::string> str(const json& j, const char* key) {
  const json& v = sub(j, key);
  if (v.is_string()) return v.get<std::string>();
  return std::nullopt;
}

double default_batch_tokens(int devices, int seq_len) {
  return double(std::max(1024, devices)) * seq_len;
}

// g0 (fitted) × the interruption goodput of the input's device count (models/goodput.h).
double run_goodput(const models::EstimateInput& in, const PredictOptions& o) {
  const auto& m = in.model;
  const double params =
      models::shape_complete(m) ? models::count_params(m).total : m.params_hint.value_or(0.0);
  return o.efficiency.goodput * models::failure_goodput(in.device_count, params);
}

int next_pow2(double x) {
  int p = 1;
  while (p < x && p < (1 << 24)) p *= 2;
  return p;
}

// Heads of 128 dimensions for a width of `heads` heads: from 16 on, a multiple of 8, as every
// published decoder of that size has (GPT-3 96, MT-NLG 128, PaLM 48, Llama 32-128, Falcon 232), so
// that tensor parallelism up to 8 divides them (139 heads, a prime, would allow none).
int head_count(double heads) {
  if (heads < 16) return std::max(1, int(std::lround(heads)));
  return 8 * std::max(2, int(std::lround(heads / 8.0)));
}

// Fill a shape from a parameter count (documented default, see the header).
void shape_from_params(models::TransformerShape& m, double n_params, bool gated) {
  if (m.n_layers <= 0 && m.d_model > 0) {
    m.n_layers = std::max(1, int(std::lround(n_params / (12.0 * m.d_model * m.d_model))));
  } else if (m.d_model <= 0 && m.n_layers > 0) {
    m.d_model = 128 * head_count(std::sqrt(n_params / (12.0 * m.n_layers)) / 128.0);
  } else if (m.d_model <= 0 && m.n_layers <= 0) {
    const double l = std::cbrt(n_params / (12.0 * 128.0 * 128.0));
    m.d_model =
        128 * head_count(std::sqrt(n_params / (12.0 * std::max(1.0, std::round(l)))) / 128.0);
    m.n_layers = std::max(1, int(std::lround(n_params / (12.0 * m.d_model * m.d_model))));
  }
  if (m.n_heads <= 0) m.n_heads = std::max(1, m.d_model / 128);
  if (m.d_model % m.n_heads != 0) m.n_heads = std::max(1, m.d_model / 128);
  if (m.n_kv_heads <= 0) m.n_kv_heads = m.n_heads;
  if (m.ffn_dim <= 0) m.ffn_dim = gated ? std::max(256.0, std::round(8.0 * m.d_model / 3.0 / 256.0) * 256.0) : 4.0 * m.d_model;
}

}  // namespace

std::string family_group(const std::string& family) {
  static const std::vector<std::string> prefixes = {"megatron-bridge", "megatron-lm", "megatron-core", "nemo",
                                                    "mlperf-training"};
  for (const auto& p : prefixes)
    if (family.rfind(p, 0) == 0) return p;
  // strip a trailing version "-NN.NN" / "-2021"
  auto pos = family.find_last_of('-');
  if (pos != std::string::npos && pos + 1 < family.size() && std::isdigit((unsigned char)family[pos + 1]))
    return family.substr(0, pos);
  return family;
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {"tokens_per_s_per_gpu", "samples_per_s_per_gpu", "step_time_s",
                                                 "gpu_hours",           "wall_time_h",           "energy_mwh",
                                                 "peak_memory_gib_per_gpu", "mfu"};
  return names;
}

// The parameters a --params file may set, in the order --print-params writes them: one table per
// section, read by apply_params_json and written by params_to_json.
namespace {

template <class Params>
using ParamField = std::pair<const char*, double Params::*>;

constexpr ParamField<models::EfficiencyParams> kEfficiencyFields[] = {
    {"gemm_eff_max", &models::EfficiencyParams::gemm_eff_max},
    {"gemm_half_dim", &models::EfficiencyParams::gemm_half_dim},
    {"attn_eff_max", &models::EfficiencyParams::attn_eff_max},
    {"mem_eff", &models::EfficiencyParams::mem_eff},
    {"kernel_overhead_s", &models::EfficiencyParams::kernel_overhead_s},
    {"host_overhead_s", &models::EfficiencyParams::host_overhead_s},
    {"dispatch_overlap_exponent", &models::EfficiencyParams::dispatch_overlap_exponent},
    {"comm_eff", &models::EfficiencyParams::comm_eff},
    {"comm_latency_s", &models::EfficiencyParams::comm_latency_s},
    {"fp8_gemm_speedup_cap", &models::EfficiencyParams::fp8_gemm_speedup_cap},
    {"goodput", &models::EfficiencyParams::goodput},
    {"dp_overlap", &models::EfficiencyParams::dp_overlap}};

constexpr ParamField<UncertaintyParams> kUncertaintyFields[] = {
    {"sigma_base", &UncertaintyParams::sigma_base},
    {"sigma_default", &UncertaintyParams::sigma_default},
    {"sigma_search", &UncertaintyParams::sigma_search},
    {"sigma_moe", &UncertaintyParams::sigma_moe},
    {"sigma_run", &UncertaintyParams::sigma_run},
    {"sigma_memory", &UncertaintyParams::sigma_memory},
    {"sigma_energy", &UncertaintyParams::sigma_energy}};

// Sets target's fields from obj[section] (absent or null: unchanged); "" or the error.
template <class Params, std::size_t N>
std::string set_params(const json& obj, const char* section, const ParamField<Params> (&fields)[N],
                       Params& target) {
  const json& s = sub(obj, section);
  if (s.is_null()) return "";
  if (!s.is_object()) return std::string("parameters file: /") + section + ": expected an object";
  for (auto it = s.begin(); it != s.end(); ++it) {
    auto f = std::find_if(std::begin(fields), std::end(fields),
                          [&](const auto& x) { return it.key() == x.first; });
    if (f == std::end(fields))
      return std::string("parameters file: /") + section + "/" + it.key() + ": unknown key";
    if (!it.value().is_number() || !std::isfinite(it.value().get<double>()))
      return std::string("parameters file: /") + section + "/" + it.key() +
             ": expected a finite number";
    target.*(f->second) = it.value().get<double>();
  }
  return "";
}

template <class Params, std::size_t N>
ordered_json params_section_json(const ParamField<Params> (&fields)[N], const Params& source) {
  ordered_json j = ordered_json::object();
  for (const auto& [name, member] : fields) j[name] = source.*member;
  return j;
}

}  // namespace

std::string apply_params_json(const json& j, PredictOptions& o) {
  if (!j.is_object()) return "parameters file: expected a JSON object at /";
  auto& e = o.efficiency;
  std::string err = set_params(j, "efficiency", kEfficiencyFields, e);
  if (!err.empty()) return err;
  err = set_params(j, "uncertainty", kUncertaintyFields, o.uncertainty);
  if (!err.empty()) return err;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "efficiency" && it.key() != "uncertainty") return "parameters file: /" + it.key() + ": unknown key";
  if (!(e.gemm_eff_max > 0 && e.gemm_eff_max <= 1 && e.attn_eff_max > 0 && e.attn_eff_max <= 1 &&
        e.mem_eff > 0 && e.mem_eff <= 1 && e.comm_eff > 0 && e.comm_eff <= 1 && e.goodput > 0 &&
        e.goodput <= 1 && e.gemm_half_dim >= 0 && e.kernel_overhead_s >= 0 &&
        e.host_overhead_s >= 0 && e.comm_latency_s >= 0 && e.fp8_gemm_speedup_cap >= 1 &&
        e.dp_overlap >= 0 &&
        (e.dispatch_overlap_exponent == 0 || e.dispatch_overlap_exponent >= 1)))
    return "parameters file: /efficiency: efficiencies must lie in (0, 1], sizes and times >= 0, "
           "dispatch_overlap_exponent 0 (the max) or >= 1";
  return "";
}

ordered_json params_to_json(const PredictOptions& o) {
  ordered_json j;
  j["efficiency"] = params_section_json(kEfficiencyFields, o.efficiency);
  j["uncertainty"] = params_section_json(kUncertaintyFields, o.uncertainty);
  return j;
}

namespace {

// The preset's value for every shape key the record leaves null (a record's own keys win: a
// truncated model of SimuMax keeps its 12 layers), listed once in defaults_used. The head width
// comes from the preset only with its width and head count; its experts only for a MoE record
// that gives no complete expert shape; its attention (MLA) only where the record states none.
void fill_from_preset(models::TransformerShape& m, const ModelPreset& preset, const json& jm,
                      bool moe, std::vector<std::string>& defaults_used) {
  const auto& p = preset.shape;
  std::string filled;
  auto add = [&](const char* key) { filled += (filled.empty() ? "" : ", ") + std::string(key); };
  auto fill = [&](auto& field, auto value, const char* key) {
    if (field > 0 || value <= 0) return;
    field = value;
    add(key);
  };
  auto fill_hint = [&](std::optional<double>& field, const std::optional<double>& value,
                       const char* key) {
    if (field || !value) return;
    field = value;
    add(key);
  };
  const bool width_from_preset = m.d_model <= 0 && m.n_heads <= 0 && !posint(jm, "head_dim");
  fill(m.n_layers, p.n_layers, "n_layers");
  fill(m.d_model, p.d_model, "d_model");
  fill(m.n_heads, p.n_heads, "n_heads");
  fill(m.n_kv_heads, p.n_kv_heads, "n_kv_heads");
  if (width_from_preset) fill(m.head_dim, p.head_dim, "head_dim");
  fill(m.ffn_dim, p.ffn_dim, "ffn_dim");
  fill(m.seq_len, p.seq_len, "seq_len");
  fill(m.vocab_size, p.vocab_size, "vocab_size");
  if (!sub(jm, "ffn_gated").is_boolean()) {
    m.ffn_gated = p.ffn_gated;
    add("ffn_gated");
  }
  m.tied_embeddings = p.tied_embeddings;
  fill_hint(m.params_hint, p.params_hint, "params");
  fill_hint(m.params_active_hint, p.params_active_hint, "params_active");
  if (!sub(jm, "attention").is_object() && p.mla) {
    m.mla = p.mla;
    add("attention");
  }
  const json& e = sub(jm, "moe");
  const bool record_moe = e.is_object() && posint(e, "n_experts") &&
                          posint(e, "experts_per_token") &&
                          num(e, "expert_ffn_dim").value_or(0) > 0;
  if (moe && !record_moe && p.moe) {
    m.moe = p.moe;
    add("moe");
  }
  if (!filled.empty()) defaults_used.push_back("model." + filled + " (preset " + preset.name + ")");
}

}  // namespace

RecordInput record_to_input(const json& rec, const DeviceLookup& lookup, const PredictOptions& o) {
  RecordInput ri;
  auto& in = ri.input;
  in.efficiency = o.efficiency;
  const json& jm = sub(rec, "model");
  const json& jt = sub(rec, "training");
  const json& js = sub(rec, "system");
  if (!jm.is_object() || !jt.is_object() || !js.is_object()) {
    ri.why_null = "record lacks one of model, training, system";
    return ri;
  }
  std::string type = str(jm, "type").value_or("");
  // A named decoder architecture fills what the record leaves null (its own keys win).
  const auto preset_name = str(jm, "preset");
  const ModelPreset* preset = preset_name ? match_preset(*preset_name) : nullptr;
  if (preset_name && !preset)
    ri.notes.push_back(
        "model.preset '" + *preset_name +
        "' is not a known architecture (flopcast models list): the shape keys are used");
  if (type.empty() && preset) {
    type = preset->shape.moe ? "moe" : "dense";
    ri.defaults_used.push_back("model.type (" + type + ", preset " + preset->name + ")");
  }
  if (type.empty()) {
    // No stated type (a library preset went to the zoo path already): a record with an expert
    // count above one, or with fewer active parameters than parameters, is a mixture of experts;
    // any other a dense decoder. The prediction says what it assumed.
    if (num(sub(jm, "input"), "image_size")) {
      ri.why_null =
          "model.type null: an image model needs type cnn or vit, or a model-library preset";
      return ri;
    }
    const json& e = sub(jm, "moe");
    const auto n = num(jm, "params"), na = num(jm, "params_active");
    const bool experts =
        (e.is_object() && posint(e, "n_experts").value_or(0) > 1) || (n && na && *na < *n);
    type = experts ? "moe" : "dense";
    ri.defaults_used.push_back("model.type (" + type + ")");
  }
  if (type != "dense" && type != "moe") {
    ri.why_null = "model type " + (type.empty() ? std::string("null") : type) + " not supported yet";
    return ri;
  }
  // Device.
  const auto dev_id = str(js, "device");
  if (!dev_id) {
    ri.why_null = "system.device is null";
    return ri;
  }
  auto dev = lookup(*dev_id);
  if (!dev) {
    ri.why_null = "device " + *dev_id + " not in the hardware catalog";
    return ri;
  }
  in.device = *dev;

  // Model shape.
  auto& m = in.model;
  m.kind = models::ModelKind::decoder;
  m.n_layers = posint(jm, "n_layers").value_or(0);
  m.d_model = posint(jm, "d_model").value_or(0);
  m.n_heads = posint(jm, "n_heads").value_or(0);
  m.n_kv_heads = posint(jm, "n_kv_heads").value_or(0);
  m.ffn_dim = num(jm, "ffn_dim").value_or(0);
  m.seq_len = posint(jm, "seq_len").value_or(0);
  m.vocab_size = posint(jm, "vocab_size").value_or(0);
  const json& gated = sub(jm, "ffn_gated");
  m.ffn_gated = gated.is_boolean() && gated.get<bool>();  // a preset's when it says none (below)
  if (!gated.is_boolean() && !preset) ri.defaults_used.push_back("model.ffn_gated (false)");
  m.params_hint = num(jm, "params");
  m.params_active_hint = num(jm, "params_active");
  if (preset) fill_from_preset(m, *preset, jm, type == "moe", ri.defaults_used);
  const json& att = sub(jm, "attention");
  if (att.is_object() && str(att, "kind").value_or("") == "mla") {
    models::MlaSpec a;
    a.q_lora_rank = int(num(att, "q_lora_rank").value_or(0));
    a.kv_lora_rank = int(num(att, "kv_lora_rank").value_or(0));
    a.qk_nope_head_dim = int(num(att, "qk_nope_head_dim").value_or(0));
    a.qk_rope_head_dim = int(num(att, "qk_rope_head_dim").value_or(0));
    a.v_head_dim = int(num(att, "v_head_dim").value_or(0));
    if (a.kv_lora_rank > 0 && a.qk_nope_head_dim > 0 && a.v_head_dim > 0) m.mla = a;
  }
  const json& jmoe = sub(jm, "moe");
  bool moe_complete = m.moe.has_value();  // the preset's experts (fill_from_preset)
  if (type == "moe" && jmoe.is_object() && !moe_complete) {
    models::MoeSpec e;
    e.n_experts = posint(jmoe, "n_experts").value_or(0);
    e.experts_per_token = posint(jmoe, "experts_per_token").value_or(0);
    e.expert_ffn_dim = num(jmoe, "expert_ffn_dim").value_or(0);
    e.shared_ffn_dim = num(jmoe, "shared_ffn_dim").value_or(0);
    e.n_dense_layers = int(num(jmoe, "n_dense_layers").value_or(0));
    moe_complete = e.n_experts > 0 && e.experts_per_token > 0 && e.expert_ffn_dim > 0;
    if (moe_complete) m.moe = e;
  }
  if (m.n_kv_heads <= 0 && m.n_heads > 0) m.n_kv_heads = m.n_heads;
  if (auto hd = posint(jm, "head_dim")) m.head_dim = *hd;
  if (m.seq_len <= 0) {
    m.seq_len = 2048;
    ri.defaults_used.push_back("model.seq_len (2048)");
  }
  if (m.vocab_size <= 0) {
    m.vocab_size = 50257;
    ri.defaults_used.push_back("model.vocab_size (50257)");
  }
  if (!models::shape_complete(m)) {
    // MoE without expert sizes: compute as a dense model of the active parameters.
    std::optional<double> n = (type == "moe" && !moe_complete) ? (m.params_active_hint ? m.params_active_hint : m.params_hint)
                                                                : m.params_hint;
    if (type == "moe" && !moe_complete) {
      m.moe.reset();
      ri.defaults_used.push_back("model.moe (dense equivalent of params_active)");
    }
    if (m.ffn_dim <= 0 && m.d_model > 0 && m.n_layers > 0 && m.n_heads > 0 && !m.moe) {
      m.ffn_dim = m.ffn_gated ? std::round(8.0 * m.d_model / 3.0 / 256.0) * 256.0 : 4.0 * m.d_model;
      // a published count pins ffn better than the 4h rule: solve N = l·(attn + mats·h·f) + 2Vh
      if (n && *n > 0) {
        const auto d = models::layer_dims(m);
        const double attn = d.h * d.q_dim + 2 * d.h * d.kv_dim + d.v_dim * d.h;
        const double emb = double(m.vocab_size) * m.d_model * (m.tied_embeddings ? 1 : 2);
        const double f = (*n - emb - m.n_layers * attn) / (m.n_layers * d.ffn_mats * d.h);
        if (f > 0.5 * m.d_model && f < 16.0 * m.d_model) m.ffn_dim = std::round(f / 128.0) * 128.0;
      }
      ri.defaults_used.push_back("model.ffn_dim (from params / 4h rule)");
    }
    if (!models::shape_complete(m)) {
      if (!n || *n <= 0) {
        ri.why_null = "model shape incomplete and model.params unknown";
        return ri;
      }
      shape_from_params(m, *n, m.ffn_gated);
      ri.shape_from_params = true;
      ri.defaults_used.push_back("model shape (from params)");
    }
  }
  if (m.n_kv_heads <= 0) m.n_kv_heads = m.n_heads;

  // Training.
  auto& t = in.training;
  std::optional<models::Precision> prec = stated_precision(jt, ri.notes);
  const bool prec_s = prec.has_value();  // stated (and understood)
  if (!prec) {
    // fp8 only where its tensor peak is above the 16-bit one (fp8 tensor cores, not emulation).
    if (dev->peak(models::Precision::fp8).value_or(0) > dev->peak(models::Precision::bf16).value_or(0))
      prec = models::Precision::fp8;
    else if (dev->peak(models::Precision::bf16)) prec = models::Precision::bf16;
    else if (dev->peak(models::Precision::fp16)) prec = models::Precision::fp16;
    else prec = models::Precision::fp32;
    ri.defaults_used.push_back("training.precision (" + std::string(models::to_string(*prec)) + ")");
  }
  t.precision = *prec;
  // A run that trained in fp16 (with loss scaling) on a GPU that has bf16 tensor cores used a stack
  // from before bf16 and FlashAttention became the default (Megatron-LM 2019-2022: fused softmax
  // over materialised s×s scores); later stacks train bf16/fp8. Only a stated fp16 counts.
  const bool fp16_era = prec_s && t.precision == models::Precision::fp16 && dev->device_type == "gpu" &&
                        dev->peak(models::Precision::bf16).value_or(0) > 0;
  if (fp16_era) {
    t.fused_attention = false;
    t.attention_dropout = true;  // Megatron-LM's default --attention-dropout 0.1 of that era
  }
  // The same software generation on any GPU without a fused attention kernel (V100 and older, or
  // fp32 training): also before sequence parallelism, selective recompute and overlapped DP
  // communication (below).
  const bool unfused_stack = !t.fused_attention.value_or(models::fused_attention(*dev, t.precision));
  if (unfused_stack) t.overlap_grad_reduce = false;
  if (!dev->peak(t.precision)) {
    ri.why_null = "unknown for " + dev->id + ": peak_flops_" + std::string(models::to_string(t.precision));
    return ri;
  }
  const std::optional<models::Recompute> rc = stated_recompute(jt, ri.notes);
  in.fixed_recompute = rc.has_value();
  t.recompute = rc.value_or(models::Recompute::none);
  // A stack without a fused attention kernel (materialised s×s scores: the fp16 era above, or a GPU
  // that FlashAttention does not run on) checkpointed every layer: full recompute was the only kind
  // before selective recompute arrived with sequence parallelism (Korthikanti et al. 2022), and
  // Megatron-LM's and DeepSpeed's example scripts of that time all pass --checkpoint-activations.
  // Every record of that kind that names its recompute says full (megatron-lm-2021).
  if (!rc && unfused_stack) {
    t.recompute = models::Recompute::full;
    in.fixed_recompute = true;
    ri.defaults_used.push_back("training.activation_recompute (full: unfused-attention stack)");
  } else if (!rc) {
    ri.defaults_used.push_back("training.activation_recompute (searched)");
  }
  if (str(jt, "phase_kind").value_or("pretrain") == "finetune") t.phase = models::Phase::finetune;
  const json& lora = sub(jt, "lora");
  if (lora.is_object()) {
    models::LoraSpec ls;
    ls.rank = posint(lora, "rank").value_or(16);
    const json& tg = sub(lora, "target");
    if (tg.is_array())
      for (const auto& x : tg) {
        const auto names =
            x.is_string() ? record_lora_target(x.get<std::string>(), m.ffn_gated) : std::nullopt;
        if (names)
          ls.targets.insert(ls.targets.end(), names->begin(), names->end());
        else
          ri.notes.push_back("training.lora.target " + x.dump() +
                             " is not a matrix the model knows: left out");
      }
    if (ls.targets.empty()) {
      ls.targets = {"q_proj", "v_proj"};  // PEFT's default for Llama-style models
      ri.defaults_used.push_back("training.lora.target (q_proj, v_proj)");
    }
    t.lora = ls;
  }

  // System: device count.
  auto gpus = posint(js, "gpu_count");
  ri.gpu_count_known = gpus.has_value();
  if (!gpus) {
    // A record that names its data, tensor and pipeline degrees has named its device count:
    // dp·tp·pp·cp (experts are laid over the dp·cp·tp ranks, so ep does not multiply).
    const json& p = sub(js, "parallelism");
    const auto dp = posint(p, "dp"), tp = posint(p, "tp"), pp = posint(p, "pp");
    if (dp && tp && pp) {
      const double n = double(*dp) * *tp * *pp * posint(p, "cp").value_or(1);
      if (n <= 1e7) {
        gpus = int(n);
        ri.gpu_count_known = true;
      }
    }
  }
  if (!gpus) {
    // The fewest devices that hold the model's training state (predict_record then scales a whole
    // run up to the planning horizon, kDefaultRunHorizonH).
    const double n = models::count_params(m).total;
    const double mem = dev->memory_bytes.value_or(80e9);
    gpus = std::max(8, next_pow2(20.0 * n / (0.6 * mem)));
    ri.defaults_used.push_back("system.gpu_count (" + std::to_string(*gpus) + ")");
  }
  in.device_count = *gpus;

  // Batch and tokens.
  auto gbt = num(jt, "global_batch_tokens");
  if (!gbt) {
    if (auto gbs = num(jt, "global_batch_samples")) gbt = *gbs * m.seq_len;
  }
  ri.batch_known = gbt.has_value();
  if (!gbt) {
    gbt = default_batch_tokens(in.device_count, m.seq_len);
    ri.defaults_used.push_back("training.global_batch_tokens");
  }
  t.global_batch_tokens = *gbt;
  auto tokens = num(jt, "training_tokens");
  if (!tokens) {
    if (auto ts = num(jt, "training_samples")) tokens = *ts * m.seq_len;
  }
  ri.tokens_known = tokens.has_value();
  t.training_tokens = tokens.value_or(0);
  auto mbs = posint(jt, "micro_batch_size");
  if (!mbs) {
    // gradient_accumulation pins the micro-batch when dp is known (checked after the layout)
  }

  // Layout.
  const json& par = sub(js, "parallelism");
  auto& fx = in.fixed;
  fx.dp = posint(par, "dp");
  fx.tp = posint(par, "tp");
  fx.pp = posint(par, "pp");
  fx.cp = posint(par, "cp");
  fx.ep = posint(par, "ep");
  fx.vp = posint(par, "vp");
  fx.micro_batch_size = mbs;
  fx.sharding = stated_sharding(js, ri.notes);
  // Unnamed cp / ep / vp in a record that names dp, tp and pp are 1 (the source would say otherwise).
  const bool core_given = fx.dp && fx.tp && fx.pp;
  if (core_given) {
    // ...except a context-parallel degree the device count implies: dp·tp·pp·cp = devices.
    const long dtp = long(*fx.dp) * *fx.tp * *fx.pp;
    if (!fx.cp && in.device_count > dtp && in.device_count % dtp == 0) {
      fx.cp = int(in.device_count / dtp);
      ri.defaults_used.push_back("system.parallelism.cp (" + std::to_string(*fx.cp) +
                                 " = devices / (dp·tp·pp))");
    }
    if (!fx.cp) fx.cp = 1;
    if (!fx.ep) fx.ep = 1;
    if (!fx.vp) fx.vp = 1;
  }
  if (!fx.sharding && fx.dp && *fx.dp == 1 && fx.cp.value_or(1) == 1) fx.sharding = models::Sharding::none;
  // Sequence parallelism arrived with the same generation of Megatron as selective recompute (2022,
  // Korthikanti et al.), after FlashAttention-less fp16 stacks: none there.
  if (unfused_stack) fx.sequence_parallel = false;
  if (!fx.micro_batch_size) {
    if (auto ga = posint(jt, "gradient_accumulation"); ga && fx.dp && m.seq_len > 0) {
      const double seqs = t.global_batch_tokens / m.seq_len;
      const double mb = seqs / (double(*fx.dp) * *ga);
      if (mb >= 1 && std::fabs(mb - std::round(mb)) < 1e-6) fx.micro_batch_size = int(std::lround(mb));
    }
  }
  const bool fully_given = core_given && fx.micro_batch_size && fx.sharding && rc;
  if (!(core_given)) ri.defaults_used.push_back("system.parallelism (auto layout)");
  else if (!fx.micro_batch_size) ri.defaults_used.push_back("training.micro_batch_size (searched)");
  in.auto_layout = true;
  // A published run fitted in memory: where our memory model finds no layout that fits, its fastest
  // candidate is the better guess of what ran (a scenario's estimate shows the leanest instead).
  in.infeasible_shows_fastest = true;
  if (fully_given) {
    models::Layout l;
    l.dp = *fx.dp;
    l.tp = *fx.tp;
    l.pp = *fx.pp;
    l.cp = *fx.cp;
    l.ep = *fx.ep;
    l.vp = *fx.vp;
    l.micro_batch_size = *fx.micro_batch_size;
    l.sharding = *fx.sharding;
    l.sequence_parallel = fx.sequence_parallel.value_or(l.tp > 1);
    l.schedule = (l.vp > 1 && l.pp > 1) ? models::PipelineSchedule::interleaved : models::PipelineSchedule::one_f_one_b;
    t.micro_batch_size = l.micro_batch_size;
    in.layout = l;
    in.auto_layout = false;
  }
  // Whole runs: g0 (fitted) × the interruption goodput of this many devices (models/goodput.h).
  in.goodput = run_goodput(in, o);
  // Records' energy is the facility's (× PUE); the record does not carry PUE: the scenario default
  // (Epoch AI's non-hyperscale 1.25, models/energy.h kPueOther) as `flopcast estimate` uses.
  in.costs.pue = models::kPueOther;
  ri.ok = true;
  return ri;
}

namespace {

// Runs the estimate; a given layout that the model rejects falls back on the auto search with
// as many of its parts kept as still validate.
models::EstimateResult run_estimate(models::EstimateInput in, std::vector<std::string>& notes) {
  models::EstimateResult r = models::estimate(in);
  if (r.ok) return r;
  const std::string first = r.error;
  if (!in.auto_layout) {
    in.auto_layout = true;
    r = models::estimate(in);
    if (r.ok) {
      notes.push_back("given layout rejected (" + first + "): auto layout with its parts fixed");
      return r;
    }
  }
  // Relax constraints one at a time: micro-batch, sharding, vp, then the data and context degrees
  // (a device count that disagrees with dp·tp·pp·cp: the model-parallel degrees are the better
  // kept), then everything.
  auto& fx = in.fixed;
  int step = 0;
  for (; step < 5 && !r.ok; ++step) {
    if (step == 0) fx.micro_batch_size.reset();
    if (step == 1) fx.sharding.reset();
    if (step == 2) fx.vp.reset();
    if (step == 3) {
      fx.dp.reset();
      fx.cp.reset();
    }
    if (step == 4) fx = models::LayoutConstraints{};
    r = models::estimate(in);
  }
  if (r.ok)
    notes.push_back("given layout rejected (" + first + "): auto layout" +
                    (step <= 4 ? std::string(" keeping its tensor, pipeline and expert degrees")
                               : std::string()));
  else r.error = first;
  return r;
}

}  // namespace

int searched_defaults(const std::vector<std::string>& defaults_used) {
  int n = 0;
  for (const auto& d : defaults_used)
    if (d.find("(searched)") != std::string::npos || d.find("(auto layout)") != std::string::npos) ++n;
  return n;
}

namespace {

double sigma_for(const std::string& metric, const RecordInput& ri, const UncertaintyParams& u) {
  const SpreadBasis b{.moe = is_moe(ri.input.model),
                      .n_defaults = int(ri.defaults_used.size()),
                      .n_searched = searched_defaults(ri.defaults_used)};
  const Spread s = metric == "gpu_hours" || metric == "wall_time_h" ? Spread::whole_run
                   : metric == "energy_mwh"                         ? Spread::energy
                   : metric == "peak_memory_gib_per_gpu"            ? Spread::memory
                                                                    : Spread::throughput;
  return band_sigma(u, s, b);
}

std::string layout_string(const models::Layout& l, models::Recompute rc, int rc_layers) {
  char buf[256];
  const char* shs[] = {"none", "zero1", "zero2", "zero3"};
  const char* rcs[] = {"none", "selective", "full"};
  std::snprintf(buf, sizeof buf, "dp%d tp%d pp%d cp%d ep%d vp%d mb%d %s%s recompute=%s", l.dp, l.tp, l.pp, l.cp, l.ep,
                l.vp, l.micro_batch_size, shs[int(l.sharding)], l.sequence_parallel ? " sp" : "", rcs[int(rc)]);
  std::string out = buf;
  if (rc == models::Recompute::full && rc_layers > 0) out += "(" + std::to_string(rc_layers) + " layers/stage)";
  return out;
}

// A whole run whose record gives no device count: the fewest devices that hold the model would
// take years for a pre-training corpus, which no team plans. Double the count (the layout searched
// again each time) until the run fits the planning horizon kDefaultRunHorizonH, the batch or the
// model stops it scaling, or kDefaultMaxDevices is reached; the count is then a planning default
// that defaults_used names.
void scale_to_horizon(RecordInput& ri, models::EstimateResult& r, std::vector<std::string>& notes,
                      const PredictOptions& o) {
  const int first = ri.input.device_count;
  while (r.ok && r.wall_time_h > kDefaultRunHorizonH &&
         ri.input.device_count * 2 <= kDefaultMaxDevices) {
    models::EstimateInput in = ri.input;
    in.device_count *= 2;
    in.goodput = run_goodput(in, o);
    if (!ri.batch_known)
      in.training.global_batch_tokens = default_batch_tokens(in.device_count, in.model.seq_len);
    std::vector<std::string> n2 = notes;
    models::EstimateResult r2 = run_estimate(in, n2);
    if (!r2.ok || n2.size() > notes.size())
      break;  // no layout at that scale, or only a relaxed one
    ri.input = std::move(in);
    r = std::move(r2);
  }
  if (ri.input.device_count == first) return;
  const std::string why = r.wall_time_h <= kDefaultRunHorizonH
                              ? "doubled until the run takes at most " +
                                    std::to_string(int(kDefaultRunHorizonH / 24)) + " days"
                              : "doubled as far as a layout fits; the run still takes " +
                                    std::to_string(int(r.wall_time_h / 24)) + " days";
  for (auto& d : ri.defaults_used)
    if (d.rfind("system.gpu_count (", 0) == 0)
      d = "system.gpu_count (" + std::to_string(ri.input.device_count) + ": the fewest devices, " +
          why + ")";
}

}  // namespace

namespace {

RecordPrediction predict_canonical(const json& rec, const DeviceLookup& lookup,
                                   const PredictOptions& o) {
  // Encoders, encoder-decoders, ViTs and CNNs, and any record naming a model-library preset
  // (Transformer-XL is a library entry whatever type its record gives: a decoder-style stack with a
  // recurrence memory that the GPT decoder model does not have).
  const auto preset = str(sub(rec, "model"), "preset");
  if (is_zoo_type(str(sub(rec, "model"), "type").value_or("")) ||
      (preset && find_library_model(*preset)))
    return predict_zoo_record(rec, lookup, o);
  RecordPrediction p;
  auto& out = p.out;
  out["id"] = rec.is_object() && rec.contains("id") ? rec["id"] : json(nullptr);
  ordered_json pred = ordered_json::object(), lo = ordered_json::object(), hi = ordered_json::object(),
               why = ordered_json::object();
  RecordInput ri = record_to_input(rec, lookup, o);
  models::EstimateResult r;
  std::vector<std::string> notes = ri.notes;
  std::string all_null;
  if (!ri.ok) all_null = ri.why_null;
  else {
    r = run_estimate(ri.input, notes);
    if (!r.ok) all_null = "model: " + r.error;
    else if (!ri.gpu_count_known && ri.tokens_known)
      scale_to_horizon(ri, r, notes, o);
  }
  auto put = [&](const std::string& k, std::optional<double> v, const std::string& reason) {
    if (v && std::isfinite(*v) && *v > 0) {
      pred[k] = *v;
      const double s = sigma_for(k, ri, o.uncertainty);
      lo[k] = *v * std::exp(-kZ90 * s);
      hi[k] = *v * std::exp(kZ90 * s);
    } else {
      pred[k] = nullptr;
      lo[k] = nullptr;
      hi[k] = nullptr;
      why[k] = reason.empty() ? "not computable" : reason;
    }
  };
  if (!all_null.empty()) {
    for (const auto& k : metric_names()) put(k, std::nullopt, all_null);
  } else {
    const auto& in = ri.input;
    const double tps = r.tokens_per_s_per_gpu;
    put("tokens_per_s_per_gpu", tps, "");
    put("samples_per_s_per_gpu", tps / in.model.seq_len, "");
    if (ri.batch_known && ri.gpu_count_known)
      put("step_time_s", in.training.global_batch_tokens / (tps * in.device_count), "");
    else
      put("step_time_s", std::nullopt,
          !ri.batch_known ? "training.global_batch_tokens unknown" : "system.gpu_count unknown");
    if (ri.tokens_known) put("gpu_hours", r.gpu_hours, "");
    else put("gpu_hours", std::nullopt, "training.training_tokens unknown");
    if (ri.tokens_known && ri.gpu_count_known) put("wall_time_h", r.wall_time_h, "");
    else put("wall_time_h", std::nullopt, !ri.tokens_known ? "training.training_tokens unknown" : "system.gpu_count unknown");
    if (ri.tokens_known && r.energy_known)
      put("energy_mwh", r.energy_mwh, "");
    else
      put("energy_mwh", std::nullopt,
          !ri.tokens_known ? "training.training_tokens unknown" : "device power unknown (tdp_w / system power)");
    const double mem_b = r.memory.allocated_bytes > 0 ? r.memory.allocated_bytes : r.memory.total_bytes;
    put("peak_memory_gib_per_gpu", mem_b / (1024.0 * 1024 * 1024), "memory model returned nothing");
    put("mfu", r.mfu, "");
  }
  out["predicted"] = pred;
  out["p10"] = lo;
  out["p90"] = hi;
  out["why_null"] = why;
  if (r.ok) {
    out["layout"] = layout_string(r.layout, r.recompute, r.recompute_layers);
    out["precision"] = std::string(models::to_string(ri.input.training.precision));
    out["devices"] = ri.input.device_count;
    if (!r.alternatives.empty()) {
      ordered_json alts = ordered_json::array();
      for (const auto& c : r.alternatives)
        alts.push_back({{"layout", layout_string(c.layout, c.recompute, c.recompute_layers)},
                        {"tokens_per_s_per_gpu", c.tokens_per_s_per_gpu},
                        {"memory_gib", c.memory_gib},
                        {"why", c.why}});
      out["alternatives"] = alts;
      out["layouts_evaluated"] = r.layouts_evaluated;
    }
  }
  out["defaults_used"] = ri.defaults_used;
  for (const auto& n : r.notes) notes.push_back(n);
  out["notes"] = notes;
  p.result = std::move(r);
  p.ok = p.result.ok;
  p.moe = ri.ok && is_moe(ri.input.model);
  return p;
}

}  // namespace

RecordPrediction predict_record(const json& stated, const DeviceLookup& lookup,
                                const PredictOptions& o) {
  // Vocabulary values and numbers as people write them (scenarios/record_values.h), then predict.
  std::vector<std::string> read_notes;
  RecordPrediction p = predict_canonical(canonical_record(stated, &read_notes), lookup, o);
  if (!read_notes.empty()) {
    ordered_json notes = read_notes;
    if (p.out.contains("notes") && p.out["notes"].is_array())
      for (const auto& n : p.out["notes"]) notes.push_back(n);
    p.out["notes"] = notes;
  }
  return p;
}

std::string not_records_message(const json& doc) {
  std::string m = "expected a JSON array of run records at /";
  if (doc.is_object() && doc.contains("schema_version"))
    m += " (this is a scenario: flopcast estimate FILE reads it)";
  else if (doc.is_object() && doc.contains("seeds"))
    m += " (this is the seeds' comparison file: flopcast models seeds FILE reads it)";
  return m;
}

ordered_json predict_all(const json& records, const DeviceLookup& lookup, const PredictOptions& o, std::string* error) {
  ordered_json arr = ordered_json::array();
  if (!records.is_array()) {
    if (error) *error = not_records_message(records);
    return arr;
  }
  for (const auto& rec : records) arr.push_back(predict_record(rec, lookup, o).out);
  return arr;
}

ValidationReport validate_records(const json& records, const DeviceLookup& lookup, const PredictOptions& o) {
  ValidationReport rep;
  if (!records.is_array()) return rep;
  for (const auto& rec : records) {
    ++rep.records;
    const auto pr = predict_record(rec, lookup, o);
    const json& meas = sub(rec, "measured");
    const std::string id = str(rec, "id").value_or("?");
    const std::string fam = str(rec, "family").value_or("?");
    const bool low = str(rec, "verification").value_or("") == "low-confidence";
    for (const auto& k : metric_names()) {
      auto mv = num(meas, k.c_str());
      if (!mv || *mv <= 0) continue;
      const auto& pv = pr.out["predicted"][k];
      if (!pv.is_number()) {
        const auto& w = pr.out["why_null"];
        rep.not_predicted.push_back({id, k + ": " + (w.contains(k) ? w[k].get<std::string>() : std::string("?"))});
        continue;
      }
      ValidationRow row;
      row.id = id;
      row.family = fam;
      row.group = family_group(fam);
      row.kind = str(rec, "kind").value_or("?");
      row.metric = k;
      row.predicted = pv.get<double>();
      row.measured = *mv;
      row.p10 = pr.out["p10"][k].get<double>();
      row.p90 = pr.out["p90"][k].get<double>();
      row.error = (row.predicted - row.measured) / row.measured;
      row.in_band = row.measured >= row.p10 && row.measured <= row.p90;
      row.low_confidence = low;
      row.n_defaults = int(pr.out["defaults_used"].size());
      row.n_searched = searched_defaults(pr.out["defaults_used"].get<std::vector<std::string>>());
      row.moe = pr.moe;
      rep.rows.push_back(std::move(row));
    }
  }
  return rep;
}

std::string read_json_file(const std::string& path, json& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return path + ": cannot open file";
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  try {
    out = json::parse(text);
  } catch (const json::parse_error& e) {
    const hwprofiles::JsonSyntaxError err = hwprofiles::describe_parse_error(text, e);
    return path + ":" + std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
           err.message;
  }
  return "";
}

DeviceLookup builtin_device_lookup() {
  return [](const std::string& id) -> std::optional<models::DeviceSpec> {
    const auto* d = catalog_device_spelled(id);  // also "NVIDIA-H100-SXM5-80GB"
    if (!d) return std::nullopt;
    return d->to_device_spec();
  };
}

std::vector<Aggregate> aggregate(const ValidationReport& r, const std::string& metric,
                                 const std::function<std::string(const ValidationRow&)>& key) {
  std::map<std::string, std::vector<const ValidationRow*>> groups;
  for (const auto& row : r.rows)
    if (row.metric == metric && !row.low_confidence) groups[key(row)].push_back(&row);
  std::vector<Aggregate> out;
  for (const auto& [k, rows] : groups) {
    Aggregate a;
    a.key = k;
    a.n = int(rows.size());
    std::vector<double> widths;
    for (const auto* row : rows) {
      a.mape += std::fabs(row->error);
      a.bias += row->error;
      a.in_band += row->in_band ? 1 : 0;
      widths.push_back((row->p90 - row->p10) / row->predicted);
    }
    a.mape /= a.n;
    a.bias /= a.n;
    a.in_band /= a.n;
    std::sort(widths.begin(), widths.end());
    a.median_width = widths[widths.size() / 2];
    out.push_back(a);
  }
  return out;
}

namespace {
std::string pct(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * x);
  return b;
}
std::string pct_signed(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f%%", 100 * x);
  return b;
}
std::string g4(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", x);
  return b;
}
}  // namespace

std::string validation_markdown(const ValidationReport& r, const std::string& command) {
  std::string s;
  s += "# Validation against published training runs\n\n";
  s += "Generated by `" + command + "` (do not edit by hand).\n";
  s += "Error e = (predicted − measured)/measured; MAPE = mean |e|; bias = mean e. Records marked\n";
  s += "`low-confidence` are listed per record but left out of every aggregate. In-band: measured\n";
  s += "value inside the predicted P10–P90 band; width: median (P90−P10)/P50.\n\n";
  std::set<std::string> metrics;
  for (const auto& row : r.rows) metrics.insert(row.metric);
  for (const auto& metric : metric_names()) {
    if (!metrics.count(metric)) continue;
    auto fams = aggregate(r, metric, [](const ValidationRow& x) { return x.family; });
    auto groups = aggregate(r, metric, [](const ValidationRow& x) { return x.group; });
    auto kinds = aggregate(r, metric, [](const ValidationRow& x) { return x.kind; });
    double mean_fam = 0, mean_grp = 0;
    for (auto& a : fams) mean_fam += a.mape;
    for (auto& a : groups) mean_grp += a.mape;
    if (!fams.empty()) mean_fam /= fams.size();
    if (!groups.empty()) mean_grp /= groups.size();
    int n = 0, inb = 0;
    for (const auto& row : r.rows)
      if (row.metric == metric && !row.low_confidence) {
        ++n;
        inb += row.in_band;
      }
    s += "## " + metric + "\n\n";
    s += "Headline: mean of per-family MAPEs **" + pct(mean_fam) + "** over " + std::to_string(fams.size()) +
         " families (" + std::to_string(n) + " records); mean of per-group MAPEs " + pct(mean_grp) +
         "; measured inside P10–P90 for " + pct(n ? double(inb) / n : 0) + ".\n\n";
    auto table = [&](const std::string& title, const std::vector<Aggregate>& aggs) {
      s += "| " + title + " | records | MAPE | bias | in band | median width |\n|---|---|---|---|---|---|\n";
      for (const auto& a : aggs)
        s += "| " + a.key + " | " + std::to_string(a.n) + " | " + pct(a.mape) + " | " + pct_signed(a.bias) + " | " +
             pct(a.in_band) + " | " + pct(a.median_width) + " |\n";
      s += "\n";
    };
    table("family", fams);
    table("source group", groups);
    table("kind", kinds);
  }
  s += "## Per record\n\n| id | metric | predicted | measured | error | P10 | P90 |\n|---|---|---|---|---|---|---|\n";
  for (const auto& row : r.rows)
    s += "| " + row.id + (row.low_confidence ? " (low-confidence)" : "") + " | " + row.metric + " | " +
         g4(row.predicted) + " | " + g4(row.measured) + " | " + pct_signed(row.error) + " | " + g4(row.p10) + " | " +
         g4(row.p90) + " |\n";
  if (!r.not_predicted.empty()) {
    s += "\n## Measured but not predicted\n\n| id | why |\n|---|---|\n";
    for (const auto& [id, why] : r.not_predicted) s += "| " + id + " | " + why + " |\n";
  }
  return s;
}

ordered_json validation_json(const ValidationReport& r) {
  ordered_json j;
  j["records"] = r.records;
  ordered_json rows = ordered_json::array();
  for (const auto& row : r.rows)
    rows.push_back({{"id", row.id},
                    {"family", row.family},
                    {"group", row.group},
                    {"kind", row.kind},
                    {"metric", row.metric},
                    {"predicted", row.predicted},
                    {"measured", row.measured},
                    {"error", row.error},
                    {"p10", row.p10},
                    {"p90", row.p90},
                    {"in_band", row.in_band},
                    {"low_confidence", row.low_confidence},
                    {"n_defaults", row.n_defaults},
                    {"n_searched", row.n_searched},
                    {"moe", row.moe}});
  j["rows"] = rows;
  ordered_json summary = ordered_json::object();
  for (const auto& metric : metric_names()) {
    auto fams = aggregate(r, metric, [](const ValidationRow& x) { return x.family; });
    if (fams.empty()) continue;
    ordered_json per = ordered_json::object();
    double mean = 0;
    for (const auto& a : fams) {
      per[a.key] = {{"n", a.n}, {"mape", a.mape}, {"bias", a.bias}, {"in_band", a.in_band}, {"median_width", a.median_width}};
      mean += a.mape;
    }
    summary[metric] = {{"mean_family_mape", mean / fams.size()}, {"families", per}};
  }
  j["summary"] = summary;
  ordered_json np = ordered_json::array();
  for (const auto& [id, why] : r.not_predicted) np.push_back({{"id", id}, {"why", why}});
  j["not_predicted"] = np;
  return j;
}

}  // namespace flopcast::scenarios
