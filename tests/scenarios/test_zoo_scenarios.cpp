// Scenarios of every model kind: a workload naming a model-library preset (encoder, encoder-decoder,
// ViT, CNN, Transformer-XL) runs through scenarios::run with models/zoo_estimate's numbers, and the
// keys that only a decoder has are errors naming their pointer.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "helpers.h"
#include "hwprofiles/catalog.h"
#include "hwprofiles/device_profile.h"
#include "models/energy.h"
#include "models/goodput.h"
#include "models/zoo_estimate.h"
#include "scenarios/model_library.h"
#include "scenarios/scenario.h"
#include "scenarios/zoo_run.h"

using namespace flopcast;
using namespace flopcast::scenarios;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

double rel(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b)); }

ordered_json example(const std::string& rel_path) {
  return ordered_json::parse(test::slurp(test::source_path(rel_path)));
}

std::string first_pointer(const ordered_json& doc) {
  const RunResult r = test::run_text(doc.dump(), "x.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  REQUIRE_FALSE(r.diagnostics.empty());
  return r.diagnostics.front().pointer;
}

std::string first_message(const ordered_json& doc) {
  const RunResult r = test::run_text(doc.dump(), "x.json");
  REQUIRE_FALSE(r.ok);
  REQUIRE_FALSE(r.diagnostics.empty());
  return r.diagnostics.front().message;
}

// What models/zoo_estimate gives for the preset, input, device, devices and the micro-batch split
// the result reports, and the run totals a user would work out from it by hand.
struct Expected {
  models::ZooEstimateResult zoo;
  double wall_time_h = 0, gpu_hours = 0, energy_mwh = 0, cost_usd = 0;
  int memory_cap_micro_batch = 0;
};

Expected expected_for(const std::string& preset, const SampleInput& in, const std::string& device_id,
                      models::Precision precision, int devices, int micro_batch, int accumulation,
                      double training_samples, double usd_per_gpu_hour, double usd_per_kwh, double pue) {
  const LibraryModel* lm = find_library_model(preset);
  REQUIRE(lm != nullptr);
  std::string err;
  auto layers = build_layers(lm->entry, json::object(), in, models::Phase::pretrain, &err);
  INFO(err);
  REQUIRE(layers);
  const auto* profile = hwprofiles::builtin_catalog().find(device_id);
  REQUIRE(profile != nullptr);
  models::ZooEstimateInput zi;
  zi.layers = *layers;
  zi.precision = precision;
  zi.device = profile->to_device_spec();
  zi.device_count = devices;
  zi.micro_batch_size = micro_batch;
  zi.grad_accumulation = accumulation;
  Expected e;
  e.zoo = models::zoo_estimate(zi);
  REQUIRE(e.zoo.ok);
  models::ZooEstimateInput probe = zi;
  probe.micro_batch_size = 0;
  e.memory_cap_micro_batch = models::zoo_estimate(probe).micro_batch_size;
  // goodput "auto" (the scenarios leave it out): for model-library presets the interruption goodput
  // alone (the decoders' fitted g0 is not theirs)
  const double goodput = models::failure_goodput(devices, e.zoo.params);
  const double seconds = training_samples / (e.zoo.samples_per_s_per_gpu * devices) / goodput;
  e.wall_time_h = seconds / 3600;
  e.gpu_hours = e.wall_time_h * devices;
  const double eff = accumulation * e.zoo.compute_s_per_microbatch / e.zoo.step_time_s;
  models::EnergyOptions eo;
  eo.pue = pue;
  const auto energy = models::training_energy(zi.device, devices, seconds, models::busy_fraction(eff, goodput), eo);
  REQUIRE(energy.ok);
  e.energy_mwh = energy.energy_mwh;
  e.cost_usd = e.gpu_hours * usd_per_gpu_hour + energy.energy_kwh * usd_per_kwh;
  return e;
}

void check_against(const RunResult& r, const Expected& e, bool has_tokens) {
  const auto& m = r.result["metrics"];
  CHECK(rel(m["step_time_s"].get<double>(), e.zoo.step_time_s) < 1e-12);
  CHECK(rel(m["samples_per_s_per_gpu"].get<double>(), e.zoo.samples_per_s_per_gpu) < 1e-12);
  CHECK(rel(m["mfu"].get<double>(), e.zoo.mfu) < 1e-12);
  CHECK(rel(m["wall_time_h"].get<double>(), e.wall_time_h) < 1e-12);
  CHECK(rel(m["gpu_hours"].get<double>(), e.gpu_hours) < 1e-12);
  CHECK(rel(m["energy_mwh"].get<double>(), e.energy_mwh) < 1e-12);
  CHECK(rel(m["cost_usd"].get<double>(), e.cost_usd) < 1e-12);
  CHECK(rel(r.result["workload"]["params"].get<double>(), e.zoo.params) < 1e-12);
  if (has_tokens) {
    CHECK(rel(m["tokens_per_s_per_gpu"].get<double>(), e.zoo.tokens_per_s_per_gpu) < 1e-12);
  } else {
    CHECK(m["tokens_per_s_per_gpu"].is_null());
    CHECK_FALSE(r.result["why_null"]["/metrics/tokens_per_s_per_gpu"].get<std::string>().empty());
  }
  const auto& l = r.result["layout"];
  CHECK(l["tp"] == 1);
  CHECK(l["pp"] == 1);
  CHECK(l["schedule"].is_null());
  CHECK_FALSE(r.result["why_null"]["/layout/schedule"].get<std::string>().empty());
  // The micro-batch is the largest split of the per-device share under the zoo's memory cap.
  CHECK(l["micro_batch_size"].get<int>() <= std::max(1, e.memory_cap_micro_batch));
}

}  // namespace

TEST_CASE("BERT-large scenario: flopcast estimate equals models/zoo_estimate", "[zoo][scenario]") {
  const RunResult r = test::run_file("scenarios/examples/bert-large-8gpu.json");
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
  REQUIRE(r.ok);
  const auto& l = r.result["layout"];
  const int mb = l["micro_batch_size"].get<int>(), ga = l["gradient_accumulation"].get<int>();
  CHECK(mb * ga * 8 == 256);  // the global batch, split evenly over 8 data-parallel ranks
  CHECK(l["dp"] == 8);
  SampleInput in;
  in.seq_len = 128;
  const Expected e = expected_for("bert-large-uncased", in, "nvidia-v100-sxm2-32gb", models::Precision::fp16, 8, mb,
                                  ga, 230400000, 3.06, 0.08, 1.25);
  check_against(r, e, true);
  const auto& w = r.result["workload"];
  CHECK(w["kind"] == "encoder");
  CHECK(w["model"] == "bert-large-uncased");
  CHECK(w["training_samples"] == 230400000.0);
  CHECK(w["training_tokens"] == 230400000.0 * 128);
  CHECK(w["input"]["seq_len"] == 128);
  // tokens/s = samples/s x seq_len
  CHECK(rel(r.result["metrics"]["tokens_per_s_per_gpu"].get<double>(),
            128 * r.result["metrics"]["samples_per_s_per_gpu"].get<double>()) < 1e-12);

  // 16 GPUs (the second file): more devices, less time, more GPU-hours (the all-reduce crosses nodes).
  const RunResult r16 = test::run_file("scenarios/examples/bert-large-16gpu.json");
  REQUIRE(r16.ok);
  CHECK(r16.result["layout"]["dp"] == 16);
  CHECK(r16.result["metrics"]["wall_time_h"].get<double>() < r.result["metrics"]["wall_time_h"].get<double>());
  const int mb16 = r16.result["layout"]["micro_batch_size"].get<int>();
  const int ga16 = r16.result["layout"]["gradient_accumulation"].get<int>();
  const Expected e16 = expected_for("bert-large-uncased", in, "nvidia-v100-sxm2-32gb", models::Precision::fp16, 16,
                                    mb16, ga16, 230400000, 3.06, 0.08, 1.25);
  check_against(r16, e16, true);
}

TEST_CASE("the same BERT run given in tokens gives the same answer", "[zoo][scenario]") {
  auto doc = example("scenarios/examples/bert-large-8gpu.json");
  const RunResult a = test::run_text(doc.dump(), "a.json");
  doc["workload"].erase("training_samples");
  doc["workload"].erase("global_batch_samples");
  doc["workload"]["training_tokens"] = 230400000.0 * 128;
  doc["workload"]["global_batch_tokens"] = 256 * 128;
  const RunResult b = test::run_text(doc.dump(), "b.json");
  REQUIRE((a.ok && b.ok));
  CHECK(a.result["metrics"] == b.result["metrics"]);
  // Not a whole number of samples per step.
  doc["workload"]["global_batch_tokens"] = 256 * 128 + 1;
  CHECK(first_pointer(doc) == "/workload/global_batch_tokens");
}

TEST_CASE("ResNet-50 scenario: flopcast estimate equals models/zoo_estimate", "[zoo][scenario]") {
  const RunResult r = test::run_file("scenarios/examples/resnet50-8gpu.json");
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
  REQUIRE(r.ok);
  const auto& l = r.result["layout"];
  const int mb = l["micro_batch_size"].get<int>(), ga = l["gradient_accumulation"].get<int>();
  CHECK(mb * ga * 8 == 2048);
  SampleInput in;
  in.image_size = 224;
  const Expected e = expected_for("resnet50-v1.5", in, "nvidia-a100-sxm4-80gb", models::Precision::fp16, 8, mb, ga,
                                  115305030, 1.79, 0.08, 1.25);
  check_against(r, e, false);
  const auto& w = r.result["workload"];
  CHECK(w["kind"] == "cnn");
  CHECK(w["training_tokens"].is_null());
  CHECK(w["input"]["image_size"] == 224);
  // A different image size is a different layer list (more pixels, more time per image).
  auto doc = example("scenarios/examples/resnet50-8gpu.json");
  doc["workload"]["input"]["image_size"] = 288;
  const RunResult big = test::run_text(doc.dump(), "big.json");
  REQUIRE(big.ok);
  CHECK(big.result["metrics"]["samples_per_s_per_gpu"].get<double>() <
        r.result["metrics"]["samples_per_s_per_gpu"].get<double>());
}

TEST_CASE("an explicit micro-batch is used as given", "[zoo][scenario]") {
  auto doc = example("scenarios/examples/resnet50-8gpu.json");
  doc["parallelism"]["micro_batch_size"] = 64;
  const RunResult r = test::run_text(doc.dump(), "mb.json");
  REQUIRE(r.ok);
  CHECK(r.result["layout"]["micro_batch_size"] == 64);
  CHECK(r.result["layout"]["gradient_accumulation"] == 4);
  SampleInput in;
  in.image_size = 224;
  const Expected e = expected_for("resnet50-v1.5", in, "nvidia-a100-sxm4-80gb", models::Precision::fp16, 8, 64, 4,
                                  115305030, 1.79, 0.08, 1.25);
  CHECK(rel(r.result["metrics"]["step_time_s"].get<double>(), e.zoo.step_time_s) < 1e-12);
  doc["parallelism"]["micro_batch_size"] = 48;  // 256 per device is not a whole number of 48s
  CHECK(first_pointer(doc) == "/parallelism/micro_batch_size");
}

TEST_CASE("a bad preset name names the pointer and close names", "[zoo][validation]") {
  auto doc = example("scenarios/examples/bert-large-8gpu.json");
  doc["workload"]["model"]["preset"] = "bert-larg";
  CHECK(first_pointer(doc) == "/workload/model/preset");
  const std::string msg = first_message(doc);
  CHECK(msg.find("closest") != std::string::npos);
  CHECK(msg.find("\"bert-large-uncased\"") != std::string::npos);
  CHECK(msg.find("llama3.1-405b") == std::string::npos);  // a few names, not the whole list
  // Another name of a preset: the message says which name to write (a shared file keeps the ids).
  doc["workload"]["model"]["preset"] = "google-bert/bert-large-uncased";
  CHECK(first_message(doc).find("\"google-bert/bert-large-uncased\" is bert-large-uncased") !=
        std::string::npos);
  auto dev = example("scenarios/examples/bert-large-8gpu.json");
  dev["hardware"]["device"] = "A100 SXM4 80GB";
  const RunResult r = test::run_text(dev.dump(), "dev.json");
  REQUIRE_FALSE(r.ok);
  REQUIRE_FALSE(r.diagnostics.empty());
  CHECK(r.diagnostics.front().message.find("\"A100 SXM4 80GB\" is nvidia-a100-sxm4-80gb") !=
        std::string::npos);
}

TEST_CASE("decoder-only keys on a CNN name their pointer", "[zoo][validation]") {
  const auto base = example("scenarios/examples/resnet50-8gpu.json");
  auto doc = base;
  doc["parallelism"] = {{"layout", "explicit"}, {"tp", 2}};
  CHECK(first_pointer(doc) == "/parallelism/tp");
  CHECK(first_message(doc).find("data parallelism only") != std::string::npos);
  doc = base;
  doc["parallelism"]["sharding"] = "zero3";
  CHECK(first_pointer(doc) == "/parallelism/sharding");
  doc = base;
  doc["workload"]["model"]["moe"] = {{"n_experts", 8}, {"experts_per_token", 2}, {"expert_ffn_dim", 512}};
  CHECK(first_pointer(doc) == "/workload/model/moe");
  doc = base;
  doc["workload"]["activation_recompute"] = "full";
  CHECK(first_pointer(doc) == "/workload/activation_recompute");
  doc = base;
  doc["workload"]["lora"] = {{"rank", 8}};
  CHECK(first_pointer(doc) == "/workload/lora");
  doc = base;
  doc["workload"]["model"]["n_layers"] = 20;
  CHECK(first_pointer(doc) == "/workload/model/n_layers");
  doc = base;
  doc["workload"]["seq_len"] = 128;
  CHECK(first_pointer(doc) == "/workload/seq_len");
  doc = base;
  doc["workload"]["training_tokens"] = 1e9;
  doc["workload"].erase("training_samples");
  CHECK(first_pointer(doc) == "/workload/training_tokens");
  doc = base;
  doc["workload"]["model"]["kind"] = "vit";
  CHECK(first_pointer(doc) == "/workload/model/kind");
  doc = base;
  doc["workload"]["global_batch_samples"] = 2047;  // not a multiple of 8 devices
  CHECK(first_pointer(doc) == "/workload/global_batch_samples");
  doc = base;
  doc["workload"].erase("training_samples");
  CHECK(first_pointer(doc) == "/workload/training_samples");
}

TEST_CASE("kinds and presets must agree, and decoders keep counting tokens", "[zoo][validation]") {
  auto doc = example("scenarios/examples/default.json");
  doc["workload"]["model"]["kind"] = "encoder";  // gpt2-small is a decoder
  CHECK(first_pointer(doc) == "/workload/model/kind");
  doc = example("scenarios/examples/default.json");
  doc["workload"]["model"] = {{"kind", "cnn"}};
  CHECK(first_pointer(doc) == "/workload/model/preset");
  CHECK(first_message(doc).find("resnet50-v1.5") != std::string::npos);
  doc = example("scenarios/examples/default.json");
  doc["workload"]["training_samples"] = 1000;
  CHECK(first_pointer(doc) == "/workload/training_samples");
  doc = example("scenarios/examples/default.json");
  doc["workload"]["input"] = {{"image_size", 224}};
  CHECK(first_pointer(doc) == "/workload/input");
  doc = example("scenarios/examples/default.json");
  doc["workload"].erase("global_batch_tokens");
  CHECK(first_pointer(doc) == "/workload/global_batch_tokens");
  CHECK(first_message(doc) == "missing required key: expected a number in 1..1000000000000 (tokens)");
  // A decoder result carries the same new fields.
  const RunResult r = test::run_file("scenarios/examples/default.json");
  REQUIRE(r.ok);
  CHECK(r.result["workload"]["kind"] == "decoder");
  CHECK(rel(r.result["metrics"]["samples_per_s_per_gpu"].get<double>(),
            r.result["metrics"]["tokens_per_s_per_gpu"].get<double>() / r.result["workload"]["seq_len"].get<int>()) <
        1e-12);
  CHECK(r.result["why_null"].is_object());
}

TEST_CASE("encoder-decoder, ViT and Transformer-XL presets run too", "[zoo][scenario]") {
  const auto base = example("scenarios/examples/bert-large-8gpu.json");
  struct Case {
    const char* preset;
    ordered_json input;
    const char* kind;
  };
  for (const Case& c : {Case{"t5-v1.1-base", {{"seq_len_enc", 512}, {"seq_len_dec", 114}}, "encoder-decoder"},
                        Case{"vit-b16", {{"image_size", 224}}, "vit"},
                        Case{"transformer-xl-base-wt103", nullptr, "decoder"}}) {
    INFO(c.preset);
    auto doc = base;
    doc["workload"]["model"]["preset"] = c.preset;
    doc["workload"].erase("seq_len");
    if (!c.input.is_null()) doc["workload"]["input"] = c.input;
    const RunResult r = test::run_text(doc.dump(), "x.json");
    INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
    REQUIRE(r.ok);
    CHECK(r.result["workload"]["kind"] == c.kind);
    const auto& m = r.result["metrics"];
    CHECK(m["step_time_s"].get<double>() > 0);
    CHECK(m["samples_per_s_per_gpu"].get<double>() > 0);
    CHECK(rel(m["gpu_hours"].get<double>(), 8 * m["wall_time_h"].get<double>()) < 1e-12);
  }
  // seq_len belongs to text models: an encoder-decoder reads input/seq_len_enc and seq_len_dec.
  auto doc = base;
  doc["workload"]["model"]["preset"] = "t5-v1.1-base";
  CHECK(first_pointer(doc) == "/workload/seq_len");
}

TEST_CASE("an auto layout splits a transformer too large for one device over tensor-parallel ranks",
          "[zoo][scenario][tp]") {
  auto doc = example("scenarios/examples/bert-large-8gpu.json");
  doc["workload"]["model"]["preset"] = "t5-v1.1-xxl";
  doc["workload"].erase("seq_len");
  doc["workload"]["input"] = {{"seq_len_enc", 512}, {"seq_len_dec", 128}};
  doc["hardware"] = {{"device", "nvidia-a100-sxm4-80gb"}, {"device_count", 64}};
  doc["workload"]["global_batch_samples"] = 256;
  doc["parallelism"] = {{"layout", "auto"}};
  auto has_note = [](const json& result, const std::string& text) {
    for (const auto& n : result["notes"])
      if (n.get<std::string>().find(text) != std::string::npos) return true;
    return false;
  };
  // 11.1 B parameters at 16 B are 166 GiB: tp 4 is the fewest ranks of 80 GB that hold them.
  const RunResult r = test::run_text(doc.dump(), "x.json");
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
  REQUIRE(r.ok);
  CHECK(r.result["layout"]["tp"] == 4);
  CHECK(r.result["layout"]["dp"] == 16);
  CHECK(r.result["memory"]["fits"] == "yes");
  CHECK(has_note(r.result, "tensor parallelism 4 chosen"));
  // The same step as an explicit tp 4 layout gives.
  auto explicit_doc = doc;
  explicit_doc["parallelism"] = {{"layout", "explicit"}, {"dp", 16}, {"tp", 4}};
  const RunResult e = test::run_text(explicit_doc.dump(), "x.json");
  REQUIRE(e.ok);
  CHECK(e.result["metrics"]["step_time_s"] == r.result["metrics"]["step_time_s"]);
  // An explicit tp 1 is kept: it does not fit, and the result says so.
  explicit_doc["parallelism"] = {{"layout", "explicit"}, {"dp", 64}};
  const RunResult one = test::run_text(explicit_doc.dump(), "x.json");
  REQUIRE(one.ok);
  CHECK(one.result["layout"]["tp"] == 1);
  CHECK(one.result["memory"]["fits"] == "no");
  CHECK(has_note(one.result, "does not fit: the model's states"));
  // Where no tp within the scale-up domain fits (H100 PCIe: pairs), the auto layout reports the
  // leanest it tried, and that it does not fit.
  auto pcie = doc;
  pcie["hardware"]["device"] = "nvidia-h100-pcie-80gb";
  const RunResult lean = test::run_text(pcie.dump(), "x.json");
  REQUIRE(lean.ok);
  CHECK(lean.result["layout"]["tp"] == 2);
  CHECK(lean.result["layout"]["layouts_evaluated"] == 2);
  CHECK(lean.result["memory"]["fits"] == "no");
  // A model that fits keeps data parallelism under the auto layout (BERT-large: 5 GiB of states).
  const RunResult bert = test::run_file("scenarios/examples/bert-large-8gpu.json");
  REQUIRE(bert.ok);
  CHECK(bert.result["layout"]["tp"] == 1);
}

TEST_CASE("a zoo sweep over GPU counts skips counts the batch cannot split over", "[zoo][sweep]") {
  const RunResult r = test::run_file("scenarios/examples/bert-large-8gpu.json", Job::sweep_gpus);
  REQUIRE(r.ok);
  const auto& points = r.result["sweep"]["points"];
  REQUIRE(points.size() >= 3);
  bool own = false;
  for (const auto& p : points) {
    const int n = p["device_count"].get<int>();
    CHECK(256 % n == 0);
    CHECK(rel(p["gpu_hours"].get<double>(), p["wall_time_h"].get<double>() * n) < 1e-9);
    if (n == 8) {
      own = true;
      CHECK(p["wall_time_h"] == r.result["metrics"]["wall_time_h"]);
    }
  }
  CHECK(own);
  const auto& skipped = r.result["sweep"]["skipped"];
  REQUIRE_FALSE(skipped.empty());
  CHECK(skipped[0]["device_count"] == 512);
}

TEST_CASE("the new examples are stored in canonical form", "[zoo][writer]") {
  for (const char* rel_path : {"scenarios/examples/bert-large-8gpu.json", "scenarios/examples/bert-large-16gpu.json",
                               "scenarios/examples/resnet50-8gpu.json"}) {
    INFO(rel_path);
    const std::string text = test::slurp(test::source_path(rel_path));
    CHECK(save_scenario_text(ordered_json::parse(text)) == text);
  }
}

TEST_CASE("a transformer preset takes tensor parallelism in an explicit layout", "[zoo][scenario][tp]") {
  // BERT-large on 16 GPUs: 8 replicas of tp 2 against 16 replicas, same global batch.
  auto doc = example("scenarios/examples/bert-large-16gpu.json");
  doc["parallelism"] = {{"layout", "explicit"}, {"tp", 2}};
  const RunResult two = test::run_text(doc.dump(), "tp2.json");
  REQUIRE(two.ok);
  CHECK(two.result["layout"]["tp"] == 2);
  CHECK(two.result["layout"]["dp"] == 8);
  CHECK(two.result["layout"]["note"].get<std::string>().find("8 replicas of 2-way tensor parallelism") !=
        std::string::npos);
  const RunResult one = test::run_file("scenarios/examples/bert-large-16gpu.json");
  REQUIRE(one.ok);
  // The estimate is models/zoo_estimate's with tensor_parallel 2 (the runner adds nothing).
  const Scenario s = load_scenario_text(doc.dump(), "tp2.json").scenario;
  const auto* dev = hwprofiles::builtin_catalog().find(s.device_id);
  REQUIRE(dev);
  const ZooStep st = zoo_step(s, dev->to_device_spec(), s.device_count);
  REQUIRE(st.ok);
  CHECK(st.input.tensor_parallel == 2);
  CHECK(rel(two.result["metrics"]["step_time_s"].get<double>(), st.result.step_time_s) < 1e-12);
  // Half the weights per GPU; per GPU fewer samples/s than 16 plain replicas (the all-reduces).
  CHECK(two.result["memory"]["weights_gib"].get<double>() < 0.6 * one.result["memory"]["weights_gib"].get<double>());
  CHECK(two.result["metrics"]["samples_per_s_per_gpu"].get<double>() <
        one.result["metrics"]["samples_per_s_per_gpu"].get<double>());
  // tp must divide the 16 heads and the device count; dp, when given, is device_count / tp.
  doc["parallelism"]["tp"] = 3;
  CHECK(first_pointer(doc) == "/parallelism/tp");
  doc["parallelism"]["tp"] = 32;
  CHECK(first_pointer(doc) == "/parallelism/tp");
  doc["parallelism"]["tp"] = 2;
  doc["parallelism"]["dp"] = 16;
  CHECK(first_pointer(doc) == "/parallelism/dp");
  CHECK(first_message(doc).find("expected device_count / tp (8)") != std::string::npos);
}

// Packed / unpadded encoder sequences (/workload/packed_tokens_per_sample): a 512-token sample that
// holds 256 real tokens costs what a 256-token sequence costs; token amounts count real tokens;
// the key is refused where a sample is not a padded text sequence, and above seq_len.
TEST_CASE("packed encoder sequences cost their real tokens", "[zoo][scenario][packing]") {
  ordered_json padded = example("scenarios/examples/bert-large-8gpu.json");
  padded["workload"]["seq_len"] = 512;
  const RunResult p = test::run_text(padded.dump(), "padded.json");
  REQUIRE(p.ok);
  ordered_json packed = padded;
  packed["workload"]["packed_tokens_per_sample"] = 256;
  const RunResult k = test::run_text(packed.dump(), "packed.json");
  REQUIRE(k.ok);
  ordered_json short_seq = padded;
  short_seq["workload"]["seq_len"] = 256;
  const RunResult s = test::run_text(short_seq.dump(), "short.json");
  REQUIRE(s.ok);
  const double sps_padded = p.result["metrics"]["samples_per_s_per_gpu"].get<double>();
  const double sps_packed = k.result["metrics"]["samples_per_s_per_gpu"].get<double>();
  // The same layer list as a 256-token sequence (the same micro-batch: the activation cap too).
  CHECK(sps_packed ==
        Approx(s.result["metrics"]["samples_per_s_per_gpu"].get<double>()).epsilon(1e-12));
  CHECK(sps_packed > 2.0 * sps_padded);  // half the tokens, and attention a quarter
  CHECK(k.result["workload"]["input"]["seq_len"] == 512);
  CHECK(k.result["workload"]["input"]["packed_tokens_per_sample"] == 256);
  CHECK(k.result["workload"]["tokens_per_sample"] == 256);
  CHECK(k.result["workload"]["training_tokens"].get<double>() ==
        Approx(256.0 * padded["workload"]["training_samples"].get<double>()));
  bool noted = false;
  for (const auto& n : k.result["notes"])
    noted = noted || n.get<std::string>().rfind("packed sequences:", 0) == 0;
  CHECK(noted);
  ordered_json too_long = packed;
  too_long["workload"]["packed_tokens_per_sample"] = 600;
  CHECK(first_pointer(too_long) == "/workload/packed_tokens_per_sample");
  CHECK(first_message(too_long).find("at most seq_len (512)") != std::string::npos);
  ordered_json cnn = example("scenarios/examples/resnet50-8gpu.json");
  cnn["workload"]["packed_tokens_per_sample"] = 100;
  CHECK(first_pointer(cnn) == "/workload/packed_tokens_per_sample");
  ordered_json decoder = example("scenarios/examples/default.json");
  decoder["workload"]["packed_tokens_per_sample"] = 100;
  CHECK(first_pointer(decoder) == "/workload/packed_tokens_per_sample");
}
