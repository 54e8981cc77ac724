// Encoder-decoder transformers (T5 / T5 v1.1, Transformer-big for translation): layer list ->
// FLOPs, parameters, activation bytes.
//
// Formula (one sample = s_e source tokens + s_d target tokens; width h, inner = H·d_k, FFN f):
//   encoder layer   as models/encoder.h over s_e tokens (bidirectional)
//   decoder layer   self-attention over s_d tokens (QKV 2·s_d·h·3·inner, scores 4·s_d²·inner: the
//                   causal mask is applied to a full s_d×s_d product in these implementations),
//                   cross-attention (Q 2·s_d·h·inner, K/V 2·s_e·h·2·inner, scores 4·s_d·s_e·inner,
//                   output 2·s_d·inner·h), FFN 2·s_d·mats·h·f
//   LM head         2·s_d·h·V, softmax + cross-entropy over s_d·V logits in fp32
//   parameters      encoder + decoder layers, embeddings V·h (shared by encoder, decoder and the
//                   output when tie_embeddings; T5 v1.1 unties the LM head), sinusoidal positions
//                   (Transformer) or relative-position buckets 32·H per stack (T5)
// Assumptions: one token of the metric is a target token (fairseq "wps", T5X "target tokens") unless
//   the caller counts source + target (tokens_per_sample = s_e + s_d: T5X throughput tables).
// Ignores: padding inside a token-budget batch, label smoothing, beam search (training only).
// Sources: Vaswani et al. 2017 (arXiv:1706.03762) Table 3 "big" (213 M); Raffel et al. 2020
//   (T5, arXiv:1910.10683); T5 v1.1 notes (github.com/google-research/text-to-text-transfer-
//   transformer/blob/main/released_checkpoints.md: GEGLU, no dropout in pre-training, untied head).
#pragma once

#include "models/encoder.h"

namespace flopcast::models {

struct EncoderDecoderSpec {
  TransformerStackSpec stack;  // n_layers unused: the two counts below
  int n_layers_enc = 0;
  int n_layers_dec = 0;
  int vocab_size = 0;
  bool tie_embeddings = true;          // output projection shares the embedding
  bool relative_position_bias = false;  // T5: 32 buckets × heads per stack
  int max_positions = 0;                // learned absolute positions (0: sinusoidal or relative)
};

// tokens_per_sample of the result: s_e + s_d when count_source_tokens, else s_d.
LayerList build_encoder_decoder(const EncoderDecoderSpec& e, int seq_enc, int seq_dec, bool count_source_tokens,
                                const std::string& name);

double encoder_decoder_params(const EncoderDecoderSpec& e);

}  // namespace flopcast::models
