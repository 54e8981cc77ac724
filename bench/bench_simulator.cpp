// Simulator benchmarks (docs/performance.md, section "Simulator"):
//   1. engine hold model (pop the earliest event, schedule one later) with 1,000 and 100,000
//      pending events, beside std::priority_queue doing the same (time, seq) work in the same run;
//   2. one iteration of 1,024 GPUs (tp 8 · pp 8 · dp 16, 64 micro-batches) and of 16,384 GPUs
//      (tp 8 · pp 8 · dp 256), Llama-3-70B-shaped durations from models::estimate(), on the
//      rail-optimised H100 cluster profiles; full and representative-TP;
//   3. one iteration of a DeepSeek-V3-shaped MoE (256 routed experts, top 8, MLA) on 256 H100s
//      (dp 16 · pp 16, ep 8, fp8): expert all-to-alls as flows;
//   4. a 54-day 16,384-GPU run with failures (Llama 3 rates), seconds per seed.
// Usage: bench_simulator [--quick] [--no-full-16k] [--only-full-16k]
#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "hwprofiles/catalog.h"
#include "hwprofiles/node_profile.h"
#include "models/estimate.h"
#include "simulator/durations.h"
#include "simulator/engine.h"
#include "simulator/iteration.h"
#include "simulator/profiles.h"
#include "simulator/run.h"

using namespace flopcast;
using namespace flopcast::simulator;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of this thread: the machine is shared, so wall time would count other people's work.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + ts.tv_nsec * 1e-9;
}
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

long max_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

struct Lcg {  // cheap deterministic increments for the hold model
  std::uint64_t s = 88172645463325252ull;
  SimTime next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<SimTime>(s % 1000000) + 1;
  }
};

double engine_hold(std::size_t pending, std::uint64_t events) {
  Engine e;
  e.reserve(pending + 16);
  Lcg rng;
  std::uint64_t left = events;
  struct Hold {
    Engine* e;
    Lcg* rng;
    std::uint64_t* left;
    void operator()() const {
      if (*left > 0) {
        --*left;
        e->schedule_in(rng->next(), Hold{e, rng, left});
      }
    }
  };
  for (std::size_t i = 0; i < pending; ++i) e.schedule_at(rng.next(), Hold{&e, &rng, &left});
  const double c0 = cpu_now();
  const std::uint64_t before = e.events_processed();
  e.run();
  return double(e.events_processed() - before) / (cpu_now() - c0);
}

double pq_hold(std::size_t pending, std::uint64_t events) {
  struct Ev {
    SimTime t;
    std::uint64_t seq;
    bool operator>(const Ev& o) const { return t > o.t || (t == o.t && seq > o.seq); }
  };
  std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> q;
  Lcg rng;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < pending; ++i) q.push({rng.next(), seq++});
  const double c0 = cpu_now();
  std::uint64_t n = 0;
  std::uint64_t left = events;
  SimTime sink = 0;
  while (!q.empty()) {
    const Ev ev = q.top();
    q.pop();
    ++n;
    sink += ev.t;
    if (left > 0) {
      --left;
      q.push({ev.t + rng.next(), seq++});
    }
  }
  const double rate = double(n) / (cpu_now() - c0);
  if (sink == 42) std::puts("");
  return rate;
}

models::EstimateInput llama70b(int dp) {
  models::EstimateInput in;
  auto& m = in.model;
  m.n_layers = 80;
  m.d_model = 8192;
  m.n_heads = 64;
  m.n_kv_heads = 8;
  m.ffn_dim = 28672;
  m.vocab_size = 128256;
  m.seq_len = 8192;
  in.training.micro_batch_size = 1;
  in.training.global_batch_tokens = 64.0 * dp * m.seq_len;  // 64 micro-batches per pipeline
  in.training.training_tokens = 15e12;
  in.training.recompute = models::Recompute::selective;
  in.device = hwprofiles::builtin_catalog().find("nvidia-h100-sxm5-80gb")->to_device_spec();
  in.layout.dp = dp;
  in.layout.tp = 8;
  in.layout.pp = 8;
  in.layout.sequence_parallel = true;
  in.layout.sharding = models::Sharding::zero1;
  in.device_count = dp * 64;
  return in;
}

// DeepSeek-V3's shape (config.json of deepseek-ai/DeepSeek-V3), fp8, dp 16 · pp 16 · ep 8 on 256
// GPUs, 32 micro-batches per pipeline.
models::EstimateInput deepseek_v3_256() {
  models::EstimateInput in;
  auto& m = in.model;
  m.n_layers = 61;
  m.d_model = 7168;
  m.n_heads = 128;
  m.n_kv_heads = 128;
  m.ffn_dim = 18432;
  m.vocab_size = 129280;
  m.seq_len = 4096;
  m.moe = models::MoeSpec{256, 8, 2048, 2048, 3};
  m.mla = models::MlaSpec{1536, 512, 128, 64, 128};
  in.training.micro_batch_size = 1;
  in.training.global_batch_tokens = 32.0 * 16 * m.seq_len;
  in.training.training_tokens = 14.8e12;
  in.training.precision = models::Precision::fp8;
  in.training.recompute = models::Recompute::none;
  in.device = hwprofiles::builtin_catalog().find("nvidia-h100-sxm5-80gb")->to_device_spec();
  in.layout.dp = 16;
  in.layout.pp = 16;
  in.layout.ep = 8;
  in.layout.sharding = models::Sharding::zero1;
  in.device_count = 256;
  return in;
}

void iteration_bench(const char* label, const models::EstimateInput& in, const char* cluster_id,
                     bool representative) {
  auto est = models::estimate(in);
  if (!est.ok) {
    std::printf("%s: estimate failed: %s\n", label, est.error.c_str());
    return;
  }
  auto costs = iteration_costs_from_estimate(in, est);
  const auto* cp = hwprofiles::find_cluster(cluster_id);
  NodeSpec node = node_spec_from(*hwprofiles::find_node(cp->node));
  ClusterSpec cl = cluster_spec_from(*cp);
  IterationOptions o;
  o.representative_tp = representative;
  const auto t0 = Clock::now();
  const double c0 = cpu_now();
  auto r = simulate_iteration(costs, &node, &cl, o);
  const double s = cpu_now() - c0, w = seconds_since(t0);
  std::printf("%-52s %8.3f s CPU (%.3f s wall)  step %.4f s (estimate %.4f s)  bubble %.4f  ops %llu  engine events %llu  flows %llu  max RSS %ld MB\n",
              label, s, w, r.step_time_s, est.step_time_s, r.bubble_fraction,
              static_cast<unsigned long long>(r.event_count), static_cast<unsigned long long>(r.engine_events),
              static_cast<unsigned long long>(r.flows), max_rss_mb());
  if (!r.ok) std::printf("  error: %s\n", r.error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // line by line, also into a file
  bool quick = false, full16k = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    if (!std::strcmp(argv[i], "--no-full-16k")) full16k = false;
    if (!std::strcmp(argv[i], "--only-full-16k")) {
      iteration_bench("16,384 GPUs (h100-superpod-16k), full", llama70b(256), "h100-superpod-16k", false);
      return 0;
    }
  }
  const std::uint64_t n = quick ? 2'000'000 : 20'000'000;
  std::printf("== engine hold model (one core), %llu events per run\n", static_cast<unsigned long long>(n));
  for (std::size_t pending : {std::size_t{1000}, std::size_t{100000}}) {
    const double a = engine_hold(pending, n);
    const double b = pq_hold(pending, n);
    std::printf("pending %7zu: flopcast Engine (4-ary heap + callbacks) %7.2f M events/s | std::priority_queue (keys only) %7.2f M events/s\n",
                pending, a / 1e6, b / 1e6);
  }
  std::printf("== one iteration, Llama-3-70B shape, tp 8 · pp 8, 64 micro-batches, 1F1B, ZeRO-1\n");
  iteration_bench("1,024 GPUs (h100-pod-1k), full", llama70b(16), "h100-pod-1k", false);
  iteration_bench("1,024 GPUs (h100-pod-1k), representative TP", llama70b(16), "h100-pod-1k", true);
  if (!quick) {
    iteration_bench("16,384 GPUs (h100-superpod-16k), representative TP", llama70b(256), "h100-superpod-16k", true);
    if (full16k) iteration_bench("16,384 GPUs (h100-superpod-16k), full", llama70b(256), "h100-superpod-16k", false);
  }
  std::printf("== one iteration, DeepSeek-V3 shape, fp8, dp 16 · pp 16, ep 8, 32 micro-batches, 1F1B, ZeRO-1\n");
  iteration_bench("256 GPUs (h100-pod-1k), full", deepseek_v3_256(), "h100-pod-1k", false);
  std::printf("== run: 54 days of compute on 16,384 GPUs, Llama 3 failure rates, checkpoint 60 s, restart 600 s\n");
  RunSpec spec;
  spec.devices = 16384;
  spec.failure_free_time_s = 54 * 86400.0;
  spec.checkpoint_write_s = 60;
  spec.restart_s = 600;
  const int seeds = quick ? 20 : 200;
  const double c0 = cpu_now();
  auto r = simulate_run(spec, seeds, 1);
  const double s = cpu_now() - c0;
  std::printf("%d seeds: %.6f s CPU per seed; wall P10/P50/P90 %.2f/%.2f/%.2f days, interruptions mean %.1f, goodput P50 %.4f\n",
              seeds, s / seeds, r.wall_time_s.p10 / 86400, r.wall_time_s.p50 / 86400, r.wall_time_s.p90 / 86400,
              r.failures.mean, r.goodput.p50);
  std::printf("== Daly check (1,000 seeds, T_s >= 1,000 h): simulated T_w/T_s vs test-vectors.md\n");
  for (double delta : {60.0, 300.0})
    for (double mult : {1.0, 2.0}) {
      RunSpec d;
      d.mtbf_s = 11135;
      d.restart_s = 600;
      d.checkpoint_write_s = delta;
      d.checkpoint_interval_s = daly_interval_s(delta, 11135) * mult;
      d.failure_free_time_s = std::ceil(3.6e6 / d.checkpoint_interval_s) * d.checkpoint_interval_s;
      auto q = simulate_run(d, quick ? 100 : 1000, 1);
      std::printf("delta %3.0f s, %gx Daly tau (%.1f s): %.4f +- %.4f (95%% CI), formula %.4f\n", delta, mult,
                  d.checkpoint_interval_s, q.ratio.mean, q.ratio.ci95_half_width, q.daly_ratio);
    }
  std::printf("max RSS %ld MB\n", max_rss_mb());
  return 0;
}
