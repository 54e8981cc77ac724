// Fleet capacity simulation on the DES engine (simulator/engine.h): owned pools plus rentable
// cloud capacity over months; jobs arrive, queue, run, may be preempted, and finish.
//
// Model:
//   * Jobs: (arrival, service time at full speed, devices, priority class, optional deadline).
//     A job runs inside one pool (it never spans pools). Service time is what the job needs, not
//     how long it stayed: a preempted job keeps only the work up to its last checkpoint
//     (checkpoint_interval_s; 0 = everything since its start is lost) and re-queues with its
//     original arrival time. Lost work is counted once, in lost_device_hours; completed work is
//     counted once, in useful_device_hours (busy = useful + lost, a tested invariant).
//   * Queue order: strictly by priority class (higher first), then FIFO (arrival), SJF (service
//     time) or EASY backfill (arrival order; the head job gets a reservation at the earliest time
//     enough devices free up in some pool — "shadow time", using the running jobs' true end
//     times — and a later job may start now only if it does not delay that reservation: it ends
//     by the shadow time, uses only the devices the head will not need, or runs in another pool).
//     FIFO and SJF block at the head (no skipping).
//   * Load balancing: a job that fits goes to an owned pool first (the one with the most free
//     devices), then a rented one (most free devices).
//   * Preemption (optional): a job that does not fit may evict running jobs of strictly lower
//     priority in one pool (lowest priority first, then the most recently started) when that makes
//     it fit; the pool with the least lost work is chosen.
//   * Auto-scaling (optional): every check_interval_s, when queued jobs >= queue_threshold or busy
//     share of all capacity >= utilisation_threshold, and the last scaling action is at least
//     cooldown_s ago, request step_devices more cloud devices (up to max_devices); they arrive
//     after provisioning_delay_s and are billed from the request. When the queue is empty and the
//     cloud pool's busy share is below scale_down_utilisation (after the cool-down), idle cloud
//     devices are released.
//   * Cost: owned and fixed rented pools pay every device-hour of the simulated span at their
//     price; the auto-scaled pool pays its billed device-hours.
// Ignores: network placement inside a pool (any free devices will do), job speed-up or slow-down
// with pool type, failures of devices (see the run simulation), fractional-GPU sharing (a job
// takes whole devices).
// Sources: EASY backfill — Lifka 1995 / Mu'alem & Feitelson 2001 (IEEE TPDS 12(6)); Erlang C and
// Cosmetatos 1976 for the M/M/c and M/D/c checks (anchors-des-sched-cost.md §4).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace flopcast::simulator::capacity {

struct JobSpec {
  std::int64_t id = 0;
  double arrival_s = 0;
  double service_s = 0;  // run time at full speed
  int devices = 1;
  int priority = 0;  // higher runs first and may preempt lower
  std::optional<double> deadline_s;  // absolute; a completion after it is a miss
};

enum class Scheduler { fifo, sjf, easy_backfill };
std::optional<Scheduler> scheduler_from_string(const std::string& s);
const char* to_string(Scheduler s);

struct PoolSpec {
  std::string name;
  int devices = 0;
  bool owned = true;
  double usd_per_device_hour = 0;  // owned: the TCO cost per device-hour; rented: the price
};

struct AutoscaleSpec {
  bool enabled = false;
  std::string name = "cloud";
  double usd_per_device_hour = 0;
  int max_devices = 0;
  int step_devices = 8;
  int queue_threshold = 1;               // queued jobs that trigger a scale-up
  double utilisation_threshold = 1.01;   // busy share of all capacity that triggers (>1: never)
  double scale_down_utilisation = 0.5;   // below it (and an empty queue) idle devices are released
  double provisioning_delay_s = 600;
  double cooldown_s = 600;
  double check_interval_s = 300;
};

struct CapacityConfig {
  std::vector<PoolSpec> pools;
  Scheduler scheduler = Scheduler::fifo;
  bool preemption = false;
  double checkpoint_interval_s = 0;
  AutoscaleSpec autoscale;
  int backfill_depth = 256;  // queued jobs EASY looks at behind the head
  double horizon_s = 0;      // 0: until every job is done
  bool record_jobs = false;  // keep per-job start/end/reservation (tests, small runs)
};

struct PriorityStats {
  int priority = 0;
  std::int64_t jobs = 0;
  std::int64_t done = 0;
  double wait_mean_s = 0, wait_p50_s = 0, wait_p95_s = 0;
  double p_wait = 0;  // share of started jobs that waited > 0
  std::int64_t deadline_misses = 0;
  std::int64_t preemptions = 0;
};

struct PoolStats {
  std::string name;
  bool owned = true;
  bool autoscaled = false;
  int devices = 0;  // at the end (autoscaled: peak provisioned shown separately)
  int peak_devices = 0;
  double busy_device_hours = 0;
  double billed_device_hours = 0;
  double utilisation = 0;  // busy / billed
  double cost_usd = 0;
};

struct JobRecord {
  std::int64_t id = 0;
  double arrival_s = 0, first_start_s = -1, end_s = -1;
  double first_reservation_s = -1;  // EASY: shadow time when it first headed the queue blocked
  double useful_s = 0;              // service delivered and kept
  double lost_s = 0;                // service thrown away by preemption
  int preemptions = 0;
  int pool = -1;
};

struct CapacityResult {
  bool cancelled = false;
  std::int64_t jobs_submitted = 0;
  std::int64_t jobs_started = 0;
  std::int64_t jobs_done = 0;
  std::int64_t jobs_rejected = 0;  // need more devices than any pool can ever hold
  std::int64_t deadline_misses = 0;
  std::int64_t preemptions = 0;
  double span_s = 0;
  double p_wait = 0;
  double wait_mean_s = 0, wait_p50_s = 0, wait_p95_s = 0;
  double useful_device_hours = 0;
  double lost_device_hours = 0;
  double busy_device_hours = 0;
  double owned_utilisation = 0;
  double owned_cost_usd = 0;
  double rented_cost_usd = 0;
  double owned_device_hours_used = 0;
  double rented_device_hours_used = 0;
  std::vector<PriorityStats> by_priority;  // descending priority
  std::vector<PoolStats> pools;
  std::vector<JobRecord> jobs;  // when record_jobs
  std::uint64_t events = 0;
};

using ProgressFn = std::function<void(double fraction)>;

// Jobs need not be sorted. Throws std::invalid_argument on bad input (no pools, negative times).
CapacityResult simulate(const std::vector<JobSpec>& jobs, const CapacityConfig& config,
                        const ProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr);

// ---- synthetic workloads ------------------------------------------------------------------
enum class DurationDist { exponential, deterministic, lognormal };
std::optional<DurationDist> duration_dist_from_string(const std::string& s);

struct SizeClass {
  int devices = 1;
  double weight = 1;
};
struct PriorityClass {
  int priority = 0;
  double weight = 1;
  double deadline_factor = 0;  // deadline = arrival + factor × service; 0: none
};

struct PoissonWorkload {
  double arrivals_per_hour = 1;
  double growth_per_year = 0;  // arrival rate λ(t) = λ0 (1 + g)^(t / year), exact time-rescaling
  std::int64_t jobs = 0;
  double mean_service_h = 1;
  DurationDist duration = DurationDist::exponential;
  double lognormal_sigma = 1.0;  // of ln(service)
  std::vector<SizeClass> sizes{{1, 1}};
  std::vector<PriorityClass> priorities{{0, 1, 0}};
};

// Deterministic for a seed (splitmix64 + xoshiro256**, inverse-CDF sampling).
std::vector<JobSpec> generate_jobs(const PoissonWorkload& w, std::uint64_t seed);

// ---- fleet optimiser ------------------------------------------------------------------------
struct FleetPoint {
  int owned_devices = 0;
  int reserved_devices = 0;
  double expected_cost_usd = 0;  // mean over seeds: owned + reserved + burst
  double wait_p95_s = 0;         // mean over seeds
  double wait_mean_s = 0;
  bool feasible = false;  // wait limit met
};
struct FleetSearch {
  std::vector<int> owned_grid;
  std::vector<int> reserved_grid{0};
  double owned_usd_per_device_hour = 0;
  double reserved_usd_per_device_hour = 0;
  double wait_limit_p95_s = 3600;
  std::vector<std::uint64_t> seeds{1};
};
struct FleetResult {
  std::vector<FleetPoint> curve;  // every (owned, reserved) point
  std::optional<FleetPoint> best;  // cheapest feasible
};
// Runs `config` (its auto-scaled pool is the burst capacity) for each grid point and seed; the
// owned pool is named "owned", the reserved one "reserved".
FleetResult optimise_fleet(const PoissonWorkload& workload, const CapacityConfig& base,
                           const FleetSearch& search, const ProgressFn& progress = {},
                           const std::atomic<bool>* cancel = nullptr);

}  // namespace flopcast::simulator::capacity
