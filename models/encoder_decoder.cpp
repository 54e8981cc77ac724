#include "models/encoder_decoder.h"

namespace flopcast::models {

LayerList build_encoder_decoder(const EncoderDecoderSpec& e, int seq_enc, int seq_dec, bool count_source_tokens,
                                const std::string& name) {
  LayerList L;
  L.name = name;
  L.kind = ModelKind::encoder_decoder;
  const auto& t = e.stack;
  const double h = t.d_model, in = t.inner(), f = t.ffn_dim, V = e.vocab_size;
  const double se = seq_enc, sd = seq_dec;
  const double mats = t.ffn_gated ? 3 : 2;
  const double dk = t.n_heads > 0 ? in / t.n_heads : 0;
  const double bias = t.biases ? 1 : 0;
  L.tokens_per_sample = count_source_tokens ? se + sd : sd;

  ZooOp emb = memory_op("embeddings", (se + sd) * h * 4, (se + sd) * h);
  emb.weight_params = V * h + 2.0 * e.max_positions * h;  // one embedding shared by both stacks
  if (e.relative_position_bias) emb.weight_params += 2.0 * 32 * t.n_heads;
  L.add(emb);
  append_encoder_layers(L, t, se, e.n_layers_enc, "enc ");
  ZooOp enc_norm = memory_op("enc final norm", se * h * 3, 0);
  enc_norm.weight_params = t.norms_params * h;
  L.add(enc_norm);

  const int r = e.n_layers_dec;
  auto score = [](ZooOp o) {
    o.attention_score = true;
    return o;
  };
  auto add = [&](ZooOp o) {
    o.repeat = r;
    L.add(std::move(o));
  };
  auto split = [](ZooOp o, TpSplit how) {
    o.tp_split = how;
    return o;
  };
  // self-attention
  add(split(gemm_op("dec self qkv", sd, 3 * in, h, 3 * h * in + bias * 3 * in), TpSplit::columns));
  add(split(score(gemm_op("dec self QK^T", sd, sd, dk, 0, t.n_heads)), TpSplit::heads));
  add(split(score(memory_op("dec self softmax+dropout", 4 * sd * sd * t.n_heads, 2 * sd * sd * t.n_heads)), TpSplit::heads));
  add(split(score(gemm_op("dec self AV", sd, dk, sd, 0, t.n_heads)), TpSplit::heads));
  add(split(gemm_op("dec self out", sd, h, in, in * h + bias * h), TpSplit::rows));
  // cross-attention
  add(split(gemm_op("dec cross q", sd, in, h, h * in + bias * in), TpSplit::columns));
  add(split(gemm_op("dec cross kv", se, 2 * in, h, 2 * h * in + bias * 2 * in), TpSplit::columns));
  add(split(score(gemm_op("dec cross QK^T", sd, se, dk, 0, t.n_heads)), TpSplit::heads));
  add(split(score(memory_op("dec cross softmax+dropout", 4 * sd * se * t.n_heads, 2 * sd * se * t.n_heads)), TpSplit::heads));
  add(split(score(gemm_op("dec cross AV", sd, dk, se, 0, t.n_heads)), TpSplit::heads));
  add(split(gemm_op("dec cross out", sd, h, in, in * h + bias * h), TpSplit::rows));
  // FFN
  add(split(gemm_op("dec ffn in", sd, (mats - 1) * f, h, (mats - 1) * h * f + bias * (mats - 1) * f), TpSplit::columns));
  add(split(memory_op("dec activation", (mats == 3 ? 3 : 2) * sd * f, sd * f * (mats - 1)), TpSplit::width));
  add(split(gemm_op("dec ffn out", sd, h, f, f * h + bias * h), TpSplit::rows));
  ZooOp norms = memory_op("dec norms+dropout+residual", sd * h * (3 * 3 + 4 * 2 + 3 * 3), sd * h * 6);
  norms.weight_params = 3.0 * t.norms_params * h;
  add(norms);

  ZooOp dec_norm = memory_op("dec final norm", sd * h * 3, 0);
  dec_norm.weight_params = t.norms_params * h;
  L.add(dec_norm);
  L.add(split(gemm_op("lm head", sd, V, h, e.tie_embeddings ? 0 : V * h), TpSplit::columns));  // vocab-parallel
  ZooOp loss = memory_op("softmax+cross-entropy", 3 * sd * V, sd * V);
  loss.tp_split = TpSplit::width;
  loss.elementwise_fp32 = true;
  L.add(loss);
  L.tensor_parallel = true;
  return L;
}

double encoder_decoder_params(const EncoderDecoderSpec& e) {
  return build_encoder_decoder(e, 16, 16, false, "count").params();
}

}  // namespace flopcast::models
