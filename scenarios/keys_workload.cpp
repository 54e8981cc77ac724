// Scenario keys of the "workload" section (what is trained, and how) and their mapping onto
// models::TransformerShape / models::TrainingSpec.
#include <string>

#include "scenarios/keys_sections.h"
#include "scenarios/presets.h"

namespace flopcast::scenarios::detail {

using nlohmann::ordered_json;

namespace {
const char* kGroup = "workload";

std::vector<std::string> precision_names() {
  std::vector<std::string> v;
  for (auto p : models::kAllPrecisions) v.emplace_back(models::to_string(p));
  return v;
}

// The shape keys a preset can supply, required when there is no preset.
const char* kShapeKeys[] = {"n_layers", "d_model", "n_heads", "ffn_dim", "vocab_size"};
}  // namespace

void add_workload_keys(std::vector<KeySpec>& k) {
  k.push_back({.pointer = "/workload", .type = KeyType::object, .required = true,
               .help = "What is trained and how: model, tokens, batch, precision, fine-tuning and compression.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/kind", .type = KeyType::enumeration, .default_value = "training",
               .choices = {"training"},
               .help = "What is run. Only training exists in schema version 1; inference is reserved for a later version.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model", .type = KeyType::object, .required = true,
               .help = "The model: a named preset, shape keys, or a preset with some shape keys overridden.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model/preset", .type = KeyType::enumeration,
               .choices = preset_names(),
               .help = "A named architecture from scenarios/data/model_presets.json (each entry cites its source). Shape keys given next to it override the preset's values.",
               .group = kGroup, .default_text = "none: give the shape keys"});
  k.push_back({.pointer = "/workload/model/kind", .type = KeyType::enumeration, .default_value = "decoder",
               .choices = {"decoder"},
               .help = "Architecture family. Schema version 1 estimates decoder-only transformers; encoder, encoder-decoder, ViT and CNN kinds are reserved.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model/n_layers", .type = KeyType::integer, .unit = "layers",
               .minimum = 1, .maximum = 10000, .help = "Transformer layers (blocks).", .group = kGroup,
               .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/d_model", .type = KeyType::integer, .unit = "",
               .minimum = 1, .maximum = 1048576, .help = "Hidden size (model width).", .group = kGroup,
               .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/n_heads", .type = KeyType::integer, .unit = "heads",
               .minimum = 1, .maximum = 65536, .help = "Attention (query) heads; must divide d_model.",
               .group = kGroup, .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/n_kv_heads", .type = KeyType::integer, .unit = "heads",
               .minimum = 1, .maximum = 65536,
               .help = "Key/value heads: equal to n_heads for multi-head attention, 1 for multi-query, in between for grouped-query; must divide n_heads.",
               .group = kGroup, .default_text = "the preset's, else n_heads"});
  k.push_back({.pointer = "/workload/model/ffn_dim", .type = KeyType::integer, .unit = "",
               .minimum = 1, .maximum = 16777216, .help = "Width of the feed-forward layer (of one matrix).",
               .group = kGroup, .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/ffn_gated", .type = KeyType::boolean,
               .help = "true for gated FFNs (SwiGLU, GeGLU: three matrices), false for plain GELU/ReLU (two).",
               .group = kGroup, .default_text = "the preset's, else true"});
  k.push_back({.pointer = "/workload/model/vocab_size", .type = KeyType::integer, .unit = "tokens",
               .minimum = 1, .maximum = 16777216, .help = "Vocabulary size (embedding rows).",
               .group = kGroup, .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/tied_embeddings", .type = KeyType::boolean,
               .help = "true when the input embedding and the output head share one matrix.",
               .group = kGroup, .default_text = "the preset's, else false"});
  k.push_back({.pointer = "/workload/model/params", .type = KeyType::number, .unit = "parameters",
               .minimum = 1, .maximum = 1e15,
               .help = "Published total parameter count: a hint the model uses only where the shape is partial.",
               .group = kGroup, .default_text = "the preset's, else computed from the shape"});
  k.push_back({.pointer = "/workload/model/params_active", .type = KeyType::number, .unit = "parameters",
               .minimum = 1, .maximum = 1e15,
               .help = "Published parameters active per token (mixture-of-experts): a hint, as params.",
               .group = kGroup, .default_text = "the preset's, else computed from the shape"});
  k.push_back({.pointer = "/workload/model/moe", .type = KeyType::object,
               .help = "Mixture-of-experts FFN. Absent: dense FFN in every layer.", .group = kGroup,
               .default_text = "the preset's, else none (dense)"});
  k.push_back({.pointer = "/workload/model/moe/n_experts", .type = KeyType::integer, .required = true,
               .unit = "experts", .minimum = 1, .maximum = 65536, .help = "Routed experts per MoE layer.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model/moe/experts_per_token", .type = KeyType::integer,
               .required = true, .unit = "experts", .minimum = 1, .maximum = 1024,
               .help = "Routed experts each token visits (top-k); at most n_experts.", .group = kGroup});
  k.push_back({.pointer = "/workload/model/moe/expert_ffn_dim", .type = KeyType::integer,
               .required = true, .minimum = 1, .maximum = 16777216,
               .help = "FFN width of one routed expert.", .group = kGroup});
  k.push_back({.pointer = "/workload/model/moe/shared_ffn_dim", .type = KeyType::integer,
               .default_value = 0, .minimum = 0, .maximum = 16777216,
               .help = "Total FFN width of the always-active shared experts (0: none).", .group = kGroup});
  k.push_back({.pointer = "/workload/model/moe/n_dense_layers", .type = KeyType::integer,
               .default_value = 0, .unit = "layers", .minimum = 0, .maximum = 10000,
               .help = "Leading layers that keep a dense FFN of width ffn_dim.", .group = kGroup});
  k.push_back({.pointer = "/workload/seq_len", .type = KeyType::integer, .unit = "tokens",
               .minimum = 1, .maximum = 16777216, .help = "Sequence length of one training sample.",
               .group = kGroup, .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/training_tokens", .type = KeyType::number, .required = true,
               .unit = "tokens", .minimum = 1, .maximum = 1e17,
               .help = "Tokens processed over the whole run (all epochs).", .group = kGroup});
  k.push_back({.pointer = "/workload/global_batch_tokens", .type = KeyType::number, .required = true,
               .unit = "tokens", .minimum = 1, .maximum = 1e12,
               .help = "Tokens per optimizer step over all replicas; a whole number of sequences (a multiple of seq_len).",
               .group = kGroup});
  k.push_back({.pointer = "/workload/precision", .type = KeyType::enumeration, .default_value = "bf16",
               .choices = precision_names(),
               .help = "Compute precision of the matrix multiplies; selects the device's peak.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/phase", .type = KeyType::enumeration, .default_value = "pretrain",
               .choices = {"pretrain", "finetune"}, .help = "Pre-training from scratch or fine-tuning.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/activation_recompute", .type = KeyType::enumeration,
               .default_value = "none", .choices = {"none", "selective", "full"},
               .help = "Activation recomputation (checkpointing): none, selective (attention core only) or full (every layer's forward again).",
               .group = kGroup});
  k.push_back({.pointer = "/workload/frozen_layers", .type = KeyType::integer, .default_value = 0,
               .unit = "layers", .minimum = 0, .maximum = 10000,
               .help = "Leading layers whose weights are frozen (no weight gradients, no optimizer state); at most n_layers.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/lora", .type = KeyType::object,
               .help = "LoRA fine-tuning: low-rank adapters on the named matrices, base weights frozen. Absent: full training.",
               .group = kGroup, .default_text = "none (full training)"});
  k.push_back({.pointer = "/workload/lora/rank", .type = KeyType::integer, .required = true,
               .minimum = 1, .maximum = 65536, .help = "Adapter rank r.", .group = kGroup});
  k.push_back({.pointer = "/workload/lora/targets", .type = KeyType::array,
               .default_value = ordered_json::array({"q_proj", "v_proj"}),
               .choices = {"qkv_proj", "q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "gate_proj", "down_proj"},
               .help = "Adapted matrices (at least one, each once). The default, the query and value projections, is the LoRA paper's (Hu et al. 2021, Sec. 4.2).",
               .group = kGroup, .item_type = KeyType::enumeration});
  k.push_back({.pointer = "/workload/compression", .type = KeyType::object,
               .help = "Model compression applied during training: pruning, low-bit weights/activations, distillation.",
               .group = kGroup, .default_text = "none"});
  k.push_back({.pointer = "/workload/compression/pruning", .type = KeyType::enumeration,
               .default_value = "none", .choices = {"none", "structured", "unstructured"},
               .help = "Pruning kind.", .group = kGroup});
  k.push_back({.pointer = "/workload/compression/pruning_sparsity", .type = KeyType::number,
               .default_value = 0.0, .unit = "fraction", .minimum = 0, .maximum = 0.99,
               .help = "Fraction of weights removed; needs pruning other than none when above 0.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/compression/weight_bits", .type = KeyType::integer,
               .default_value = 0, .unit = "bits", .minimum = 0, .maximum = 64,
               .help = "Stored weight width (0: the compute precision's).", .group = kGroup});
  k.push_back({.pointer = "/workload/compression/activation_bits", .type = KeyType::integer,
               .default_value = 0, .unit = "bits", .minimum = 0, .maximum = 64,
               .help = "Stored activation width (0: the compute precision's).", .group = kGroup});
  k.push_back({.pointer = "/workload/compression/distillation_teacher", .type = KeyType::enumeration,
               .choices = preset_names(),
               .help = "A preset whose forward pass runs every step as the distillation teacher.",
               .group = kGroup, .default_text = "none (no distillation)"});
}

void apply_workload(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  // Model: preset first, then key-by-key overrides.
  models::TransformerShape m;
  m.ffn_gated = true;
  if (r.has("/workload/model/preset")) {
    s.preset = r.string("/workload/model/preset");
    if (const ModelPreset* p = find_preset(s.preset)) m = p->shape;
  } else {
    for (const char* key : kShapeKeys) {
      const std::string ptr = std::string("/workload/model/") + key;
      if (!r.has(ptr)) issues.push_back({ptr, "missing: required when /workload/model/preset is not given"});
    }
    if (!r.has("/workload/seq_len"))
      issues.push_back({"/workload/seq_len", "missing: required when /workload/model/preset is not given"});
  }
  m.kind = models::ModelKind::decoder;
  if (r.has("/workload/model/n_layers")) m.n_layers = int(r.integer("/workload/model/n_layers"));
  if (r.has("/workload/model/d_model")) m.d_model = int(r.integer("/workload/model/d_model"));
  if (r.has("/workload/model/n_heads")) m.n_heads = int(r.integer("/workload/model/n_heads"));
  if (r.has("/workload/model/n_kv_heads")) m.n_kv_heads = int(r.integer("/workload/model/n_kv_heads"));
  else if (s.preset.empty() || r.has("/workload/model/n_heads")) {
    // Without a preset, or when the heads were overridden: default MHA unless the preset's
    // grouping still divides.
    if (s.preset.empty() || m.n_kv_heads <= 0 || m.n_heads % m.n_kv_heads != 0) m.n_kv_heads = m.n_heads;
  }
  if (r.has("/workload/model/ffn_dim")) m.ffn_dim = double(r.integer("/workload/model/ffn_dim"));
  if (r.has("/workload/model/ffn_gated")) m.ffn_gated = r.boolean("/workload/model/ffn_gated");
  if (r.has("/workload/model/vocab_size")) m.vocab_size = int(r.integer("/workload/model/vocab_size"));
  if (r.has("/workload/model/tied_embeddings")) m.tied_embeddings = r.boolean("/workload/model/tied_embeddings");
  if (r.has("/workload/model/params")) m.params_hint = r.number("/workload/model/params");
  if (r.has("/workload/model/params_active")) m.params_active_hint = r.number("/workload/model/params_active");
  if (r.has("/workload/model/moe")) {
    models::MoeSpec moe;
    moe.n_experts = int(r.integer("/workload/model/moe/n_experts"));
    moe.experts_per_token = int(r.integer("/workload/model/moe/experts_per_token"));
    moe.expert_ffn_dim = double(r.integer("/workload/model/moe/expert_ffn_dim"));
    moe.shared_ffn_dim = double(r.integer("/workload/model/moe/shared_ffn_dim"));
    moe.n_dense_layers = int(r.integer("/workload/model/moe/n_dense_layers"));
    if (moe.experts_per_token > moe.n_experts)
      issues.push_back({"/workload/model/moe/experts_per_token",
                        "is " + std::to_string(moe.experts_per_token) + ": expected at most n_experts (" +
                            std::to_string(moe.n_experts) + ")"});
    if (m.n_layers > 0 && moe.n_dense_layers > m.n_layers)
      issues.push_back({"/workload/model/moe/n_dense_layers", "expected at most n_layers (" +
                                                                  std::to_string(m.n_layers) + ")"});
    m.moe = moe;
  }
  if (r.has("/workload/seq_len")) m.seq_len = int(r.integer("/workload/seq_len"));
  if (m.n_heads > 0 && m.d_model > 0 && m.d_model % m.n_heads != 0)
    issues.push_back({r.has("/workload/model/n_heads") ? "/workload/model/n_heads" : "/workload/model/d_model",
                      "n_heads (" + std::to_string(m.n_heads) + ") must divide d_model (" +
                          std::to_string(m.d_model) + ")"});
  if (m.n_heads > 0 && m.n_kv_heads > 0 && m.n_heads % m.n_kv_heads != 0)
    issues.push_back({"/workload/model/n_kv_heads", "is " + std::to_string(m.n_kv_heads) +
                                                        ": expected a divisor of n_heads (" +
                                                        std::to_string(m.n_heads) + ")"});
  s.model = m;

  // Training.
  models::TrainingSpec& t = s.training;
  t.training_tokens = r.number("/workload/training_tokens");
  t.global_batch_tokens = r.number("/workload/global_batch_tokens");
  if (m.seq_len > 0) {
    const double seqs = t.global_batch_tokens / m.seq_len;
    if (seqs < 1 || seqs != static_cast<double>(static_cast<long long>(seqs)))
      issues.push_back({"/workload/global_batch_tokens",
                        "is " + nlohmann::json(t.global_batch_tokens).dump() +
                            ": expected a whole number of sequences (a positive multiple of seq_len = " +
                            std::to_string(m.seq_len) + ")"});
  }
  if (t.training_tokens < t.global_batch_tokens)
    issues.push_back({"/workload/training_tokens",
                      "is smaller than one step (global_batch_tokens): expected at least one step"});
  t.precision = models::precision_from_string(r.string("/workload/precision")).value_or(models::Precision::bf16);
  const std::string phase = r.string("/workload/phase");
  t.phase = phase == "finetune" ? models::Phase::finetune : models::Phase::pretrain;
  const std::string rc = r.string("/workload/activation_recompute");
  t.recompute = rc == "full" ? models::Recompute::full
                : rc == "selective" ? models::Recompute::selective
                                    : models::Recompute::none;
  t.frozen_layers = int(r.integer("/workload/frozen_layers"));
  if (m.n_layers > 0 && t.frozen_layers > m.n_layers)
    issues.push_back({"/workload/frozen_layers", "is " + std::to_string(t.frozen_layers) +
                                                     ": expected at most n_layers (" +
                                                     std::to_string(m.n_layers) + ")"});
  if (r.has("/workload/lora")) {
    models::LoraSpec lora;
    lora.rank = int(r.integer("/workload/lora/rank"));
    if (const auto* targets = r.get("/workload/lora/targets")) {
      for (const auto& v : *targets) {
        const std::string name = v.get<std::string>();
        for (const auto& seen : lora.targets)
          if (seen == name)
            issues.push_back({"/workload/lora/targets", "names \"" + name + "\" twice: expected each matrix once"});
        lora.targets.push_back(name);
      }
    }
    if (lora.targets.empty())
      issues.push_back({"/workload/lora/targets", "is empty: expected at least one adapted matrix"});
    if (m.d_model > 0 && lora.rank > m.d_model)
      issues.push_back({"/workload/lora/rank", "is " + std::to_string(lora.rank) +
                                                   ": expected at most d_model (" + std::to_string(m.d_model) + ")"});
    t.lora = lora;
  }
  models::Compression& c = t.compression;
  const std::string pruning = r.string("/workload/compression/pruning", "none");
  c.pruning = pruning == "structured" ? models::PruningKind::structured
              : pruning == "unstructured" ? models::PruningKind::unstructured
                                          : models::PruningKind::none;
  c.pruning_sparsity = r.number("/workload/compression/pruning_sparsity", 0.0);
  if (c.pruning == models::PruningKind::none && c.pruning_sparsity > 0)
    issues.push_back({"/workload/compression/pruning_sparsity",
                      "is above 0 while pruning is \"none\": expected 0, or set /workload/compression/pruning"});
  c.weight_bits = int(r.integer("/workload/compression/weight_bits", 0));
  c.activation_bits = int(r.integer("/workload/compression/activation_bits", 0));
  if (r.has("/workload/compression/distillation_teacher")) {
    if (const ModelPreset* p = find_preset(r.string("/workload/compression/distillation_teacher"))) {
      models::TransformerShape teacher = p->shape;
      teacher.seq_len = m.seq_len;  // the teacher reads the student's sequences
      c.distillation_teacher = teacher;
    }
  }
}

}  // namespace flopcast::scenarios::detail
