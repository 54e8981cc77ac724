// scenarios/examples/: each loads, runs and gives positive, finite, self-consistent results.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>
#include <vector>

#include "helpers.h"
#include "hwprofiles/catalog.h"
#include "hwprofiles/device_profile.h"
#include "scenarios/scenario.h"

using namespace flopcast::scenarios;
using nlohmann::ordered_json;

namespace {
const std::vector<std::string> kExamples = {"scenarios/examples/default.json",
                                            "scenarios/examples/llama3-70b-h100.json",
                                            "scenarios/examples/buy-vs-rent.json",
                                            "scenarios/examples/bert-large-8gpu.json",
                                            "scenarios/examples/bert-large-16gpu.json",
                                            "scenarios/examples/resnet50-8gpu.json"};

double rel_diff(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b)); }

// "nan" / "inf" as a word anywhere in the output (a number printed as text, say); "InfiniBand" is fine.
bool has_nonfinite_text(const ordered_json& j) {
  static const std::regex word("(^|[^A-Za-z])(nan|NaN|inf|Inf|Infinity)([^A-Za-z]|$)");
  return std::regex_search(j.dump(), word);
}
}  // namespace

TEST_CASE("the examples give positive, finite, consistent results", "[examples]") {
  for (const auto& rel : kExamples) {
    INFO(rel);
    const LoadResult loaded = load_scenario_file(test::source_path(rel));
    REQUIRE(loaded.ok);
    const Scenario& s = loaded.scenario;
    const RunResult r = test::run_file(rel);
    INFO((r.diagnostics.empty() ? std::string() : r.diagnostics.front().to_string()));
    REQUIRE(r.ok);
    CHECK(r.exit_code == 0);
    const auto& m = r.result["metrics"];
    // Model-library presets (s.zoo) count samples; an image has no tokens (null, and why_null says why).
    const bool zoo = s.zoo.has_value();
    for (const char* key : {"tokens_per_s_per_gpu", "samples_per_s_per_gpu", "step_time_s", "wall_time_h",
                            "gpu_hours", "energy_mwh", "peak_memory_gib_per_gpu", "mfu", "cost_usd"}) {
      INFO(key);
      if (m[key].is_null()) {
        CHECK(r.result["why_null"].contains(std::string("/metrics/") + key));
        continue;
      }
      REQUIRE(m[key].is_number());
      CHECK(std::isfinite(m[key].get<double>()));
      CHECK(m[key].get<double>() > 0);
    }
    CHECK(m["mfu"].get<double>() < 1);
    const double gpus = s.device_count;
    CHECK(r.result["hardware"]["device_count"] == s.device_count);
    CHECK(rel_diff(m["gpu_hours"].get<double>(), m["wall_time_h"].get<double>() * gpus) < 1e-9);
    // One step moves the global batch over all GPUs; the run moves the training amount, goodput included.
    const double per_s = m[zoo ? "samples_per_s_per_gpu" : "tokens_per_s_per_gpu"].get<double>();
    const double batch = zoo ? s.zoo->global_batch_samples : s.training.global_batch_tokens;
    const double amount = zoo ? s.zoo->training_samples : s.training.training_tokens;
    CHECK(rel_diff(m["step_time_s"].get<double>() * per_s * gpus, batch) < 1e-6);
    const double goodput = r.result["efficiency"]["goodput"].get<double>();
    CHECK(goodput == Approx(scenario_goodput(s, s.device_count, r.result["workload"]["params"].get<double>())));
    CHECK(rel_diff(m["wall_time_h"].get<double>() * 3600 * per_s * gpus * goodput, amount) < 1e-6);
    // Cost = rental + electricity, rental = GPU-hours x price.
    const auto& c = r.result["costs"];
    CHECK(rel_diff(c["rental_usd"].get<double>(), m["gpu_hours"].get<double>() * *s.usd_per_gpu_hour) < 1e-9);
    CHECK(c["electricity_usd"].get<double>() >= 0);
    CHECK(rel_diff(m["cost_usd"].get<double>(), c["rental_usd"].get<double>() + c["electricity_usd"].get<double>()) < 1e-9);
    // The layout uses every device.
    const auto& l = r.result["layout"];
    CHECK(l["dp"].get<int>() * l["tp"].get<int>() * l["pp"].get<int>() * l["cp"].get<int>() == s.device_count);
    CHECK_FALSE(has_nonfinite_text(r.result));
    // Provenance.
    const auto& p = r.result["provenance"];
    CHECK(p["input_sha256"].get<std::string>().size() == 64);
    CHECK_FALSE(p["git_sha"].get<std::string>().empty());
    CHECK_FALSE(p["flopcast_version"].get<std::string>().empty());
    CHECK(p["catalog_hash"] == flopcast::hwprofiles::catalog_hash());
    CHECK(p["seed"] == s.seed);
  }
}

TEST_CASE("default.json: auto layout, and the result says so", "[examples]") {
  const RunResult r = test::run_file("scenarios/examples/default.json");
  REQUIRE(r.ok);
  CHECK(r.result["layout"]["mode"] == "auto");
  CHECK(r.result["hardware"]["device"] == "nvidia-a100-sxm4-80gb");
  CHECK(r.result["workload"]["model"] == "gpt2-small");
}

TEST_CASE("llama3-70b-h100.json keeps its explicit layout tp 8 pp 8 dp 16", "[examples]") {
  const RunResult r = test::run_file("scenarios/examples/llama3-70b-h100.json");
  REQUIRE(r.ok);
  const auto& l = r.result["layout"];
  CHECK(l["mode"] == "explicit");
  CHECK(l["tp"] == 8);
  CHECK(l["pp"] == 8);
  CHECK(l["dp"] == 16);
  CHECK(l["sharding"] == "zero1");
  CHECK(l["sequence_parallel"] == true);
}

TEST_CASE("the input hash ignores formatting and follows content", "[examples]") {
  const std::string text = test::slurp(test::source_path("scenarios/examples/default.json"));
  const auto doc = ordered_json::parse(text);
  const RunResult a = test::run_text(text, "a.json");
  const RunResult b = test::run_text(doc.dump(), "b.json");  // one line, same content
  ordered_json changed = doc;
  changed["seed"] = 7;
  const RunResult c = test::run_text(changed.dump(), "c.json");
  REQUIRE((a.ok && b.ok && c.ok));
  CHECK(a.result["provenance"]["input_sha256"] == b.result["provenance"]["input_sha256"]);
  CHECK(a.result["provenance"]["input_sha256"] != c.result["provenance"]["input_sha256"]);
  CHECK(c.result["provenance"]["seed"] == 7);
  // Deterministic: the same input gives the same metrics.
  CHECK(a.result["metrics"] == b.result["metrics"]);
}

TEST_CASE("a device without a peak for the precision is 'unknown for ID: FIELD'", "[runner]") {
  const RunResult r = test::run_file("tests/scenarios/data/v100-bf16.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].to_string() == "unknown for nvidia-v100-sxm2-32gb: peak_flops_per_s.bf16");
}

TEST_CASE("a device whose power is unknown has no energy: null with why, never 0",
          "[runner][energy]") {
  // The TPU v5e's power is not published (the catalog's tdp_w is null): the energy used to be 0 MWh
  // and the cost rental + "electricity $0"; now energy is null with the reason, and so is the
  // electricity (the cost is the rental alone, and why_null says so).
  const auto* dev = flopcast::hwprofiles::builtin_catalog().find("google-tpu-v5e");
  REQUIRE(dev);
  REQUIRE_FALSE(dev->tdp_w);
  auto doc = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/default.json")));
  doc["hardware"]["device"] = "google-tpu-v5e";
  for (const Job job : {Job::estimate, Job::sweep_gpus}) {
    const RunResult r = test::run_text(doc.dump(), "tpu.json", job);
    REQUIRE(r.ok);
    const auto& j = r.result;
    CHECK(j["metrics"]["energy_mwh"].is_null());
    CHECK(j["why_null"]["/metrics/energy_mwh"].get<std::string>().find("tdp_w") !=
          std::string::npos);
    CHECK(j["costs"]["electricity_usd"].is_null());
    REQUIRE(j["metrics"]["cost_usd"].is_number());
    CHECK(rel_diff(j["metrics"]["cost_usd"].get<double>(), j["costs"]["rental_usd"].get<double>()) <
          1e-12);
    CHECK(j["bands"]["p10"]["energy_mwh"].is_null());
    CHECK(j["why_null"]["/costs/electricity_usd"].get<std::string>().find("rental alone") !=
          std::string::npos);
    if (job == Job::sweep_gpus)
      for (const auto& p : j["sweep"]["points"]) CHECK(p["energy_mwh"].is_null());
  }
  // The same run on the A100 has its energy, as before.
  const RunResult a100 = test::run_file("scenarios/examples/default.json");
  REQUIRE(a100.ok);
  CHECK(a100.result["metrics"]["energy_mwh"].get<double>() > 0);
  CHECK_FALSE(a100.result["why_null"].contains("/metrics/energy_mwh"));
}

TEST_CASE("an unknown device id names /hardware/device", "[runner]") {
  auto doc = ordered_json::parse(test::slurp(test::source_path("scenarios/examples/default.json")));
  doc["hardware"]["device"] = "nvidia-a9000";
  const RunResult r = test::run_text(doc.dump(), "x.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  CHECK(r.diagnostics[0].pointer == "/hardware/device");
}

TEST_CASE("A --hw file and an embedded device_profile replace the catalog device", "[runner]") {
  const auto* a100 = flopcast::hwprofiles::builtin_catalog().find("nvidia-a100-sxm4-80gb");
  REQUIRE(a100 != nullptr);
  auto profile = flopcast::hwprofiles::to_json(*a100);
  profile["id"] = "my-a100";
  profile["name"] = "My A100";
  const std::string text = test::slurp(test::source_path("scenarios/examples/default.json"));

  RunRequest req;
  req.scenario_text = text;
  req.origin = "default.json";
  req.hw_profile_text = profile.dump(2);
  req.hw_profile_origin = "my-a100.json";
  const std::atomic<bool> cancel{false};
  const RunResult with_hw = run(req, {}, cancel);
  INFO((with_hw.diagnostics.empty() ? std::string() : with_hw.diagnostics.front().to_string()));
  REQUIRE(with_hw.ok);
  CHECK(with_hw.result["hardware"]["device"] == "my-a100");
  CHECK(with_hw.result["hardware"]["source"] == "--hw my-a100.json");
  const RunResult catalog = test::run_text(text, "default.json");
  REQUIRE(catalog.ok);
  // Same numbers as the catalog entry it copies.
  CHECK(with_hw.result["metrics"]["wall_time_h"] == catalog.result["metrics"]["wall_time_h"]);
  CHECK(with_hw.result["provenance"]["input_sha256"] != catalog.result["provenance"]["input_sha256"]);

  auto doc = ordered_json::parse(text);
  doc["hardware"].erase("device");
  doc["hardware"]["device_profile"] = profile;
  const RunResult embedded = test::run_text(doc.dump(), "embedded.json");
  REQUIRE(embedded.ok);
  CHECK(embedded.result["hardware"]["device"] == "my-a100");

  // A broken embedded profile: the error points inside /hardware/device_profile.
  doc["hardware"]["device_profile"]["memory_bytes"] = "lots";
  const RunResult broken = test::run_text(doc.dump(), "embedded.json");
  REQUIRE_FALSE(broken.ok);
  CHECK(broken.exit_code == 2);
  CHECK(broken.diagnostics[0].pointer.rfind("/hardware/device_profile", 0) == 0);

  // A broken --hw file is bad input too.
  req.hw_profile_text = "{\"id\": 3}";
  const RunResult bad_hw = run(req, {}, cancel);
  CHECK_FALSE(bad_hw.ok);
  CHECK(bad_hw.exit_code == 2);
}

TEST_CASE("sweep_gpus: time and cost against GPU count", "[runner][sweep]") {
  for (const auto& rel : kExamples) {
    INFO(rel);
    const RunResult r = test::run_file(rel, Job::sweep_gpus);
    REQUIRE(r.ok);
    CHECK(r.result["job"] == "sweep_gpus");
    const auto& points = r.result["sweep"]["points"];
    REQUIRE(points.size() >= 3);
    const int own = r.result["hardware"]["device_count"].get<int>();
    bool has_own = false;
    int last = 0;
    for (const auto& p : points) {
      const int n = p["device_count"].get<int>();
      CHECK(n > last);
      last = n;
      CHECK(p["wall_time_h"].get<double>() > 0);
      CHECK(p["cost_usd"].get<double>() > 0);
      CHECK(rel_diff(p["gpu_hours"].get<double>(), p["wall_time_h"].get<double>() * n) < 1e-9);
      if (n == own) {
        has_own = true;
        CHECK(p["wall_time_h"] == r.result["metrics"]["wall_time_h"]);
      }
    }
    CHECK(has_own);
    CHECK_FALSE(has_nonfinite_text(r.result));
  }
}

TEST_CASE("the runner reports progress and honours cancel", "[runner]") {
  RunRequest req;
  req.job = Job::sweep_gpus;
  req.scenario_text = test::slurp(test::source_path("scenarios/examples/default.json"));
  std::vector<double> fractions;
  const std::atomic<bool> go{false};
  const RunResult ok = run(req, [&](double f, std::string_view) { fractions.push_back(f); }, go);
  REQUIRE(ok.ok);
  REQUIRE(fractions.size() >= 3);
  for (std::size_t i = 1; i < fractions.size(); ++i) CHECK(fractions[i] >= fractions[i - 1]);
  CHECK(fractions.back() == 1.0);

  const std::atomic<bool> stop{true};
  const RunResult cancelled = run(req, {}, stop);
  CHECK_FALSE(cancelled.ok);
  CHECK(cancelled.exit_code == 1);
  REQUIRE_FALSE(cancelled.diagnostics.empty());
  CHECK(cancelled.diagnostics[0].message == "cancelled");
}

TEST_CASE("the runner never throws, whatever the text", "[runner]") {
  const std::atomic<bool> go{false};
  for (const char* text : {"", "null", "[]", "{}", "{\"schema_version\": 1}", "\xff\xfe", "{\"schema_version\": 1e400}"}) {
    RunRequest req;
    req.scenario_text = text;
    RunResult r;
    REQUIRE_NOTHROW(r = run(req, {}, go));
    CHECK_FALSE(r.ok);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.diagnostics.empty());
  }
}
