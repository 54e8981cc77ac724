// Layer lists of the non-decoder zoo (models/cnn.h, encoder.h, encoder_decoder.h, vit.h) and the
// zoo time model (models/zoo_estimate.h).
#include <catch2/catch.hpp>

#include <cmath>

#include "models/cnn.h"
#include "models/collectives.h"
#include "models/encoder.h"
#include "models/encoder_decoder.h"
#include "models/vit.h"
#include "models/zoo_estimate.h"
#include "test_helpers.h"

using namespace flopcast::models;

namespace {
TransformerStackSpec stack(int l, int h, int heads, double f, bool gated = false, int head_dim = 0) {
  TransformerStackSpec t;
  t.n_layers = l;
  t.d_model = h;
  t.n_heads = heads;
  t.ffn_dim = f;
  t.ffn_gated = gated;
  t.head_dim = head_dim;
  return t;
}
EncoderSpec bert_large() {
  EncoderSpec e;
  e.stack = stack(24, 1024, 16, 4096);
  e.vocab_size = 30522;
  return e;
}
}  // namespace

TEST_CASE("CNN layer lists give the reference implementations' parameter counts", "[zoo]") {
  // torchvision / TF reference checkpoints (counted there; see scenarios/data/model_library.json)
  CHECK(build_cnn("resnet50-v1.5", 224)->params() == Approx(25557032).epsilon(1e-9));
  CHECK(build_cnn("resnext101-32x4d", 224)->params() == Approx(44177704).epsilon(1e-9));
  CHECK(build_cnn("efficientnet-b0", 224)->params() == Approx(5288548).epsilon(1e-9));
  CHECK(build_cnn("efficientnet-b7", 600)->params() == Approx(66347960).epsilon(1e-9));
  // ResNet-50 at 224: 4.09 G multiply-adds (torchvision "GFLOPS 4.09")
  CHECK(build_cnn("resnet50-v1.5", 224)->forward_flops_per_sample() / 2 == Approx(4.09e9).epsilon(0.005));
  CHECK_FALSE(build_cnn("not-a-net", 224).has_value());
  CHECK_FALSE(build_cnn("resnet50-v1.5", 0).has_value());
}

TEST_CASE("CNN FLOPs scale with image_size squared, parameters do not", "[zoo]") {
  for (const char* a : {"resnet50-v1.5", "efficientnet-b4", "efficientnetv2-s"}) {
    INFO(a);
    const auto small = build_cnn(a, 224), big = build_cnn(a, 448);
    REQUIRE(small);
    REQUIRE(big);
    CHECK(big->params() == small->params());
    CHECK(big->forward_flops_per_sample() / small->forward_flops_per_sample() == Approx(4.0).epsilon(0.03));
  }
}

TEST_CASE("depthwise and squeeze-excitation layers are memory-bound on the roofline", "[zoo]") {
  ZooEstimateInput in;
  in.layers = *build_cnn("efficientnet-b0", 224);
  in.device = testing::a100();
  in.precision = Precision::fp16;
  in.micro_batch_size = 128;
  const auto r = zoo_estimate(in);
  REQUIRE(r.ok);
  int dw = 0, se = 0, big_conv_compute = 0;
  for (const auto& o : r.ops) {
    if (o.name.find("depthwise") != std::string::npos) {
      ++dw;
      CHECK(o.memory_bound);
    }
    if (o.name.find("se excite") != std::string::npos || o.name.find("se squeeze") != std::string::npos) {
      ++se;
      CHECK(o.memory_bound);
    }
  }
  CHECK(dw == 16);
  CHECK(se == 32);
  // ResNet-50's 3x3 convolutions of stages 2-4 (128+ channels) at batch 128 are compute-bound.
  in.layers = *build_cnn("resnet50-v1.5", 224);
  const auto rr = zoo_estimate(in);
  REQUIRE(rr.ok);
  for (const auto& o : rr.ops)
    if (o.name.find("conv3x3") != std::string::npos && o.name.find("bn") == std::string::npos &&
        o.name.find("stage1") == std::string::npos && !o.memory_bound)
      ++big_conv_compute;
  CHECK(big_conv_compute == 13);
  // the memory-bound share of EfficientNet's time is larger than ResNet's
  CHECK(r.memory_bound_s_per_microbatch / r.compute_s_per_microbatch >
        rr.memory_bound_s_per_microbatch / rr.compute_s_per_microbatch);
}

TEST_CASE("BERT, T5 and ViT parameter counts match the published implementations", "[zoo]") {
  EncoderSpec bert = bert_large();
  CHECK(encoder_params(bert) == Approx(335141888).epsilon(1e-9));  // HF BertModel bert-large-uncased
  bert.stack = stack(12, 768, 12, 3072);
  CHECK(encoder_params(bert) == Approx(109482240).epsilon(1e-9));  // HF BertModel bert-base-uncased

  EncoderDecoderSpec t5;
  t5.stack = stack(0, 512, 6, 1024, true, 64);
  t5.stack.biases = false;
  t5.stack.norms_params = 1;
  t5.n_layers_enc = t5.n_layers_dec = 8;
  t5.vocab_size = 32128;
  t5.tie_embeddings = false;
  t5.relative_position_bias = true;
  CHECK(encoder_decoder_params(t5) == Approx(76961152).epsilon(1e-9));  // HF google/t5-v1_1-small

  VitSpec vit;
  vit.stack = stack(12, 768, 12, 3072);
  vit.patch_size = 16;
  CHECK(vit_params(vit, 224) == Approx(86567656).epsilon(1e-9));  // timm vit_base_patch16_224
  // tokens grow with (image/patch)^2: 384 px has (24/14)^2 ≈ 2.94x the patches of 224 px
  const double f224 = build_vit(vit, 224, "a").forward_flops_per_sample();
  const double f384 = build_vit(vit, 384, "b").forward_flops_per_sample();
  CHECK(f384 / f224 > 2.9);
}

TEST_CASE("encoder FLOPs: 6N per token plus bidirectional attention", "[zoo]") {
  const EncoderSpec bert = bert_large();
  const auto L = build_encoder(bert, 128, Phase::finetune, "bert");
  const double h = 1024, s = 128, l = 24;
  const double layer_matmul = 2 * s * 12 * h * h;  // 4h² attention + 8h² FFN
  const double scores = l * 4 * s * s * h;
  CHECK(L.forward_flops_per_sample() == Approx(l * layer_matmul + scores).epsilon(0.01));
  // pretraining adds the MLM head on the masked 15 %, not on every token
  const auto P = build_encoder(bert, 128, Phase::pretrain, "bert");
  const double head = P.forward_flops_per_sample() - L.forward_flops_per_sample();
  CHECK(head == Approx(2 * 19 * (h * h + h * 30522)).epsilon(0.02));
}

TEST_CASE("data parallelism adds the gradient all-reduce, exposed only beyond the backward", "[zoo]") {
  ZooEstimateInput in;
  in.layers = *build_cnn("resnet50-v1.5", 224);
  in.device = testing::a100();
  in.precision = Precision::fp16;
  in.micro_batch_size = 256;
  const auto one = zoo_estimate(in);
  in.device_count = 64;  // 8 nodes: the all-reduce crosses the 25 GB/s NIC share
  const auto many = zoo_estimate(in);
  REQUIRE(one.ok);
  REQUIRE(many.ok);
  CHECK(one.dp_comm_s == 0);
  CHECK(many.dp_comm_s > 0);
  CHECK(many.dp_comm_exposed_s <= many.dp_comm_s);
  CHECK(many.samples_per_s_per_gpu < one.samples_per_s_per_gpu);
  // a tiny batch cannot hide the all-reduce behind its short backward
  in.micro_batch_size = 1;
  const auto tiny = zoo_estimate(in);
  REQUIRE(tiny.ok);
  CHECK(tiny.dp_comm_exposed_s > many.dp_comm_exposed_s);
}

TEST_CASE("zoo estimate: fp16 is faster than fp32, bad input is an error, not a crash", "[zoo]") {
  ZooEstimateInput in;
  in.layers = *build_cnn("resnet50-v1.5", 224);
  in.device = testing::a100();
  in.precision = Precision::fp16;
  const auto h = zoo_estimate(in);
  in.precision = Precision::fp32;  // the CUDA-core fp32 pipe (tf32 is its own precision)
  const auto f = zoo_estimate(in);
  REQUIRE(h.ok);
  REQUIRE(f.ok);
  CHECK(h.samples_per_s_per_gpu > f.samples_per_s_per_gpu);
  CHECK(std::isfinite(h.mfu));
  CHECK(h.mfu > 0);
  CHECK(h.mfu < 1);
  in.precision = Precision::fp8;
  in.device.peak_flops_per_s = {};
  const auto bad = zoo_estimate(in);
  CHECK_FALSE(bad.ok);
  CHECK_FALSE(bad.error.empty());
  ZooEstimateInput empty;
  empty.device = testing::a100();
  CHECK_FALSE(zoo_estimate(empty).ok);
}

TEST_CASE("fp32 on a GPU without tf32 runs its convolutions on the CUDA cores at their own ceiling", "[zoo][simt]") {
  CHECK(ZooParams{}.simt_gemm_eff_max == EfficiencyParams{}.simt_gemm_eff_max);  // one value, two models
  DeviceSpec v100 = testing::a100();
  v100.id = "test-v100-like";
  v100.peak_flops_per_s[index_of(Precision::tf32)] = std::nullopt;  // no tf32: fp32 is the FFMA pipe
  auto run = [](const DeviceSpec& d, Precision p, double simt) {
    ZooEstimateInput in;
    in.layers = *build_cnn("resnet50-v1.5", 224);
    in.device = d;
    in.precision = p;
    in.micro_batch_size = 64;
    in.zoo.simt_gemm_eff_max = simt;
    const auto r = zoo_estimate(in);
    REQUIRE(r.ok);
    return r.samples_per_s_per_gpu;
  };
  // SIMT fp32: the higher ceiling makes the compute-bound convolutions faster ...
  CHECK(run(v100, Precision::fp32, 0.9) > 1.1 * run(v100, Precision::fp32, 0));
  // ... tf32 without TF32 tensor cores is the same fp32 pipe ...
  CHECK(run(v100, Precision::tf32, 0.9) == run(v100, Precision::fp32, 0.9));
  // ... and it touches nothing that runs on tensor cores: 16-bit, or tf32 where the device has it
  CHECK(run(v100, Precision::fp16, 0.9) == run(v100, Precision::fp16, 0));
  CHECK(run(testing::a100(), Precision::tf32, 0.9) == run(testing::a100(), Precision::tf32, 0));
}

TEST_CASE("zoo fp32 is fp32 math, as the decoders': MFU against the peak it runs at stays below 1",
          "[zoo][simt]") {
  // An fp32 BERT-large on A100 used to be timed on the TF32 tensor cores and its MFU taken against
  // the 19.5 TFLOP/s fp32 peak: MFU 2.5. fp32 now runs on the fp32 pipe; tf32 is the tensor cores.
  ZooEstimateInput in;
  in.layers = build_encoder(bert_large(), 512, Phase::pretrain, "bert-large");
  in.device = testing::a100();
  in.micro_batch_size = 16;
  in.precision = Precision::fp32;
  const auto f = zoo_estimate(in);
  in.precision = Precision::tf32;
  const auto t = zoo_estimate(in);
  REQUIRE(f.ok);
  REQUIRE(t.ok);
  CHECK(f.mfu > 0.3);
  CHECK(f.mfu <= ZooParams{}.simt_gemm_eff_max);
  CHECK(t.mfu > 0.1);
  CHECK(t.mfu < 1);
  // the tf32 tensor cores (156 TFLOP/s) are several times the fp32 pipe (19.5)
  CHECK(t.samples_per_s_per_gpu > 2.5 * f.samples_per_s_per_gpu);
}

TEST_CASE("zoo tensor parallelism: split GEMMs, all-reduces on the critical path, one replica per tp ranks", "[zoo][tp]") {
  // BERT-large pretraining at 128 tokens, micro-batch 32, on 8 A100s: tp 1 (8 replicas) against
  // tp 2 (4 replicas of 2 ranks, Megatron-style: QKV and FFN-in split by columns, attention-out and
  // FFN-out by rows, heads split, the MLM decoder vocabulary-parallel).
  EncoderSpec bert;
  bert.stack = stack(24, 1024, 16, 4096);
  bert.vocab_size = 30522;
  ZooEstimateInput in;
  in.layers = build_encoder(bert, 128, Phase::pretrain, "bert-large");
  REQUIRE(in.layers.tensor_parallel);
  in.device = testing::a100();
  in.device_count = 8;
  in.micro_batch_size = 32;
  in.precision = Precision::fp16;
  const auto one = zoo_estimate(in);
  in.tensor_parallel = 2;
  const auto two = zoo_estimate(in);
  REQUIRE(one.ok);
  REQUIRE(two.ok);
  CHECK(one.tp_comm_s == 0);
  // Hand count of the all-reduces of one micro-batch (b·s = 4096 tokens of 1024 fp16 values):
  // per layer, forward after attention-out and FFN-out, backward before QKV and FFN-in; plus the
  // MLM decoder's input gradient (round(0.15 · 128) = 19 masked positions per sample).
  const Topology topo = make_topology(in.device, in.efficiency);
  const double act = 32.0 * 128 * 1024 * 2;
  const double expected = 24 * 4 * all_reduce_s(act, 2, 1, topo) + all_reduce_s(32.0 * 19 * 1024 * 2, 2, 1, topo);
  CHECK(two.tp_comm_s == Approx(expected).epsilon(1e-9));
  // Each rank holds about half of the layers' weights: a smaller gradient all-reduce per rank.
  CHECK(two.dp_comm_s < one.dp_comm_s);
  // Per GPU, tp 2 cannot beat pure data parallelism here (same work, plus the all-reduces), and it
  // is not 2x slower either (the GEMMs are split, not repeated).
  CHECK(two.samples_per_s_per_gpu < one.samples_per_s_per_gpu);
  CHECK(two.samples_per_s_per_gpu > 0.6 * one.samples_per_s_per_gpu);
  CHECK(two.mfu < one.mfu);
  // A layer list without tagged ops (a CNN), or a count tp does not divide, is an error.
  in.device_count = 7;
  CHECK_FALSE(zoo_estimate(in).ok);
  in.device_count = 8;
  in.layers = *build_cnn("resnet50-v1.5", 224);
  const auto cnn = zoo_estimate(in);
  CHECK_FALSE(cnn.ok);
  CHECK(cnn.error.find("tensor parallelism is not modelled") != std::string::npos);
}

TEST_CASE("the optimizer step costs a fixed time per parameter tensor on a GPU, none on a TPU",
          "[zoo][optimizer]") {
  // BERT-large, fine-tuning-sized micro-batch: 2 tensors per parametrised op (weight + bias, or
  // scale + shift) x optimizer_tensor_overhead_s, added once per optimizer step.
  ZooEstimateInput in;
  in.layers = build_encoder(bert_large(), 384, Phase::finetune, "bert-large");
  in.device = testing::a100();
  in.precision = Precision::fp16;
  in.micro_batch_size = 8;
  in.zoo.optimizer_tensor_overhead_s = 0;
  const auto fused = zoo_estimate(in);
  in.zoo.optimizer_tensor_overhead_s = 100e-6;
  const auto per_tensor = zoo_estimate(in);
  REQUIRE(fused.ok);
  REQUIRE(per_tensor.ok);
  double tensors = 0;
  for (const auto& o : in.layers.ops)
    if (o.weight_params > 0) tensors += 2.0 * o.repeat;
  // The layer list's parametrised ops: per layer qkv, attention out, FFN in, FFN out and the
  // norms (5 x 2), plus the embeddings, the pooler and the span head.
  CHECK(tensors == 24 * 5 * 2 + 3 * 2);
  CHECK(per_tensor.optimizer_s - fused.optimizer_s == Approx(tensors * 100e-6).epsilon(1e-9));
  CHECK(per_tensor.step_time_s - fused.step_time_s == Approx(tensors * 100e-6).epsilon(1e-9));
  // Accumulating 16 micro-batches per step pays it once for 16x the samples.
  in.grad_accumulation = 16;
  const auto accumulated = zoo_estimate(in);
  REQUIRE(accumulated.ok);
  CHECK(accumulated.optimizer_s == Approx(per_tensor.optimizer_s));
  CHECK(accumulated.samples_per_s_per_gpu > per_tensor.samples_per_s_per_gpu);
  // A TPU runs the step as one compiled program: no per-tensor dispatch.
  in.grad_accumulation = 1;
  in.device.device_type = "tpu";
  const auto tpu = zoo_estimate(in);
  REQUIRE(tpu.ok);
  CHECK(tpu.optimizer_s == Approx(fused.optimizer_s));
}
