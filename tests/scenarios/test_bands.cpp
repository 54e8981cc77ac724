// The estimate's P10-P90 bands (scenarios/uncertainty.h, /bands of the result JSON): around the
// value, as wide as the predictor's cross-validated sigma says, wider for MoE and whole runs, and
// the same sigma that `flopcast predict` gives a record with every input stated.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "helpers.h"
#include "scenarios/groundtruth.h"
#include "scenarios/uncertainty.h"

using namespace flopcast::scenarios;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

Spread spread_of(const std::string& metric) {
  if (metric == "wall_time_h" || metric == "gpu_hours" || metric == "cost_usd") return Spread::whole_run;
  if (metric == "energy_mwh") return Spread::energy;
  if (metric == "peak_memory_gib_per_gpu") return Spread::memory;
  return Spread::throughput;
}

// ln(P90 / P50) / z90 of a metric of a result: the sigma the band was drawn with.
double sigma_of(const ordered_json& result, const std::string& metric) {
  const double v = result["metrics"][metric].get<double>();
  const double hi = result["bands"]["p90"][metric].get<double>();
  return std::log(hi / v) / kZ90;
}

}  // namespace

TEST_CASE("every estimate carries a P10-P90 band around each metric", "[runner][bands]") {
  for (const char* rel : {"scenarios/examples/default.json", "scenarios/examples/llama3-70b-h100.json",
                          "scenarios/examples/bert-large-8gpu.json", "scenarios/examples/resnet50-8gpu.json"}) {
    INFO(rel);
    const RunResult r = test::run_file(rel);
    REQUIRE(r.ok);
    const auto& res = r.result;
    REQUIRE(res.contains("bands"));
    const bool zoo = res["workload"].contains("training_samples");
    const auto& m = res["metrics"];
    for (auto it = m.begin(); it != m.end(); ++it) {
      const std::string k = it.key();
      INFO(k);
      const auto& lo = res["bands"]["p10"][k];
      const auto& hi = res["bands"]["p90"][k];
      if (!it.value().is_number() || (zoo && k == "peak_memory_gib_per_gpu")) {
        // No value, or a value no measured run checks: no band, and why_null says why.
        CHECK(lo.is_null());
        CHECK(hi.is_null());
        CHECK(res["why_null"].contains("/bands/p10/" + k));
        continue;
      }
      const double v = it.value().get<double>();
      REQUIRE(lo.is_number());
      REQUIRE(hi.is_number());
      CHECK(lo.get<double>() < v);
      CHECK(v < hi.get<double>());
      // log-symmetric: P50 is the geometric mean of P10 and P90
      CHECK(std::sqrt(lo.get<double>() * hi.get<double>()) == Approx(v).epsilon(1e-9));
      const UncertaintyParams u;
      const double expected = zoo ? zoo_band_sigma(flopcast::models::ZooParams{}, u, spread_of(k), 0)
                                  : band_sigma(u, spread_of(k), SpreadBasis{});
      CHECK(sigma_of(res, k) == Approx(expected).epsilon(1e-9));
    }
    // A whole run is less sure than its throughput (goodput, restarts and token counts on top).
    CHECK(sigma_of(res, "wall_time_h") > sigma_of(res, "step_time_s"));
    CHECK(sigma_of(res, "energy_mwh") > sigma_of(res, "wall_time_h"));
    CHECK(res["bands"]["sigma_log"]["whole_run"].get<double>() == Approx(sigma_of(res, "gpu_hours")).epsilon(1e-9));
    CHECK(res["checks"]["uncertainty"].get<std::string>().find("/bands") != std::string::npos);
  }
}

TEST_CASE("a mixture-of-experts scenario has a wider band than a dense one", "[runner][bands]") {
  std::string text = test::slurp(test::source_path("scenarios/examples/default.json"));
  const RunResult dense = test::run_text(text, "dense.json");
  REQUIRE(dense.ok);
  const std::string from = "\"preset\": \"gpt2-small\"";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "\"preset\": \"mixtral-8x7b\"");
  const std::string count = "\"device_count\": 8";
  REQUIRE(text.find(count) != std::string::npos);
  text.replace(text.find(count), count.size(), "\"device_count\": 64");
  const RunResult moe = test::run_text(text, "moe.json");
  INFO((moe.diagnostics.empty() ? std::string() : moe.diagnostics.front().to_string()));
  REQUIRE(moe.ok);
  const UncertaintyParams u;
  CHECK(sigma_of(moe.result, "tokens_per_s_per_gpu") ==
        Approx(std::hypot(u.sigma_base, u.sigma_moe)).epsilon(1e-9));
  CHECK(sigma_of(moe.result, "tokens_per_s_per_gpu") > sigma_of(dense.result, "tokens_per_s_per_gpu"));
  CHECK(sigma_of(moe.result, "wall_time_h") > sigma_of(dense.result, "wall_time_h"));
}

TEST_CASE("the estimate's band is the predictor's for a record with every input stated", "[runner][bands]") {
  json recs;
  REQUIRE(read_json_file(test::source_path("tests/data/groundtruth/public.json"), recs).empty());
  int checked = 0;
  for (const auto& rec : recs) {
    const RecordPrediction p = predict_record(rec, builtin_device_lookup(), PredictOptions{});
    if (!p.ok || !p.out["defaults_used"].empty() || p.moe) continue;
    const auto& pr = p.out["predicted"];
    if (!pr["tokens_per_s_per_gpu"].is_number()) continue;
    const double v = pr["tokens_per_s_per_gpu"].get<double>();
    const double s = std::log(p.out["p90"]["tokens_per_s_per_gpu"].get<double>() / v) / kZ90;
    CHECK(s == Approx(band_sigma(UncertaintyParams{}, Spread::throughput, SpreadBasis{})).epsilon(1e-9));
    ++checked;
  }
  CHECK(checked >= 5);
}
