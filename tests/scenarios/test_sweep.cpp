// Hardware choice sweep (scenarios/sweep.h): Pareto front, skipped devices, prices, infeasible
// configurations, CSV and JSON output, argument parsing, determinism.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.h"
#include "hwprofiles/catalog.h"
#include "scenarios/atomic_file.h"
#include "scenarios/sweep.h"
#include "scenarios/uncertainty.h"

namespace {

using flopcast::scenarios::RunResult;
using flopcast::scenarios::SweepOutcome;
using flopcast::scenarios::SweepRequest;
using flopcast::scenarios::SweepRow;
using nlohmann::ordered_json;

// GPT-2 small, 1B tokens, no rental price: prices come from the catalog.
const char* kSmall = R"({
  "schema_version": 2,
  "name": "sweep test",
  "workload": {"model": {"preset": "gpt2-small"}, "training_tokens": 1000000000,
               "global_batch_tokens": 524288, "precision": "bf16"},
  "hardware": {"device": "nvidia-a100-sxm4-80gb", "device_count": 8},
  "parallelism": {"layout": "auto"}
})";

RunResult sweep(const std::string& text, std::vector<std::string> devices, std::vector<int> counts, int threads = 1,
                SweepOutcome* outcome = nullptr) {
  SweepRequest req;
  req.scenario_text = text;
  req.origin = "sweep-test.json";
  req.device_ids = std::move(devices);
  req.device_counts = std::move(counts);
  req.threads = threads;
  const std::atomic<bool> cancel{false};
  return flopcast::scenarios::run_sweep(req, {}, cancel, outcome);
}

bool dominates(const SweepRow& a, const SweepRow& b) {
  const double ta = a.result.wall_time_h, tb = b.result.wall_time_h;
  return ta <= tb && *a.cost_usd <= *b.cost_usd && (ta < tb || *a.cost_usd < *b.cost_usd);
}

bool eligible(const SweepRow& r) { return r.feasible && r.memory_fit == "yes" && r.cost_usd.has_value(); }

void check_front_property(const std::vector<SweepRow>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!eligible(rows[i])) {
      CHECK_FALSE(rows[i].pareto);
      CHECK_FALSE(rows[i].off_front.empty());
      continue;
    }
    bool dominated = false;
    for (std::size_t j = 0; j < rows.size(); ++j)
      if (j != i && eligible(rows[j]) && dominates(rows[j], rows[i])) dominated = true;
    INFO(rows[i].device_id << " x " << rows[i].device_count);
    CHECK(rows[i].pareto == !dominated);
    if (dominated) CHECK(rows[i].off_front.rfind("dominated by ", 0) == 0);
  }
}

void check_finite(const ordered_json& j, const std::string& where) {
  if (j.is_number_float()) {
    INFO(where);
    CHECK(std::isfinite(j.get<double>()));
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) check_finite(it.value(), where + "/" + it.key());
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) check_finite(j[i], where + "/" + std::to_string(i));
  }
}

// Minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
    } else if (c == '\r') {
    } else if (c == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      any = false;
    } else {
      cell += c;
    }
  }
  if (any) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("sweep: 3 devices x 3 counts, Pareto front property, skipped device with reason", "[sweep]") {
  SweepOutcome out;
  const RunResult res = sweep(kSmall, {"nvidia-a100-sxm4-80gb", "nvidia-h100-sxm5-80gb", "nvidia-v100-sxm2-32gb"},
                              {32, 8, 16, 8}, 1, &out);
  REQUIRE(res.ok);
  // V100 has no bf16 peak: skipped once, with the catalog's one-line reason.
  REQUIRE(out.skipped.size() == 1);
  CHECK(out.skipped[0].device_id == "nvidia-v100-sxm2-32gb");
  CHECK(out.skipped[0].reason == "unknown for nvidia-v100-sxm2-32gb: peak_flops_per_s.bf16");
  // Order: device list order, then ascending count (duplicates removed).
  REQUIRE(out.rows.size() == 6);
  const std::vector<std::pair<std::string, int>> expected = {
      {"nvidia-a100-sxm4-80gb", 8},  {"nvidia-a100-sxm4-80gb", 16}, {"nvidia-a100-sxm4-80gb", 32},
      {"nvidia-h100-sxm5-80gb", 8},  {"nvidia-h100-sxm5-80gb", 16}, {"nvidia-h100-sxm5-80gb", 32}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(out.rows[i].device_id == expected[i].first);
    CHECK(out.rows[i].device_count == expected[i].second);
    CHECK(out.rows[i].feasible);
    CHECK(out.rows[i].memory_fit == "yes");
    CHECK(out.rows[i].result.layout.devices() == expected[i].second);
  }
  check_front_property(out.rows);
  REQUIRE_FALSE(out.front.empty());
  // The front is sorted by time, and costs fall as time rises.
  for (std::size_t k = 1; k < out.front.size(); ++k) {
    const auto& a = out.rows[out.front[k - 1]];
    const auto& b = out.rows[out.front[k]];
    CHECK(a.result.wall_time_h <= b.result.wall_time_h);
    CHECK(*a.cost_usd > *b.cost_usd);
  }
  // JSON mirrors the rows; no nan/inf anywhere.
  const auto& j = res.result;
  CHECK(j["job"] == "sweep");
  REQUIRE(j["rows"].size() == 6);
  REQUIRE(j["pareto_front"].size() == out.front.size());
  CHECK(j["skipped"][0]["reason"] == out.skipped[0].reason);
  check_finite(j, "");
  // nan/inf as JSON values (nlohmann writes them as null, so none may appear as bare tokens).
  CHECK_FALSE(std::regex_search(j.dump(), std::regex(R"([:,\[]\s*-?(nan|NaN|inf|Infinity))")));
  // Each row's wall time carries the estimate's P10-P90 band (the σ of `flopcast estimate`'s /bands).
  const double sigma = flopcast::scenarios::scenario_band_sigma(flopcast::scenarios::Spread::whole_run, false, false);
  for (const auto& row : j["rows"]) {
    const double t = row["wall_time_h"].get<double>();
    CHECK(row["wall_time_p10_h"].get<double>() == Approx(t * std::exp(-flopcast::scenarios::kZ90 * sigma)));
    CHECK(row["wall_time_p90_h"].get<double>() == Approx(t * std::exp(flopcast::scenarios::kZ90 * sigma)));
  }
}

TEST_CASE("sweep: cost uses the cheapest catalog on-demand price, or says why it is unknown", "[sweep]") {
  SweepOutcome out;
  const RunResult res = sweep(kSmall, {"nvidia-h100-sxm5-80gb", "nvidia-l40s"}, {8}, 1, &out);
  REQUIRE(res.ok);
  REQUIRE(out.rows.size() == 2);
  // Independently: the cheapest on-demand per-device price the catalog lists for the H100.
  const auto* h100 = flopcast::hwprofiles::builtin_catalog().find("nvidia-h100-sxm5-80gb");
  REQUIRE(h100);
  double cheapest = INFINITY;
  std::string provider;
  for (const auto& c : h100->cloud_prices) {
    if (c.pricing_kind != "on-demand") continue;
    double usd = c.usd_per_device_hr ? *c.usd_per_device_hr
                 : (c.usd_per_instance_hr && c.devices_per_instance) ? *c.usd_per_instance_hr / *c.devices_per_instance
                                                                      : INFINITY;
    if (usd < cheapest) {
      cheapest = usd;
      provider = c.provider;
    }
  }
  REQUIRE(std::isfinite(cheapest));
  const SweepRow& h = out.rows[0];
  REQUIRE(h.price.usd_per_gpu_hour);
  CHECK(*h.price.usd_per_gpu_hour == Approx(cheapest));
  CHECK(h.price.label.rfind("catalog on-demand " + provider + " ", 0) == 0);
  REQUIRE(h.cost_usd);
  // rental + electricity at the scenario's default 0.08 USD/kWh on the facility energy
  CHECK(*h.cost_usd == Approx(h.result.gpu_hours * cheapest + h.result.energy_mwh * 1000 * 0.08));
  // L40S: no cloud price in the catalog -> cost null with the reason, off the front.
  const SweepRow& l = out.rows[1];
  CHECK(l.device_id == "nvidia-l40s");
  CHECK_FALSE(l.cost_usd);
  CHECK(l.price.label == "unknown");
  CHECK(l.price.why_unknown.find("no on-demand price for nvidia-l40s") != std::string::npos);
  CHECK_FALSE(l.pareto);
  CHECK(l.off_front == "cost unknown");
  const auto& jr = res.result["rows"][1];
  CHECK(jr["cost_usd"].is_null());
  CHECK(jr["price"] == "unknown");
  CHECK(jr["cost_note"].get<std::string>().find("nvidia-l40s") != std::string::npos);
}

TEST_CASE("sweep: the scenario's usd_per_gpu_hour prices its own device, the catalog the others",
          "[sweep]") {
  // kSmall runs on the A100 80GB: its 2.5 USD/h is no price for an H100 (whose catalog price
  // applies) nor for an L40S (no catalog price: unknown, and the reason says how to apply it).
  auto doc = ordered_json::parse(kSmall);
  doc["costs"] = {{"usd_per_gpu_hour", 2.5}, {"electricity_usd_per_kwh", 0}};
  const std::vector<std::string> ids = {"nvidia-a100-sxm4-80gb", "nvidia-h100-sxm5-80gb",
                                        "nvidia-l40s"};
  const auto* h100 = flopcast::hwprofiles::builtin_catalog().find("nvidia-h100-sxm5-80gb");
  REQUIRE(h100);
  SweepOutcome out;
  RunResult res = sweep(doc.dump(), ids, {8}, 1, &out);
  REQUIRE(res.ok);
  REQUIRE(out.rows.size() == 3);
  CHECK(out.rows[0].price.label == "scenario /costs/usd_per_gpu_hour");
  REQUIRE(out.rows[0].cost_usd);
  CHECK(*out.rows[0].cost_usd == Approx(out.rows[0].result.gpu_hours * 2.5));
  REQUIRE(out.rows[1].price.usd_per_gpu_hour);
  CHECK(*out.rows[1].price.usd_per_gpu_hour != Approx(2.5));
  CHECK(out.rows[1].price.label.rfind("catalog on-demand ", 0) == 0);
  CHECK_FALSE(out.rows[2].cost_usd);
  CHECK(out.rows[2].price.why_unknown.find("is the price of nvidia-a100-sxm4-80gb") !=
        std::string::npos);
  CHECK(out.rows[2].price.why_unknown.find("--uniform-price") != std::string::npos);
  CHECK(res.result["sweep"]["price_basis"] ==
        "scenario /costs/usd_per_gpu_hour (2.5 USD/GPU-hour) for nvidia-a100-sxm4-80gb, cheapest "
        "on-demand "
        "price of each device in the catalog for the others");

  // A uniform price (an internal charge-back rate) applies to every device.
  SweepRequest req;
  req.scenario_text = doc.dump();
  req.device_ids = ids;
  req.device_counts = {8};
  req.uniform_price = true;
  const std::atomic<bool> cancel{false};
  SweepOutcome uni;
  res = flopcast::scenarios::run_sweep(req, {}, cancel, &uni);
  REQUIRE(res.ok);
  for (const auto& r : uni.rows) {
    CHECK(r.price.label == "scenario /costs/usd_per_gpu_hour");
    REQUIRE(r.cost_usd);
    CHECK(*r.cost_usd == Approx(r.result.gpu_hours * 2.5));
  }
  CHECK(res.result["sweep"]["price_basis"] ==
        "scenario /costs/usd_per_gpu_hour (2.5 USD/GPU-hour) for every device");
}

TEST_CASE("sweep: a configuration that fits at no layout is infeasible with the reason", "[sweep]") {
  // Llama 3 70B cannot hold its weights, gradients and Adam state on 8 x 80 GB, whatever the layout.
  const char* big = R"({
    "schema_version": 2, "name": "70B",
    "workload": {"model": {"preset": "llama3-70b"}, "seq_len": 4096, "training_tokens": 1000000000000,
                 "global_batch_tokens": 4194304, "precision": "bf16"},
    "hardware": {"device": "nvidia-a100-sxm4-80gb", "device_count": 8},
    "parallelism": {"layout": "auto"}, "costs": {"usd_per_gpu_hour": 2}
  })";
  SweepOutcome out;
  const RunResult res = sweep(big, {"nvidia-a100-sxm4-80gb"}, {8, 512}, 1, &out);
  REQUIRE(res.ok);
  REQUIRE(out.rows.size() == 2);
  const SweepRow& small = out.rows[0];
  CHECK_FALSE(small.feasible);
  CHECK(small.memory_fit == "no");
  CHECK(small.reason.find("does not fit in memory at any layout") != std::string::npos);
  // The reason says how far from fitting the leanest candidate is (the fastest one, which it named
  // before, needs thousands of GiB at micro-batch 64): 70B x 16 B/param / 8 = 140 GB of state alone.
  const auto at = small.reason.find("the leanest needs ");
  REQUIRE(at != std::string::npos);
  const double leanest_gib = std::stod(small.reason.substr(at + 18));
  CHECK(leanest_gib > 74.5);
  CHECK(leanest_gib < 400);
  // The row's layout and memory are that leanest candidate's, not the fastest one's.
  CHECK(small.result.memory.total_bytes == small.result.leanest_memory_bytes);
  CHECK(res.result["rows"][0]["peak_memory_gib_per_gpu"].get<double>() ==
        Approx(leanest_gib).epsilon(0.01));
  CHECK_FALSE(small.cost_usd);
  CHECK_FALSE(small.pareto);
  CHECK(res.result["rows"][0]["status"] == "infeasible");
  CHECK(res.result["rows"][0]["wall_time_h"].is_null());
  const SweepRow& large = out.rows[1];
  CHECK(large.feasible);
  CHECK(large.pareto);  // the only eligible point
  check_finite(res.result, "");
}

TEST_CASE("sweep: pareto_front on hand-made points, ties kept, dominators named", "[sweep]") {
  auto mk = [](const char* id, int n, double t, std::optional<double> c, bool feasible = true) {
    SweepRow r;
    r.device_id = id;
    r.device_count = n;
    r.feasible = feasible;
    r.memory_fit = feasible ? "yes" : "no";
    r.result.wall_time_h = t;
    r.cost_usd = c;
    return r;
  };
  std::vector<SweepRow> rows = {mk("a", 1, 10, 100), mk("b", 1, 5, 200), mk("c", 1, 5, 200), mk("d", 1, 6, 250),
                                mk("e", 1, 12, 100), mk("f", 1, 1, 1000), mk("g", 1, 1, 900), mk("h", 1, 2, std::nullopt),
                                mk("i", 1, 0.5, 1, false), mk("j", 1, 20, 50)};
  const auto front = flopcast::scenarios::pareto_front(rows);
  check_front_property(rows);
  std::vector<std::string> ids;
  for (auto i : front) ids.push_back(rows[i].device_id);
  CHECK(ids == std::vector<std::string>{"g", "b", "c", "a", "j"});
  CHECK(rows[3].off_front == "dominated by b x 1");  // d: slower and dearer than b
  CHECK(rows[4].off_front == "dominated by a x 1");  // e: same cost as a, slower
  CHECK(rows[5].off_front == "dominated by g x 1");  // f: same time as g, dearer
  CHECK(rows[7].off_front == "cost unknown");
  CHECK(rows[8].off_front == "infeasible");
}

TEST_CASE("sweep: results do not depend on the thread count", "[sweep]") {
  const std::vector<std::string> devs = {"nvidia-a100-sxm4-80gb", "nvidia-h100-sxm5-80gb", "google-tpu-v5p"};
  const RunResult one = sweep(kSmall, devs, {8, 16, 32}, 1);
  const RunResult three = sweep(kSmall, devs, {8, 16, 32}, 3);
  REQUIRE(one.ok);
  REQUIRE(three.ok);
  CHECK(one.result.dump() == three.result.dump());
}

TEST_CASE("sweep: CSV is written atomically and parses back", "[sweep]") {
  const RunResult res = sweep(kSmall, {"nvidia-a100-sxm4-80gb", "nvidia-l40s", "nvidia-v100-sxm2-32gb"}, {8, 16, 32});
  REQUIRE(res.ok);
  const std::string csv = flopcast::scenarios::sweep_csv(res.result);
  const auto dir = std::filesystem::temp_directory_path() / ("flopcast-sweep-test-" + std::to_string(::getpid()));
  const std::string path = (dir / "sub" / "sweep.csv").string();
  REQUIRE(flopcast::scenarios::write_file_atomic(path, csv).empty());
  std::string back;
  REQUIRE(flopcast::scenarios::read_file(path, back).empty());
  std::filesystem::remove_all(dir);
  CHECK(back == csv);
  const auto table = parse_csv(back);
  REQUIRE(table.size() == 1 + 6 + 1);  // header, 2 devices x 3 counts, 1 skipped
  const auto& header = table[0];
  for (const auto& row : table) CHECK(row.size() == header.size());
  auto col = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_dev = col("device"), c_n = col("device_count"), c_status = col("status"),
                    c_time = col("wall_time_h"), c_cost = col("cost_usd"), c_price = col("price"),
                    c_reason = col("reason");
  for (std::size_t i = 1; i <= 6; ++i) {
    const auto& r = table[i];
    CHECK(r[c_status] == "feasible");
    CHECK(std::stod(r[c_time]) == Approx(res.result["rows"][i - 1]["wall_time_h"].get<double>()));
    CHECK(std::stoi(r[c_n]) == res.result["rows"][i - 1]["device_count"].get<int>());
    if (r[c_dev] == "nvidia-l40s") {
      CHECK(r[c_cost].empty());
      CHECK(r[c_price] == "unknown");
    } else {
      CHECK(std::stod(r[c_cost]) > 0);
      CHECK(r[c_price].rfind("catalog on-demand ", 0) == 0);
    }
  }
  CHECK(table[7][c_dev] == "nvidia-v100-sxm2-32gb");
  CHECK(table[7][c_status] == "skipped");
  CHECK(table[7][c_reason].find("peak_flops_per_s.bf16") != std::string::npos);
}

TEST_CASE("sweep: --gpus and --devices parsing", "[sweep]") {
  using flopcast::scenarios::parse_count_list;
  using flopcast::scenarios::parse_device_list;
  std::vector<int> c;
  CHECK(parse_count_list("8..4096", c).empty());
  CHECK(c == std::vector<int>{8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096});
  CHECK(parse_count_list("6..100", c).empty());
  CHECK(c == std::vector<int>{8, 16, 32, 64});
  CHECK(parse_count_list("1..1", c).empty());
  CHECK(c == std::vector<int>{1});
  CHECK(parse_count_list(" 64, 8,16,8 ", c).empty());
  CHECK(c == std::vector<int>{8, 16, 64});
  for (const char* bad : {"", "0..8", "5..7", "16..8", "8..", "abc", "8,,16", "8,-1", "1.5", "8..2000000", "99999999999"}) {
    INFO(bad);
    const std::string err = parse_count_list(bad, c);
    CHECK_FALSE(err.empty());
    CHECK(err.find("--gpus") == 0);
    CHECK(err.find('\n') == std::string::npos);
  }
  std::vector<std::string> ids;
  CHECK(parse_device_list("all", ids).empty());
  CHECK(ids == flopcast::hwprofiles::builtin_catalog().ids());
  CHECK(parse_device_list("nvidia-l4,nvidia-a10,nvidia-l4", ids).empty());
  CHECK(ids == std::vector<std::string>{"nvidia-l4", "nvidia-a10"});
  const std::string err = parse_device_list("nvidia-l4,nope", ids);
  CHECK(err.find("unknown device id \"nope\"") != std::string::npos);
  CHECK_FALSE(parse_device_list("", ids).empty());
}

TEST_CASE("sweep: bad input is a diagnostic with exit code 2, never a throw", "[sweep]") {
  const RunResult bad_json = sweep("{", {"nvidia-a100-sxm4-80gb"}, {8});
  CHECK_FALSE(bad_json.ok);
  CHECK(bad_json.exit_code == 2);
  REQUIRE_FALSE(bad_json.diagnostics.empty());
  CHECK(bad_json.diagnostics[0].file == "sweep-test.json");
  const RunResult no_counts = sweep(kSmall, {"nvidia-a100-sxm4-80gb"}, {});
  CHECK_FALSE(no_counts.ok);
  CHECK(no_counts.exit_code == 2);
  const RunResult unknown = sweep(kSmall, {"no-such-device"}, {8});
  CHECK_FALSE(unknown.ok);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.diagnostics[0].message.find("no-such-device") != std::string::npos);
  std::atomic<bool> cancel{true};
  SweepRequest req;
  req.scenario_text = kSmall;
  req.device_counts = {8};
  const RunResult cancelled = flopcast::scenarios::run_sweep(req, {}, cancel);
  CHECK_FALSE(cancelled.ok);
  CHECK(cancelled.exit_code == 1);
}
