// The zoo predictor on tests/data/groundtruth/public-zoo.json (copy of
// tests/data/groundtruth/public-zoo.json): leave-one-family-out fit of the zoo's global physical
// parameters (models::ZooParams: memory_traffic_factor, depthwise_traffic_factor, gemm_eff_max) by
// grid search, the per-family MAPE table, and the band coverage. This test IS the fitting script
// of docs/parameters.md "Zoo": it fails when the defaults in models/zoo_estimate.h are no longer
// the all-family optimum of the grid below, so the documented values cannot drift.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../groundtruth_records.h"
#include "helpers.h"
#include "scenarios/model_library.h"

using namespace flopcast;
using nlohmann::json;

namespace {

const json& zoo_records() { return test::groundtruth_records("public-zoo.json"); }
json zoo_record(const std::string& id) { return test::groundtruth_record("public-zoo.json", id); }

struct Row {
  std::string family, metric;
  double measured = 0;
  std::vector<double> predicted;  // one per grid point
  std::vector<double> p10, p90;
};

const std::vector<double> kPhi = {0.75, 1.0, 1.25, 1.5};
const std::vector<double> kEta = {0.5, 0.6, 0.7, 0.8};
const std::vector<double> kDw = {4, 8, 12, 16};
const std::vector<double> kSimt = {0, 0.75, 0.9, 1.0};  // 0: the tensor-core gemm_eff_max
const std::vector<double> kOptT = {0, 50e-6, 100e-6, 200e-6};

std::vector<models::ZooParams> grid() {
  std::vector<models::ZooParams> g;
  for (double a : kPhi)
    for (double b : kEta)
      for (double w : kDw)
        for (double v : kSimt)
          for (double ot : kOptT) {
            models::ZooParams z;
            z.memory_traffic_factor = a;
            z.gemm_eff_max = b;
            z.depthwise_traffic_factor = w;
            z.simt_gemm_eff_max = v;
            z.optimizer_tensor_overhead_s = ot;
            g.push_back(z);
          }
  return g;
}

bool is_throughput(const std::string& m) { return m != "wall_time_h"; }

// Mean over families (throughput metrics) of each family's MAPE at grid point g, skipping `skip`.
double objective(const std::vector<Row>& rows, size_t g, const std::string& skip) {
  std::map<std::string, std::pair<double, int>> fam;
  for (const auto& r : rows) {
    if (r.family == skip || !is_throughput(r.metric)) continue;
    auto& f = fam[r.family];
    f.first += std::fabs(r.predicted[g] - r.measured) / r.measured;
    ++f.second;
  }
  double s = 0;
  for (const auto& [k, v] : fam) s += v.first / v.second;
  return fam.empty() ? 0 : s / double(fam.size());
}

}  // namespace

TEST_CASE("zoo predictor: leave-one-family-out cross-validation on public-zoo.json", "[zoo]") {
  const json& records = zoo_records();
  REQUIRE(records.is_array());
  CHECK(records.size() == 318);
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opts;
  const auto g = grid();

  std::vector<Row> rows;
  int predicted_records = 0, null_with_reason = 0;
  for (const auto& rec : records) {
    const bool low = rec.value("verification", "") == "low-confidence";
    const json& meas = rec["measured"];
    std::string metric;
    for (const char* k : {"samples_per_s_per_gpu", "tokens_per_s_per_gpu", "wall_time_h"})
      if (meas.contains(k) && meas[k].is_number()) {
        metric = k;
        break;
      }
    Row row;
    bool ok = !metric.empty();
    for (size_t i = 0; i < g.size(); ++i) {
      const auto p = scenarios::predict_zoo_record(rec, lookup, opts, g[i]);
      const std::string dump = p.out.dump();
      CHECK(dump.find("nan") == std::string::npos);
      CHECK(dump.find("inf") == std::string::npos);
      if (metric.empty()) break;
      const auto& v = p.out["predicted"][metric];
      if (!v.is_number()) {
        if (i == 0) {
          CHECK(p.out["why_null"].contains(metric));
          ++null_with_reason;
        }
        ok = false;
        break;
      }
      row.predicted.push_back(v.get<double>());
      row.p10.push_back(p.out["p10"][metric].get<double>());
      row.p90.push_back(p.out["p90"][metric].get<double>());
    }
    if (!ok) continue;
    ++predicted_records;
    if (low) continue;  // shown per record by validate, left out of the headline figures
    row.family = rec["family"].get<std::string>();
    row.metric = metric;
    row.measured = meas[metric].get<double>();
    rows.push_back(std::move(row));
  }
  // Wall time needs training_samples: the MLPerf records without it are not predicted.
  CHECK(predicted_records >= 270);

  // The defaults must be the all-family optimum of the grid.
  size_t best_all = 0;
  for (size_t i = 1; i < g.size(); ++i)
    if (objective(rows, i, "") < objective(rows, best_all, "")) best_all = i;
  const models::ZooParams def;
  std::printf(
      "all-family optimum: memory_traffic_factor %.2f, gemm_eff_max %.2f, depthwise %.0f, "
      "simt_gemm_eff_max %.2f, "
      "optimizer_tensor_overhead %.0f us\n",
      g[best_all].memory_traffic_factor, g[best_all].gemm_eff_max,
      g[best_all].depthwise_traffic_factor, g[best_all].simt_gemm_eff_max,
      g[best_all].optimizer_tensor_overhead_s * 1e6);
  CHECK(g[best_all].optimizer_tensor_overhead_s == def.optimizer_tensor_overhead_s);
  CHECK(g[best_all].simt_gemm_eff_max == def.simt_gemm_eff_max);
  CHECK(g[best_all].memory_traffic_factor == def.memory_traffic_factor);
  CHECK(g[best_all].gemm_eff_max == def.gemm_eff_max);
  CHECK(g[best_all].depthwise_traffic_factor == def.depthwise_traffic_factor);

  // Leave one family out: fit on the others, predict it.
  std::set<std::string> families;
  for (const auto& r : rows) families.insert(r.family);
  std::map<std::pair<std::string, std::string>, std::vector<const Row*>> by;
  for (const auto& r : rows) by[{r.family, r.metric}].push_back(&r);
  std::printf("\nLeave-one-family-out (public-zoo.json, low-confidence excluded):\n");
  std::printf("%-32s %-22s %4s %7s %7s %7s\n", "family", "metric", "n", "MAPE", "bias", "P10-90");
  double sum_tp = 0, sum_ttt = 0, in_band = 0, n_all = 0, sq_log = 0;
  int n_tp = 0, n_ttt = 0;
  std::vector<double> abs_log_tp, abs_log_ttt;  // held-out |ln(pred/meas)|, for the band calibration
  for (const auto& [key, rs] : by) {
    size_t best = 0;
    for (size_t i = 1; i < g.size(); ++i)
      if (objective(rows, i, key.first) < objective(rows, best, key.first)) best = i;
    double ape = 0, bias = 0, band = 0;
    for (const Row* r : rs) {
      const double e = (r->predicted[best] - r->measured) / r->measured;
      ape += std::fabs(e);
      bias += e;
      const bool in = r->measured >= r->p10[best] && r->measured <= r->p90[best];
      band += in ? 1 : 0;
      in_band += in ? 1 : 0;
      n_all += 1;
      sq_log += std::pow(std::log(r->predicted[best] / r->measured), 2);
      (is_throughput(key.second) ? abs_log_tp : abs_log_ttt).push_back(std::fabs(std::log(r->predicted[best] / r->measured)));
    }
    const double n = double(rs.size());
    std::printf("%-32s %-22s %4d %6.1f%% %+6.1f%% %6.0f%%\n", key.first.c_str(), key.second.c_str(), int(n),
                100 * ape / n, 100 * bias / n, 100 * band / n);
    if (is_throughput(key.second)) {
      sum_tp += ape / n;
      ++n_tp;
    } else {
      sum_ttt += ape / n;
      ++n_ttt;
    }
  }
  const double mean_tp = sum_tp / n_tp, mean_ttt = sum_ttt / n_ttt;
  std::printf("mean of per-family MAPEs: throughput %.1f%% (%d families), time-to-train %.1f%% (%d families); "
              "P10-P90 coverage %.0f%%; rms ln error %.2f\n",
              100 * mean_tp, n_tp, 100 * mean_ttt, n_ttt, 100 * in_band / n_all, std::sqrt(sq_log / n_all));
  // The external checks (tests/data/groundtruth/external: families public-zoo.json lacks, nothing
  // fitted on them) are held out too: their residuals at the fitted defaults join the throughput
  // calibration, so that the band also speaks for families no fit has seen.
  const auto lookup_ext = scenarios::builtin_device_lookup();
  int n_ext = 0, in_ext = 0;
  for (const char* file :
       {"dle-pytorch-transformer-xl.json", "dle-pytorch-se-resnext101-32x4d.json",
        "dle-tf2-electra.json", "jax-toolbox-rosetta-vit.json"}) {
    for (const auto& r : test::groundtruth_records(std::string("external/") + file)) {
      const auto pr = scenarios::predict_record(r, lookup_ext, scenarios::PredictOptions{});
      for (const char* k : {"samples_per_s_per_gpu", "tokens_per_s_per_gpu"}) {
        if (!r["measured"].contains(k) || !pr.out["predicted"][k].is_number()) continue;
        const double m = r["measured"][k].get<double>(), v = pr.out["predicted"][k].get<double>();
        abs_log_tp.push_back(std::fabs(std::log(v / m)));
        ++n_ext;
        in_ext += m >= pr.out["p10"][k].get<double>() && m <= pr.out["p90"][k].get<double>();
        break;  // one throughput metric per row
      }
    }
  }
  std::printf("external checks: %d rows, %.0f%% inside P10-P90\n", n_ext,
              100.0 * in_ext / std::max(1, n_ext));
  CHECK(n_ext == 63);
  // Band calibration (the fit of ZooParams::sigma_log and sigma_run): the smallest σ whose P10–P90
  // band holds 82 % of the held-out residuals of each kind; the defaults must be these, to 0.01.
  auto q82 = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(std::ceil(0.82 * double(v.size()))) - 1)];
  };
  const double kZ = 1.2816;
  const double sigma_tp = q82(abs_log_tp) / kZ;
  const double sigma_total_ttt = q82(abs_log_ttt) / kZ;
  const double sigma_run = std::sqrt(std::max(0.0, sigma_total_ttt * sigma_total_ttt - sigma_tp * sigma_tp));
  std::printf("band calibration (82 %% of held-out residuals): sigma_log %.3f, sigma_run %.3f (defaults %.2f, %.2f)\n",
              sigma_tp, sigma_run, def.sigma_log, def.sigma_run);
  CHECK(std::fabs(def.sigma_log - sigma_tp) < 0.01);
  CHECK(std::fabs(def.sigma_run - sigma_run) < 0.01);

  // Regression guards at the figures this version reaches (the targets, 15 % / 20 % / 80 %,
  // are not met yet: docs/model-zoo.md "Known gaps").
  CHECK(mean_tp < 0.20);
  CHECK(n_ttt == 3);
  CHECK(in_band / n_all > 0.35);
}

TEST_CASE("zoo records: stated tensor parallelism is modelled, pipeline parallelism is said to be not", "[zoo][tp]") {
  const json xxl = zoo_record("rosetta-t5x-xxl-pile-pretrain-a100-80gb-512gpu-tp8-bf16");
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opts;
  // T5X XXL on 512 A100 in 8-way model partitions: 64 replicas of tp 8, each with micro-batch 36
  // (2,304 = 64 × 36). Run as 512 data-parallel replicas it was 67 % too fast.
  const auto p = scenarios::predict_zoo_record(xxl, lookup, opts);
  CHECK(p.out["layout"] == "dp64 tp8 mb36 accum1");
  const double measured = xxl["measured"]["samples_per_s_per_gpu"].get<double>();
  const double predicted = p.out["predicted"]["samples_per_s_per_gpu"].get<double>();
  CHECK(std::fabs(predicted / measured - 1) < 0.25);
  json no_tp = xxl;
  no_tp["system"]["parallelism"]["tp"] = 1;
  no_tp["system"]["parallelism"]["dp"] = 512;
  CHECK(scenarios::predict_zoo_record(no_tp, lookup, opts).out["predicted"]["samples_per_s_per_gpu"].get<double>() >
        1.4 * predicted);
  json pp = xxl;
  pp["system"]["parallelism"]["pp"] = 4;
  const auto q = scenarios::predict_zoo_record(pp, lookup, opts);
  bool said = false;
  for (const auto& n : q.out["notes"]) said = said || n.get<std::string>().find("parallelism.pp = 4 is not modelled") != std::string::npos;
  CHECK(said);
}

TEST_CASE(
    "zoo records: a model too large for one device gets the fewest tensor-parallel ranks that fit",
    "[zoo][tp]") {
  const json xxl = zoo_record("rosetta-t5x-xxl-pile-pretrain-a100-80gb-512gpu-tp8-bf16");
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opts;
  auto has = [](const json& list, const std::string& text) {
    for (const auto& s : list)
      if (s.get<std::string>().find(text) != std::string::npos) return true;
    return false;
  };
  // With tp and dp left null, the stated micro-batch 36 and global batch 2,304 on 512 GPUs leave
  // room for 64 replicas only: tp 8, as the table says, and the same prediction.
  json open = xxl;
  open["system"]["parallelism"]["tp"] = nullptr;
  open["system"]["parallelism"]["dp"] = nullptr;
  const auto stated = scenarios::predict_zoo_record(xxl, lookup, opts);
  const auto implied = scenarios::predict_zoo_record(open, lookup, opts);
  CHECK(implied.out["layout"] == stated.out["layout"]);
  CHECK(implied.out["predicted"] == stated.out["predicted"]);
  CHECK(has(implied.out["defaults_used"],
            "system.parallelism.tp (8: gpu_count x micro-batch / global batch)"));
  // Without the micro-batch nothing implies tp; T5 v1.1 XXL's 11.1 B parameters at 16 B each are
  // 166 GiB: not one 80 GB A100 (nor two). 4 ranks per replica hold 41.5 GiB each.
  open["training"]["micro_batch_size"] = nullptr;
  const auto p = scenarios::predict_zoo_record(open, lookup, opts);
  REQUIRE(p.ok);
  CHECK(p.out["layout"].get<std::string>().rfind("dp128 tp4 ", 0) == 0);
  CHECK(has(p.out["defaults_used"], "system.parallelism.tp (4: the model's states"));
  CHECK_FALSE(has(p.out["notes"], "does not fit"));
  // Within 30 % of the stated tp 8 (a different micro-batch and tp), not the 1.4x-too-fast pure
  // data parallelism.
  CHECK(p.out["predicted"]["samples_per_s_per_gpu"].get<double>() ==
        Approx(stated.out["predicted"]["samples_per_s_per_gpu"].get<double>()).epsilon(0.30));
  // A stated tp is kept, even tp 1: then the record is predicted as stated, with a note that the
  // states cannot fit.
  json one = open;
  one["system"]["parallelism"]["tp"] = 1;
  one["system"]["parallelism"]["dp"] = 512;
  const auto q = scenarios::predict_zoo_record(one, lookup, opts);
  CHECK(q.out["layout"].get<std::string>().rfind("dp512 mb", 0) == 0);
  CHECK(has(q.out["notes"], "does not fit: the model's states (16 B per parameter"));
  // Where no tp within the scale-up domain fits (8 x V100 16GB: 20.7 GiB per rank at tp 8), the
  // record keeps data parallelism and says so.
  json v100 = open;
  v100["system"]["device"] = "nvidia-v100-sxm2-16gb";
  v100["system"]["gpu_count"] = 8;
  v100["training"]["global_batch_samples"] = nullptr;
  const auto r = scenarios::predict_zoo_record(v100, lookup, opts);
  CHECK(r.out["layout"].get<std::string>().rfind("dp8 mb", 0) == 0);
  CHECK(has(r.out["notes"], "does not fit"));
  CHECK_FALSE(has(r.out["defaults_used"], "system.parallelism.tp"));
  // A model that fits keeps tp 1 (T5 v1.1 large, 783 M parameters: 12 GiB).
  const json large = zoo_record("rosetta-t5x-large-pile-pretrain-a100-80gb-64gpu-tp1-bf16");
  json large_open = large;
  large_open["system"]["parallelism"]["tp"] = nullptr;
  CHECK(scenarios::predict_zoo_record(large_open, lookup, opts).out["layout"] ==
        scenarios::predict_zoo_record(large, lookup, opts).out["layout"]);
  // ... even where its batch reads as if it were split (a global batch of one micro-batch on 64
  // GPUs): the batch alone never makes a model that fits tensor-parallel.
  large_open["training"]["global_batch_samples"] = large["training"]["micro_batch_size"];
  const auto one_mb = scenarios::predict_zoo_record(large_open, lookup, opts);
  CHECK(one_mb.out["layout"].get<std::string>().rfind("dp64 mb", 0) == 0);
  CHECK_FALSE(has(one_mb.out["defaults_used"], "system.parallelism.tp"));
}

TEST_CASE(
    "zoo records: model.params checks the preset, and picks between names that differ only in case",
    "[zoo][params]") {
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opts;
  auto notes_of = [](const scenarios::RecordPrediction& p) {
    std::string all;
    for (const auto& n : p.out["notes"]) all += n.get<std::string>() + "\n";
    return all;
  };
  // JAX-Toolbox's ViT-G/14 (48 x 1664, 1.84 B) written as "vit-g14", the library's ViT-g/14
  // (40 x 1408, 1.01 B): the record's count says which one it is.
  const json g_big = test::groundtruth_record("external/jax-toolbox-rosetta-vit.json",
                                              "rosetta-vit-G14-pretrain-a100-8gpu");
  REQUIRE(g_big["model"]["preset"] == "vit-G14");
  const auto as_named = scenarios::predict_record(g_big, lookup, opts);
  json lower = g_big;
  lower["model"]["preset"] = "vit-g14";
  lower["model"]["params"] = 1.843e9;
  const auto read = scenarios::predict_record(lower, lookup, opts);
  CHECK(read.out["predicted"] == as_named.out["predicted"]);
  CHECK(notes_of(read).find("model.preset vit-g14 (1.01 B parameters) read as vit-G14 (1.84 B)") !=
        std::string::npos);
  // Without a count, or with ViT-g/14's own, the name is taken as written and nothing is said.
  lower["model"]["params"] = nullptr;
  const auto plain = scenarios::predict_record(lower, lookup, opts);
  CHECK(plain.out["predicted"]["samples_per_s_per_gpu"].get<double>() >
        1.3 * as_named.out["predicted"]["samples_per_s_per_gpu"].get<double>());
  CHECK(notes_of(plain).empty());
  lower["model"]["params"] = 1.0e9;
  CHECK(scenarios::predict_record(lower, lookup, opts).out["predicted"] == plain.out["predicted"]);
  CHECK(notes_of(scenarios::predict_record(lower, lookup, opts)).empty());
  // A count no spelling fits is said, and the layer list kept: T5X's table gives T5 v1.1 small
  // as 60 M, the v1.0 figure; v1.1's untied 32k x 512 output layer makes 77 M.
  const auto small = scenarios::predict_record(
      zoo_record("rosetta-t5x-small-pile-pretrain-a100-80gb-8gpu-tp1-bf16"), lookup, opts);
  CHECK(notes_of(small).find("the t5-v1.1-small layer list counts 77.0 M parameters, model.params "
                             "says 60.0 M (+28 %)") != std::string::npos);
}

TEST_CASE("zoo records: a stated gradient accumulation fixes the micro-batch", "[zoo][batch]") {
  const json rec = zoo_record("mlperf-train-v20-resnet-nvidia-dgxa100-ngc22-04-mxnet");
  REQUIRE(rec["training"]["gradient_accumulation"] == 1);
  REQUIRE(rec["training"]["micro_batch_size"].is_null());
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opts;
  // 3,264 images on 8 GPUs without accumulation: 408 per GPU in one micro-batch, even though the
  // activation estimate alone would have split it in two (204 × 2, which contradicts accumulation 1).
  const auto p = scenarios::predict_zoo_record(rec, lookup, opts);
  CHECK(p.out["layout"] == "dp8 mb408 accum1");
  const double step = p.out["predicted"]["step_time_s"].get<double>();
  const double sps = p.out["predicted"]["samples_per_s_per_gpu"].get<double>();
  CHECK(step * sps == Approx(408).epsilon(1e-9));
  // Without the stated accumulation the memory estimate picks the split.
  json unstated = rec;
  unstated["training"]["gradient_accumulation"] = nullptr;
  const auto q = scenarios::predict_zoo_record(unstated, lookup, opts);
  CHECK(q.out["layout"] == "dp8 mb204 accum2");
}

TEST_CASE("zoo records: energy of a whole run as the scenarios compute it", "[zoo][energy]") {
  const json rec = zoo_record("mlperf-train-v20-resnet-nvidia-dgxa100-ngc22-04-mxnet");
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opts;
  const auto p = scenarios::predict_zoo_record(rec, lookup, opts);
  const auto& pred = p.out["predicted"];
  REQUIRE(pred["energy_mwh"].is_number());
  CHECK(p.out["p10"]["energy_mwh"].get<double>() < pred["energy_mwh"].get<double>());
  CHECK(p.out["p90"]["energy_mwh"].get<double>() > pred["energy_mwh"].get<double>());
  // The same run written as a scenario (ResNet-50 on 8 A100s, 408 images per GPU per step, the
  // record's samples, bf16 as the predictor chose, PUE 1.25): flopcast estimate's energy and time.
  json sc = json::parse(scenarios::test::slurp(
      scenarios::test::source_path("scenarios/examples/resnet50-8gpu.json")));
  sc["workload"]["training_samples"] = rec["training"]["training_samples"];
  sc["workload"]["global_batch_samples"] = rec["training"]["global_batch_samples"];
  sc["workload"]["precision"] = p.out["precision"];
  sc["parallelism"] = {{"layout", "auto"}, {"micro_batch_size", 408}};
  sc["costs"]["pue"] = 1.25;
  const auto run = scenarios::test::run_text(sc.dump(), "resnet.json");
  for (const auto& d : run.diagnostics) UNSCOPED_INFO(d.to_string());
  REQUIRE(run.ok);
  CHECK(run.result["metrics"]["wall_time_h"].get<double>() ==
        Approx(pred["wall_time_h"].get<double>()).epsilon(1e-9));
  CHECK(run.result["metrics"]["energy_mwh"].get<double>() ==
        Approx(pred["energy_mwh"].get<double>()).epsilon(1e-9));
  // A throughput record (no training_samples) has none, and says why.
  const json tp = zoo_record("dle-pyt-resnet50-a100-80gb-1gpu-fp16");
  const auto q = scenarios::predict_zoo_record(tp, lookup, opts);
  CHECK(q.out["predicted"]["energy_mwh"].is_null());
  CHECK(q.out["why_null"]["energy_mwh"] == "training.training_samples unknown");
}

TEST_CASE("a record naming a model-library preset is predicted by the zoo model, whatever its type",
          "[zoo][txl]") {
  // A Transformer-XL run written as a decoder record (type "dense", as the format's decoder types
  // are dense and moe): routed to the library's recurrence-memory stack, not a GPT of its shape.
  json rec = zoo_record("dle-pyt-resnet50-a100-80gb-1gpu-fp16");
  rec["id"] = "txl-base-a100-8gpu";
  rec["model"] = {
      {"type", "dense"}, {"preset", "transformer-xl-base-wt103"}, {"input", {{"seq_len", 192}}}};
  rec["training"] = {{"global_batch_samples", 256}, {"precision", "fp16"}};
  rec["system"]["gpu_count"] = 8;
  rec["measured"] = {{"tokens_per_s_per_gpu", 1.0}};
  const auto lookup = scenarios::builtin_device_lookup();
  const auto p = scenarios::predict_record(rec, lookup, scenarios::PredictOptions{});
  CHECK(p.ok);
  CHECK(p.out["layout"].get<std::string>().rfind("dp8 mb", 0) == 0);
  const double tps = p.out["predicted"]["tokens_per_s_per_gpu"].get<double>();
  const double sps = p.out["predicted"]["samples_per_s_per_gpu"].get<double>();
  CHECK(tps == Approx(192 * sps));  // a sample is a 192-token segment
  // The same record without the preset is a GPT decoder with no shape: null, with the reason.
  rec["model"].erase("preset");
  const auto q = scenarios::predict_record(rec, lookup, scenarios::PredictOptions{});
  CHECK(q.out["predicted"]["tokens_per_s_per_gpu"].is_null());
}

TEST_CASE("an image model's record has no token rate; a text model's is samples x tokens",
          "[zoo][images]") {
  const auto lookup = scenarios::builtin_device_lookup();
  const auto cnn = scenarios::predict_record(zoo_record("dle-pyt-resnet50-a100-80gb-1gpu-fp16"),
                                             lookup, scenarios::PredictOptions{});
  CHECK(cnn.out["predicted"]["samples_per_s_per_gpu"].is_number());
  CHECK(cnn.out["predicted"]["tokens_per_s_per_gpu"].is_null());
  CHECK_THAT(cnn.out["why_null"]["tokens_per_s_per_gpu"].get<std::string>(),
             Catch::Contains("not tokens"));
  int checked = 0;
  for (const auto& r : zoo_records()) {
    if (r["model"].value("type", "") != "encoder") continue;
    const auto p = scenarios::predict_record(r, lookup, scenarios::PredictOptions{});
    if (!p.ok) continue;
    const json& in = r["model"]["input"];
    if (!in.is_object() || !in.value("seq_len", json()).is_number()) continue;
    const double seq = in["seq_len"].get<double>();
    INFO(r["id"]);
    CHECK(p.out["predicted"]["tokens_per_s_per_gpu"].get<double>() ==
          Approx(seq * p.out["predicted"]["samples_per_s_per_gpu"].get<double>()));
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("a zoo record without precision on a device with no 16-bit peak trains fp32",
          "[zoo][precision]") {
  json rec = zoo_record("dle-pyt-resnet50-a100-80gb-1gpu-fp16");
  rec["training"]["precision"] = nullptr;
  const auto lookup = scenarios::builtin_device_lookup();
  rec["system"]["device"] = "amd-epyc-9654";  // a CPU: its profile gives fp32 and fp64 peaks only
  REQUIRE_FALSE(lookup("amd-epyc-9654")->peak(models::Precision::fp16));
  auto p = scenarios::predict_record(rec, lookup, scenarios::PredictOptions{});
  CHECK(p.out["precision"] == "fp32");
  CHECK(p.out["predicted"]["samples_per_s_per_gpu"].is_number());
  const auto& d = p.out.at("defaults_used");
  CHECK(std::find(d.begin(), d.end(), "training.precision (fp32)") != d.end());
  rec["system"]["device"] = "nvidia-v100-sxm2-32gb";  // no bf16: fp16
  p = scenarios::predict_record(rec, lookup, scenarios::PredictOptions{});
  CHECK(p.out["precision"] == "fp16");
}

TEST_CASE("the external check rows are read and predicted by the zoo model",
          "[zoo][txl][external]") {
  // tests/data/groundtruth/external/*.json: external checks, documented in docs/model-zoo.md
  // (their accuracy is a known gap; this checks that every row is predicted, with its stated
  // batch).
  const auto lookup = scenarios::builtin_device_lookup();
  for (const auto& [file, n] :
       {std::pair<const char*, std::size_t>{"dle-pytorch-transformer-xl.json", 22},
        {"dle-pytorch-se-resnext101-32x4d.json", 12},
        {"dle-tf2-electra.json", 20},
        {"jax-toolbox-rosetta-vit.json", 9}}) {
    const json& rows = test::groundtruth_records(std::string("external/") + file);
    REQUIRE(rows.size() == n);
    for (const auto& r : rows) {
      INFO(r["id"]);
      const auto p = scenarios::predict_record(r, lookup, scenarios::PredictOptions{});
      CHECK(p.ok);
      CHECK(p.out["predicted"]["samples_per_s_per_gpu"].get<double>() > 0);
      const std::string mb =
          " mb" + std::to_string(r["training"]["micro_batch_size"].get<int>()) + " ";
      CHECK(p.out["layout"].get<std::string>().find(mb) != std::string::npos);
    }
  }
}
