// Capacity-simulation benchmark: one year of a 10,000-GPU fleet with 100,000 jobs (target <= 10 s).
// Usage: bench_capacity [scheduler=easy_backfill|fifo|sjf] [jobs=100000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "simulator/capacity/capacity.h"

using namespace flopcast::simulator::capacity;

int main(int argc, char** argv) {
  const std::string sched = argc > 1 ? argv[1] : "easy_backfill";
  const long jobs = argc > 2 ? std::atol(argv[2]) : 100000;
  PoissonWorkload w;
  w.jobs = jobs;
  w.arrivals_per_hour = jobs / 8760.0;  // one year
  w.sizes = {{1, 0.4}, {8, 0.3}, {64, 0.2}, {512, 0.1}};  // mean 66.8 GPUs
  w.mean_service_h = 0.8 * 10000 * 8760 / 100000.0 / 66.8;  // ~80 % offered load
  w.duration = DurationDist::lognormal;
  w.lognormal_sigma = 1.5;
  w.priorities = {{0, 0.7, 0}, {1, 0.3, 3.0}};
  CapacityConfig cfg;
  cfg.pools = {{"owned-a", 6000, true, 1.6}, {"owned-b", 4000, true, 1.6}};
  cfg.scheduler = *scheduler_from_string(sched);
  cfg.preemption = true;
  cfg.checkpoint_interval_s = 3600;
  cfg.autoscale.enabled = true;
  cfg.autoscale.usd_per_device_hour = 2.99;
  cfg.autoscale.max_devices = 2048;
  cfg.autoscale.step_devices = 64;
  cfg.autoscale.queue_threshold = 20;
  const auto t0 = std::chrono::steady_clock::now();
  const auto stream = generate_jobs(w, 1);
  const auto t1 = std::chrono::steady_clock::now();
  const CapacityResult r = simulate(stream, cfg);
  const auto t2 = std::chrono::steady_clock::now();
  const double gen = std::chrono::duration<double>(t1 - t0).count();
  const double sim = std::chrono::duration<double>(t2 - t1).count();
  std::printf("scheduler %s, jobs %ld: generate %.3f s, simulate %.3f s, events %llu\n", sched.c_str(), jobs, gen, sim,
              static_cast<unsigned long long>(r.events));
  std::printf("done %lld, span %.1f d, owned utilisation %.3f, wait mean %.2f h p95 %.2f h, preemptions %lld, "
              "owned $%.0f rented $%.0f\n",
              static_cast<long long>(r.jobs_done), r.span_s / 86400, r.owned_utilisation, r.wait_mean_s / 3600,
              r.wait_p95_s / 3600, static_cast<long long>(r.preemptions), r.owned_cost_usd, r.rented_cost_usd);
  return sim <= 10.0 ? 0 : 1;
}
