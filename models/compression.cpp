#include "models/compression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "models/memory.h"

namespace flopcast::models {

double forward_flops_per_token(const TransformerShape& m) {
  const ParameterSplit p = parameter_split(m);
  const double n_active = p.active > 0 ? p.active : m.params_active_hint.value_or(m.params_hint.value_or(0));
  double attn_dim = m.d_model;
  if (m.mla && m.n_heads > 0)  // scores over qk_head_dim, values over v_head_dim: mean of the two widths
    attn_dim = 0.5 * m.n_heads * (m.mla->qk_nope_head_dim + m.mla->qk_rope_head_dim + m.mla->v_head_dim);
  const double attention = 4.0 * std::max(0, m.n_layers) * attn_dim * std::max(0, m.seq_len);
  return 2.0 * n_active + attention;
}

namespace {

std::string pct(double x) { return std::to_string(static_cast<int>(std::lround(100 * x))) + "%"; }

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

// The lowest precision the device has a peak for whose storage fits `bits`.
std::optional<Precision> low_precision_for(int bits, const DeviceSpec& d) {
  if (bits <= 4 && d.peak(Precision::fp4)) return Precision::fp4;
  if (bits <= 8 && d.peak(Precision::fp8)) return Precision::fp8;
  if (bits <= 8 && d.peak(Precision::int8)) return Precision::int8;
  return std::nullopt;
}

}  // namespace

CompressionEffect compression_effect(const TransformerShape& m, const TrainingSpec& t, const DeviceSpec& d) {
  CompressionEffect e;
  const Compression& c = t.compression;
  const double compute_bits = 8.0 * bytes_per_element(t.precision);
  const double p = std::isfinite(c.pruning_sparsity) ? std::clamp(c.pruning_sparsity, 0.0, 0.99) : 0.0;

  if (c.pruning == PruningKind::structured && p > 0) {
    e.params_factor = 1 - p;
    e.flops_per_token_factor = 1 - p;
    e.notes.push_back("structured pruning " + pct(p) + ": parameters, FLOPs and weight bytes x" +
                      num(1 - p));
  } else if (c.pruning == PruningKind::unstructured && p > 0) {
    if (d.sparse_2_4 && p >= 0.5) {
      e.peak_factor = 2.0;
      e.weight_bytes_factor = 0.5 * (1 + 2 / compute_bits);
      e.notes.push_back("unstructured pruning " + pct(p) + " as 2:4 sparsity on " + d.id +
                        ": tensor peak x2, compute weight copy compressed");
    } else {
      e.notes.push_back("unstructured pruning " + pct(p) + ": no speed-up or memory saving without 2:4 "
                        "sparse hardware at >= 50% sparsity (dense kernels run on the zeros)");
    }
  }

  const int wb = c.weight_bits, ab = c.activation_bits;
  if (wb > 0 && wb < compute_bits) {
    e.weight_bytes_factor *= wb / compute_bits;
    e.notes.push_back("weights stored in " + std::to_string(wb) + " bits");
  }
  if (ab > 0 && ab < compute_bits) {
    e.activation_bytes_factor = ab / compute_bits;
    e.notes.push_back("activations stored in " + std::to_string(ab) + " bits");
  }
  if (wb > 0 && ab > 0 && wb < compute_bits && ab < compute_bits) {
    const auto low = low_precision_for(std::max(wb, ab), d);
    const auto base = d.peak(t.precision);
    if (low && base && *base > 0 && *d.peak(*low) > *base) {
      e.peak_factor *= *d.peak(*low) / *base;
      e.notes.push_back("matmuls at the " + std::string(to_string(*low)) + " peak (W" + std::to_string(wb) +
                        "A" + std::to_string(ab) + ")");
    }
  }

  if (c.distillation_teacher) {
    const TransformerShape& teacher = *c.distillation_teacher;
    const ParameterSplit tp = parameter_split(teacher);
    e.teacher_params = tp.total > 0 ? tp.total : teacher.params_hint.value_or(0);
    TransformerShape tt = teacher;
    if (tt.seq_len <= 0) tt.seq_len = m.seq_len;  // the teacher reads the student's sequences
    e.teacher_flops_per_token = forward_flops_per_token(tt);
    e.notes.push_back("distillation: teacher forward adds " + num(e.teacher_flops_per_token) +
                      " FLOPs per token");
  }
  return e;
}

}  // namespace flopcast::models
