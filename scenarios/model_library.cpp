#include "scenarios/model_library.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "scenarios/json_fields.h"
#include "scenarios/record_values.h"

extern "C" const char flopcast_model_library_json[];
extern "C" const std::size_t flopcast_model_library_json_size;

namespace flopcast::scenarios {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

using json_fields::field;
using json_fields::number;
using json_fields::positive;
using json_fields::text;
using json_fields::flag;
// The override's value when given (non-null), else the entry's.
template <class F>
auto pick(const json& over, const json& entry, const char* key, F get) -> decltype(get(entry, key)) {
  if (auto v = get(over, key)) return v;
  return get(entry, key);
}

std::vector<LibraryModel> load_library() {
  const json doc = json::parse(std::string_view(flopcast_model_library_json, flopcast_model_library_json_size));
  std::vector<LibraryModel> out;
  for (const auto& e : doc.at("models")) {
    LibraryModel m;
    m.name = e.at("name").get<std::string>();
    if (e.contains("aliases"))
      for (const auto& a : e.at("aliases")) m.aliases.push_back(a.get<std::string>());
    auto k = kind_from_name(e.at("kind").get<std::string>());
    if (!k) throw std::logic_error("model_library.json: /models/" + m.name + "/kind: unknown kind");
    m.kind = *k;
    m.entry = e;
    const json& pub = field(e, "published");
    m.published_params = number(pub, "params");
    m.published_gmacs = number(pub, "gmacs_per_image");
    m.published_image_size = positive(pub, "gmacs_image_size").value_or(0);
    m.source = text(e, "source").value_or("");
    out.push_back(std::move(m));
  }
  return out;
}

models::TransformerStackSpec stack_from(const json& over, const json& entry, std::string* error) {
  models::TransformerStackSpec t;
  t.n_layers = pick(over, entry, "n_layers", positive).value_or(0);
  t.d_model = pick(over, entry, "d_model", positive).value_or(0);
  t.n_heads = pick(over, entry, "n_heads", positive).value_or(0);
  t.head_dim = positive(entry, "head_dim").value_or(0);
  if (t.head_dim > 0 && number(over, "d_model") && !number(entry, "d_model")) t.head_dim = 0;
  t.ffn_dim = pick(over, entry, "ffn_dim", number).value_or(0);
  t.ffn_gated = pick(over, entry, "ffn_gated", flag).value_or(false);
  t.biases = flag(entry, "biases").value_or(true);
  t.norms_params = text(entry, "norm").value_or("layernorm") == "rms" ? 1 : 2;
  if (t.d_model <= 0 || t.n_heads <= 0) {
    if (error) *error = "model.d_model and model.n_heads are needed (no preset gives them)";
    return t;
  }
  if (t.ffn_dim <= 0) t.ffn_dim = 4.0 * t.d_model;  // documented default: the 4h rule
  return t;
}

// Transformer-XL (Dai et al. 2019) as a decoder-style stack: the zoo's layer kinds have no
// relative-position attention with a recurrence memory, so each layer is built here from the
// same GEMM / memory-bound ops (models/zoo_estimate.h) with the memory length added to the key
// length (klen = seq_len + mem_len; mem_len scales with seq_len from the preset's pair):
//   qkv over [memory; segment] (klen rows, no biases), relative-position projection r_net (once per
//   batch over klen positions: its FLOPs are negligible and not counted, its weights are),
//   scores AC = q·kᵀ and BD = q·rᵀ (two s×klen GEMMs per head), rel-shift + softmax + dropout on
//   the s×klen scores, AV, output projection (no bias), FFN (biases), two LayerNorms, dropouts and
//   residuals as the encoder layer counts them; r_w_bias and r_r_bias shared by all layers.
// Adaptive input / softmax (Baevski & Auli 2019; Grave et al. 2017) with cutoffs c and div_val k:
//   cluster i holds n_i words at width d/kⁱ (+ a d_i×d projection when k > 1); the output layer is
//   tied to the input embedding (WikiText-103 runs: tie_weight, tie_projs except the head's); its
//   head (c₀ words + one logit per tail cluster) runs on every token, tail cluster i only on the
//   tokens whose target falls in it, a fraction taken from Zipf's law (word rank r has frequency
//   ∝ 1/r): (H(c_{i+1}) − H(c_i)) / H(V), H(n) = ln n + γ.
std::optional<models::LayerList> build_memory_decoder(const json& entry, const json& over, const SampleInput& in,
                                                      const std::string& name, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<models::LayerList> {
    if (error) *error = why;
    return std::nullopt;
  };
  std::string err;
  const models::TransformerStackSpec t = stack_from(over, entry, &err);
  if (!err.empty()) return fail(err);
  if (t.n_layers <= 0) return fail("model.n_layers is needed (no preset gives it)");
  if (in.seq_len <= 0) return fail("model.input.seq_len is needed for a decoder-style stack");
  const double V = pick(over, entry, "vocab_size", positive).value_or(0);
  if (V <= 0) return fail("model.vocab_size is needed (no preset gives it)");
  // The memory length the recipes train with is the segment length (the paper's WikiText-103
  // scripts: 150/150 and 384/384; DeepLearningExamples' base: 192/192): a sample of another length
  // keeps that ratio to the preset's.
  const double preset_seq = positive(entry, "seq_len").value_or(0);
  const double preset_mem = positive(entry, "mem_len").value_or(0);
  const double mem = preset_seq > 0 ? preset_mem * in.seq_len / preset_seq : preset_mem;
  const double s = in.seq_len, klen = s + mem, h = t.d_model, inner = t.inner(), f = t.ffn_dim;
  const double dk = inner / t.n_heads;
  const int div_val = positive(entry, "adaptive_div_val").value_or(1);
  std::vector<double> edges{0};
  if (const json& c = field(entry, "adaptive_cutoffs"); c.is_array())
    for (const auto& v : c)
      if (v.is_number() && v.get<double>() > edges.back() && v.get<double>() < V) edges.push_back(v.get<double>());
  edges.push_back(V);
  const int clusters = int(edges.size()) - 1;  // head + tails
  constexpr double kEulerGamma = 0.5772156649015329;
  auto harmonic = [&](double n) { return n > 0 ? std::log(n) + kEulerGamma : 0.0; };

  models::LayerList L;
  L.name = name;
  L.kind = models::ModelKind::decoder;
  L.tokens_per_sample = s;
  double emb_params = 0;
  for (int i = 0; i < clusters; ++i) {
    const double di = std::max(1.0, std::floor(h / std::pow(double(div_val), i)));
    emb_params += (edges[i + 1] - edges[i]) * di + (div_val > 1 ? di * h : 0.0);
  }
  models::ZooOp emb = models::memory_op("adaptive input embedding", s * h * 3, 0);
  emb.weight_params = emb_params;
  L.add(emb);
  models::ZooOp rb = models::memory_op("relative biases r_w, r_r", 2 * s * inner, 0);
  rb.weight_params = 2 * inner;  // shared by all layers (untie_r false)
  L.add(rb);
  const int n = t.n_layers;
  auto add = [&](models::ZooOp o) {
    o.repeat = n;
    L.add(std::move(o));
  };
  add(models::gemm_op("layer qkv over memory+segment", klen, 3 * inner, h, 3 * h * inner));
  add(models::gemm_op("layer r_net (once per batch)", 0, inner, h, h * inner));
  models::ZooOp ac = models::gemm_op("layer scores AC (content)", s, klen, dk, 0, t.n_heads);
  ac.attention_score = true;
  ac.saved_elems_per_sample = s * inner + klen * inner;
  add(ac);
  models::ZooOp bd = models::gemm_op("layer scores BD (position)", s, klen, dk, 0, t.n_heads);
  bd.attention_score = true;
  bd.saved_elems_per_sample = s * inner + klen * inner;
  add(bd);
  models::ZooOp sm = models::memory_op("layer rel-shift+softmax+dropout", 6 * s * klen * t.n_heads,
                                       2 * s * klen * t.n_heads);
  sm.attention_score = true;
  add(sm);
  models::ZooOp av = models::gemm_op("layer scores AV", s, dk, klen, 0, t.n_heads);
  av.attention_score = true;
  av.saved_elems_per_sample = klen * inner;
  add(av);
  add(models::gemm_op("layer o_net", s, h, inner, inner * h));
  add(models::gemm_op("layer ffn in", s, f, h, h * f + f));
  add(models::memory_op("layer activation", 2 * s * f, s * f));
  add(models::gemm_op("layer ffn out", s, h, f, f * h + h));
  models::ZooOp norms = models::memory_op("layer norms+dropout+residual", s * h * (2 * 3 + 3 * 2 + 2 * 3), s * h * 4);
  norms.weight_params = 2.0 * t.norms_params * h;
  add(norms);

  // Adaptive softmax, tied to the input embedding: new parameters are the output biases (one per
  // word), the tail-cluster logits of the head, and the head's own projection when div_val > 1.
  const double head_n = edges[1] + (clusters - 1);
  const double head_d = h;  // cluster 0 keeps the full width
  models::ZooOp head = models::gemm_op("adaptive softmax head", s, head_n, head_d,
                                       V + (clusters - 1) * (head_d + 1) + (div_val > 1 ? h * h : 0.0));
  L.add(head);
  double loss_elems = 3 * s * head_n;
  for (int i = 1; i < clusters; ++i) {
    const double frac = (harmonic(edges[i + 1]) - harmonic(edges[i])) / harmonic(V);
    const double di = std::max(1.0, std::floor(h / std::pow(double(div_val), i)));
    const double rows = s * frac;
    if (div_val > 1) L.add(models::gemm_op("adaptive softmax tail " + std::to_string(i) + " projection", rows, di, h, 0));
    L.add(models::gemm_op("adaptive softmax tail " + std::to_string(i), rows, edges[i + 1] - edges[i], di, 0));
    loss_elems += 3 * rows * (edges[i + 1] - edges[i]);
  }
  models::ZooOp loss = models::memory_op("adaptive softmax+loss", loss_elems, 0);
  loss.elementwise_fp32 = true;
  L.add(loss);
  return L;
}

}  // namespace

std::string kind_name(models::ModelKind k) {
  switch (k) {
    case models::ModelKind::decoder: return "decoder";
    case models::ModelKind::encoder: return "encoder";
    case models::ModelKind::encoder_decoder: return "encoder-decoder";
    case models::ModelKind::vit: return "vit";
    case models::ModelKind::cnn: return "cnn";
  }
  return "?";
}

std::optional<models::ModelKind> kind_from_name(std::string_view s) {
  if (s == "decoder" || s == "dense" || s == "moe") return models::ModelKind::decoder;
  if (s == "encoder") return models::ModelKind::encoder;
  if (s == "encoder-decoder") return models::ModelKind::encoder_decoder;
  if (s == "vit") return models::ModelKind::vit;
  if (s == "cnn") return models::ModelKind::cnn;
  return std::nullopt;
}

bool is_zoo_type(std::string_view t) { return t == "encoder" || t == "encoder-decoder" || t == "vit" || t == "cnn"; }

std::string_view model_library_json() {
  return std::string_view(flopcast_model_library_json, flopcast_model_library_json_size);
}

const std::vector<LibraryModel>& model_library() {
  static const std::vector<LibraryModel> lib = load_library();
  return lib;
}

const LibraryModel* find_library_model(std::string_view name) {
  for (const auto& m : model_library())
    if (m.name == name) return &m;
  return nullptr;
}

const LibraryModel* match_library_model(std::string_view text) {
  return match_named(model_library(), text);
}

SampleInput default_input(const json& e) {
  SampleInput s;
  s.seq_len = positive(e, "seq_len").value_or(0);
  s.image_size = positive(e, "image_size").value_or(0);
  s.seq_len_enc = positive(e, "seq_len_enc").value_or(0);
  s.seq_len_dec = positive(e, "seq_len_dec").value_or(0);
  const std::string kind = text(e, "kind").value_or("");
  if (kind == "cnn" && s.image_size == 0) s.image_size = models::cnn_default_image_size(text(e, "name").value_or(""));
  return s;
}

std::optional<models::LayerList> build_layers(const json& entry, const json& over, const SampleInput& in,
                                             models::Phase phase, std::string* error) {
  const std::string kind_s = pick(over, entry, "kind", text).value_or(text(over, "type").value_or(""));
  const auto kind = kind_from_name(kind_s);
  const std::string name = pick(over, entry, "preset", text).value_or(text(entry, "name").value_or("custom"));
  auto fail = [&](const std::string& why) -> std::optional<models::LayerList> {
    if (error) *error = why;
    return std::nullopt;
  };
  const bool memory_decoder = text(entry, "architecture").value_or("") == "transformer-xl";
  if (!kind || (*kind == models::ModelKind::decoder && !memory_decoder))
    return fail("model kind '" + kind_s + "' is not a zoo kind");
  std::string err;
  switch (*kind) {
    case models::ModelKind::cnn: {
      const std::string arch = text(entry, "name").value_or(name);
      if (!text(entry, "name") && !pick(over, entry, "preset", text))
        return fail(
            "a CNN needs a model-library preset (its layer list): flopcast models list shows the "
            "known ones");
      if (in.image_size <= 0) return fail("model.input.image_size is needed for a CNN");
      auto L = models::build_cnn(arch, in.image_size, in.channels);
      if (!L) return fail("unknown CNN architecture '" + arch + "' (flopcast models list shows the known ones)");
      return L;
    }
    case models::ModelKind::encoder: {
      models::EncoderSpec e;
      e.stack = stack_from(over, entry, &err);
      if (!err.empty()) return fail(err);
      if (e.stack.n_layers <= 0) return fail("model.n_layers is needed (no preset gives it)");
      e.vocab_size = pick(over, entry, "vocab_size", positive).value_or(30522);
      e.max_positions = std::max(positive(entry, "max_positions").value_or(512), in.seq_len);
      e.generator_fraction = number(entry, "generator_fraction").value_or(0);
      e.type_vocab = positive(entry, "type_vocab").value_or(2);
      if (in.seq_len <= 0) return fail("model.input.seq_len is needed for an encoder");
      return models::build_encoder(e, in.seq_len, phase, name);
    }
    case models::ModelKind::encoder_decoder: {
      models::EncoderDecoderSpec e;
      e.stack = stack_from(over, entry, &err);
      if (!err.empty()) return fail(err);
      e.n_layers_enc = pick(over, entry, "n_layers_enc", positive).value_or(e.stack.n_layers);
      e.n_layers_dec = pick(over, entry, "n_layers_dec", positive).value_or(e.stack.n_layers);
      if (e.n_layers_enc <= 0 || e.n_layers_dec <= 0) return fail("model.n_layers_enc and n_layers_dec are needed");
      e.vocab_size = pick(over, entry, "vocab_size", positive).value_or(32128);
      // the library's key, or the scenario's (and import hf's) name for the same thing
      e.tie_embeddings =
          flag(entry, "tie_embeddings").value_or(flag(entry, "tied_embeddings").value_or(true));
      e.relative_position_bias = flag(entry, "relative_position_bias").value_or(false);
      if (in.seq_len_enc <= 0 || in.seq_len_dec <= 0) return fail("model.input.seq_len_enc and seq_len_dec are needed");
      // Throughput tables of span-corruption pre-training (T5X) count input + target tokens; a
      // translation model's token budget counts target tokens (fairseq). The preset says which.
      const bool both = flag(entry, "tokens_count_source").value_or(e.relative_position_bias);
      return models::build_encoder_decoder(e, in.seq_len_enc, in.seq_len_dec, both, name);
    }
    case models::ModelKind::vit: {
      models::VitSpec v;
      v.stack = stack_from(over, entry, &err);
      if (!err.empty()) return fail(err);
      if (v.stack.n_layers <= 0) return fail("model.n_layers is needed (no preset gives it)");
      v.patch_size = pick(over, entry, "patch_size", positive).value_or(16);
      v.num_classes = positive(entry, "num_classes").value_or(1000);
      v.channels = in.channels;
      if (in.image_size <= 0) return fail("model.input.image_size is needed for a ViT");
      return models::build_vit(v, in.image_size, name);
    }
    case models::ModelKind::decoder:
      return build_memory_decoder(entry, over, in, name, error);
  }
  return fail("unsupported model kind");
}

double published_convention_params(const models::LayerList& L) {
  double p = 0;
  for (const auto& o : L.ops)
    if (o.name.rfind("generator", 0) != 0 && o.name != "span head") p += o.weight_params * o.repeat;
  return p;
}

double library_params(const LibraryModel& m) {
  const json none = json::object();
  SampleInput in = default_input(m.entry);
  std::string err;
  switch (m.kind) {
    case models::ModelKind::encoder: {
      in.seq_len = 128;
      auto L = build_layers(m.entry, none, in, models::Phase::finetune, &err);
      // published encoder totals: embeddings + layers + pooler (no task head, no ELECTRA generator)
      return L ? published_convention_params(*L) : 0;
    }
    default: {
      auto L = build_layers(m.entry, none, in, models::Phase::pretrain, &err);
      return L ? L->params() : 0;
    }
  }
}

}  // namespace flopcast::scenarios
