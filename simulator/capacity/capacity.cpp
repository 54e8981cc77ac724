#include "simulator/capacity/capacity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <tuple>

#include "simulator/engine.h"

namespace flopcast::simulator::capacity {

std::optional<Scheduler> scheduler_from_string(const std::string& s) {
  if (s == "fifo") return Scheduler::fifo;
  if (s == "sjf") return Scheduler::sjf;
  if (s == "easy_backfill") return Scheduler::easy_backfill;
  return std::nullopt;
}

const char* to_string(Scheduler s) {
  switch (s) {
    case Scheduler::fifo: return "fifo";
    case Scheduler::sjf: return "sjf";
    case Scheduler::easy_backfill: return "easy_backfill";
  }
  return "?";
}

std::optional<DurationDist> duration_dist_from_string(const std::string& s) {
  if (s == "exponential") return DurationDist::exponential;
  if (s == "deterministic") return DurationDist::deterministic;
  if (s == "lognormal") return DurationDist::lognormal;
  return std::nullopt;
}

namespace {

constexpr double kHour = 3600.0;

struct Job {
  JobSpec spec;
  SimTime arrival = 0;
  SimTime remaining = 0;  // ticks of service still to do
  SimTime seg_start = 0;  // start of the current run segment
  SimTime first_start = -1;
  SimTime end = -1;
  SimTime first_reservation = -1;
  double useful_s = 0, lost_s = 0;
  int pool = -1;
  int preemptions = 0;
  bool running = false;
  bool done = false;
  EventHandle end_event;
  std::size_t running_index = 0;  // position in its pool's running list
};

struct Pool {
  PoolSpec spec;
  bool autoscaled = false;
  int capacity = 0;
  int free = 0;
  int peak = 0;
  int billed = 0;  // devices being paid for (autoscaled: includes those still provisioning)
  int pending = 0;
  double busy_device_s = 0;
  double billed_device_s = 0;
  SimTime last_bill = 0;
  std::multiset<std::pair<SimTime, int>> ends;  // (end time, devices) of running jobs
  std::vector<std::size_t> running;             // job indices
};

// Queue key: priority first (higher first), then the scheduler's order, then the job index.
struct Key {
  int neg_priority;
  SimTime order;
  SimTime arrival;
  std::size_t job;
  bool operator<(const Key& o) const {
    return std::tie(neg_priority, order, arrival, job) < std::tie(o.neg_priority, o.order, o.arrival, o.job);
  }
};

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const std::size_t k = static_cast<std::size_t>(std::floor(q * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

class Sim {
 public:
  Sim(const std::vector<JobSpec>& specs, const CapacityConfig& cfg, const ProgressFn& progress,
      const std::atomic<bool>* cancel)
      : cfg_(cfg), progress_(progress) {
    if (cfg.pools.empty() && !(cfg.autoscale.enabled && cfg.autoscale.max_devices > 0))
      throw std::invalid_argument("capacity: at least one pool (or an auto-scaled cloud pool) is needed");
    for (const PoolSpec& p : cfg.pools) {
      if (p.devices < 0) throw std::invalid_argument("capacity: pool " + p.name + " has negative devices");
      Pool q;
      q.spec = p;
      q.capacity = q.free = q.peak = q.billed = p.devices;
      pools_.push_back(q);
    }
    if (cfg.autoscale.enabled) {
      if (cfg.autoscale.step_devices <= 0 || cfg.autoscale.max_devices < 0)
        throw std::invalid_argument("capacity: autoscale step must be > 0 and max >= 0");
      if (!(cfg.autoscale.check_interval_s > 0))
        throw std::invalid_argument("capacity: autoscale check interval must be > 0");
      Pool q;
      q.spec = {cfg.autoscale.name, 0, false, cfg.autoscale.usd_per_device_hour};
      q.autoscaled = true;
      cloud_ = static_cast<int>(pools_.size());
      pools_.push_back(q);
    }
    max_fit_ = 0;
    for (const Pool& p : pools_) max_fit_ = std::max(max_fit_, p.autoscaled ? cfg.autoscale.max_devices : p.capacity);
    jobs_.reserve(specs.size());
    for (const JobSpec& s : specs) {
      if (!(s.arrival_s >= 0) || !(s.service_s >= 0) || s.devices < 1 || !std::isfinite(s.arrival_s) ||
          !std::isfinite(s.service_s))
        throw std::invalid_argument("capacity: job " + std::to_string(s.id) +
                                    " needs arrival >= 0, service >= 0 and devices >= 1");
      Job j;
      j.spec = s;
      j.arrival = from_seconds(s.arrival_s);
      j.remaining = from_seconds(s.service_s);
      jobs_.push_back(j);
    }
    order_.resize(jobs_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::size_t a, std::size_t b) { return jobs_[a].arrival < jobs_[b].arrival; });
    eng_.set_cancel_flag(cancel);
  }

  CapacityResult run() {
    if (!order_.empty()) eng_.schedule_at(jobs_[order_[0]].arrival, [this] { arrive(); });
    if (cloud_ >= 0) eng_.schedule_at(0, [this] { autoscale_check(); });
    if (cfg_.horizon_s > 0) eng_.run_until(from_seconds(cfg_.horizon_s));
    else eng_.run();
    return finish();
  }

 private:
  // ---- events --------------------------------------------------------------------------------
  void arrive() {
    const SimTime now = eng_.now();
    while (next_ < order_.size() && jobs_[order_[next_]].arrival == now) {
      const std::size_t j = order_[next_++];
      ++submitted_;
      if (jobs_[j].spec.devices > max_fit_) {
        ++rejected_;
        continue;
      }
      enqueue(j);
    }
    if (next_ < order_.size()) eng_.schedule_at(jobs_[order_[next_]].arrival, [this] { arrive(); });
    if (progress_ && !order_.empty() && (next_ % std::max<std::size_t>(1, order_.size() / 100) == 0))
      progress_(static_cast<double>(next_) / order_.size());
    schedule();
  }

  void complete(std::size_t j) {
    Job& job = jobs_[j];
    Pool& p = pools_[job.pool];
    const SimTime now = eng_.now();
    const double seg = to_seconds(now - job.seg_start);
    job.useful_s += seg;
    p.busy_device_s += seg * job.spec.devices;
    job.remaining = 0;
    job.running = false;
    job.done = true;
    job.end = now;
    release(p, j);
    ++done_;
    schedule();
  }

  void autoscale_check() {
    const AutoscaleSpec& a = cfg_.autoscale;
    const SimTime now = eng_.now();
    Pool& c = pools_[cloud_];
    int total = 0, busy = 0;
    for (const Pool& p : pools_) total += p.capacity, busy += p.capacity - p.free;
    const double util = total > 0 ? static_cast<double>(busy) / total : 1.0;
    const bool cooled = last_scale_ < 0 || now - last_scale_ >= from_seconds(a.cooldown_s);
    const bool pressure = static_cast<int>(queue_.size()) >= a.queue_threshold && !queue_.empty();
    if ((pressure || util >= a.utilisation_threshold) && cooled && c.capacity + c.pending < a.max_devices) {
      const int n = std::min(a.step_devices, a.max_devices - c.capacity - c.pending);
      bill(c);
      c.pending += n;
      c.billed += n;
      last_scale_ = now;
      eng_.schedule_in(from_seconds(a.provisioning_delay_s), [this, n] {
        Pool& cl = pools_[cloud_];
        cl.pending -= n;
        cl.capacity += n;
        cl.free += n;
        cl.peak = std::max(cl.peak, cl.capacity);
        schedule();
      });
    } else if (queue_.empty() && c.free > 0 && cooled) {
      const double cloud_util = c.capacity > 0 ? static_cast<double>(c.capacity - c.free) / c.capacity : 0.0;
      if (cloud_util < a.scale_down_utilisation) {
        const int n = std::min(a.step_devices, c.free);
        bill(c);
        c.capacity -= n;
        c.free -= n;
        c.billed -= n;
        last_scale_ = now;
      }
    }
    const bool all_over = next_ >= order_.size() && queue_.empty() && running_count_ == 0;
    if (all_over) {  // release everything rented and stop checking
      bill(c);
      c.billed -= c.capacity;
      c.capacity = c.free = 0;
      return;
    }
    eng_.schedule_in(from_seconds(a.check_interval_s), [this] { autoscale_check(); });
  }

  // ---- state changes -------------------------------------------------------------------------
  void bill(Pool& p) {
    const SimTime now = eng_.now();
    p.billed_device_s += p.billed * to_seconds(now - p.last_bill);
    p.last_bill = now;
  }

  Key key_of(std::size_t j) const {
    const Job& job = jobs_[j];
    const SimTime order = cfg_.scheduler == Scheduler::sjf ? job.remaining : job.arrival;
    return {-job.spec.priority, order, job.arrival, j};
  }

  void enqueue(std::size_t j) { queue_.insert(key_of(j)); }

  void start(std::size_t j, int pool) {
    Job& job = jobs_[j];
    Pool& p = pools_[pool];
    const SimTime now = eng_.now();
    job.pool = pool;
    job.running = true;
    job.seg_start = now;
    if (job.first_start < 0) {
      job.first_start = now;
      ++started_;
    }
    p.free -= job.spec.devices;
    p.ends.insert({now + job.remaining, job.spec.devices});
    job.running_index = p.running.size();
    p.running.push_back(j);
    ++running_count_;
    job.end_event = eng_.schedule_at(now + job.remaining, [this, j] { complete(j); });
  }

  void release(Pool& p, std::size_t j) {
    Job& job = jobs_[j];
    p.free += job.spec.devices;
    // The end time this run segment was booked with (complete() has zeroed `remaining`).
    const SimTime booked_end = job.done ? job.end : job.seg_start + job.remaining;
    const auto it = p.ends.find({booked_end, job.spec.devices});
    if (it != p.ends.end()) p.ends.erase(it);
    const std::size_t idx = job.running_index;
    p.running[idx] = p.running.back();
    jobs_[p.running[idx]].running_index = idx;
    p.running.pop_back();
    --running_count_;
  }

  void preempt(std::size_t j) {
    Job& job = jobs_[j];
    Pool& p = pools_[job.pool];
    const SimTime now = eng_.now();
    const SimTime elapsed = now - job.seg_start;
    SimTime kept = 0;
    if (cfg_.checkpoint_interval_s > 0) {
      const SimTime ci = from_seconds(cfg_.checkpoint_interval_s);
      kept = ci > 0 ? (elapsed / ci) * ci : 0;
    }
    const double lost = to_seconds(elapsed - kept);
    eng_.cancel(job.end_event);
    release(p, j);  // uses seg_start + remaining as the end key
    job.useful_s += to_seconds(kept);
    job.lost_s += lost;
    p.busy_device_s += to_seconds(elapsed) * job.spec.devices;
    job.remaining -= kept;
    job.running = false;
    job.pool = -1;
    ++job.preemptions;
    ++preemptions_;
    enqueue(j);
  }

  // The pool a job fits in now: owned first, most free devices first; -1 when none.
  int fit(const Job& job, int exclude = -1) const {
    int best = -1;
    for (int i = 0; i < static_cast<int>(pools_.size()); ++i) {
      if (i == exclude) continue;
      const Pool& p = pools_[i];
      if (p.free < job.spec.devices) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const Pool& b = pools_[best];
      if (p.spec.owned != b.spec.owned) {
        if (p.spec.owned) best = i;
      } else if (p.free > b.free) {
        best = i;
      }
    }
    return best;
  }

  bool try_preempt(std::size_t j) {
    const Job& job = jobs_[j];
    int best_pool = -1;
    double best_lost = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> best_victims;
    const SimTime now = eng_.now();
    for (int i = 0; i < static_cast<int>(pools_.size()); ++i) {
      const Pool& p = pools_[i];
      std::vector<std::size_t> cand;
      for (std::size_t r : p.running)
        if (jobs_[r].spec.priority < job.spec.priority) cand.push_back(r);
      int avail = p.free;
      for (std::size_t r : cand) avail += jobs_[r].spec.devices;
      if (avail < job.spec.devices) continue;
      std::sort(cand.begin(), cand.end(), [&](std::size_t a, std::size_t b) {
        const Job &x = jobs_[a], &y = jobs_[b];
        if (x.spec.priority != y.spec.priority) return x.spec.priority < y.spec.priority;
        if (x.seg_start != y.seg_start) return x.seg_start > y.seg_start;
        return a < b;
      });
      std::vector<std::size_t> victims;
      int freed = p.free;
      double lost = 0;
      for (std::size_t r : cand) {
        if (freed >= job.spec.devices) break;
        victims.push_back(r);
        freed += jobs_[r].spec.devices;
        lost += to_seconds(now - jobs_[r].seg_start) * jobs_[r].spec.devices;
      }
      if (lost < best_lost) best_lost = lost, best_pool = i, best_victims = victims;
    }
    if (best_pool < 0) return false;
    for (std::size_t v : best_victims) preempt(v);
    return true;
  }

  // Shadow time and spare devices for the head job in pool i; false when it can never fit there.
  bool shadow(const Pool& p, int devices, SimTime& when, int& extra) const {
    if (devices > p.capacity) return false;
    int avail = p.free;
    when = eng_.now();
    for (const auto& [end, dev] : p.ends) {
      if (avail >= devices) break;
      avail += dev;
      when = end;
    }
    if (avail < devices) return false;
    extra = avail - devices;
    return true;
  }

  void schedule() {
    bool again = true;
    while (again && !queue_.empty()) {
      again = false;
      const auto head_it = queue_.begin();
      const std::size_t head = head_it->job;
      int pool = fit(jobs_[head]);
      if (pool >= 0) {
        queue_.erase(head_it);
        start(head, pool);
        again = true;
        continue;
      }
      if (cfg_.preemption && try_preempt(head)) {  // victims re-queue; head_it stays valid
        pool = fit(jobs_[head]);
        if (pool >= 0) {
          queue_.erase(head_it);
          start(head, pool);
          again = true;
          continue;
        }
      }
      if (cfg_.scheduler != Scheduler::easy_backfill) break;
      // EASY: reserve for the head, backfill behind it.
      int res_pool = -1, extra = 0;
      SimTime when = kSimTimeMax;
      for (int i = 0; i < static_cast<int>(pools_.size()); ++i) {
        SimTime w;
        int e;
        if (shadow(pools_[i], jobs_[head].spec.devices, w, e) && w < when) when = w, extra = e, res_pool = i;
      }
      if (res_pool < 0) break;  // waits for capacity to be added (auto-scaling)
      if (jobs_[head].first_reservation < 0) jobs_[head].first_reservation = when;
      int looked = 0;
      for (auto it = std::next(queue_.begin()); it != queue_.end() && looked < cfg_.backfill_depth; ++looked) {
        const std::size_t c = it->job;
        const Job& cj = jobs_[c];
        int p = fit(cj, res_pool);
        bool use_extra = false;
        if (p < 0 && pools_[res_pool].free >= cj.spec.devices) {
          if (eng_.now() + cj.remaining <= when) p = res_pool;
          else if (cj.spec.devices <= extra) p = res_pool, use_extra = true;
        }
        if (p < 0) {
          ++it;
          continue;
        }
        if (use_extra) extra -= cj.spec.devices;
        it = queue_.erase(it);
        start(c, p);
      }
      break;
    }
  }

  CapacityResult finish() {
    CapacityResult r;
    r.cancelled = eng_.cancelled();
    const SimTime end = eng_.now();
    r.span_s = to_seconds(end);
    r.events = eng_.events_processed();
    r.jobs_submitted = submitted_;
    r.jobs_started = started_;
    r.jobs_done = done_;
    r.jobs_rejected = rejected_;
    r.preemptions = preemptions_;
    // Close open run segments (horizon cut-off): busy and kept work up to `end`.
    for (Pool& p : pools_) {
      for (std::size_t j : p.running) {
        Job& job = jobs_[j];
        const double seg = to_seconds(end - job.seg_start);
        job.useful_s += seg;
        p.busy_device_s += seg * job.spec.devices;
      }
      bill(p);
    }
    std::vector<double> waits;
    std::vector<int> prios;
    for (const Job& j : jobs_) prios.push_back(j.spec.priority);
    std::sort(prios.begin(), prios.end(), std::greater<>());
    prios.erase(std::unique(prios.begin(), prios.end()), prios.end());
    std::vector<std::vector<double>> pw(prios.size());
    r.by_priority.resize(prios.size());
    std::int64_t waited = 0;
    for (const Job& j : jobs_) {
      const std::size_t k = std::find(prios.begin(), prios.end(), j.spec.priority) - prios.begin();
      PriorityStats& ps = r.by_priority[k];
      ps.priority = j.spec.priority;
      ++ps.jobs;
      ps.preemptions += j.preemptions;
      if (j.done) ++ps.done;
      if (j.first_start >= 0) {
        const double w = to_seconds(j.first_start - j.arrival);
        waits.push_back(w);
        pw[k].push_back(w);
        if (w > 0) ++waited;
      }
      if (j.spec.deadline_s) {
        const bool miss = j.done ? to_seconds(j.end) > *j.spec.deadline_s + 1e-9 : to_seconds(end) > *j.spec.deadline_s;
        if (miss) ++ps.deadline_misses, ++r.deadline_misses;
      }
      r.useful_device_hours += j.useful_s * j.spec.devices / kHour;
      r.lost_device_hours += j.lost_s * j.spec.devices / kHour;
      if (cfg_.record_jobs)
        r.jobs.push_back({j.spec.id, j.spec.arrival_s, j.first_start >= 0 ? to_seconds(j.first_start) : -1.0,
                          j.end >= 0 ? to_seconds(j.end) : -1.0,
                          j.first_reservation >= 0 ? to_seconds(j.first_reservation) : -1.0, j.useful_s, j.lost_s,
                          j.preemptions, j.pool});
    }
    for (std::size_t k = 0; k < prios.size(); ++k) {
      PriorityStats& ps = r.by_priority[k];
      auto& v = pw[k];
      if (!v.empty()) {
        double s = 0;
        std::int64_t wt = 0;
        for (double w : v) s += w, wt += w > 0;
        ps.wait_mean_s = s / v.size();
        ps.p_wait = static_cast<double>(wt) / v.size();
        ps.wait_p50_s = percentile(v, 0.50);
        ps.wait_p95_s = percentile(v, 0.95);
      }
    }
    if (!waits.empty()) {
      double s = 0;
      for (double w : waits) s += w;
      r.wait_mean_s = s / waits.size();
      r.p_wait = static_cast<double>(waited) / waits.size();
      r.wait_p50_s = percentile(waits, 0.50);
      r.wait_p95_s = percentile(waits, 0.95);
    }
    double owned_cap_h = 0, owned_busy_h = 0;
    for (const Pool& p : pools_) {
      PoolStats s;
      s.name = p.spec.name;
      s.owned = p.spec.owned;
      s.autoscaled = p.autoscaled;
      s.devices = p.autoscaled ? p.capacity : p.spec.devices;
      s.peak_devices = p.peak;
      s.busy_device_hours = p.busy_device_s / kHour;
      s.billed_device_hours = p.billed_device_s / kHour;
      s.utilisation = s.billed_device_hours > 0 ? s.busy_device_hours / s.billed_device_hours : 0.0;
      s.cost_usd = s.billed_device_hours * p.spec.usd_per_device_hour;
      r.busy_device_hours += s.busy_device_hours;
      if (p.spec.owned) {
        r.owned_cost_usd += s.cost_usd;
        r.owned_device_hours_used += s.busy_device_hours;
        owned_cap_h += s.billed_device_hours;
        owned_busy_h += s.busy_device_hours;
      } else {
        r.rented_cost_usd += s.cost_usd;
        r.rented_device_hours_used += s.busy_device_hours;
      }
      r.pools.push_back(s);
    }
    r.owned_utilisation = owned_cap_h > 0 ? owned_busy_h / owned_cap_h : 0.0;
    return r;
  }

  const CapacityConfig& cfg_;
  const ProgressFn& progress_;
  Engine eng_;
  std::vector<Job> jobs_;
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
  std::vector<Pool> pools_;
  int cloud_ = -1;
  int max_fit_ = 0;
  std::set<Key> queue_;
  std::int64_t submitted_ = 0, started_ = 0, done_ = 0, rejected_ = 0, preemptions_ = 0;
  std::int64_t running_count_ = 0;
  SimTime last_scale_ = -1;
};

// ---- random numbers: splitmix64 seeding + xoshiro256** (Blackman & Vigna) -------------------
struct Rng {
  std::uint64_t s[4];
  explicit Rng(std::uint64_t seed) {
    for (auto& x : s) {
      std::uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      x = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  double uniform() { return (next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }
  double normal() {  // Box–Muller
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
};

template <class T>
const T& pick(const std::vector<T>& items, Rng& rng) {
  double total = 0;
  for (const T& t : items) total += t.weight;
  double u = rng.uniform() * total;
  for (const T& t : items) {
    if (u < t.weight) return t;
    u -= t.weight;
  }
  return items.back();
}

}  // namespace

CapacityResult simulate(const std::vector<JobSpec>& jobs, const CapacityConfig& config,
                        const ProgressFn& progress, const std::atomic<bool>* cancel) {
  Sim sim(jobs, config, progress, cancel);
  return sim.run();
}

std::vector<JobSpec> generate_jobs(const PoissonWorkload& w, std::uint64_t seed) {
  if (!(w.arrivals_per_hour > 0)) throw std::invalid_argument("workload: arrivals_per_hour must be > 0");
  if (!(w.mean_service_h > 0)) throw std::invalid_argument("workload: mean_service_h must be > 0");
  if (w.sizes.empty() || w.priorities.empty()) throw std::invalid_argument("workload: sizes and priorities must not be empty");
  if (!(w.growth_per_year > -1)) throw std::invalid_argument("workload: growth_per_year must be > -1");
  Rng rng(seed);
  std::vector<JobSpec> out;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, w.jobs)));
  const double year_h = 8760.0;
  const double lg = std::log1p(w.growth_per_year);
  double unit_time = 0;  // arrivals of a unit-rate Poisson process
  const double mu_ln = std::log(w.mean_service_h) - 0.5 * w.lognormal_sigma * w.lognormal_sigma;
  for (std::int64_t i = 0; i < w.jobs; ++i) {
    unit_time += rng.exponential(1.0);
    // Λ(t) = λ0 Y / ln(1+g) ((1+g)^(t/Y) − 1)  →  t = Y / ln(1+g) · ln(1 + Λ ln(1+g) / (λ0 Y)).
    const double t_h = std::abs(lg) < 1e-12 ? unit_time / w.arrivals_per_hour
                                            : year_h / lg * std::log1p(unit_time * lg / (w.arrivals_per_hour * year_h));
    double service_h = w.mean_service_h;
    switch (w.duration) {
      case DurationDist::exponential: service_h = rng.exponential(w.mean_service_h); break;
      case DurationDist::deterministic: break;
      case DurationDist::lognormal: service_h = std::exp(mu_ln + w.lognormal_sigma * rng.normal()); break;
    }
    const SizeClass& size = pick(w.sizes, rng);
    const PriorityClass& prio = pick(w.priorities, rng);
    JobSpec j;
    j.id = i;
    j.arrival_s = t_h * kHour;
    j.service_s = service_h * kHour;
    j.devices = size.devices;
    j.priority = prio.priority;
    if (prio.deadline_factor > 0) j.deadline_s = j.arrival_s + prio.deadline_factor * j.service_s;
    out.push_back(j);
  }
  return out;
}

FleetResult optimise_fleet(const PoissonWorkload& workload, const CapacityConfig& base,
                           const FleetSearch& search, const ProgressFn& progress,
                           const std::atomic<bool>* cancel) {
  if (search.owned_grid.empty() || search.reserved_grid.empty() || search.seeds.empty())
    throw std::invalid_argument("fleet search: owned grid, reserved grid and seeds must not be empty");
  std::vector<std::vector<JobSpec>> streams;
  for (std::uint64_t s : search.seeds) streams.push_back(generate_jobs(workload, s));
  FleetResult out;
  const double total = static_cast<double>(search.owned_grid.size() * search.reserved_grid.size() * streams.size());
  int done = 0;
  for (int owned : search.owned_grid) {
    for (int reserved : search.reserved_grid) {
      FleetPoint pt;
      pt.owned_devices = owned;
      pt.reserved_devices = reserved;
      CapacityConfig cfg = base;
      cfg.pools.clear();
      if (owned > 0) cfg.pools.push_back({"owned", owned, true, search.owned_usd_per_device_hour});
      if (reserved > 0) cfg.pools.push_back({"reserved", reserved, false, search.reserved_usd_per_device_hour});
      if (cfg.pools.empty() && !(cfg.autoscale.enabled && cfg.autoscale.max_devices > 0)) continue;
      for (const auto& jobs : streams) {
        if (cancel && cancel->load()) return out;
        const CapacityResult r = simulate(jobs, cfg, {}, cancel);
        pt.expected_cost_usd += (r.owned_cost_usd + r.rented_cost_usd) / streams.size();
        pt.wait_p95_s += r.wait_p95_s / streams.size();
        pt.wait_mean_s += r.wait_mean_s / streams.size();
        if (progress) progress(++done / total);
      }
      pt.feasible = pt.wait_p95_s <= search.wait_limit_p95_s;
      out.curve.push_back(pt);
      if (pt.feasible && (!out.best || pt.expected_cost_usd < out.best->expected_cost_usd)) out.best = pt;
    }
  }
  return out;
}

}  // namespace flopcast::simulator::capacity
