// Model benchmarks: single-estimate latency, auto-layout search, estimate() throughput over
// 1,000,000 configurations on 2 threads, a catalog sweep, and `predict` over every public record.
//
//   bench_models [--quick] [--reps N] [--records FILE] [--configs N] [--threads N] [--check]
//
// Prints medians and whether each target is met (docs/performance.md, "Analytic model"):
//   one estimate <= 5 us; auto layout, 70B on 1,024 GPUs <= 50 ms; 1M configurations <= 10 s on
//   2 threads; predict over tests/data/groundtruth/public.json <= 20 s. Single-threaded except the
//   1M-configuration run. --check: exit 1 when a target is missed. Inputs are the repository's
//   example scenarios and records (read from the source tree given at build time).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "hwprofiles/catalog.h"
#include "models/estimate.h"
#include "models/parallelism.h"
#include "scenarios/atomic_file.h"
#include "scenarios/groundtruth.h"
#include "scenarios/presets.h"
#include "scenarios/scenario.h"
#include "scenarios/sweep.h"

#ifndef FLOPCAST_SOURCE_DIR
#define FLOPCAST_SOURCE_DIR "."
#endif

namespace {

using Clock = std::chrono::steady_clock;
namespace fm = flopcast::models;
namespace fs = flopcast::scenarios;

volatile double g_sink = 0;  // keeps results alive so the compiler cannot drop the calls

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU seconds of this process (all threads): on a shared, oversubscribed machine the wall time
// includes waiting for a core; the CPU time does not.
double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

std::string load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return "unknown";
  char buf[128] = {0};
  const bool ok = std::fgets(buf, sizeof buf, f) != nullptr;
  std::fclose(f);
  std::string s = ok ? buf : "unknown";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

struct Options {
  bool quick = false;
  bool check = false;
  int reps = 0;  // 0: per benchmark default
  long configs = 1000000;
  int threads = 2;
  std::string records = std::string(FLOPCAST_SOURCE_DIR) + "/tests/data/groundtruth/public.json";
};

int g_missed = 0;

// Wall-clock median judged against the target; `cpu_s` is the matching median CPU time per unit
// (all threads), printed next to it.
void report(const char* name, double value_s, double cpu_s, double target_s, const std::string& detail) {
  auto fmt = [](double s) {
    char b[64];
    if (s < 1e-3) std::snprintf(b, sizeof b, "%.3g us", s * 1e6);
    else if (s < 1) std::snprintf(b, sizeof b, "%.3g ms", s * 1e3);
    else std::snprintf(b, sizeof b, "%.3g s", s);
    return std::string(b);
  };
  const bool has_target = target_s > 0;
  const bool met = value_s <= target_s;
  if (has_target && !met) ++g_missed;
  std::printf("%-34s median %-10s (cpu %-10s) target %-10s %s\n    %s\n", name, fmt(value_s).c_str(),
              fmt(cpu_s).c_str(), has_target ? ("<= " + fmt(target_s)).c_str() : "(none)",
              has_target ? (met ? "MET" : "MISSED") : "", detail.c_str());
  std::fflush(stdout);
}

fs::Scenario load_example(const std::string& rel) {
  const std::string path = std::string(FLOPCAST_SOURCE_DIR) + "/" + rel;
  std::string text;
  if (const std::string err = fs::read_file(path, text); !err.empty()) {
    std::fprintf(stderr, "bench_models: %s\n", err.c_str());
    std::exit(2);
  }
  fs::LoadResult lr = fs::load_scenario_text(text, path);
  if (!lr.ok) {
    std::fprintf(stderr, "bench_models: %s\n", lr.diagnostics.front().to_string().c_str());
    std::exit(2);
  }
  return lr.scenario;
}

fm::DeviceSpec device(const std::string& id) {
  const auto* p = flopcast::hwprofiles::builtin_catalog().find(id);
  if (!p) {
    std::fprintf(stderr, "bench_models: device %s not in the catalog\n", id.c_str());
    std::exit(2);
  }
  return p->to_device_spec();
}

// 1. One fixed-layout estimate: Llama 3 70B, 1,024 x H100, tp 8 pp 8 dp 16 (the example scenario).
void bench_single(const Options& o) {
  const fs::Scenario s = load_example("scenarios/examples/llama3-70b-h100.json");
  const fm::EstimateInput in = fs::to_estimate_input(s, device(s.device_id));
  const fm::EstimateResult check = fm::estimate(in);
  if (!check.ok) {
    std::fprintf(stderr, "bench_models: single estimate failed: %s\n", check.error.c_str());
    std::exit(1);
  }
  const int batch = 2000;
  const int batches = o.reps > 0 ? o.reps : (o.quick ? 21 : 101);
  std::vector<double> per_call, cpu;
  for (int b = 0; b < batches; ++b) {
    const double c0 = process_cpu_s();
    const auto t0 = Clock::now();
    for (int i = 0; i < batch; ++i) g_sink = g_sink + fm::estimate(in).step_time_s;
    per_call.push_back(seconds_since(t0) / batch);
    cpu.push_back((process_cpu_s() - c0) / batch);
  }
  report("single estimate", median(per_call), median(cpu), 5e-6,
         "llama3-70b, 1024 x nvidia-h100-sxm5-80gb, explicit tp8 pp8 dp16 (scenarios/examples/llama3-70b-h100.json); "
         "median of " + std::to_string(batches) + " batches of " + std::to_string(batch) + " calls");
}

// 2. Auto layout search: the same workload, layout searched.
void bench_auto_layout(const Options& o) {
  fs::Scenario s = load_example("scenarios/examples/llama3-70b-h100.json");
  s.auto_layout = true;
  fm::EstimateInput in = fs::to_estimate_input(s, device(s.device_id));
  in.auto_layout = true;
  in.fixed = {};
  const int reps = o.reps > 0 ? o.reps : (o.quick ? 5 : 21);
  std::vector<double> t, cpu;
  int evaluated = 0;
  std::string layout;
  for (int r = 0; r < reps; ++r) {
    const double c0 = process_cpu_s();
    const auto t0 = Clock::now();
    const fm::EstimateResult res = fm::estimate(in);
    t.push_back(seconds_since(t0));
    cpu.push_back(process_cpu_s() - c0);
    g_sink = g_sink + res.step_time_s;
    evaluated = res.layouts_evaluated;
    layout = "tp" + std::to_string(res.layout.tp) + " pp" + std::to_string(res.layout.pp) + " dp" +
             std::to_string(res.layout.dp) + " mb" + std::to_string(res.layout.micro_batch_size);
    if (!res.ok) {
      std::fprintf(stderr, "bench_models: auto layout failed: %s\n", res.error.c_str());
      std::exit(1);
    }
  }
  report("auto-layout search (70B, 1024)", median(t), median(cpu), 0.050,
         std::to_string(evaluated) + " layouts costed per search, best " + layout + "; median of " +
             std::to_string(reps) + " searches");
}

// 3. estimate() throughput: N configurations (model, device, count, layout), valid by
// validate_layout, enumerated deterministically and cycled when fewer are distinct; `threads`
// threads split the list.
struct Config {
  std::uint8_t model, device, tp, pp, mb, rc;
  std::int32_t count;
};

void bench_configurations(const Options& o) {
  const auto& presets = fs::model_presets();
  std::vector<fm::EstimateInput> bases;  // per (model, device)
  std::vector<std::string> device_ids;
  for (const auto& p : flopcast::hwprofiles::builtin_catalog().devices())
    if (p.peak(fm::Precision::bf16) && p.memory_bandwidth_bytes_per_s) device_ids.push_back(p.id);
  const std::size_t nd = device_ids.size();
  for (const auto& preset : presets)
    for (const auto& id : device_ids) {
      fm::EstimateInput in;
      in.model = preset.shape;
      in.training.precision = fm::Precision::bf16;
      in.training.training_tokens = 1e12;
      in.training.global_batch_tokens = 4096.0 * preset.shape.seq_len;
      in.device = device(id);
      in.costs.usd_per_gpu_hour = 2;
      in.costs.pue = 1.2;
      bases.push_back(std::move(in));
    }
  const int tps[] = {1, 2, 4, 8};
  const int pps[] = {1, 2, 4, 8, 16};
  const int mbs[] = {1, 2, 4};
  const fm::Recompute rcs[] = {fm::Recompute::none, fm::Recompute::selective, fm::Recompute::full};
  std::vector<Config> configs;
  configs.reserve(static_cast<std::size_t>(o.configs));
  std::size_t distinct = 0;
  {
    const auto t0 = Clock::now();
    for (std::size_t m = 0; m < presets.size(); ++m)
      for (std::size_t d = 0; d < nd; ++d)
        for (int count = 8; count <= 16384; count *= 2)
          for (int tp : tps)
            for (int pp : pps)
              for (int mb : mbs)
                for (int rc = 0; rc < 3; ++rc) {
                  if (count % (tp * pp)) continue;
                  fm::Layout l;
                  l.tp = tp;
                  l.pp = pp;
                  l.dp = count / (tp * pp);
                  l.micro_batch_size = mb;
                  l.sharding = fm::Sharding::zero1;
                  l.sequence_parallel = tp > 1;
                  const auto& b = bases[m * nd + d];
                  fm::TrainingSpec t = b.training;
                  t.micro_batch_size = mb;
                  t.recompute = rcs[rc];
                  if (presets[m].shape.moe) l.ep = std::min(presets[m].shape.moe->n_experts, l.dp);
                  if (l.ep > 1 && (l.dp % l.ep || presets[m].shape.moe->n_experts % l.ep)) l.ep = 1;
                  if (!fm::validate_layout(b.model, t, l, count).empty()) continue;
                  configs.push_back({std::uint8_t(m), std::uint8_t(d), std::uint8_t(tp), std::uint8_t(pp),
                                     std::uint8_t(mb), std::uint8_t(rc), count});
                }
    distinct = configs.size();
    if (distinct == 0) {
      std::fprintf(stderr, "bench_models: no valid configuration\n");
      std::exit(1);
    }
    for (std::size_t i = distinct; i < static_cast<std::size_t>(o.configs); ++i) configs.push_back(configs[i % distinct]);
    configs.resize(static_cast<std::size_t>(o.configs));
    std::printf("(enumerated %zu distinct valid configurations in %.2f s: %zu models x %zu devices x counts 8..16384 x "
                "tp x pp x micro-batch x recompute)\n",
                distinct, seconds_since(t0), presets.size(), nd);
  }
  const int reps = o.reps > 0 ? std::min(o.reps, 5) : (o.quick ? 1 : 3);
  std::vector<double> t, cpu;
  std::atomic<long> ok{0};
  for (int r = 0; r < reps; ++r) {
    ok = 0;
    const double c0 = process_cpu_s();
    const auto t0 = Clock::now();
    auto work = [&](std::size_t begin, std::size_t end) {
      std::vector<fm::EstimateInput> local = bases;  // per-thread copies, fields set in place
      double sink = 0;
      long good = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const Config& c = configs[i];
        fm::EstimateInput& in = local[c.model * nd + c.device];
        in.device_count = c.count;
        in.layout = fm::Layout{};
        in.layout.tp = c.tp;
        in.layout.pp = c.pp;
        in.layout.dp = c.count / (c.tp * c.pp);
        in.layout.micro_batch_size = c.mb;
        in.layout.sharding = fm::Sharding::zero1;
        in.layout.sequence_parallel = c.tp > 1;
        if (in.model.moe) {
          in.layout.ep = std::min(in.model.moe->n_experts, in.layout.dp);
          if (in.layout.ep > 1 && (in.layout.dp % in.layout.ep || in.model.moe->n_experts % in.layout.ep))
            in.layout.ep = 1;
        }
        in.training.micro_batch_size = c.mb;
        in.training.recompute = rcs[c.rc];
        const fm::EstimateResult res = fm::estimate(in);
        sink += res.step_time_s;
        good += res.ok ? 1 : 0;
      }
      g_sink = g_sink + sink;
      ok += good;
    };
    const int threads = std::max(1, o.threads);
    std::vector<std::thread> pool;
    const std::size_t n = configs.size();
    for (int k = 1; k < threads; ++k) pool.emplace_back(work, n * k / threads, n * (k + 1) / threads);
    work(0, n / threads);
    for (auto& th : pool) th.join();
    t.push_back(seconds_since(t0));
    cpu.push_back(process_cpu_s() - c0);
  }
  const double med = median(t);
  char detail[512];
  std::snprintf(detail, sizeof detail,
                "%ld configurations (%zu distinct, cycled), %d threads, %ld estimates ok; %.0f configurations/s wall, "
                "%.2f us CPU per estimate (cpu = all threads; /%d = wall on %d idle cores); median of %d runs",
                o.configs, distinct, o.threads, ok.load(), double(o.configs) / med, 1e6 * median(cpu) / double(o.configs),
                o.threads, o.threads, reps);
  report(o.configs == 1000000 ? "1M configurations (estimate())" : "N configurations (estimate())", med, median(cpu),
         o.configs == 1000000 ? 10.0 : 0, detail);
}

// 4. A catalog sweep through the core (the `flopcast sweep` path): every device, 8..4096.
void bench_sweep(const Options& o) {
  std::string text;
  const std::string path = std::string(FLOPCAST_SOURCE_DIR) + "/scenarios/examples/default.json";
  if (const std::string err = fs::read_file(path, text); !err.empty()) {
    std::fprintf(stderr, "bench_models: %s\n", err.c_str());
    std::exit(2);
  }
  for (int threads : {1, 2}) {
    fs::SweepRequest req;
    req.scenario_text = text;
    req.origin = path;
    fs::parse_count_list("8..4096", req.device_counts);
    req.threads = threads;
    const int reps = o.reps > 0 ? std::min(o.reps, 5) : (o.quick ? 1 : 3);
    std::vector<double> t, cpu;
    std::size_t rows = 0, front = 0, skipped = 0;
    long layouts = 0;
    for (int r = 0; r < reps; ++r) {
      const std::atomic<bool> cancel{false};
      fs::SweepOutcome out;
      const double c0 = process_cpu_s();
      const auto t0 = Clock::now();
      const auto res = fs::run_sweep(req, {}, cancel, &out);
      t.push_back(seconds_since(t0));
      cpu.push_back(process_cpu_s() - c0);
      if (!res.ok) {
        std::fprintf(stderr, "bench_models: sweep failed: %s\n", res.diagnostics.front().to_string().c_str());
        std::exit(1);
      }
      rows = out.rows.size();
      front = out.front.size();
      skipped = out.skipped.size();
      layouts = 0;
      for (const auto& row : out.rows) layouts += row.result.layouts_evaluated;
    }
    char detail[512];
    std::snprintf(detail, sizeof detail,
                  "scenarios/examples/default.json, --devices all --gpus 8..4096: %zu (device, count) rows, %ld layouts "
                  "costed, front %zu, %zu devices skipped; %d thread(s); median of %d",
                  rows, layouts, front, skipped, threads, reps);
    report(threads == 1 ? "sweep, 1 thread (info)" : "sweep, 2 threads (info)", median(t), median(cpu), 0, detail);
  }
}

// 5. predict over every public record (the `flopcast predict` path, one core).
void bench_predict(const Options& o) {
  nlohmann::json records;
  if (const std::string err = fs::read_json_file(o.records, records); !err.empty()) {
    std::fprintf(stderr, "bench_models: %s\n", err.c_str());
    std::exit(2);
  }
  const fs::PredictOptions opt;
  const auto lookup = fs::builtin_device_lookup();
  const int reps = o.reps > 0 ? std::min(o.reps, 5) : (o.quick ? 1 : 3);
  std::vector<double> t, cpu;
  std::size_t predicted = 0;
  for (int r = 0; r < reps; ++r) {
    std::string error;
    const double c0 = process_cpu_s();
    const auto t0 = Clock::now();
    const auto out = fs::predict_all(records, lookup, opt, &error);
    t.push_back(seconds_since(t0));
    cpu.push_back(process_cpu_s() - c0);
    if (!error.empty()) {
      std::fprintf(stderr, "bench_models: predict: %s\n", error.c_str());
      std::exit(1);
    }
    predicted = 0;
    for (const auto& rec : out)
      if (rec.contains("predicted") && rec["predicted"].contains("tokens_per_s_per_gpu") &&
          rec["predicted"]["tokens_per_s_per_gpu"].is_number())
        ++predicted;
  }
  char detail[512];
  std::snprintf(detail, sizeof detail, "%zu records (%zu with a throughput prediction) from %s; median of %d",
                records.size(), predicted, o.records.c_str(), reps);
  report("predict, all public records", median(t), median(cpu), 20.0, detail);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_models: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") o.quick = true;
    else if (a == "--check") o.check = true;
    else if (a == "--reps") o.reps = std::atoi(value("--reps").c_str());
    else if (a == "--configs") o.configs = std::atol(value("--configs").c_str());
    else if (a == "--threads") o.threads = std::atoi(value("--threads").c_str());
    else if (a == "--records") o.records = value("--records");
    else if (a == "--only") only.push_back(value("--only"));
    else {
      std::fprintf(stderr,
                   "usage: bench_models [--quick] [--check] [--reps N] [--configs N] [--threads N] [--records FILE] "
                   "[--only single|auto|configs|sweep|predict]...\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (o.configs < 1 || o.threads < 1) {
    std::fprintf(stderr, "bench_models: --configs and --threads must be >= 1\n");
    return 2;
  }
  auto want = [&](const char* name) { return only.empty() || std::find(only.begin(), only.end(), name) != only.end(); };
  std::printf("bench_models (%s build, %u hardware threads, load average at start: %s)\n",
#ifdef NDEBUG
              "optimized",
#else
              "debug (numbers not representative)",
#endif
              std::thread::hardware_concurrency(), load_average().c_str());
  if (want("single")) bench_single(o);
  if (want("auto")) bench_auto_layout(o);
  if (want("configs")) bench_configurations(o);
  if (want("sweep")) bench_sweep(o);
  if (want("predict")) bench_predict(o);
  std::printf("%s\n", g_missed == 0 ? "all targets met" : (std::to_string(g_missed) + " target(s) missed").c_str());
  return o.check && g_missed > 0 ? 1 : 0;
}
