// Scenario keys of the "workload" section (what is trained, and how) and their mapping onto
// models::TransformerShape / models::TrainingSpec.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "scenarios/keys_sections.h"
#include "scenarios/model_library.h"
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

// Decoder presets, then the model library's (non-decoder kinds, Transformer-XL).
std::vector<std::string> all_preset_names() {
  std::vector<std::string> v = preset_names();
  for (const auto& m : model_library()) v.push_back(m.name);
  return v;
}

// The shape keys a preset can supply, required when there is no preset.
const char* kShapeKeys[] = {"n_layers", "d_model", "n_heads", "ffn_dim", "vocab_size"};
// Keys only an encoder, encoder-decoder or ViT shape given without a preset reads (a preset fixes
// them).
const char* kOwnShapeKeys[] = {
    "n_layers_enc", "n_layers_dec", "max_positions",          "type_vocab", "generator_fraction",
    "biases",       "norm",         "relative_position_bias", "patch_size", "num_classes"};
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
  k.push_back(
      {.pointer = "/workload/model/preset",
       .type = KeyType::enumeration,
       .choices = all_preset_names(),
       .help =
           "A named architecture (flopcast models list; each entry cites its source): a decoder of "
           "scenarios/data/model_presets.json, or an encoder, encoder-decoder, ViT, CNN or "
           "Transformer-XL of scenarios/data/model_library.json (estimated by models/zoo_estimate: "
           "data parallelism, and tensor parallelism for transformer stacks). Shape keys given "
           "next to it override the preset's values where the model reads them.",
       .group = kGroup,
       .default_text = "none: give the shape keys (decoder only)"});
  k.push_back({.pointer = "/workload/model/kind",
               .type = KeyType::enumeration,
               .choices = {"decoder", "encoder", "encoder-decoder", "vit", "cnn"},
               .help = "Architecture family. decoder: the full decoder model (layouts, memory, "
                       "MoE, LoRA, compression). encoder, encoder-decoder and vit: a preset of "
                       "scenarios/data/model_library.json, or a shape of your own without a preset "
                       "(the keys flopcast import hf writes); cnn: a preset. Given with a preset, "
                       "it must be the preset's kind.",
               .group = kGroup,
               .default_text = "the preset's kind, else decoder"});
  k.push_back({.pointer = "/workload/model/n_layers", .type = KeyType::integer, .unit = "layers",
               .minimum = 1, .maximum = 10000, .help = "Transformer layers (blocks).", .group = kGroup,
               .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/d_model", .type = KeyType::integer, .unit = "",
               .minimum = 1, .maximum = 1048576, .help = "Hidden size (model width).", .group = kGroup,
               .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/n_heads", .type = KeyType::integer, .unit = "heads",
               .minimum = 1, .maximum = 65536, .help = "Attention (query) heads; must divide d_model unless head_dim is given.",
               .group = kGroup, .default_text = "the preset's; required without a preset"});
  k.push_back({.pointer = "/workload/model/n_kv_heads", .type = KeyType::integer, .unit = "heads",
               .minimum = 1, .maximum = 65536,
               .help = "Key/value heads: equal to n_heads for multi-head attention, 1 for multi-query, in between for grouped-query; must divide n_heads.",
               .group = kGroup, .default_text = "the preset's, else n_heads"});
  k.push_back({.pointer = "/workload/model/head_dim", .type = KeyType::integer, .unit = "",
               .minimum = 1, .maximum = 65536,
               .help = "Width of one attention head when it is not d_model / n_heads (Qwen3: 128 on d_model 2048 with 32 heads; gpt-oss: 64 on 2880 with 64 heads). Attention projections are then d_model × n_heads·head_dim.",
               .group = kGroup, .default_text = "the preset's, else d_model / n_heads"});
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
  k.push_back(
      {.pointer = "/workload/model/attention",
       .type = KeyType::object,
       .help = "Multi-head latent attention (DeepSeek-V2/V3, Kimi K2: low-rank compressed keys and "
               "values with a decoupled RoPE part). Absent: multi-head or grouped-query attention "
               "as n_heads and n_kv_heads describe.",
       .group = kGroup,
       .default_text = "the preset's, else none (n_heads / n_kv_heads)"});
  k.push_back({.pointer = "/workload/model/attention/kind",
               .type = KeyType::enumeration,
               .required = true,
               .choices = {"mla"},
               .help = "mla: DeepSeek's multi-head latent attention.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model/attention/q_lora_rank",
               .type = KeyType::integer,
               .default_value = 0,
               .minimum = 0,
               .maximum = 1048576,
               .help = "Rank of the query compression (0: full-rank queries).",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model/attention/kv_lora_rank",
               .type = KeyType::integer,
               .required = true,
               .minimum = 1,
               .maximum = 1048576,
               .help = "Rank of the joint key-value compression (the cached latent).",
               .group = kGroup});
  k.push_back({.pointer = "/workload/model/attention/qk_nope_head_dim",
               .type = KeyType::integer,
               .required = true,
               .minimum = 1,
               .maximum = 65536,
               .help = "Per-head query/key width without RoPE.",
               .group = kGroup});
  k.push_back(
      {.pointer = "/workload/model/attention/qk_rope_head_dim",
       .type = KeyType::integer,
       .default_value = 0,
       .minimum = 0,
       .maximum = 65536,
       .help = "Per-head width of the decoupled RoPE part (a key part shared by the heads).",
       .group = kGroup});
  k.push_back({.pointer = "/workload/model/attention/v_head_dim",
               .type = KeyType::integer,
               .required = true,
               .minimum = 1,
               .maximum = 65536,
               .help = "Per-head value width.",
               .group = kGroup});
  // Shape keys of encoder, encoder-decoder and ViT shapes given without a preset (the keys of
  // scenarios/data/model_library.json entries, as `flopcast import hf` writes them).
  const std::string own = "an encoder, encoder-decoder or ViT shape without a preset";
  k.push_back({.pointer = "/workload/model/n_layers_enc",
               .type = KeyType::integer,
               .unit = "layers",
               .minimum = 1,
               .maximum = 10000,
               .help = "Encoder layers of an encoder-decoder (T5: num_layers).",
               .group = kGroup,
               .default_text = "n_layers; " + own + " only"});
  k.push_back({.pointer = "/workload/model/n_layers_dec",
               .type = KeyType::integer,
               .unit = "layers",
               .minimum = 1,
               .maximum = 10000,
               .help = "Decoder layers of an encoder-decoder (T5: num_decoder_layers).",
               .group = kGroup,
               .default_text = "n_layers; " + own + " only"});
  k.push_back({.pointer = "/workload/model/max_positions",
               .type = KeyType::integer,
               .unit = "tokens",
               .minimum = 1,
               .maximum = 16777216,
               .help = "Learned position embeddings of an encoder (BERT: 512).",
               .group = kGroup,
               .default_text = "512 (at least seq_len); " + own + " only"});
  k.push_back({.pointer = "/workload/model/type_vocab",
               .type = KeyType::integer,
               .minimum = 0,
               .maximum = 1048576,
               .help = "Token-type (segment) embeddings of an encoder (BERT: 2).",
               .group = kGroup,
               .default_text = "2; " + own + " only"});
  k.push_back({.pointer = "/workload/model/generator_fraction",
               .type = KeyType::number,
               .minimum = 0,
               .maximum = 1,
               .help = "ELECTRA: the generator's width as a fraction of the discriminator's (its "
                       "forward and backward run every step); 0: no generator.",
               .group = kGroup,
               .default_text = "0; " + own + " only"});
  k.push_back({.pointer = "/workload/model/biases",
               .type = KeyType::boolean,
               .help = "Linear layers with biases (BERT, ViT: true; T5 v1.1: false).",
               .group = kGroup,
               .default_text = "true; " + own + " only"});
  k.push_back(
      {.pointer = "/workload/model/norm",
       .type = KeyType::enumeration,
       .choices = {"layernorm", "rms"},
       .help = "Normalisation: layernorm (scale and shift) or rms (RMSNorm, T5: scale only).",
       .group = kGroup,
       .default_text = "layernorm; " + own + " only"});
  k.push_back(
      {.pointer = "/workload/model/relative_position_bias",
       .type = KeyType::boolean,
       .help = "T5's relative position bias (and its token count: input plus target tokens).",
       .group = kGroup,
       .default_text = "false; " + own + " only"});
  k.push_back({.pointer = "/workload/model/patch_size",
               .type = KeyType::integer,
               .unit = "pixels",
               .minimum = 1,
               .maximum = 4096,
               .help = "ViT patch side: an image of side s is (s / patch_size)² tokens.",
               .group = kGroup,
               .default_text = "16; " + own + " only"});
  k.push_back({.pointer = "/workload/model/num_classes",
               .type = KeyType::integer,
               .minimum = 1,
               .maximum = 10000000,
               .help = "Classes of a ViT's classification head.",
               .group = kGroup,
               .default_text = "1000; " + own + " only"});
  k.push_back({.pointer = "/workload/seq_len", .type = KeyType::integer, .unit = "tokens",
               .minimum = 1, .maximum = 16777216, .help = "Sequence length of one training sample.",
               .group = kGroup, .default_text = "the preset's; required without a preset"});
  k.push_back(
      {.pointer = "/workload/packed_tokens_per_sample",
       .type = KeyType::number,
       .unit = "tokens",
       .minimum = 1,
       .maximum = 16777216,
       .help =
           "Encoders: the mean real (non-padding) tokens of a sample when the training stack drops "
           "the padding (sequence packing, unpadding, length binning). Every token-proportional "
           "cost and the attention are taken at this length; token amounts count real tokens. At "
           "most seq_len. BERT's Wikipedia data at 512 tokens is over half padding (Krell et al. "
           "2021, arXiv:2107.02027).",
       .group = kGroup,
       .default_text = "none: every sample is padded to seq_len"});
  k.push_back({.pointer = "/workload/input", .type = KeyType::object,
               .help = "One sample of a model-library preset that is not a token sequence: an image (vit, cnn) or an input/target pair (encoder-decoder). Key names as in the ground-truth records' model.input.",
               .group = kGroup, .default_text = "the preset's input"});
  k.push_back({.pointer = "/workload/input/image_size", .type = KeyType::integer, .unit = "pixels",
               .minimum = 8, .maximum = 8192, .help = "Image side (square images); vit and cnn presets only.",
               .group = kGroup, .default_text = "the preset's"});
  k.push_back({.pointer = "/workload/input/channels", .type = KeyType::integer, .unit = "channels",
               .minimum = 1, .maximum = 64, .help = "Image channels; vit and cnn presets only.", .group = kGroup,
               .default_text = "3"});
  k.push_back({.pointer = "/workload/input/seq_len_enc", .type = KeyType::integer, .unit = "tokens",
               .minimum = 1, .maximum = 1048576, .help = "Input (encoder) sequence length; encoder-decoder presets only.",
               .group = kGroup, .default_text = "the preset's"});
  k.push_back({.pointer = "/workload/input/seq_len_dec", .type = KeyType::integer, .unit = "tokens",
               .minimum = 1, .maximum = 1048576, .help = "Target (decoder) sequence length; encoder-decoder presets only.",
               .group = kGroup, .default_text = "the preset's"});
  k.push_back({.pointer = "/workload/training_tokens", .type = KeyType::number,
               .unit = "tokens", .minimum = 1, .maximum = 1e17,
               .help = "Tokens processed over the whole run (all epochs). Model-library text presets may give training_samples instead (tokens per sample: seq_len; encoder-decoder: as the preset counts them).",
               .group = kGroup, .default_text = "required for decoders; model-library presets: this or training_samples"});
  k.push_back({.pointer = "/workload/global_batch_tokens", .type = KeyType::number,
               .unit = "tokens", .minimum = 1, .maximum = 1e12,
               .help = "Tokens per optimizer step over all replicas; a whole number of sequences (a multiple of seq_len).",
               .group = kGroup, .default_text = "required for decoders; model-library presets: this or global_batch_samples"});
  k.push_back({.pointer = "/workload/training_samples", .type = KeyType::number, .unit = "samples",
               .minimum = 1, .maximum = 1e15,
               .help = "Samples (sequences, images, input/target pairs) processed over the whole run (all epochs); model-library presets only (decoders count tokens).",
               .group = kGroup, .default_text = "model-library presets: this or training_tokens"});
  k.push_back({.pointer = "/workload/global_batch_samples", .type = KeyType::integer, .unit = "samples",
               .minimum = 1, .maximum = 1e9,
               .help = "Samples per optimizer step over all data-parallel replicas (a multiple of device_count); model-library presets only.",
               .group = kGroup, .default_text = "model-library presets: this or global_batch_tokens"});
  k.push_back({.pointer = "/workload/precision", .type = KeyType::enumeration, .default_value = "bf16",
               .choices = precision_names(),
               .help = "Compute precision of the matrix multiplies; selects the device's peak.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/phase", .type = KeyType::enumeration, .default_value = "pretrain",
               .choices = {"pretrain", "finetune"}, .help = "Pre-training from scratch or fine-tuning.",
               .group = kGroup});
  k.push_back({.pointer = "/workload/activation_recompute", .type = KeyType::enumeration,
               .default_value = "none", .choices = {"none", "selective", "full", "auto"},
               .help = "Activation recomputation (checkpointing): none, selective (attention core only), full (every layer's forward again, or only recompute_layers of each stage), or auto (the fastest of these that fits memory, including recomputing only as many layers as needed).",
               .group = kGroup});
  k.push_back({.pointer = "/workload/attention", .type = KeyType::enumeration, .default_value = "auto",
               .choices = {"auto", "fused", "unfused"},
               .help = "Attention kernel: fused (FlashAttention: no s×s scores stored or streamed), unfused (QKᵀ and AV as batched GEMMs over materialised s×s scores, as stacks before FlashAttention ran), or auto (fused for 16-bit and lower precision on GPUs with bf16 tensor cores and on other accelerators, unfused otherwise).",
               .group = kGroup});
  k.push_back(
      {.pointer = "/workload/attention_dropout",
       .type = KeyType::boolean,
       .default_value = false,
       .help = "Dropout on the attention probabilities (Megatron-LM's --attention-dropout, 0.1 by "
               "default in GPT-era recipes; off in today's LLM recipes). With unfused attention it "
               "adds two passes over the s×s scores (forward and backward: read, write and a "
               "1-byte mask); FlashAttention applies it inside the kernel at no modelled cost.",
       .group = kGroup});
  k.push_back({.pointer = "/workload/recompute_layers", .type = KeyType::integer, .default_value = 0,
               .unit = "layers", .minimum = 0, .maximum = 10000,
               .help = "With full recompute: how many of each pipeline stage's layers are recomputed (Megatron-Core --recompute-method block --recompute-num-layers); 0 recomputes all of them.",
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

namespace {

// A workload naming a model-library preset (encoder, encoder-decoder, ViT, CNN, Transformer-XL):
// the layer list of models/ for the preset, the shape overrides the builders read and the sample
// input, with the amounts in samples. Keys the zoo model does not read are errors, never ignored.
// `custom`: the shape is the workload's own (no preset): lib.entry was built from its keys.
void apply_zoo_workload(const Reader& r, Scenario& s, std::vector<Issue>& issues,
                        const LibraryModel& lib, bool custom = false) {
  const std::string lib_kind = kind_name(lib.kind);
  s.preset = custom ? std::string() : lib.name;
  if (!custom && r.has("/workload/model/kind") && r.string("/workload/model/kind") != lib_kind)
    issues.push_back({"/workload/model/kind", "is \"" + r.string("/workload/model/kind") + "\": preset \"" + lib.name +
                                                  "\" is a " + lib_kind + " (scenarios/data/model_library.json): expected \"" +
                                                  lib_kind + "\""});
  const std::string what =
      custom ? "a " + lib_kind + " shape (estimated by models/zoo_estimate)"
             : "preset \"" + lib.name + "\" (" + lib_kind + ", estimated by models/zoo_estimate)";
  for (const char* ptr :
       {"/workload/model/n_kv_heads", "/workload/model/tied_embeddings", "/workload/model/params",
        "/workload/model/params_active", "/workload/model/moe", "/workload/model/attention",
        "/workload/activation_recompute", "/workload/recompute_layers", "/workload/attention",
        "/workload/attention_dropout", "/workload/model/head_dim", "/workload/frozen_layers",
        "/workload/lora", "/workload/compression"}) {
    // An own shape carries its head width, its (published) parameter count and, for an
    // encoder-decoder, whether the output head is tied (the keys import hf writes).
    const std::string key = ptr;
    if (custom && (key == "/workload/model/head_dim" || key == "/workload/model/params" ||
                   (key == "/workload/model/tied_embeddings" &&
                    lib.kind == models::ModelKind::encoder_decoder)))
      continue;
    if (r.has(ptr))
      issues.push_back({ptr, "applies to the decoder presets of scenarios/data/model_presets.json only: " + what +
                                 " does not model it; remove the key"});
  }
  if (!custom)
    for (const char* key : kOwnShapeKeys)
      if (const std::string ptr = std::string("/workload/model/") + key; r.has(ptr))
        issues.push_back(
            {ptr, "applies to an encoder, encoder-decoder or ViT shape without a preset: " + what +
                      " fixes it; remove the key (or the preset, and give the whole shape)"});

  // Shape overrides the layer-list builders read (scenarios/model_library.cpp, build_layers).
  std::vector<std::string> allowed;
  switch (lib.kind) {
    case models::ModelKind::encoder: allowed = {"n_layers", "d_model", "n_heads", "ffn_dim", "ffn_gated", "vocab_size"}; break;
    case models::ModelKind::vit: allowed = {"n_layers", "d_model", "n_heads", "ffn_dim", "ffn_gated"}; break;
    case models::ModelKind::encoder_decoder: allowed = {"d_model", "n_heads", "ffn_dim", "ffn_gated", "vocab_size"}; break;
    case models::ModelKind::decoder: allowed = {"n_layers", "d_model", "n_heads", "ffn_dim", "vocab_size"}; break;
    case models::ModelKind::cnn: break;
  }
  if (custom) allowed.clear();  // the own shape's keys are in lib.entry already
  nlohmann::json over = nlohmann::json::object();
  std::string allowed_text;
  for (const auto& a : allowed) allowed_text += (allowed_text.empty() ? "" : ", ") + a;
  for (const char* key : {"n_layers", "d_model", "n_heads", "ffn_dim", "ffn_gated", "vocab_size"}) {
    const std::string ptr = std::string("/workload/model/") + key;
    if (custom || !r.has(ptr)) continue;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      issues.push_back({ptr, allowed.empty()
                                 ? "does not apply to " + what + ": a CNN's layer list comes from its architecture (models/cnn.cpp); remove the key"
                                 : "does not apply to " + what + ": the model reads only " + allowed_text});
      continue;
    }
    if (std::string(key) == "ffn_gated") over[key] = r.boolean(ptr);
    else over[key] = r.integer(ptr);
  }
  if (over.contains("n_heads") || over.contains("d_model")) {
    const long long h = over.contains("d_model") ? over["d_model"].get<long long>() : lib.entry.value("d_model", 0LL);
    const long long nh = over.contains("n_heads") ? over["n_heads"].get<long long>() : lib.entry.value("n_heads", 0LL);
    if (!lib.entry.contains("head_dim") && nh > 0 && h % nh != 0)
      issues.push_back({over.contains("n_heads") ? "/workload/model/n_heads" : "/workload/model/d_model",
                        "n_heads (" + std::to_string(nh) + ") must divide d_model (" + std::to_string(h) + ")"});
  }

  // The sample: a token sequence, an input/target pair or an image.
  SampleInput in = default_input(lib.entry);
  const bool images = lib.kind == models::ModelKind::vit || lib.kind == models::ModelKind::cnn;
  const bool pairs = lib.kind == models::ModelKind::encoder_decoder;
  const std::string sample = images ? "an image (/workload/input/image_size, /workload/input/channels)"
                             : pairs ? "an input/target pair (/workload/input/seq_len_enc, /workload/input/seq_len_dec)"
                                     : "a sequence of /workload/seq_len tokens";
  auto not_here = [&](const std::string& ptr) {
    issues.push_back({ptr, "does not apply to " + what + ": its sample is " + sample});
  };
  if (r.has("/workload/seq_len")) {
    if (images || pairs) not_here("/workload/seq_len");
    else in.seq_len = int(r.integer("/workload/seq_len"));
  }
  // Packed / unpadded sequences: the layer list of a sequence of the mean real length.
  double packed = 0;
  if (r.has("/workload/packed_tokens_per_sample")) {
    const double v = r.number("/workload/packed_tokens_per_sample");
    if (lib.kind != models::ModelKind::encoder)
      issues.push_back(
          {"/workload/packed_tokens_per_sample",
           "applies to encoder samples (BERT-style padded sequences) only, not to " + what});
    else if (v > in.seq_len)
      issues.push_back({"/workload/packed_tokens_per_sample",
                        "is " + nlohmann::json(v).dump() + ": expected at most seq_len (" +
                            std::to_string(in.seq_len) + ")"});
    else
      packed = v;
  }
  for (const char* key : {"image_size", "channels"}) {
    const std::string ptr = std::string("/workload/input/") + key;
    if (!r.has(ptr)) continue;
    if (!images) not_here(ptr);
    else if (std::string(key) == "image_size") in.image_size = int(r.integer(ptr));
    else in.channels = int(r.integer(ptr));
  }
  for (const char* key : {"seq_len_enc", "seq_len_dec"}) {
    const std::string ptr = std::string("/workload/input/") + key;
    if (!r.has(ptr)) continue;
    if (!pairs) not_here(ptr);
    else if (std::string(key) == "seq_len_enc") in.seq_len_enc = int(r.integer(ptr));
    else in.seq_len_dec = int(r.integer(ptr));
  }

  models::TrainingSpec& t = s.training;
  t.precision = models::precision_from_string(r.string("/workload/precision")).value_or(models::Precision::bf16);
  t.phase = r.string("/workload/phase") == "finetune" ? models::Phase::finetune : models::Phase::pretrain;
  std::string err;
  SampleInput built = in;
  if (packed > 0) built.seq_len = std::max(1, int(std::lround(packed)));
  auto layers = build_layers(lib.entry, over, built, t.phase, &err);
  if (layers && packed > 0) {
    layers->tokens_per_sample = packed;
    char real[32];
    std::snprintf(real, sizeof real, "%g", packed);
    s.notes.push_back(
        "packed sequences: a sample costs its " + std::string(real) + " real tokens of " +
        std::to_string(in.seq_len) +
        " (the layer list and the attention at the mean length; a varlen attention's sum of "
        "squared lengths is at least that)");
  }
  if (!layers) {
    issues.push_back(custom ? Issue{"/workload/model", err}
                            : Issue{"/workload/model/preset", "is \"" + lib.name + "\": " + err});
    return;
  }
  if (custom && r.has("/workload/model/params")) {
    // The published count beside the one the layer list holds: a check on the shape, not an input.
    const double given = r.number("/workload/model/params"), counted = layers->params();
    if (counted > 0 && std::fabs(given / counted - 1) > 0.01)
      s.notes.push_back("model.params " + nlohmann::json(given).dump() +
                        " as given; the shape's layer list counts " +
                        nlohmann::json(std::round(counted)).dump() + " (" +
                        nlohmann::json(std::round(1000 * (given / counted - 1)) / 10).dump() +
                        " % apart)");
  }

  ZooWorkload z;
  z.library_name = lib.name;
  z.kind = lib.kind;
  z.seq_len = images || pairs ? 0 : in.seq_len;
  z.seq_len_enc = pairs ? in.seq_len_enc : 0;
  z.seq_len_dec = pairs ? in.seq_len_dec : 0;
  z.image_size = images ? in.image_size : 0;
  z.channels = images ? in.channels : 0;
  z.tokens_per_sample = layers->tokens_per_sample > 0 ? layers->tokens_per_sample : 1;
  z.packed_tokens_per_sample = packed;
  z.layers = std::move(*layers);

  // Amounts: samples, or tokens for text (tokens per sample as the layer list counts them).
  struct Amount {
    const char* samples_ptr;
    const char* tokens_ptr;
    double* out;
    bool whole;
  };
  for (const Amount& a : {Amount{"/workload/training_samples", "/workload/training_tokens", &z.training_samples, false},
                          Amount{"/workload/global_batch_samples", "/workload/global_batch_tokens", &z.global_batch_samples, true}}) {
    const bool has_s = r.has(a.samples_ptr), has_t = r.has(a.tokens_ptr);
    if (has_s && has_t) {
      issues.push_back({a.tokens_ptr, std::string("given with ") + a.samples_ptr + ": expected one of the two"});
    } else if (has_s) {
      *a.out = r.number(a.samples_ptr);
    } else if (has_t) {
      if (images) {
        issues.push_back({a.tokens_ptr, "does not apply to " + what + ": a sample is an image, not tokens; expected " +
                                            a.samples_ptr});
        continue;
      }
      const double tokens = r.number(a.tokens_ptr);
      *a.out = tokens / z.tokens_per_sample;
      if (a.whole && (*a.out < 1 || *a.out != std::floor(*a.out)))
        issues.push_back({a.tokens_ptr, "is " + nlohmann::json(tokens).dump() +
                                            ": expected a whole number of samples (a positive multiple of " +
                                            nlohmann::json(z.tokens_per_sample).dump() + " tokens per sample)"});
    } else {
      issues.push_back({a.samples_ptr, "missing: " + what + " needs " + a.samples_ptr +
                                           (images ? std::string() : std::string(" (or ") + a.tokens_ptr + ")") +
                                           ": expected " + expected_text(*find_key(a.samples_ptr))});
    }
    if (a.whole) z.batch_pointer = has_t && !has_s ? a.tokens_ptr : a.samples_ptr;
  }
  if (z.training_samples > 0 && z.global_batch_samples > 0 && z.training_samples < z.global_batch_samples)
    issues.push_back({r.has("/workload/training_samples") ? "/workload/training_samples" : "/workload/training_tokens",
                      "is smaller than one step (the global batch): expected at least one step"});

  // The decoder structs keep what the rest of the scenario reads (kind, tokens, precision).
  models::TransformerShape m;
  m.kind = lib.kind;
  m.seq_len = z.seq_len;
  s.model = m;
  t.training_tokens = z.training_samples * z.tokens_per_sample;
  t.global_batch_tokens = z.global_batch_samples * z.tokens_per_sample;
  s.zoo = std::move(z);
}

// An encoder, encoder-decoder or ViT shape of the workload's own (no preset; `flopcast import hf`
// writes one): its keys become a model-library entry, checked for what the layer list needs.
void apply_own_zoo_shape(const Reader& r, Scenario& s, std::vector<Issue>& issues,
                         const std::string& kind) {
  const auto mk = kind_from_name(kind);
  const std::size_t issues_before = issues.size();
  LibraryModel lib;
  lib.name = "custom";
  lib.kind = *mk;
  lib.entry = {{"name", "custom"}, {"kind", kind}};
  const std::string a_kind = (kind[0] == 'e' ? "an " : "a ") + kind;
  std::vector<std::string> required = {"d_model", "n_heads"};
  if (lib.kind == models::ModelKind::encoder_decoder)
    required.push_back("vocab_size");
  else
    required.push_back("n_layers");
  if (lib.kind == models::ModelKind::encoder) required.push_back("vocab_size");
  for (const auto& key : required)
    if (!r.has("/workload/model/" + key))
      issues.push_back({"/workload/model/" + key, "missing: required for " + a_kind +
                                                      " shape without a preset (or name a "
                                                      "preset: flopcast models list)"});
  if (lib.kind == models::ModelKind::encoder_decoder && !r.has("/workload/model/n_layers"))
    for (const char* key : {"n_layers_enc", "n_layers_dec"})
      if (!r.has(std::string("/workload/model/") + key))
        issues.push_back({std::string("/workload/model/") + key,
                          "missing: required for an encoder-decoder shape without a preset (or "
                          "give n_layers for both)"});
  if (lib.kind == models::ModelKind::encoder_decoder)
    for (const char* ptr : {"/workload/input/seq_len_enc", "/workload/input/seq_len_dec"})
      if (!r.has(ptr))
        issues.push_back({ptr, "missing: required for an encoder-decoder shape without a preset"});
  if (lib.kind == models::ModelKind::encoder && !r.has("/workload/seq_len"))
    issues.push_back(
        {"/workload/seq_len", "missing: required for an encoder shape without a preset"});
  if (lib.kind == models::ModelKind::vit && !r.has("/workload/input/image_size"))
    issues.push_back(
        {"/workload/input/image_size", "missing: required for a vit shape without a preset"});
  for (const char* key :
       {"n_layers", "d_model", "n_heads", "head_dim", "ffn_dim", "vocab_size", "n_layers_enc",
        "n_layers_dec", "max_positions", "type_vocab", "patch_size", "num_classes"})
    if (const std::string ptr = std::string("/workload/model/") + key; r.has(ptr))
      lib.entry[key] = r.integer(ptr);
  for (const char* key : {"ffn_gated", "biases", "relative_position_bias"})
    if (const std::string ptr = std::string("/workload/model/") + key; r.has(ptr))
      lib.entry[key] = r.boolean(ptr);
  if (r.has("/workload/model/tied_embeddings"))
    lib.entry["tie_embeddings"] = r.boolean("/workload/model/tied_embeddings");
  if (r.has("/workload/model/generator_fraction"))
    lib.entry["generator_fraction"] = r.number("/workload/model/generator_fraction");
  if (r.has("/workload/model/norm")) lib.entry["norm"] = r.string("/workload/model/norm");
  if (lib.kind == models::ModelKind::encoder_decoder && !lib.entry.contains("n_layers_enc") &&
      lib.entry.contains("n_layers")) {
    lib.entry["n_layers_enc"] = lib.entry["n_layers"];
    lib.entry["n_layers_dec"] = lib.entry["n_layers"];
  }
  // Keys one kind reads, given on another.
  const struct {
    models::ModelKind kind;
    const char* label;
    std::vector<const char*> keys;
  } kOwnKeys[] = {{models::ModelKind::encoder, "an encoder", {"max_positions", "type_vocab", "generator_fraction"}},
                  {models::ModelKind::encoder_decoder, "an encoder-decoder", {"n_layers_enc", "n_layers_dec", "relative_position_bias"}},
                  {models::ModelKind::vit, "a vit", {"patch_size", "num_classes"}}};
  for (const auto& own : kOwnKeys)
    if (lib.kind != own.kind)
      for (const char* key : own.keys)
        if (const std::string ptr = std::string("/workload/model/") + key; r.has(ptr))
          issues.push_back({ptr, std::string("applies to ") + own.label + " shape, not to " + a_kind});
  if (issues.size() > issues_before) return;
  apply_zoo_workload(r, s, issues, lib, true);
}

}  // namespace

void apply_workload(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  const std::string preset = r.has("/workload/model/preset") ? r.string("/workload/model/preset") : "";
  const LibraryModel* lib = preset.empty() ? nullptr : find_library_model(preset);
  const bool kind_given = r.has("/workload/model/kind");
  const std::string kind = kind_given ? r.string("/workload/model/kind") : "decoder";
  if (lib) {
    apply_zoo_workload(r, s, issues, *lib);
    return;
  }
  if (preset.empty() && (kind == "encoder" || kind == "encoder-decoder" || kind == "vit")) {
    apply_own_zoo_shape(r, s, issues, kind);
    return;
  }
  if (kind != "decoder") {
    // A non-decoder kind is estimated from a model-library preset: name a few of that kind.
    std::string examples;
    int n = 0;
    for (const auto& lm : model_library())
      if (kind_name(lm.kind) == kind && n++ < 3) examples += (examples.empty() ? "" : ", ") + ("\"" + lm.name + "\"");
    const std::string a_kind = (kind[0] == 'e' ? "an " : "a ") + kind;
    if (preset.empty())
      issues.push_back({"/workload/model/preset", "missing: " + a_kind +
                                                      " workload names a preset of scenarios/data/model_library.json, e.g. " +
                                                      examples + " (flopcast models list)"});
    else
      issues.push_back({"/workload/model/kind", "is \"" + kind + "\": preset \"" + preset +
                                                    "\" is a decoder (scenarios/data/model_presets.json): expected \"decoder\", or " +
                                                    a_kind + " preset such as " + examples});
    return;
  }
  for (const char* key : kOwnShapeKeys)
    if (const std::string ptr = std::string("/workload/model/") + key; r.has(ptr))
      issues.push_back({ptr,
                        "applies to an encoder, encoder-decoder or ViT shape without a preset, not "
                        "to a decoder"});
  // Keys of model-library presets only.
  for (const char* ptr : {"/workload/input", "/workload/training_samples",
                          "/workload/global_batch_samples", "/workload/packed_tokens_per_sample"})
    if (r.has(ptr))
      issues.push_back({ptr, "applies to model-library presets (encoder, encoder-decoder, vit, cnn) only: a decoder "
                             "workload counts tokens (training_tokens, global_batch_tokens, seq_len)"});
  for (const char* ptr : {"/workload/training_tokens", "/workload/global_batch_tokens"})
    if (!r.has(ptr)) issues.push_back({ptr, "missing required key: expected " + expected_text(*find_key(ptr))});

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
  if (r.has("/workload/model/head_dim")) m.head_dim = int(r.integer("/workload/model/head_dim"));
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
  if (r.has("/workload/model/attention")) {
    models::MlaSpec a;
    a.q_lora_rank = int(r.integer("/workload/model/attention/q_lora_rank"));
    a.kv_lora_rank = int(r.integer("/workload/model/attention/kv_lora_rank"));
    a.qk_nope_head_dim = int(r.integer("/workload/model/attention/qk_nope_head_dim"));
    a.qk_rope_head_dim = int(r.integer("/workload/model/attention/qk_rope_head_dim"));
    a.v_head_dim = int(r.integer("/workload/model/attention/v_head_dim"));
    m.mla = a;
  }
  if (r.has("/workload/seq_len")) m.seq_len = int(r.integer("/workload/seq_len"));
  if (m.n_heads > 0 && m.d_model > 0 && m.head_dim <= 0 && m.d_model % m.n_heads != 0)
    issues.push_back({r.has("/workload/model/n_heads") ? "/workload/model/n_heads" : "/workload/model/d_model",
                      "n_heads (" + std::to_string(m.n_heads) + ") must divide d_model (" +
                          std::to_string(m.d_model) + ") unless /workload/model/head_dim is given"});
  if (m.n_heads > 0 && m.n_kv_heads > 0 && m.n_heads % m.n_kv_heads != 0)
    issues.push_back({"/workload/model/n_kv_heads", "is " + std::to_string(m.n_kv_heads) +
                                                        ": expected a divisor of n_heads (" +
                                                        std::to_string(m.n_heads) + ")"});
  s.model = m;

  // Training.
  models::TrainingSpec& t = s.training;
  t.training_tokens = r.number("/workload/training_tokens");
  t.global_batch_tokens = r.number("/workload/global_batch_tokens");
  if (m.seq_len > 0 && r.has("/workload/global_batch_tokens")) {
    const double seqs = t.global_batch_tokens / m.seq_len;
    if (seqs < 1 || seqs != static_cast<double>(static_cast<long long>(seqs)))
      issues.push_back({"/workload/global_batch_tokens",
                        "is " + nlohmann::json(t.global_batch_tokens).dump() +
                            ": expected a whole number of sequences (a positive multiple of seq_len = " +
                            std::to_string(m.seq_len) + ")"});
  }
  if (r.has("/workload/training_tokens") && t.training_tokens < t.global_batch_tokens)
    issues.push_back({"/workload/training_tokens",
                      "is smaller than one step (global_batch_tokens): expected at least one step"});
  t.precision = models::precision_from_string(r.string("/workload/precision")).value_or(models::Precision::bf16);
  const std::string phase = r.string("/workload/phase");
  t.phase = phase == "finetune" ? models::Phase::finetune : models::Phase::pretrain;
  const std::string rc = r.string("/workload/activation_recompute");
  t.recompute = rc == "full" ? models::Recompute::full
                : rc == "selective" ? models::Recompute::selective
                                    : models::Recompute::none;
  s.recompute_auto = rc == "auto";
  if (const std::string att = r.string("/workload/attention"); att != "auto") t.fused_attention = att == "fused";
  t.attention_dropout = r.boolean("/workload/attention_dropout");
  t.recompute_layers = int(r.integer("/workload/recompute_layers"));
  if (r.has("/workload/recompute_layers") && rc != "full")
    issues.push_back({"/workload/recompute_layers", "is set, but /workload/activation_recompute is \"" + rc +
                                                        "\": expected \"full\" (block recompute of that many layers)"});
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
