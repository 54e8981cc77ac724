#include "models/encoder.h"

#include <cmath>

namespace flopcast::models {

void append_encoder_layers(LayerList& L, const TransformerStackSpec& t, double s, int repeat,
                           const std::string& p) {
  const double h = t.d_model, in = t.inner(), f = t.ffn_dim;
  const double mats = t.ffn_gated ? 3 : 2;
  const double dk = t.n_heads > 0 ? in / t.n_heads : 0;
  const double bias = t.biases ? 1 : 0;
  auto add = [&](ZooOp o) {
    o.repeat = repeat;
    L.add(std::move(o));
  };
  auto split = [](ZooOp o, TpSplit how) {
    o.tp_split = how;
    return o;
  };
  add(split(gemm_op(p + "qkv", s, 3 * in, h, 3 * h * in + bias * 3 * in), TpSplit::columns));
  ZooOp qk = gemm_op(p + "scores QK^T", s, s, dk, 0, t.n_heads);
  qk.tp_split = TpSplit::heads;
  qk.attention_score = true;
  qk.saved_elems_per_sample = 2 * s * in;  // Q and K
  add(qk);
  ZooOp sm = memory_op(p + "softmax+dropout", 4 * s * s * t.n_heads, 2 * s * s * t.n_heads);
  sm.tp_split = TpSplit::heads;
  sm.attention_score = true;
  add(sm);
  ZooOp av = gemm_op(p + "scores AV", s, dk, s, 0, t.n_heads);
  av.tp_split = TpSplit::heads;
  av.attention_score = true;
  av.saved_elems_per_sample = s * in;  // V (probabilities counted above)
  add(av);
  add(split(gemm_op(p + "attn out", s, h, in, in * h + bias * h), TpSplit::rows));
  add(split(gemm_op(p + "ffn in", s, (mats - 1) * f, h, (mats - 1) * h * f + bias * (mats - 1) * f),
            TpSplit::columns));
  add(split(memory_op(p + "activation", (mats == 3 ? 3 : 2) * s * f, s * f * (mats - 1)), TpSplit::width));
  add(split(gemm_op(p + "ffn out", s, h, f, f * h + bias * h), TpSplit::rows));
  ZooOp norms = memory_op(p + "norms+dropout+residual", s * h * (2 * 3 + 3 * 2 + 2 * 3), s * h * 4);
  norms.weight_params = 2.0 * t.norms_params * h;
  add(norms);
}

double encoder_params(const EncoderSpec& e) {
  EncoderSpec d = e;
  d.generator_fraction = 0;  // published ELECTRA counts are the discriminator's
  const LayerList L = build_encoder(d, 128, Phase::finetune, "count");
  return L.params() - (2.0 * d.stack.d_model + 2);  // BertModel totals: no task head

}

LayerList build_encoder(const EncoderSpec& e, int seq, Phase phase, const std::string& name) {
  LayerList L;
  L.name = name;
  L.kind = ModelKind::encoder;
  L.tokens_per_sample = seq;
  const auto& t = e.stack;
  const double h = t.d_model, s = seq, V = e.vocab_size;
  ZooOp emb = memory_op("embeddings+LayerNorm", s * h * 6, s * h);
  emb.weight_params = V * h + double(e.max_positions) * h + double(e.type_vocab) * h + 2 * h;
  L.add(emb);
  append_encoder_layers(L, t, s, t.n_layers, "layer ");
  // Pooler (counted in the published BertModel parameter totals).
  L.add(gemm_op("pooler", 1, h, h, h * h + h));
  if (phase == Phase::pretrain) {
    const double m = std::max(1.0, std::round(e.masked_fraction * s));
    L.add(gemm_op("mlm transform", m, h, h, h * h + h + 2 * h));
    ZooOp dec = gemm_op("mlm decoder (tied)", m, V, h, V);  // only the output bias is new
    dec.tp_split = TpSplit::columns;                        // vocabulary-parallel
    L.add(dec);
    ZooOp loss = memory_op("mlm softmax+loss", 3 * m * V, m * V);
    loss.tp_split = TpSplit::width;
    loss.elementwise_fp32 = true;
    L.add(loss);
    L.add(gemm_op("nsp head", 1, 2, h, 2 * h + 2));
    if (e.generator_fraction > 0) {
      // ELECTRA: a generator of width fraction·h (same depth) runs the MLM task on the same input.
      TransformerStackSpec g = t;
      g.d_model = std::max(1, int(std::lround(t.d_model * e.generator_fraction)));
      g.n_heads = std::max(1, int(std::lround(t.n_heads * e.generator_fraction)));
      g.ffn_dim = t.ffn_dim * e.generator_fraction;
      append_encoder_layers(L, g, s, g.n_layers, "generator ");
      L.add(gemm_op("generator mlm head", m, V, g.d_model, g.d_model * h + g.d_model * g.d_model));
    }
  } else {
    L.add(gemm_op("span head", s, 2, h, 2 * h + 2));
  }
  L.tensor_parallel = true;
  return L;
}

}  // namespace flopcast::models
