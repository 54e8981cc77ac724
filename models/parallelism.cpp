#include "models/parallelism.h"

#include <algorithm>
#include <cmath>

namespace flopcast::models {

int microbatches(const TrainingSpec& t, int seq_len, const Layout& l) {
  const double seqs = seq_len > 0 ? t.global_batch_tokens / seq_len : 0;
  const double per_replica = seqs / std::max(1, l.dp);
  const int m = int(std::floor(per_replica / std::max(1, l.micro_batch_size) + 1e-9));
  return std::max(1, m);
}

double schedule_slots(PipelineSchedule s, int p, int m, int v) {
  p = std::max(1, p);
  m = std::max(1, m);
  if (s == PipelineSchedule::interleaved && v > 1) return (double(v) * m + p - 1) / v;
  return double(m + p - 1);
}

double bubble_fraction(PipelineSchedule s, int p, int m, int v) {
  p = std::max(1, p);
  m = std::max(1, m);
  if (s == PipelineSchedule::interleaved && v > 1) return double(p - 1) / (double(v) * m + p - 1);
  return double(p - 1) / double(m + p - 1);
}

int expert_tp(const Layout&) { return 1; }

std::string validate_layout(const TransformerShape& m, const TrainingSpec& t, const Layout& l, int devices) {
  auto s = [](auto v) { return std::to_string(v); };
  if (l.dp < 1 || l.tp < 1 || l.pp < 1 || l.cp < 1 || l.ep < 1 || l.vp < 1 || l.micro_batch_size < 1)
    return "every parallel degree and the micro-batch size must be >= 1";
  if (l.devices() != devices)
    return "dp*tp*pp*cp = " + s(l.dp) + "*" + s(l.tp) + "*" + s(l.pp) + "*" + s(l.cp) + " = " + s(l.devices()) +
           " must equal the device count " + s(devices);
  if (m.n_heads > 0 && m.n_heads % l.tp != 0)
    return "tp = " + s(l.tp) + " must divide n_heads = " + s(m.n_heads);
  if (m.n_kv_heads > 0 && !m.mla && m.n_kv_heads % l.tp != 0 && l.tp % m.n_kv_heads != 0)
    return "tp = " + s(l.tp) + " and n_kv_heads = " + s(m.n_kv_heads) + ": one must divide the other";
  if (m.n_layers > 0 && l.pp > m.n_layers)
    return "pp = " + s(l.pp) + " must not exceed n_layers = " + s(m.n_layers);
  if (m.n_layers > 0 && l.pp * l.vp > m.n_layers)
    return "pp*vp = " + s(l.pp * l.vp) + " must not exceed n_layers = " + s(m.n_layers);
  if (m.seq_len > 0 && m.seq_len % l.cp != 0)
    return "cp = " + s(l.cp) + " must divide seq_len = " + s(m.seq_len);
  if (l.ep > 1) {
    if (!m.moe) return "ep = " + s(l.ep) + " needs a mixture-of-experts model";
    if (m.moe->n_experts > 0 && m.moe->n_experts % l.ep != 0)
      return "ep = " + s(l.ep) + " must divide n_experts = " + s(m.moe->n_experts);
    const long pool = long(l.dp) * l.cp * l.tp;
    if (pool % l.ep != 0) return "ep = " + s(l.ep) + " must divide dp*cp*tp = " + s(pool);
  }
  if (m.seq_len > 0 && t.global_batch_tokens > 0) {
    const double seqs = t.global_batch_tokens / m.seq_len;
    if (seqs + 1e-9 < double(l.dp) * l.micro_batch_size)
      return "global batch of " + s(long(std::llround(seqs))) + " sequences is smaller than dp*micro_batch_size = " +
             s(long(l.dp) * l.micro_batch_size);
  }
  if (l.schedule == PipelineSchedule::interleaved && l.vp > 1 && l.pp > 1) {
    const int mb = microbatches(t, m.seq_len, l);
    if (mb % l.pp != 0)
      return "interleaved schedule needs micro-batches per step (" + s(mb) + ") to be a multiple of pp = " + s(l.pp);
  }
  return "";
}

}  // namespace flopcast::models
