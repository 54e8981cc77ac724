// Memory model: Korthikanti et al. 2022 activation formulas worked by hand, ZeRO / recompute /
// FlashAttention / LoRA properties, and the measured peak-memory records of the ground truth.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "models/memory.h"

using namespace flopcast::models;

namespace {

// GPT-3 175B as in Korthikanti et al. 2022 (Table 3): a = 96, h = 12288, s = 2048, L = 96, f = 4h,
// plain GELU FFN, LayerNorm, dropout on, no FlashAttention.
TransformerShape gpt3() {
  TransformerShape m;
  m.n_layers = 96;
  m.d_model = 12288;
  m.n_heads = 96;
  m.n_kv_heads = 96;
  m.ffn_dim = 4 * 12288;
  m.ffn_gated = false;
  m.vocab_size = 51200;
  m.seq_len = 2048;
  return m;
}

// A Llama-style 8B shape (GQA, SwiGLU).
TransformerShape llama8b() {
  TransformerShape m;
  m.n_layers = 32;
  m.d_model = 4096;
  m.n_heads = 32;
  m.n_kv_heads = 8;
  m.ffn_dim = 14336;
  m.ffn_gated = true;
  m.vocab_size = 128256;
  m.seq_len = 8192;
  return m;
}

TrainingSpec bf16_training(double global_batch_tokens) {
  TrainingSpec t;
  t.precision = Precision::bf16;
  t.global_batch_tokens = global_batch_tokens;
  return t;
}

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

TEST_CASE("Korthikanti per-layer activation memory, GPT-3 175B, hand-worked", "[memory]") {
  const TransformerShape m = gpt3();
  TrainingSpec t = bf16_training(1536 * 2048.0);
  Layout l;
  // s·b·h = 2048 · 1 · 12288 = 25,165,824; 5·a·s/h = 5 · 96 · 2048 / 12288 = 80.

  SECTION("no parallelism: s·b·h·(34 + 5as/h) = 25,165,824 · 114") {
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(2868903936.0));
  }
  SECTION("tensor parallel t = 8 without sequence parallelism: s·b·h·(10 + 24/t + 5as/(ht)) = sbh · 23") {
    l.tp = 8;
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(578813952.0));
  }
  SECTION("tensor + sequence parallel t = 8: s·b·h·(34 + 5as/h)/t = sbh · 14.25") {
    l.tp = 8;
    l.sequence_parallel = true;
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(358612992.0));
  }
  SECTION("selective recompute with TP + SP, t = 8: 34·s·b·h/t = sbh · 4.25") {
    l.tp = 8;
    l.sequence_parallel = true;
    t.recompute = Recompute::selective;
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(106954752.0));
  }
  SECTION("full recompute with TP + SP, t = 8: the layer input 2·s·b·h/t = sbh · 0.25") {
    l.tp = 8;
    l.sequence_parallel = true;
    t.recompute = Recompute::full;
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(6291456.0));
  }
  SECTION("FlashAttention: 34·sbh + fp32 log-sum-exp 4·a·s·b = 855,638,016 + 786,432") {
    CHECK(activation_bytes_per_layer(m, t, l, 1, true, true) == Approx(856424448.0));
  }
  SECTION("micro-batch of 2 doubles it") {
    CHECK(activation_bytes_per_layer(m, t, l, 2, false, true) == Approx(2 * 2868903936.0));
  }
  SECTION("fp8: the four GEMM inputs (QKV, out-projection, FFN, fc2: 2 + 2 + 2 + 8 = 14 of the 34 sbh) in 1 byte") {
    // 16-bit: QKV input 2sbh, out-proj input 2sbh, FFN input 2sbh, fc2 input (GELU output) 2·s·b·4h
    // = 14sbh; in fp8 half of it: 34 − 7 = 27 sbh, + the unchanged softmax term 80 sbh.
    t.precision = Precision::fp8;
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(25165824.0 * (27 + 80)));
    t.recompute = Recompute::full;  // the layer input (residual stream) stays 16-bit
    CHECK(activation_bytes_per_layer(m, t, l, 1, false, true) == Approx(2 * 25165824.0));
  }
}

TEST_CASE("Pipeline in-flight micro-batches per schedule", "[memory]") {
  Layout l;
  CHECK(inflight_microbatches(l, 64) == 1);  // no pipeline: micro-batches run one after another
  l.pp = 8;
  CHECK(inflight_microbatches(l, 64) == 8);  // 1F1B: stage 0 holds p
  CHECK(inflight_microbatches(l, 4) == 4);   // ... or m when m < p
  l.schedule = PipelineSchedule::interleaved;
  l.vp = 4;
  CHECK(inflight_microbatches(l, 64) == Approx(8 * (1 + 7.0 / 32)));  // 9.75
  l.schedule = PipelineSchedule::gpipe;
  CHECK(inflight_microbatches(l, 64) == 64);

  TransformerShape m = gpt3();
  TrainingSpec t = bf16_training(1536 * 2048.0);
  Layout d;
  d.dp = 8;
  d.micro_batch_size = 2;
  CHECK(microbatches_per_step(m, t, d) == 96);  // 1536 sequences / (2 · 8)
}

TEST_CASE("Parameter split and LoRA adapter count, hand-worked", "[memory]") {
  TransformerShape m;
  m.n_layers = 2;
  m.d_model = 8;
  m.n_heads = 2;
  m.n_kv_heads = 1;  // head dim 4, K/V width 4
  m.ffn_dim = 16;
  m.ffn_gated = true;
  m.vocab_size = 10;
  m.seq_len = 16;
  const ParameterSplit p = parameter_split(m);
  CHECK(p.attention_per_layer == 200);  // Q 64 + O 64 + K 32 + V 32 + norm 8
  CHECK(p.dense_ffn_per_layer == 392);  // 3 · 8 · 16 + norm 8
  CHECK(p.embedding == 80);
  CHECK(p.lm_head == 80);
  CHECK(p.total == 2 * 592 + 80 + 80 + 8);  // + final norm
  m.tied_embeddings = true;
  CHECK(parameter_split(m).lm_head == 0);

  TransformerShape big = llama8b();
  LoraSpec lora;
  lora.rank = 16;
  lora.targets = {"q_proj", "v_proj"};
  // q: 16 · (4096 + 4096) = 131,072; v: 16 · (4096 + 1024) = 81,920
  CHECK(lora_params_per_layer(big, lora) == 212992);
}

TEST_CASE("Model state bytes per parameter (Megatron mixed precision, Adam)", "[memory]") {
  TransformerShape m = llama8b();
  const double n = parameter_split(m).total;
  TrainingSpec t = bf16_training(8 * 8192.0);
  Layout l;
  l.dp = 8;
  DeviceSpec d;
  MemoryBreakdown mb = memory_per_device(m, t, l, d);
  CHECK(mb.weights_bytes == Approx(2 * n));
  CHECK(mb.gradients_bytes == Approx(4 * n));
  CHECK(mb.optimizer_bytes == Approx(12 * n));
  CHECK_FALSE(mb.checked);  // capacity unknown

  l.sharding = Sharding::zero1;  // distributed optimizer: 2 + 4 + 12/8 bytes per parameter
  mb = memory_per_device(m, t, l, d);
  CHECK(mb.optimizer_bytes == Approx(12 * n / 8));

  t.precision = Precision::fp32;  // fp32 weights are the master copy: 4 + 4 + 8
  l.sharding = Sharding::none;
  mb = memory_per_device(m, t, l, d);
  CHECK(mb.weights_bytes == Approx(4 * n));
  CHECK(mb.gradients_bytes == Approx(4 * n));
  CHECK(mb.optimizer_bytes == Approx(8 * n));
}

TEST_CASE("ZeRO: each stage never needs more memory than the previous", "[memory]") {
  for (int dp : {1, 2, 8, 64}) {
    for (int cp : {1, 2}) {
      for (Precision p : {Precision::bf16, Precision::fp32, Precision::fp8}) {
        TransformerShape m = llama8b();
        TrainingSpec t = bf16_training(1024 * 8192.0);
        t.precision = p;
        Layout l;
        l.dp = dp;
        l.cp = cp;
        double prev_total = INFINITY, prev_state = INFINITY;
        for (Sharding s : {Sharding::none, Sharding::zero1, Sharding::zero2, Sharding::zero3}) {
          l.sharding = s;
          const MemoryBreakdown mb = memory_per_device(m, t, l, DeviceSpec{});
          const double state = mb.weights_bytes + mb.gradients_bytes + mb.optimizer_bytes;
          CHECK(state <= prev_state);
          // Buffers (reduce-scatter bucket, gathered layers) may cost a little when dp·cp = 1.
          if (dp * cp > 1) CHECK(mb.total_bytes <= prev_total);
          prev_total = mb.total_bytes;
          prev_state = state;
        }
      }
    }
  }
}

TEST_CASE("LoRA never needs more optimizer (or gradient) memory than full fine-tuning", "[memory]") {
  for (int rank : {1, 8, 64, 256}) {
    for (auto targets : std::vector<std::vector<std::string>>{
             {"q_proj", "v_proj"}, {"qkv_proj", "o_proj"}, {"q_proj", "k_proj", "v_proj", "o_proj", "up_proj",
                                                             "gate_proj", "down_proj"}}) {
      TransformerShape m = llama8b();
      TrainingSpec full = bf16_training(64 * 8192.0);
      full.phase = Phase::finetune;
      TrainingSpec lora = full;
      lora.lora = LoraSpec{rank, targets};
      Layout l;
      l.dp = 8;
      const MemoryBreakdown a = memory_per_device(m, full, l, DeviceSpec{});
      const MemoryBreakdown b = memory_per_device(m, lora, l, DeviceSpec{});
      CHECK(b.optimizer_bytes <= a.optimizer_bytes);
      CHECK(b.gradients_bytes <= a.gradients_bytes);
      CHECK(b.optimizer_bytes > 0);  // the adapters do carry Adam state
      CHECK(b.total_bytes < a.total_bytes);
    }
  }
}

// With very few layers per stage full recompute can cost more than selective: the layer being
// recomputed holds its full activations (s² scores without FlashAttention) besides every stored
// input. From 4 layers per stage on, more recompute must never cost more.
TEST_CASE("More recompute never needs more activation memory", "[memory]") {
  for (int layers : {4, 12, 96}) {
    for (bool flash : {false, true}) {
      for (bool sp : {false, true}) {
        for (int pp : {1, 4}) {
          TransformerShape m = gpt3();
          m.n_layers = layers * pp;
          TrainingSpec t = bf16_training(256 * 2048.0);
          Layout l;
          l.tp = 8;
          l.pp = pp;
          l.sequence_parallel = sp;
          MemoryOptions o;
          o.flash_attention = flash;
          double prev = INFINITY, none = 0;
          for (Recompute r : {Recompute::none, Recompute::selective, Recompute::full}) {
            t.recompute = r;
            const double act = memory_per_device(m, t, l, DeviceSpec{}, o).activations_bytes;
            INFO("layers " << layers << " flash " << flash << " sp " << sp << " pp " << pp << " rc " << int(r));
            CHECK(act <= prev);
            if (r == Recompute::none) none = act;
            // Selective drops the attention core on every layer: the 5as/h term without
            // FlashAttention (a quarter to a half of the total here), the fp32 log-sum-exp with it.
            if (r == Recompute::selective) CHECK(act < (flash ? none : 0.8 * none));
            prev = act;
          }
        }
      }
    }
  }
}

TEST_CASE("FlashAttention never needs more memory", "[memory]") {
  for (int s : {128, 2048, 32768}) {
    for (Recompute r : {Recompute::none, Recompute::selective, Recompute::full}) {
      TransformerShape m = llama8b();
      m.seq_len = s;
      TrainingSpec t = bf16_training(64.0 * s);
      t.recompute = r;
      Layout l;
      l.tp = 2;
      l.sequence_parallel = true;
      MemoryOptions with, without;
      with.flash_attention = true;
      without.flash_attention = false;
      const MemoryBreakdown a = memory_per_device(m, t, l, DeviceSpec{}, with);
      const MemoryBreakdown b = memory_per_device(m, t, l, DeviceSpec{}, without);
      CHECK(a.activations_bytes <= b.activations_bytes);
      CHECK(a.total_bytes <= b.total_bytes);
      CHECK(a.flash_attention);
    }
  }
  CHECK(default_flash_attention(Precision::bf16));
  CHECK(default_flash_attention(Precision::fp8));
  CHECK_FALSE(default_flash_attention(Precision::fp32));
}

TEST_CASE("GQA, expert parallelism and frozen layers lower memory", "[memory]") {
  TrainingSpec t = bf16_training(64 * 8192.0);
  Layout l;
  SECTION("fewer KV heads: fewer activation bytes") {
    TransformerShape mha = llama8b(), gqa = llama8b();
    mha.n_kv_heads = 32;
    CHECK(activation_bytes_per_layer(gqa, t, l, 1, true, false) < activation_bytes_per_layer(mha, t, l, 1, true, false));
  }
  SECTION("routed experts split over ep") {
    TransformerShape m = llama8b();
    m.moe = MoeSpec{64, 4, 2048, 0, 1};
    const ParameterSplit p = parameter_split(m);
    Layout l1, l8;
    l1.dp = l8.dp = 8;
    l8.ep = 8;
    const MemoryBreakdown a = memory_per_device(m, t, l1, DeviceSpec{});
    const MemoryBreakdown b = memory_per_device(m, t, l8, DeviceSpec{});
    // 31 MoE layers × 64 experts, 7/8 of them leave each device: 2 bytes of weights each.
    CHECK(a.weights_bytes - b.weights_bytes == Approx(2 * 31 * 64 * p.expert_each * 7.0 / 8));
    // Tensor parallelism splits the dense weights, not the experts (expert TP 1): ep ranks of the
    // dp·tp pool hold 64/8 experts each whatever tp is.
    Layout t2 = l8;
    t2.dp = 4;
    t2.tp = 2;
    const MemoryBreakdown c = memory_per_device(m, t, t2, DeviceSpec{});
    const double dense_b = b.weights_bytes - 2 * 31 * 8 * p.expert_each;
    CHECK(c.weights_bytes - 2 * 31 * 8 * p.expert_each == Approx(dense_b / 2).epsilon(0.01));
    // ZeRO-3 gathers two layers at a time, of the parts it shards. With ep 8 on 8 devices every
    // expert lives on one device only: nothing to shard or gather. The dense part (attention and,
    // in this model, the dense FFN of layer 0, the largest) is gathered, and tp halves it.
    Layout z1 = l8, z2 = t2;
    z1.sharding = z2.sharding = Sharding::zero3;
    const MemoryBreakdown g1 = memory_per_device(m, t, z1, DeviceSpec{});
    const MemoryBreakdown g2 = memory_per_device(m, t, z2, DeviceSpec{});
    CHECK(g2.buffers_bytes - g1.buffers_bytes ==
          Approx(-2.0 * 2 * (p.attention_per_layer + p.dense_ffn_per_layer) / 2));
    // With ep 2 on 8 devices each expert has 4 copies, which ZeRO-3 shards and gathers: whole
    // experts, whatever tp is (expert tensor parallelism 1), so tp halves only the dense part.
    Layout e1 = z1, e2 = z2;
    e1.ep = e2.ep = 2;
    const MemoryBreakdown h1 = memory_per_device(m, t, e1, DeviceSpec{});
    const MemoryBreakdown h2 = memory_per_device(m, t, e2, DeviceSpec{});
    const double experts_gathered =
        2.0 * 2 * 32 * p.expert_each;  // 2 layers, 2 bytes, 64/2 experts
    CHECK(h1.buffers_bytes - g1.buffers_bytes ==
          Approx(experts_gathered + 2.0 * 2 * p.shared_ffn_per_layer -
                 2.0 * 2 * p.dense_ffn_per_layer));
    CHECK(h2.buffers_bytes - h1.buffers_bytes ==
          Approx(-2.0 * 2 * (p.attention_per_layer + p.shared_ffn_per_layer) / 2));  // (its norm)
  }
  SECTION("frozen layers: no gradients, optimizer state or activations for them") {
    TransformerShape m = llama8b();
    TrainingSpec f = t;
    f.frozen_layers = 16;
    const MemoryBreakdown a = memory_per_device(m, t, l, DeviceSpec{});
    const MemoryBreakdown b = memory_per_device(m, f, l, DeviceSpec{});
    CHECK(b.gradients_bytes < a.gradients_bytes);
    CHECK(b.optimizer_bytes < a.optimizer_bytes);
    CHECK(b.activations_bytes < a.activations_bytes);
    CHECK(b.weights_bytes == Approx(a.weights_bytes));
  }
}

TEST_CASE("Fits / does-not-fit verdict", "[memory]") {
  DeviceSpec h100;
  h100.id = "h100";
  h100.memory_bytes = 80e9;
  h100.peak_flops_per_s[index_of(Precision::bf16)] = 989e12;  // bf16 hardware: FlashAttention
  TrainingSpec t = bf16_training(1024 * 8192.0);
  t.recompute = Recompute::selective;
  Layout l;
  l.dp = 64;
  l.tp = 2;
  l.sequence_parallel = true;
  l.sharding = Sharding::zero1;
  MemoryBreakdown small = memory_per_device(llama8b(), t, l, h100);
  CHECK(small.checked);
  CHECK(small.fits);
  CHECK(small.total_bytes == Approx(small.allocated_bytes + small.framework_bytes + small.fragmentation_bytes));
  CHECK(small.allocated_bytes == Approx(small.weights_bytes + small.gradients_bytes + small.optimizer_bytes +
                                        small.activations_bytes + small.buffers_bytes));
  // GPT-3 175B without any model parallelism: 175e9 parameters × 18 bytes cannot fit in 80 GB.
  Layout dp_only;
  dp_only.dp = 64;
  MemoryBreakdown big = memory_per_device(gpt3(), bf16_training(1536 * 2048.0), dp_only, h100);
  CHECK(big.checked);
  CHECK_FALSE(big.fits);
  for (double x : {big.weights_bytes, big.gradients_bytes, big.optimizer_bytes, big.activations_bytes,
                   big.buffers_bytes, big.total_bytes})
    CHECK(std::isfinite(x));
}

TEST_CASE("Degenerate input never gives nan or inf", "[memory]") {
  TransformerShape partial;
  partial.params_hint = 7e9;
  TrainingSpec t = bf16_training(NAN);
  Layout l;
  l.dp = 0;
  l.tp = -1;
  const MemoryBreakdown mb = memory_per_device(partial, t, l, DeviceSpec{});
  CHECK(std::isfinite(mb.total_bytes));
  CHECK(mb.weights_bytes == Approx(2 * 7e9));
  CHECK(mb.activations_bytes == 0);  // shape unknown: no activation term
}

// Records of /work/shared/groundtruth/public.json that carry measured.peak_memory_gib_per_gpu
// (SimuMax v1.2 B200 validation, Megatron-LM, torch.cuda.max_memory_allocated), structured inputs
// copied as literals. Every record: bf16, micro-batch 1, no recompute, sequence parallel when
// tp > 1, distributed optimizer (zero1), FlashAttention (TE), untied embeddings, SwiGLU.
TEST_CASE("Peak allocated memory of the ground-truth records within 10%", "[memory]") {
  struct Record {
    const char* id;
    int layers, h, heads, kv, ffn, seq, vocab;
    double global_batch_tokens;
    int dp, tp, pp, cp;
    double measured_gib;
  };
  const Record records[] = {
      {"simumax-b200-llama3-70b-l12-tp1-pp2-dp4-mbc8-cef", 12, 8192, 64, 8, 28672, 4096, 128256, 131072, 4, 1, 2, 1, 66.55},
      {"simumax-b200-llama3-70b-l12-tp1-pp2-dp4-mbc32-cef", 12, 8192, 64, 8, 28672, 4096, 128256, 524288, 4, 1, 2, 1, 66.55},
      {"simumax-b200-llama3-405b-l4-tp2-pp1-dp4-mbc8-cef", 4, 16384, 128, 16, 53248, 4096, 128256, 131072, 4, 2, 1, 1, 81.59},
      {"simumax-b200-llama3-405b-l4-tp2-pp1-dp4-mbc32-cef", 4, 16384, 128, 16, 53248, 4096, 128256, 524288, 4, 2, 1, 1, 81.59},
      {"simumax-b200-llama3-70b-l12-tp2-cp4-pp1-dp1-seq32768-mbc4-cef", 12, 8192, 64, 8, 28672, 32768, 128256, 131072, 1, 2, 1, 4, 68.43},
      {"simumax-b200-llama3-70b-l12-tp1-cp8-pp1-dp1-seq131072-mbc4-cef", 12, 8192, 64, 8, 28672, 131072, 128256, 524288, 1, 1, 1, 8, 147.99},
      {"simumax-b200-llama3-405b-l4-tp2-cp4-pp1-dp1-seq131072-mbc4-cef", 4, 16384, 128, 16, 53248, 131072, 128256, 524288, 1, 2, 1, 4, 118.13},
  };
  double sum_abs = 0;
  int n = 0;
  for (const Record& r : records) {
    TransformerShape m;
    m.n_layers = r.layers;
    m.d_model = r.h;
    m.n_heads = r.heads;
    m.n_kv_heads = r.kv;
    m.ffn_dim = r.ffn;
    m.ffn_gated = true;
    m.seq_len = r.seq;
    m.vocab_size = r.vocab;
    TrainingSpec t = bf16_training(r.global_batch_tokens);
    Layout l;
    l.dp = r.dp;
    l.tp = r.tp;
    l.pp = r.pp;
    l.cp = r.cp;
    l.sequence_parallel = r.tp > 1;
    l.sharding = Sharding::zero1;
    DeviceSpec b200;  // only what the memory model reads: bf16 hardware (FlashAttention), no capacity check
    b200.peak_flops_per_s[index_of(Precision::bf16)] = 2.25e15;
    const MemoryBreakdown mb = memory_per_device(m, t, l, b200);
    const double predicted = mb.allocated_bytes / kGiB;
    const double err = (predicted - r.measured_gib) / r.measured_gib;
    INFO(r.id << ": predicted " << predicted << " GiB, measured " << r.measured_gib << " GiB");
    CHECK(std::fabs(err) < 0.10);
    sum_abs += std::fabs(err);
    ++n;
  }
  CHECK(sum_abs / n < 0.10);
}
