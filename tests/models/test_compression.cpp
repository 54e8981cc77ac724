// Compression levers: pruning, quantization, distillation as documented multipliers.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/compression.h"
#include "models/memory.h"

using namespace flopcast::models;

namespace {

TransformerShape small_model() {
  TransformerShape m;
  m.n_layers = 2;
  m.d_model = 8;
  m.n_heads = 2;
  m.n_kv_heads = 1;
  m.ffn_dim = 16;
  m.ffn_gated = true;
  m.vocab_size = 10;
  m.seq_len = 16;
  return m;  // 1,352 parameters (see test_memory.cpp)
}

TransformerShape llama8b() {
  TransformerShape m;
  m.n_layers = 32;
  m.d_model = 4096;
  m.n_heads = 32;
  m.n_kv_heads = 8;
  m.ffn_dim = 14336;
  m.vocab_size = 128256;
  m.seq_len = 4096;
  return m;
}

DeviceSpec gpu(bool sparse) {
  DeviceSpec d;
  d.id = sparse ? "sparse-gpu" : "dense-gpu";
  d.peak_flops_per_s[index_of(Precision::bf16)] = 1000e12;
  d.peak_flops_per_s[index_of(Precision::fp8)] = 2000e12;
  d.sparse_2_4 = sparse;
  return d;
}

TrainingSpec training() {
  TrainingSpec t;
  t.precision = Precision::bf16;
  t.global_batch_tokens = 64 * 4096.0;
  return t;
}

}  // namespace

TEST_CASE("No compression: every multiplier is 1", "[compression]") {
  const CompressionEffect e = compression_effect(llama8b(), training(), gpu(true));
  CHECK(e.params_factor == 1);
  CHECK(e.flops_per_token_factor == 1);
  CHECK(e.peak_factor == 1);
  CHECK(e.weight_bytes_factor == 1);
  CHECK(e.activation_bytes_factor == 1);
  CHECK(e.teacher_flops_per_token == 0);
}

TEST_CASE("Structured pruning lowers FLOPs and bytes", "[compression]") {
  TrainingSpec t = training();
  t.compression.pruning = PruningKind::structured;
  t.compression.pruning_sparsity = 0.3;
  const CompressionEffect e = compression_effect(llama8b(), t, gpu(false));
  CHECK(e.flops_per_token_factor == Approx(0.7));
  CHECK(e.params_factor == Approx(0.7));
  CHECK(e.weight_bytes_factor == 1);  // per remaining weight: the parameter count carries the saving
  CHECK(e.peak_factor == 1);

  Layout l;
  const MemoryBreakdown dense = memory_per_device(llama8b(), training(), l, gpu(false));
  const MemoryBreakdown pruned = memory_per_device(llama8b(), t, l, gpu(false));
  CHECK(pruned.weights_bytes == Approx(dense.weights_bytes * 0.7));
  CHECK(pruned.gradients_bytes == Approx(dense.gradients_bytes * 0.7));
  CHECK(pruned.optimizer_bytes == Approx(dense.optimizer_bytes * 0.7));
}

TEST_CASE("Unstructured pruning changes nothing without 2:4 hardware", "[compression]") {
  for (double p : {0.1, 0.5, 0.9}) {
    TrainingSpec t = training();
    t.compression.pruning = PruningKind::unstructured;
    t.compression.pruning_sparsity = p;
    const CompressionEffect dense_hw = compression_effect(llama8b(), t, gpu(false));
    CHECK(dense_hw.flops_per_token_factor == 1);
    CHECK(dense_hw.peak_factor == 1);
    CHECK(dense_hw.weight_bytes_factor == 1);
    CHECK_FALSE(dense_hw.notes.empty());

    const CompressionEffect sparse_hw = compression_effect(llama8b(), t, gpu(true));
    CHECK(sparse_hw.flops_per_token_factor == 1);  // the same work, done at a doubled peak
    if (p >= 0.5) {
      CHECK(sparse_hw.peak_factor == 2);
      CHECK(sparse_hw.weight_bytes_factor == Approx(0.5 * (1 + 2.0 / 16)));  // 0.5625 for 16-bit
    } else {
      CHECK(sparse_hw.peak_factor == 1);  // 2:4 needs at least half the weights zero
    }
  }
}

TEST_CASE("Quantization lowers weight bytes; W8A8 runs at the fp8 peak", "[compression]") {
  TrainingSpec t = training();
  t.compression.weight_bits = 4;  // W4A16: weight-only
  CompressionEffect e = compression_effect(llama8b(), t, gpu(false));
  CHECK(e.weight_bytes_factor == Approx(0.25));
  CHECK(e.activation_bytes_factor == 1);
  CHECK(e.peak_factor == 1);

  t.compression.weight_bits = 8;
  t.compression.activation_bits = 8;
  e = compression_effect(llama8b(), t, gpu(false));
  CHECK(e.weight_bytes_factor == Approx(0.5));
  CHECK(e.activation_bytes_factor == Approx(0.5));
  CHECK(e.peak_factor == Approx(2.0));  // 2000 / 1000 TFLOP/s

  DeviceSpec no_fp8 = gpu(false);
  no_fp8.peak_flops_per_s[index_of(Precision::fp8)].reset();
  CHECK(compression_effect(llama8b(), t, no_fp8).peak_factor == 1);  // nothing faster to run on

  Layout l;
  const MemoryBreakdown base = memory_per_device(llama8b(), training(), l, gpu(false));
  const MemoryBreakdown q = memory_per_device(llama8b(), t, l, gpu(false));
  CHECK(q.weights_bytes < base.weights_bytes);
  CHECK(q.activations_bytes < base.activations_bytes);
}

TEST_CASE("Distillation adds the teacher's forward FLOPs, hand-worked", "[compression]") {
  // teacher = small_model(): 1,352 parameters; forward = 2 · 1352 + 4 · L · h · s = 2704 + 4·2·8·16
  CHECK(forward_flops_per_token(small_model()) == Approx(2704 + 1024));
  TrainingSpec t = training();
  TransformerShape teacher = small_model();
  teacher.seq_len = 0;  // unknown: the teacher reads the student's sequences (seq 16 below)
  t.compression.distillation_teacher = teacher;
  TransformerShape student = small_model();
  const CompressionEffect e = compression_effect(student, t, gpu(false));
  CHECK(e.teacher_params == 1352);
  CHECK(e.teacher_flops_per_token == Approx(3728));
  CHECK(e.flops_per_token_factor == 1);  // the student's own work is unchanged

  Layout l;
  TrainingSpec plain = training();
  const MemoryBreakdown a = memory_per_device(student, plain, l, gpu(false));
  const MemoryBreakdown b = memory_per_device(student, t, l, gpu(false));
  CHECK(b.weights_bytes == Approx(a.weights_bytes + 2 * 1352));  // frozen 16-bit teacher
}

TEST_CASE("Out-of-range sparsity is clamped, never nan", "[compression]") {
  TrainingSpec t = training();
  t.compression.pruning = PruningKind::structured;
  t.compression.pruning_sparsity = NAN;
  CompressionEffect e = compression_effect(llama8b(), t, gpu(false));
  CHECK(e.params_factor == 1);
  t.compression.pruning_sparsity = 1.5;
  e = compression_effect(llama8b(), t, gpu(false));
  CHECK(e.params_factor > 0);
  CHECK(std::isfinite(e.params_factor));
}
