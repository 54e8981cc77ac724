// Reading a record's vocabulary fields (scenarios/record_values.h): spellings, aliases, and what is
// not recognised; and that a prediction treats a spelling as the value and an unknown as unknown.
#include <catch2/catch.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "../groundtruth_records.h"
#include "scenarios/groundtruth.h"
#include "scenarios/record_values.h"

using namespace flopcast::scenarios;
using flopcast::models::Precision;
using flopcast::models::Recompute;
using flopcast::models::Sharding;
using nlohmann::json;

TEST_CASE("record vocabulary: case, separators and framework aliases", "[record_values]") {
  CHECK(record_token(" BF16-Mixed ") == "bf16mixed");
  CHECK(record_token("zero_stage 3") == "zerostage3");
  CHECK(record_precision("bf16") == Precision::bf16);
  CHECK(record_precision("BF16") == Precision::bf16);
  CHECK(record_precision("bf16-mixed") == Precision::bf16);
  CHECK(record_precision("bfloat16") == Precision::bf16);
  CHECK(record_precision("FP16") == Precision::fp16);
  CHECK(record_precision("half") == Precision::fp16);
  CHECK(record_precision("TF32") == Precision::tf32);
  CHECK(record_precision("float32") == Precision::fp32);
  CHECK(record_precision("MXFP8") == Precision::fp8);
  CHECK(record_precision("NVFP4") == Precision::fp4);
  CHECK(record_precision("mxfp4") == Precision::fp4);
  // Not guessed: a mixed-precision flag without its format, a format the model has no peak for.
  CHECK_FALSE(record_precision("amp"));
  CHECK_FALSE(record_precision("mixed"));
  CHECK_FALSE(record_precision("int8"));
  CHECK_FALSE(record_precision(""));

  CHECK(record_sharding("ZeRO-3") == Sharding::zero3);
  CHECK(record_sharding("FSDP") == Sharding::zero3);
  CHECK(record_sharding("full_shard") == Sharding::zero3);
  CHECK(record_sharding("zero_2") == Sharding::zero2);
  CHECK(record_sharding("distributed-optimizer") == Sharding::zero1);
  CHECK(record_sharding("DDP") == Sharding::none);
  CHECK_FALSE(record_sharding("zero4"));
  CHECK_FALSE(record_sharding("hsdp"));

  CHECK(record_recompute("Selective") == Recompute::selective);
  CHECK(record_recompute("FULL") == Recompute::full);
  CHECK(record_recompute("off") == Recompute::none);
  CHECK_FALSE(record_recompute("block"));  // a method over some layers, not a granularity
  CHECK_FALSE(record_recompute("partial"));

  std::vector<std::string> notes;
  const json j = {{"a", "x"}, {"b", nullptr}, {"c", 7}, {"d", true}};
  CHECK(vocabulary_text(j, "a", "t.a", notes) == "x");
  CHECK_FALSE(vocabulary_text(j, "b", "t.b", notes));
  CHECK_FALSE(vocabulary_text(j, "missing", "t.m", notes));
  CHECK(notes.empty());
  CHECK_FALSE(vocabulary_text(j, "c", "t.c", notes));
  CHECK_FALSE(vocabulary_text(j, "d", "t.d", notes));
  REQUIRE(notes.size() == 2);
  CHECK(notes[0] == "t.c 7 is not a string: taken as unknown");
  CHECK(notes[1] == "t.d true is not a string: taken as unknown");
}

namespace {
json predict_one(const json& rec) {
  const auto all = predict_all(json::array({rec}), builtin_device_lookup(), PredictOptions{});
  REQUIRE(all.size() == 1);
  return all[0];
}
bool has_note(const json& out, const std::string& text) {
  for (const auto& n : out["notes"])
    if (n.get<std::string>().find(text) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("a record's spelling of a value predicts as the value; an unknown spelling as unknown",
          "[record_values][groundtruth]") {
  // A decoder record that states bf16, zero1 and no recompute.
  json rec = flopcast::test::groundtruth_record("public.json", "llmc-gpt2-1558m");
  rec["training"]["activation_recompute"] = "none";
  const json base = predict_one(rec);
  REQUIRE(base["predicted"]["tokens_per_s_per_gpu"].is_number());
  CHECK(base["precision"] == "bf16");

  json spelled = rec;
  spelled["training"]["precision"] = "BF16";
  spelled["system"]["sharding"] = "ZeRO-1";
  spelled["training"]["activation_recompute"] = "None";
  const json same = predict_one(spelled);
  CHECK(same["predicted"] == base["predicted"]);
  CHECK(same["layout"] == base["layout"]);
  CHECK(same["defaults_used"] == base["defaults_used"]);
  CHECK(same["notes"] == base["notes"]);

  // Unknown spellings: the documented default (fp8 where the device has fp8 tensor cores) or the
  // layout search, each listed as a default, and a note that names the value.
  json odd = rec;
  odd["training"]["precision"] = "amp";
  odd["system"]["sharding"] = 3;
  odd["training"]["activation_recompute"] = "partial";
  const json unk = predict_one(odd);
  REQUIRE(unk["predicted"]["tokens_per_s_per_gpu"].is_number());
  CHECK(unk["precision"] == "fp8");  // H100: the default for an unknown precision
  CHECK(has_note(unk, "training.precision 'amp' is not one of fp32, tf32, bf16, fp16, fp8, fp4"));
  CHECK(has_note(unk, "system.sharding 3 is not a string"));
  CHECK(
      has_note(unk, "training.activation_recompute 'partial' is not one of none, selective, full"));
  const auto& d = unk["defaults_used"];
  auto listed = [&](const std::string& s) {
    for (const auto& x : d)
      if (x.get<std::string>().find(s) == 0) return true;
    return false;
  };
  CHECK(listed("training.precision"));
  CHECK(listed("training.activation_recompute (searched)"));

  // A model-library record: an upper-case precision is its value, an unknown one its default.
  const json zoo = flopcast::test::first_groundtruth_record("public-zoo.json", [](const json& r) {
    return r.value("kind", "") == "throughput" &&
           r["training"].value("precision", json()) == "fp16";
  });
  const json zbase = predict_one(zoo);
  json zup = zoo;
  zup["training"]["precision"] = "FP16";
  const json zsame = predict_one(zup);
  CHECK(zsame["predicted"] == zbase["predicted"]);
  CHECK(zsame["notes"] == zbase["notes"]);
  zup["training"]["precision"] = "mixed";
  const json zunk = predict_one(zup);
  CHECK(zunk["predicted"]["samples_per_s_per_gpu"].is_number());
  CHECK(has_note(zunk, "training.precision 'mixed' is not one of"));
}

TEST_CASE("model type, phase, preset and device as people write them predict as the canonical ones",
          "[record_values][groundtruth]") {
  CHECK(record_model_type("MoE") == "moe");
  CHECK(record_model_type("Mixture-of-Experts") == "moe");
  CHECK(record_model_type("Dense") == "dense");
  CHECK(record_model_type("encoder_decoder") == "encoder-decoder");
  CHECK(record_model_type("ViT") == "vit");
  CHECK_FALSE(record_model_type("rnn"));
  CHECK(record_phase("Fine-tuning") == "finetune");
  CHECK(record_phase("pre-train") == "pretrain");
  CHECK_FALSE(record_phase("rlhf"));
  // canonical_record rewrites only what maps, and leaves the rest as it was.
  const json odd = {{"model", {{"type", "RNN"}, {"preset", "no-such-model"}}},
                    {"training", {{"phase_kind", "Fine-Tune"}}}};
  const json c = canonical_record(odd);
  CHECK(c["model"]["type"] == "RNN");
  CHECK(c["model"]["preset"] == "no-such-model");
  CHECK(c["training"]["phase_kind"] == "finetune");

  auto same_prediction = [](const json& a, const json& b) {
    const json pa = predict_one(a), pb = predict_one(b);
    CHECK(pa["predicted"] == pb["predicted"]);
    CHECK(pa["layout"] == pb["layout"]);
    CHECK(pa["defaults_used"] == pb["defaults_used"]);
  };
  const json dense = flopcast::test::groundtruth_record("public.json", "llmc-gpt2-1558m");
  json v = dense;
  v["model"]["type"] = "Dense";
  v["system"]["device"] = "NVIDIA_H100_SXM5_80GB";
  same_prediction(dense, v);
  const json moe = flopcast::test::first_groundtruth_record("public.json", [](const json& r) {
    return r["model"].value("type", "") == "moe" &&
           r["system"].value("gpu_count", json()).is_number();
  });
  v = moe;
  v["model"]["type"] = "MoE";
  same_prediction(moe, v);
  // A fine-tuning record (LoRA) with its phase spelled out.
  const json lora = flopcast::test::first_groundtruth_record("public.json", [](const json& r) {
    return r["training"].value("phase_kind", "") == "finetune";
  });
  v = lora;
  v["training"]["phase_kind"] = "Fine-tuning";
  same_prediction(lora, v);
  json as_pretrain = lora;
  as_pretrain["training"]["phase_kind"] = "pretrain";
  CHECK(predict_one(as_pretrain)["predicted"] !=
        predict_one(lora)["predicted"]);  // the phase counts
  // A model-library record with its preset and type in capitals.
  const json cnn = flopcast::test::first_groundtruth_record("public-zoo.json", [](const json& r) {
    return r["model"].value("type", "") == "cnn" && r.value("kind", "") == "throughput";
  });
  v = cnn;
  v["model"]["type"] = "CNN";
  v["model"]["preset"] = cnn["model"]["preset"].get<std::string>();
  for (auto& ch : v["model"]["preset"].get_ref<std::string&>())
    ch = char(std::toupper(static_cast<unsigned char>(ch)));
  same_prediction(cnn, v);
  // A preset by another of its names: torchvision's "resnet50" (v1.5), a Hugging Face checkpoint
  // id.
  REQUIRE(cnn["model"]["preset"] == "resnet50-v1.5");
  v = cnn;
  v["model"]["preset"] = "resnet50";
  same_prediction(cnn, v);
  const json bert = flopcast::test::first_groundtruth_record("public-zoo.json", [](const json& r) {
    return r["model"].value("preset", "") == "bert-large-uncased";
  });
  json bare = bert;  // the preset alone gives the shape
  for (const char* k : {"n_layers", "d_model", "n_heads", "ffn_dim", "vocab_size", "params"})
    bare["model"][k] = nullptr;
  v = bare;
  v["model"]["preset"] = "google-bert/bert-large-uncased";
  same_prediction(bare, v);
  v["model"]["preset"] = "BERT-Large";
  same_prediction(bare, v);
  v["model"]["preset"] = "bert-huge";  // no such model: the shape keys are needed, and say so
  CHECK(predict_one(v)["why_null"]["samples_per_s_per_gpu"].get<std::string>().find("d_model") !=
        std::string::npos);
  // A device id that no spelling maps stays unknown.
  v = dense;
  v["system"]["device"] = "nvidia-h100-sxm9";
  CHECK(predict_one(v)["why_null"]["tokens_per_s_per_gpu"].get<std::string>().find(
            "not in the hardware catalog") != std::string::npos);
}

TEST_CASE("a device written as people write it is the one catalog device it names, never a guess",
          "[record_values][groundtruth]") {
  using V = std::vector<std::string>;
  CHECK(catalog_devices_named("nvidia-h100-sxm5-80gb") == V{"nvidia-h100-sxm5-80gb"});
  CHECK(catalog_devices_named("H100-SXM") == V{"nvidia-h100-sxm5-80gb"});
  CHECK(catalog_devices_named("H100 SXM5 80GB") == V{"nvidia-h100-sxm5-80gb"});
  CHECK(catalog_devices_named("NVIDIA H100") ==
        V{"nvidia-h100-sxm5-80gb", "nvidia-h100-pcie-80gb"});
  CHECK(catalog_devices_named("A100 40GB") == V{"nvidia-a100-sxm4-40gb"});
  CHECK(catalog_devices_named("Tesla V100-SXM2-32GB") == V{"nvidia-v100-sxm2-32gb"});
  CHECK(catalog_devices_named("AMD Instinct MI300X") == V{"amd-mi300x"});
  CHECK(catalog_devices_named("TPUv4") == V{"google-tpu-v4"});
  CHECK(catalog_devices_named("Gaudi 2") == V{"intel-gaudi2"});
  CHECK(catalog_devices_named("B200") == V{"nvidia-b200"});  // not GB200
  CHECK(catalog_devices_named("A10") == V{"nvidia-a10"});    // not A100
  CHECK(catalog_devices_named("H100 SXM9").empty());
  CHECK(catalog_devices_named("HBM3").empty());  // nothing but filler names nothing
  // The clause an error about an unknown id appends.
  CHECK(device_hint("H100-SXM") == "; \"H100-SXM\" is nvidia-h100-sxm5-80gb");
  CHECK(
      device_hint("v100") ==
      "; \"v100\" could be nvidia-v100-sxm2-16gb, nvidia-v100-sxm2-32gb or nvidia-v100-sxm3-32gb");
  CHECK(device_hint("nvidia-h100-sxm5-80gb").empty());
  CHECK(device_hint("H900").empty());
  CHECK(model_name_hint("meta-llama/Llama-2-7b-hf") ==
        "; \"meta-llama/Llama-2-7b-hf\" is llama2-7b");
  CHECK(model_name_hint("resnet50") == "; \"resnet50\" is resnet50-v1.5");
  CHECK(model_name_hint("llama2-7b").empty());
  CHECK(model_name_hint("llama2").empty());

  const json rec = flopcast::test::groundtruth_record("public.json", "llmc-gpt2-1558m");
  REQUIRE(rec["system"]["device"] == "nvidia-h100-sxm5-80gb");
  json v = rec;
  v["system"]["device"] = "H100-SXM";
  const json named = predict_one(v);
  CHECK(named["predicted"] == predict_one(rec)["predicted"]);
  CHECK(has_note(named, "system.device 'H100-SXM' read as nvidia-h100-sxm5-80gb"));
  v["system"]["device"] = "H100";  // SXM5 or PCIe: 989 or 756 TFLOP/s, not guessed
  const json two = predict_one(v);
  CHECK(two["predicted"]["tokens_per_s_per_gpu"].is_null());
  CHECK(has_note(two, "could be any of nvidia-h100-sxm5-80gb, nvidia-h100-pcie-80gb"));
}

TEST_CASE("a decoder record naming a preset takes the preset's shape where it gives none",
          "[record_values][groundtruth][presets]") {
  // A record that gives only its parameter count: the shape is sized from it, unless a preset names
  // it.
  const json base =
      flopcast::test::groundtruth_record("public.json", "nemo2407-h100-llama2-7b-8gpu");
  REQUIRE(base["model"]["n_layers"].is_null());
  json full = base;  // the same run with Llama 2 7B's shape written out
  full["model"].update({{"n_layers", 32},
                        {"d_model", 4096},
                        {"n_heads", 32},
                        {"n_kv_heads", 32},
                        {"ffn_dim", 11008},
                        {"vocab_size", 32000},
                        {"ffn_gated", true}});
  const json pf = predict_one(full);
  for (const char* name : {"llama2-7b", "meta-llama/Llama-2-7b-hf", "Llama 2 7B"}) {
    INFO(name);
    json named = base;
    named["model"]["preset"] = name;
    const json pn = predict_one(named);
    CHECK(pn["predicted"] == pf["predicted"]);
    CHECK(pn["layout"] == pf["layout"]);
    bool listed = false;
    for (const auto& d : pn["defaults_used"])
      listed = listed || d.get<std::string>().find("(preset llama2-7b)") != std::string::npos;
    CHECK(listed);
  }
  // The record's own keys win: a 12-layer cut of Llama 3 70B stays 12 layers.
  json cut = base;
  cut["model"]["preset"] = "llama3-70b";
  cut["model"]["n_layers"] = 12;
  cut["model"]["params"] = nullptr;
  json cut_full = cut;
  cut_full["model"].update({{"d_model", 8192},
                            {"n_heads", 64},
                            {"n_kv_heads", 8},
                            {"ffn_dim", 28672},
                            {"vocab_size", 128256},
                            {"ffn_gated", true},
                            {"preset", nullptr}});
  CHECK(predict_one(cut)["predicted"] == predict_one(cut_full)["predicted"]);
  // A MoE preset makes a record without a type a MoE; an unknown name is said, and the shape keys
  // used.
  json moe = base;
  moe["model"]["type"] = nullptr;
  moe["model"]["params"] = nullptr;
  moe["model"]["preset"] = "mistralai/Mixtral-8x7B-v0.1";
  moe["system"]["gpu_count"] = 64;
  moe["system"]["parallelism"] = {{"dp", 8}, {"tp", 8}, {"pp", 1}};
  const json pm = predict_one(moe);
  CHECK(pm["predicted"]["tokens_per_s_per_gpu"].is_number());
  CHECK(pm["defaults_used"][0] == "model.type (moe, preset mixtral-8x7b)");
  json unknown = base;
  unknown["model"]["preset"] = "llama2";  // 7B, 13B or 70B
  const json pu = predict_one(unknown);
  CHECK(pu["predicted"] == predict_one(base)["predicted"]);
  CHECK(has_note(pu, "model.preset 'llama2' is not a known architecture"));
}

TEST_CASE(
    "numbers written as text are numbers; anything else in a numeric field is unknown, with a note",
    "[record_values][groundtruth]") {
  std::vector<std::string> notes;
  const json rec = {
      {"model", {{"n_layers", "48"}, {"params", "1.558e9"}, {"moe", {{"n_experts", " 8 "}}}}},
      {"training", {{"training_tokens", "33,554,432,000"}, {"micro_batch_size", "two"}}},
      {"system", {{"gpu_count", 8}, {"parallelism", {{"dp", "8"}, {"tp", true}}}}},
      {"measured", {{"tokens_per_s_per_gpu", "not touched"}}}};
  const json c = canonical_record(rec, &notes);
  CHECK(c["model"]["n_layers"] == 48);
  CHECK(c["model"]["params"] == 1.558e9);
  CHECK(c["model"]["moe"]["n_experts"] == 8);
  CHECK(c["training"]["training_tokens"] == 33554432000.0);
  CHECK(c["system"]["parallelism"]["dp"] == 8);
  CHECK(c["training"]["micro_batch_size"] == "two");  // left as it was: reads as unknown
  CHECK(c["measured"]["tokens_per_s_per_gpu"] == "not touched");  // only the inputs are read
  REQUIRE(notes.size() == 2);
  CHECK(notes[0] == "training.micro_batch_size \"two\" is not a number: taken as unknown");
  CHECK(notes[1] == "system.parallelism.tp true is not a number: taken as unknown");

  // Through a prediction: the same answer as the record with numbers, and the note in `notes`.
  const json base = flopcast::test::groundtruth_record("public.json", "llmc-gpt2-1558m");
  json v = base;
  v["system"]["gpu_count"] = "8";
  v["training"]["training_tokens"] =
      std::to_string(base["training"]["training_tokens"].get<long long>());
  const json pa = predict_one(base), pb = predict_one(v);
  CHECK(pa["predicted"] == pb["predicted"]);
  CHECK(pa["notes"] == pb["notes"]);
  v["model"]["n_layers"] = "forty-eight";
  const json pc = predict_one(v);
  CHECK(has_note(pc, "model.n_layers \"forty-eight\" is not a number: taken as unknown"));
  CHECK(pc["predicted"]["tokens_per_s_per_gpu"].is_number());
}

TEST_CASE("LoRA target names of Megatron, NeMo and GPT-NeoX are the model's matrices",
          "[record_values][groundtruth]") {
  using V = std::vector<std::string>;
  CHECK(record_lora_target("linear_qkv", true) == V{"qkv_proj"});
  CHECK(record_lora_target("query_key_value", false) == V{"qkv_proj"});
  CHECK(record_lora_target("linear_proj", true) == V{"o_proj"});
  CHECK(record_lora_target("linear_fc1", true) ==
        V{"gate_proj", "up_proj"});  // fused in a gated FFN
  CHECK(record_lora_target("linear_fc1", false) == V{"up_proj"});
  CHECK(record_lora_target("dense_h_to_4h", false) == V{"up_proj"});
  CHECK(record_lora_target("dense_4h_to_h", false) == V{"down_proj"});
  CHECK(record_lora_target("Q_PROJ", true) == V{"q_proj"});
  CHECK(record_lora_target("all-linear", true) == V{"all_linear"});
  CHECK_FALSE(record_lora_target(
      "c_attn", false));  // GPT-2's fused QKV shares its name pattern with c_proj: not guessed

  const json lora = flopcast::test::first_groundtruth_record("public.json", [](const json& r) {
    return r["training"].contains("lora") && r["training"]["lora"].is_object();
  });
  REQUIRE(lora["training"]["lora"]["target"] == json({"qkv_proj", "o_proj"}));
  const json base = predict_one(lora);
  json v = lora;
  v["training"]["lora"]["target"] = {"linear_qkv",
                                     "linear_proj"};  // NeMo's names for the same matrices
  const json same = predict_one(v);
  CHECK(same["predicted"] == base["predicted"]);
  CHECK(same["notes"] == base["notes"]);
  v["training"]["lora"]["target"] = {"linear_qkv", "linear_proj", "mystery"};
  const json odd = predict_one(v);
  CHECK(odd["predicted"] == base["predicted"]);
  CHECK(
      has_note(odd, "training.lora.target \"mystery\" is not a matrix the model knows: left out"));
  v["training"]["lora"]["target"] = {"linear_qkv", "linear_proj", "linear_fc1", "linear_fc2"};
  CHECK(predict_one(v)["predicted"]["peak_memory_gib_per_gpu"] !=
        base["predicted"]["peak_memory_gib_per_gpu"]);
}
