// Cross-key checks and the mapping of a scenario onto the model's structs.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "models/efficiency.h"
#include "models/goodput.h"
#include "scenarios/scenario.h"

using namespace flopcast::scenarios;
using nlohmann::ordered_json;

namespace {
ordered_json base() { return ordered_json::parse(test::slurp(test::source_path("scenarios/examples/default.json"))); }

std::string first_pointer(const ordered_json& doc) {
  const LoadResult r = load_scenario_document(doc, "t.json");
  if (r.ok) return "(ok)";
  return r.diagnostics.front().pointer;
}
}  // namespace

TEST_CASE("defaults are applied and mapped onto the model's structs", "[validate]") {
  const LoadResult r = load_scenario_document(base(), "t.json");
  REQUIRE(r.ok);
  const Scenario& s = r.scenario;
  CHECK(s.model.n_layers == 12);
  CHECK(s.model.seq_len == 1024);
  CHECK(s.training.precision == flopcast::models::Precision::bf16);
  CHECK(s.training.recompute == flopcast::models::Recompute::none);
  CHECK(s.auto_layout);
  CHECK(s.pue == 1.25);
  CHECK(s.electricity_usd_per_kwh == 0.08);
  CHECK_FALSE(s.goodput.has_value());  // "auto"
  CHECK(s.effective["simulation"]["goodput"] == "auto");
  CHECK(s.effective["parallelism"]["sharding"] == "none");
  CHECK_FALSE(s.document["parallelism"].contains("sharding"));  // defaults are not written back
  const auto in = to_estimate_input(s, flopcast::models::DeviceSpec{});
  CHECK(in.auto_layout);
  CHECK(in.device_count == 8);
  CHECK(in.costs.usd_per_gpu_hour == 1.79);
}

TEST_CASE("a custom shape with LoRA and an explicit layout maps key by key", "[validate]") {
  const LoadResult r = load_scenario_file(test::source_path("tests/scenarios/data/custom-shape.json"));
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
  REQUIRE(r.ok);
  const Scenario& s = r.scenario;
  CHECK(s.preset.empty());
  CHECK(s.model.n_kv_heads == 4);
  CHECK(s.model.ffn_dim == 5504);
  CHECK(s.training.phase == flopcast::models::Phase::finetune);
  REQUIRE(s.training.lora.has_value());
  CHECK(s.training.lora->rank == 16);
  CHECK(s.training.lora->targets == std::vector<std::string>{"q_proj", "v_proj", "o_proj"});
  CHECK_FALSE(s.auto_layout);
  CHECK(s.layout.dp == 4);
  CHECK(s.layout.tp == 2);
  CHECK(s.layout.micro_batch_size == 2);
  CHECK(s.training.micro_batch_size == 2);
  CHECK(s.layout.sharding == flopcast::models::Sharding::zero1);
  const RunResult run = test::run_file("tests/scenarios/data/custom-shape.json");
  INFO((run.diagnostics.empty() ? std::string() : run.diagnostics.front().to_string()));
  CHECK(run.ok);
}

TEST_CASE("cross-key checks name the key to fix", "[validate]") {
  auto d = base();
  d["workload"]["model"] = {{"n_layers", 12}};
  CHECK(first_pointer(d) == "/workload/model/d_model");

  d = base();
  d["parallelism"] = {{"layout", "auto"}, {"tp", 2}};
  CHECK(first_pointer(d) == "/parallelism/tp");

  d = base();
  d["parallelism"] = {{"layout", "explicit"}, {"tp", 2}, {"dp", 2}};
  CHECK(first_pointer(d) == "/parallelism/dp");

  d = base();
  d["parallelism"] = {{"layout", "explicit"}, {"tp", 8}};  // 8 does not divide 12 heads
  CHECK(first_pointer(d) == "/parallelism/tp");

  d = base();
  d["workload"]["global_batch_tokens"] = 1000;  // not a multiple of seq_len 1024
  CHECK(first_pointer(d) == "/workload/global_batch_tokens");

  d = base();
  d["hardware"]["device_profile"] = ordered_json::object();
  CHECK(first_pointer(d) == "/hardware/device_profile");

  d = base();
  d["workload"]["lora"] = {{"rank", 8}, {"targets", {"q_proj", "qq_proj"}}};
  CHECK(first_pointer(d) == "/workload/lora/targets/1");

  d = base();
  d["workload"]["lora"] = {{"targets", {"q_proj"}}};
  CHECK(first_pointer(d) == "/workload/lora/rank");

  d = base();
  d["workload"]["compression"] = {{"pruning_sparsity", 0.5}};
  CHECK(first_pointer(d) == "/workload/compression/pruning_sparsity");

  d = base();
  d["workload"]["model"]["moe"] = {{"n_experts", 4}, {"experts_per_token", 8}, {"expert_ffn_dim", 3072}};
  CHECK(first_pointer(d) == "/workload/model/moe/experts_per_token");

  d = base();
  d["workload"]["model"]["preset"] = "gpt-5";
  CHECK(first_pointer(d) == "/workload/model/preset");

  d = base();
  d["workload"]["kind"] = "inference";
  CHECK(first_pointer(d) == "/workload/kind");
}

TEST_CASE("integers may be written as integral numbers, not as fractions", "[validate]") {
  auto d = base();
  d["hardware"]["device_count"] = 8.0;
  CHECK(first_pointer(d) == "(ok)");
  d["hardware"]["device_count"] = 8.5;
  CHECK(first_pointer(d) == "/hardware/device_count");
  d["hardware"]["device_count"] = 1e300;  // range first, no conversion overflow
  CHECK(first_pointer(d) == "/hardware/device_count");
  d = base();
  d["seed"] = -1;
  CHECK(first_pointer(d) == "/seed");
}

TEST_CASE("recompute auto searches it with the layout; recompute_layers needs full", "[validate][recompute]") {
  // Llama 3 70B at 8k on 64 H100 with an explicit tp 8 x pp 8 layout and no ZeRO sharding: without
  // recompute micro-batches of 4 do not fit, with full recompute of every layer they do; auto finds the block
  // recompute in between and is faster than full.
  ordered_json doc = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/llama3-70b-h100.json")));
  doc["hardware"]["device_count"] = 64;
  doc["parallelism"]["dp"] = 1;
  doc["parallelism"]["sharding"] = "none";
  doc["parallelism"]["micro_batch_size"] = 4;
  doc["workload"]["global_batch_tokens"] = 64 * 8192;
  auto run = [&](const char* rc) {
    ordered_json d = doc;
    d["workload"]["activation_recompute"] = rc;
    const auto r = test::run_text(d.dump(), "t.json");
    REQUIRE(r.exit_code == 0);
    return r.result;
  };
  const auto none = run("none"), full = run("full"), automatic = run("auto");
  REQUIRE(none["memory"]["fits"] == "no");
  REQUIRE(full["memory"]["fits"] == "yes");
  CHECK(automatic["memory"]["fits"] == "yes");
  CHECK(automatic["layout"]["recompute"] == "full");
  const int k = automatic["layout"]["recompute_layers"].get<int>();
  CHECK(k > 0);
  CHECK(k < 10);  // 80 layers over pp 8: 10 per stage
  CHECK(automatic["metrics"]["step_time_s"].get<double>() < full["metrics"]["step_time_s"].get<double>());
  // The layout itself is kept.
  CHECK(automatic["layout"]["tp"] == 8);
  CHECK(automatic["layout"]["pp"] == 8);
  // The same k given by hand reproduces the answer.
  ordered_json byhand = doc;
  byhand["workload"]["activation_recompute"] = "full";
  byhand["workload"]["recompute_layers"] = k;
  const auto b = test::run_text(byhand.dump(), "t.json");
  REQUIRE(b.exit_code == 0);
  CHECK(b.result["metrics"]["step_time_s"].get<double>() == Approx(automatic["metrics"]["step_time_s"].get<double>()));
  // recompute_layers without full recompute is an error at its pointer.
  byhand["workload"]["activation_recompute"] = "selective";
  CHECK(first_pointer(byhand) == "/workload/recompute_layers");
}

TEST_CASE("attention kernel: auto follows the device, fused/unfused force it", "[validate][attention]") {
  // Llama 3 70B at 8k on H100 without recompute: auto is FlashAttention; unfused materialises the
  // s×s scores, which costs time and activation memory; fused equals auto here. (With selective
  // recompute the scores are recomputed, not stored: same memory.) On a zoo preset the key is an error.
  ordered_json doc = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/llama3-70b-h100.json")));
  doc["workload"]["activation_recompute"] = "none";
  auto run = [&](const char* att) {
    ordered_json d = doc;
    if (att) d["workload"]["attention"] = att;
    const auto r = test::run_text(d.dump(), "t.json");
    REQUIRE(r.exit_code == 0);
    return r.result;
  };
  const auto dflt = run(nullptr), fused = run("fused"), unfused = run("unfused");
  CHECK(fused["metrics"]["step_time_s"].get<double>() == Approx(dflt["metrics"]["step_time_s"].get<double>()));
  CHECK(dflt["workload"]["attention"] == "fused");
  CHECK(unfused["workload"]["attention"] == "unfused");
  CHECK(unfused["metrics"]["step_time_s"].get<double>() > 1.05 * fused["metrics"]["step_time_s"].get<double>());
  CHECK(unfused["memory"]["activations_gib"].get<double>() > fused["memory"]["activations_gib"].get<double>());
  doc["workload"]["activation_recompute"] = "selective";
  const auto sel_fused = run("fused"), sel_unfused = run("unfused");
  CHECK(sel_unfused["memory"]["activations_gib"].get<double>() ==
        Approx(sel_fused["memory"]["activations_gib"].get<double>()).epsilon(0.01));
  doc["workload"]["activation_recompute"] = "none";
  ordered_json zoo = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/bert-large-8gpu.json")));
  zoo["workload"]["attention"] = "fused";
  CHECK(first_pointer(zoo) == "/workload/attention");
  doc["workload"]["attention"] = "flash";
  CHECK(first_pointer(doc) == "/workload/attention");
}

TEST_CASE("overlap_grad_reduce false exposes the data-parallel communication", "[validate][overlap]") {
  // Decoder and model-library scenarios alike: the reduction after the backward adds its time.
  for (const char* file : {"scenarios/examples/default.json", "scenarios/examples/bert-large-16gpu.json"}) {
    ordered_json doc = ordered_json::parse(test::slurp(test::source_path(file)));
    auto step = [&](std::optional<bool> overlap) {
      ordered_json d = doc;
      if (overlap) d["parallelism"]["overlap_grad_reduce"] = *overlap;
      const auto r = test::run_text(d.dump(), "t.json");
      REQUIRE(r.exit_code == 0);
      return r.result["metrics"]["step_time_s"].get<double>();
    };
    INFO(file);
    CHECK(step(true) == Approx(step(std::nullopt)));  // the default overlaps
    CHECK(step(false) > step(true));
    doc["parallelism"]["overlap_grad_reduce"] = "no";
    CHECK(first_pointer(doc) == "/parallelism/overlap_grad_reduce");
  }
}

TEST_CASE("goodput: auto is g0 x the interruptions of the device count; a number is taken as is", "[validate][goodput]") {
  const flopcast::models::EfficiencyParams eff;
  ordered_json doc = base();
  LoadResult r = load_scenario_document(doc, "t.json");
  REQUIRE(r.ok);
  const double params = 70e9;
  // auto: g0 (fitted on published whole runs) times failure_goodput, which falls with the device count
  CHECK(scenario_goodput(r.scenario, 8, params) == Approx(eff.goodput * flopcast::models::failure_goodput(8, params)));
  CHECK(scenario_goodput(r.scenario, 16384, params) < scenario_goodput(r.scenario, 8, params));
  CHECK(scenario_goodput(r.scenario, 16384, params) < 0.95 * eff.goodput);
  CHECK(goodput_note(r.scenario, 8, params).rfind("goodput auto:", 0) == 0);
  const auto in = to_estimate_input(r.scenario, flopcast::models::DeviceSpec{});
  CHECK(in.goodput == Approx(eff.goodput * flopcast::models::failure_goodput(8, 123551232.0)));
  // "auto" written out is the same
  doc["simulation"] = {{"goodput", "auto"}};
  r = load_scenario_document(doc, "t.json");
  REQUIRE(r.ok);
  CHECK_FALSE(r.scenario.goodput.has_value());
  // a number: taken as is, at every device count (1: compute time only)
  doc["simulation"] = {{"goodput", 1.0}};
  r = load_scenario_document(doc, "t.json");
  REQUIRE(r.ok);
  CHECK(scenario_goodput(r.scenario, 16384, params) == 1.0);
  CHECK(goodput_note(r.scenario, 8, params).find("as the scenario sets") != std::string::npos);
  // anything else names the key
  for (const ordered_json& bad : {ordered_json("x"), ordered_json(0.0), ordered_json(1.5), ordered_json(nullptr)}) {
    INFO(bad.dump());
    doc["simulation"] = {{"goodput", bad}};
    CHECK(first_pointer(doc) == "/simulation/goodput");
  }
}
