// The workload: what is trained (model shape) and how (batch, tokens, precision, phase).
//
// Plain structs shared by every model, the simulator, the scenario format and the predictor.
// The model is a *kind* (decoder today; encoder, encoder-decoder, ViT and CNN have their slots)
// so new architectures add a kind rather than rewrite the decoder path.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/precision.h"

namespace flopcast::models {

enum class ModelKind { decoder, encoder, encoder_decoder, vit, cnn };

struct MoeSpec {
  int n_experts = 0;          // routed experts
  int experts_per_token = 0;  // top-k
  double expert_ffn_dim = 0;  // width of one routed expert's FFN
  double shared_ffn_dim = 0;  // total width of the always-active shared experts (0: none)
  int n_dense_layers = 0;     // leading layers with a dense FFN of width ffn_dim
};

// DeepSeek multi-head latent attention.
struct MlaSpec {
  int q_lora_rank = 0;  // 0: queries are not low-rank
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
};

struct TransformerShape {
  ModelKind kind = ModelKind::decoder;
  int n_layers = 0;
  int d_model = 0;
  int n_heads = 0;
  int n_kv_heads = 0;  // == n_heads: MHA; 1: MQA; between: GQA
  int head_dim = 0;    // per-head width; 0: d_model / n_heads (Qwen3, Gemma, gpt-oss set it apart)
  double ffn_dim = 0;
  bool ffn_gated = true;  // SwiGLU/GeGLU: three FFN matrices; plain GELU/ReLU: two
  int vocab_size = 0;
  int seq_len = 0;
  bool tied_embeddings = false;
  std::optional<MoeSpec> moe;
  std::optional<MlaSpec> mla;
  std::optional<double> params_hint;         // published total, used only when the shape is partial
  std::optional<double> params_active_hint;  // published active per token (MoE)
};

enum class Recompute { none, selective, full };
enum class Phase { pretrain, finetune };

struct LoraSpec {
  int rank = 0;
  std::vector<std::string> targets;  // qkv_proj, q_proj, k_proj, v_proj, o_proj, up_proj, gate_proj, down_proj
};

enum class PruningKind { none, structured, unstructured };
struct Compression {
  PruningKind pruning = PruningKind::none;
  double pruning_sparsity = 0.0;  // fraction of weights removed, [0, 1)
  int weight_bits = 0;            // 0: same as compute precision
  int activation_bits = 0;        // 0: same as compute precision
  std::optional<TransformerShape> distillation_teacher;  // teacher forward runs every step
};

struct TrainingSpec {
  double global_batch_tokens = 0;
  int micro_batch_size = 1;  // sequences per micro-batch
  double training_tokens = 0;
  Precision precision = Precision::bf16;
  Recompute recompute = Recompute::none;
  // With recompute == full: how many of the ⌈L/pp⌉ layers a pipeline stage holds are recomputed
  // (Megatron-Core --recompute-method block --recompute-num-layers k); 0 = all of them. The other
  // layers keep all their activations. Auto layout picks the fewest that make the layout fit.
  int recompute_layers = 0;
  // Attention kernel: nullopt picks it from the device and precision (models/memory.h
  // fused_attention); true/false force FlashAttention / the unfused s×s scores (e.g. a published
  // run whose software predates FlashAttention).
  std::optional<bool> fused_attention;
  // Dropout on the attention probabilities (Megatron-LM's --attention-dropout, 0.1 by default until
  // LLM recipes turned it off): with unfused attention it is two more passes over the s×s scores
  // (forward: read, write, 1-byte mask; backward the same); FlashAttention applies it in-kernel.
  bool attention_dropout = false;
  // Data-parallel communication (gradient reduction, ZeRO parameter gathers) overlapped with the
  // backward / forward (PyTorch DDP buckets, Megatron-Core --overlap-grad-reduce); false: it runs
  // after the backward, as Megatron-LM's local DDP did before 2023.
  bool overlap_grad_reduce = true;
  Phase phase = Phase::pretrain;
  std::optional<LoraSpec> lora;
  int frozen_layers = 0;
  Compression compression;
};

}  // namespace flopcast::models
