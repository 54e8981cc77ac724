// Encoder-only transformers (BERT, ELECTRA, ...): layer list -> FLOPs, parameters, activation bytes.
//
// Formula (one sequence of s tokens, width h, H heads of d_k (inner = H·d_k), FFN width f,
// mats = 3 gated / 2 plain; a matmul of an x×y weight on one token costs 2·x·y FLOPs):
//   per layer   QKV 2·s·h·3·inner, scores QKᵀ 2·s²·inner and AV 2·s²·inner (bidirectional: the whole
//               s×s matrix is computed), output 2·s·inner·h, FFN 2·s·mats·h·f
//   parameters  4·h·inner + mats·h·f (+ biases 3·inner + h + (mats−1)·f + h, + 2 LayerNorms 4·h)
//   embeddings  V·h + P·h + T·h (word, position, token type) + LayerNorm
//   MLM head    dense h×h + LayerNorm + decoder h×V (tied to the word embedding: only its bias V
//               counts) applied to the masked positions only (masked_fraction·s tokens: Devlin et al.
//               gather the masked positions before the head); pooler h×h + NSP 2·h
//   memory-bound per layer (elements moved per token, forward): 2 LayerNorms 3·h each, 3 dropouts
//               2·h each, 2 residual adds 3·h each, activation 2·f (gated 3·f), softmax + dropout on
//               the scores 4·s·H (score matrix materialised, the pre-FlashAttention implementations)
// Assumptions: post-LN or pre-LN cost the same; ELECTRA's generator is a separate, smaller
//   encoder whose cost is added by the library entry (generator_fraction of the discriminator).
//   Fine-tuning (SQuAD) replaces the MLM head by a 2-way span head.
// Ignores: attention masks / padding (sequences packed to s), biases' FLOPs, embedding gradients'
//   sparsity.
// Sources: Devlin et al. 2019 (BERT, arXiv:1810.04805) Table/Sec. 3, Google's run_pretraining.py
//   (masked-position gather, max_predictions_per_seq 20 @128, 80 @512 ≈ 15 %); Clark et al. 2020
//   (ELECTRA, arXiv:2003.10555) Table 6; Vaswani et al. 2017.
#pragma once

#include "models/zoo_estimate.h"

namespace flopcast::models {

struct TransformerStackSpec {
  int n_layers = 0;
  int d_model = 0;
  int n_heads = 0;
  int head_dim = 0;  // 0: d_model / n_heads (T5 sets 64 with inner ≠ d_model)
  double ffn_dim = 0;
  bool ffn_gated = false;
  bool biases = true;       // BERT/ViT/Transformer have biases; T5 v1.1 has none
  int norms_params = 2;     // parameters per LayerNorm element: 2 (γ, β) or 1 (RMSNorm, T5)
  double inner() const { return double(n_heads) * (head_dim > 0 ? head_dim : (n_heads > 0 ? d_model / n_heads : 0)); }
};

// One encoder layer (self-attention over s_q = s_kv = seq tokens, bidirectional) appended to L
// `repeat` times.
void append_encoder_layers(LayerList& L, const TransformerStackSpec& t, double seq, int repeat,
                           const std::string& prefix);

struct EncoderSpec {
  TransformerStackSpec stack;
  int vocab_size = 0;
  int max_positions = 512;
  int type_vocab = 2;
  double masked_fraction = 0.15;  // MLM positions the head runs on (pretraining)
  double generator_fraction = 0;  // ELECTRA: generator width / discriminator width (0: none)
};

// Pretraining (MLM + NSP heads) or fine-tuning (span head) layer list for sequences of seq tokens.
LayerList build_encoder(const EncoderSpec& e, int seq, Phase phase, const std::string& name);

// Parameters of the encoder as published counts define them (embeddings + layers + pooler).
double encoder_params(const EncoderSpec& e);

}  // namespace flopcast::models
