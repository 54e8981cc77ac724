// Schema version 2 costs section: the 1 -> 2 migration, and `roi` / `capacity` through the
// runner door (scenarios/costs_runner.h) on the shipped examples and on bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "helpers.h"
#include "scenarios/costs_runner.h"
#include "scenarios/migrate.h"
#include "scenarios/scenario.h"

using namespace flopcast::scenarios;
using nlohmann::ordered_json;

namespace {
ordered_json example(const char* rel) { return ordered_json::parse(test::slurp(test::source_path(rel))); }

RunResult run_doc(const ordered_json& doc, bool capacity, const std::string& origin = "doc.json") {
  RunRequest req;
  req.scenario_text = doc.dump(2);
  req.origin = origin;
  const std::atomic<bool> cancel{false};
  return capacity ? run_capacity(req, {}, cancel) : run_roi(req, {}, cancel);
}

bool finite_everywhere(const ordered_json& j) {
  if (j.is_number()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (const auto& x : j)
      if (!finite_everywhere(x)) return false;
  return true;
}
}  // namespace

TEST_CASE("schema 1 -> 2: a version-1 costs section keeps its meaning", "[costs][migrate]") {
  CHECK(kSchemaVersion == 2);
  auto v1 = example("scenarios/examples/default.json");
  v1["schema_version"] = 1;
  v1["costs"] = {{"usd_per_gpu_hour", 2.5}, {"electricity_usd_per_kwh", 0.1}, {"pue", 1.4}};
  auto doc = v1;
  const MigrationOutcome m = migrate_to_current(doc);
  REQUIRE(m.ok);
  CHECK(m.from_version == 1);
  REQUIRE(m.applied.size() == 1);
  CHECK(doc["schema_version"] == 2);
  CHECK(doc["costs"] == v1["costs"]);
  const LoadResult r = load_scenario_document(v1, "v1.json");
  REQUIRE(r.ok);
  CHECK(r.scenario.schema_version == 1);
  CHECK(*r.scenario.usd_per_gpu_hour == 2.5);
  CHECK(r.scenario.pue == 1.4);
  CHECK(r.scenario.electricity_usd_per_kwh == 0.1);
  // The same file written as version 2 gives the same estimate.
  auto v2 = v1;
  v2["schema_version"] = 2;
  RunRequest a, b;
  a.scenario_text = v1.dump();
  b.scenario_text = v2.dump();
  const std::atomic<bool> cancel{false};
  const RunResult ra = run(a, {}, cancel), rb = run(b, {}, cancel);
  REQUIRE(ra.ok);
  REQUIRE(rb.ok);
  CHECK(ra.result["metrics"] == rb.result["metrics"]);
  CHECK(ra.result["provenance"]["migrated_from_schema_version"] == 1);
}

TEST_CASE("schema 1 -> 2: a version-1 file with version-2 cost keys is refused with its pointer", "[costs][migrate]") {
  auto v1 = example("scenarios/examples/default.json");
  v1["schema_version"] = 1;
  v1["costs"] = {{"pue", 1.2}, {"owned", {{"devices", 8}}}};
  const LoadResult r = load_scenario_document(v1, "v1.json");
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/costs/owned");
  CHECK(r.diagnostics[0].message.find("schema_version 2") != std::string::npos);
  v1["schema_version"] = 2;  // fine as version 2
  CHECK(load_scenario_document(v1, "v2.json").ok);
}

TEST_CASE("roi on the buy-vs-rent example carries the decision fields per option", "[costs][roi]") {
  const RunResult r = test::run_file("scenarios/examples/buy-vs-rent.json", Job::estimate);
  REQUIRE(r.ok);  // still a valid estimate scenario
  const RunResult roi = run_doc(example("scenarios/examples/buy-vs-rent.json"), false);
  INFO((roi.diagnostics.empty() ? std::string() : roi.diagnostics[0].to_string()));
  REQUIRE(roi.ok);
  const auto& j = roi.result;
  CHECK(j["job"] == "roi");
  CHECK(finite_everywhere(j));
  REQUIRE(j["options"].size() == 6);
  CHECK(j["options"][0]["kind"] == "own");
  bool derived_seen = false;
  for (std::size_t i = 1; i < j["options"].size(); ++i) {
    const auto& o = j["options"][i];
    INFO(o["label"].get<std::string>());
    for (const char* k : {"npv_usd", "irr", "payback_years", "break_even_utilisation", "cost_usd", "tco2e", "irr_status"})
      CHECK(o.contains(k));
    CHECK(o["cost_usd"].get<double>() > 0);
    CHECK(o["tco2e"].get<double>() > 0);
    if (o["irr_status"] == "unique") CHECK(o["irr"].is_number());
    else CHECK(o["irr"].is_null());
    if (o["derived"].get<bool>()) {
      derived_seen = true;
      CHECK(o["label"].get<std::string>().find("derived") != std::string::npos);
      CHECK(o["price_source"].get<std::string>().rfind("derived", 0) == 0);
    }
    CHECK(o["sensitivity"].size() >= 10);
    CHECK(o["npv_p10_usd"].get<double>() <= o["npv_p90_usd"].get<double>());
    REQUIRE(o["schedule"]["monthly_cash_usd"].size() == 48);
  }
  CHECK(derived_seen);  // Lambda has no 1-year price in the table: the s1.2 rule fills it
  CHECK(j["options"][0]["cost_per_run_usd"].get<double>() > 0);
  CHECK(j["carbon"]["g_co2e_per_kwh"] == 367);
  // Deterministic: the same seed gives the same bytes.
  CHECK(run_doc(example("scenarios/examples/buy-vs-rent.json"), false).result.dump() == j.dump());
}

TEST_CASE("roi: bad input names the pointer and exits 2", "[costs][roi]") {
  auto doc = example("scenarios/examples/buy-vs-rent.json");
  doc["costs"]["rent"]["options"][0]["provider"] = "nowhere";
  RunResult r = run_doc(doc, false);
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  CHECK(r.diagnostics[0].pointer == "/costs/rent/options/0");
  CHECK(r.diagnostics[0].message.find("expected") != std::string::npos);

  doc = example("scenarios/examples/buy-vs-rent.json");
  doc["costs"]["rent"]["options"][1]["tier"] = "weekly";
  r = run_doc(doc, false);
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  CHECK(r.diagnostics[0].pointer == "/costs/rent/options/1/tier");

  doc = example("scenarios/examples/buy-vs-rent.json");
  doc["costs"].erase("demand");
  r = run_doc(doc, false);
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/costs/demand/device_hours_per_month");

  doc = example("scenarios/examples/buy-vs-rent.json");
  doc["costs"]["owned"]["life_years"] = -1;
  r = run_doc(doc, false);
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  CHECK(r.diagnostics[0].pointer == "/costs/owned/life_years");
}

TEST_CASE("capacity: the shipped M/M/c example matches Erlang C within 3 %", "[costs][capacity]") {
  const RunResult r = run_doc(example("scenarios/examples/mmc-queue.json"), true);
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics[0].to_string()));
  REQUIRE(r.ok);
  CHECK(r.result["jobs_simulated"] == 2000000);
  CHECK(r.result["p_wait"].get<double>() == Approx(0.356981).epsilon(0.03));
  CHECK(r.result["queue_wait_mean_h"].get<double>() == Approx(0.178491).epsilon(0.03));
}

TEST_CASE("capacity: the fleet example runs, bursts, and finds a fleet size", "[costs][capacity]") {
  const RunResult r = run_doc(example("scenarios/examples/fleet-capacity.json"), true);
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics[0].to_string()));
  REQUIRE(r.ok);
  const auto& j = r.result;
  CHECK(finite_everywhere(j));
  CHECK(j["jobs_done"] == j["jobs_simulated"]);
  CHECK(j["rented_cost_usd"].get<double>() > 0);
  CHECK(j["by_priority"].size() == 2);
  CHECK(j["tco2e"].get<double>() > 0);
  REQUIRE(j["fleet"]["best"].is_object());
  CHECK(j["fleet"]["curve"].size() == 5);
  CHECK(j["fleet"]["best"]["feasible"] == true);
}

TEST_CASE("capacity: replays the Alibaba 2023 excerpt and reports observed beside simulated", "[costs][capacity][traces]") {
  auto doc = example("scenarios/examples/mmc-queue.json");
  doc["costs"]["capacity"].erase("workload");
  doc["costs"]["capacity"]["pools"] = ordered_json::array({{{"name", "openb"}, {"devices", 6212}, {"owned", true}, {"usd_per_device_hour", 0}}});
  doc["costs"]["capacity"]["trace"] = {{"format", "alibaba_gpu2023"},
                                       {"path", test::source_path("tests/data/traces/alibaba_gpu2023_openb_pod_list_default.head2000.csv")}};
  const RunResult r = run_doc(doc, true);
  INFO((r.diagnostics.empty() ? std::string() : r.diagnostics[0].to_string()));
  REQUIRE(r.ok);
  const auto& t = r.result["trace"];
  CHECK(t["rows"] == 2000);
  CHECK(t["imported"].get<int>() + t["skipped"].get<int>() == 2000);
  CHECK(r.result["jobs_done"] == t["imported"]);
  CHECK(t["observed_queue_s"]["median"].is_number());
  // A missing trace file is bad input with its pointer.
  doc["costs"]["capacity"]["trace"]["path"] = "no-such-trace.csv";
  const RunResult bad = run_doc(doc, true, "/tmp/x/scenario.json");
  REQUIRE_FALSE(bad.ok);
  CHECK(bad.exit_code == 2);
  CHECK(bad.diagnostics[0].pointer == "/costs/capacity/trace/path");
}

TEST_CASE("capacity: pool items are checked member by member", "[costs][capacity]") {
  auto doc = example("scenarios/examples/mmc-queue.json");
  doc["costs"]["capacity"]["pools"][0].erase("devices");
  RunResult r = run_doc(doc, true);
  REQUIRE_FALSE(r.ok);
  CHECK(r.exit_code == 2);
  CHECK(r.diagnostics[0].pointer == "/costs/capacity/pools/0/devices");
  doc = example("scenarios/examples/mmc-queue.json");
  doc["costs"]["capacity"]["pools"][0]["gpus"] = 3;
  r = run_doc(doc, true);
  REQUIRE_FALSE(r.ok);
  CHECK(r.diagnostics[0].pointer == "/costs/capacity/pools/0/gpus");
}

TEST_CASE("the price table converts CNY at each row's dated rate", "[costs][prices]") {
  const auto& t = price_table();
  REQUIRE(t.size() > 100);
  bool cny = false;
  for (const auto& r : t) {
    CHECK(r.usd_per_device_hour > 0);
    CHECK_FALSE(r.source.empty());
    CHECK_FALSE(r.date.empty());
    if (r.currency == "CNY") {
      cny = true;
      REQUIRE(r.fx_per_usd);
      CHECK(r.usd_per_device_hour == Approx(r.native_per_device_hour / *r.fx_per_usd));
      CHECK_FALSE(r.fx_date.empty());
    }
  }
  CHECK(cny);
  // Alibaba gn7e (A100 80GB): 34.74 CNY/GPU-h at 7.1614 = 4.851 USD (prices-china.md).
  const auto a = flopcast::models::find_price(t, "nvidia-a100-sxm4-80gb", "alibaba", flopcast::models::PriceTier::on_demand);
  REQUIRE(a);
  CHECK(a->usd_per_device_hour == Approx(4.851).epsilon(1e-3));
}

TEST_CASE("the cost examples load and are stored in canonical form", "[costs][canonical]") {
  for (const char* rel : {"scenarios/examples/buy-vs-rent.json", "scenarios/examples/fleet-capacity.json",
                          "scenarios/examples/mmc-queue.json"}) {
    INFO(rel);
    const std::string text = test::slurp(test::source_path(rel));
    const LoadResult r = load_scenario_text(text, rel);
    REQUIRE(r.ok);
    CHECK(r.scenario.schema_version == kSchemaVersion);
    CHECK(save_scenario_text(r.scenario.document) == text);
  }
}
