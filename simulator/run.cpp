#include "simulator/run.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "simulator/engine.h"

namespace flopcast::simulator {

namespace {

// xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64: portable and byte-identical.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      s = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

bool bad(double x) { return !std::isfinite(x) || x < 0; }

enum class State { compute, checkpoint, restart, requeue, done };

class RunSim {
 public:
  RunSim(const RunSpec& spec, std::uint64_t seed) : spec_(spec), rng_(seed) {
    mtbf_ = spec.effective_mtbf_s();
    const auto comps = spec.components.empty() ? failure_components_llama3() : spec.components;
    double total = 0;
    for (const auto& c : comps) total += c.per_gpu_per_hour, cum_.push_back(total);
    for (auto& c : cum_) c /= total > 0 ? total : 1;
    out_.failures_by_component.assign(comps.size(), 0);
    total_ = from_seconds(spec.failure_free_time_s);
    tau_ = std::max<SimTime>(1, from_seconds(spec.effective_interval_s()));
    delta_ = from_seconds(spec.checkpoint_write_s);
    restart_ = from_seconds(spec.restart_s);
    requeue_ = from_seconds(spec.requeue_s);
    notice_ = from_seconds(spec.preemption_notice_s);
  }

  RunOutcome run() {
    if (total_ == 0) return out_;
    if (spec_.failures && mtbf_ > 0) schedule_failure();
    if (spec_.preemptions_per_hour > 0) schedule_preemption();
    begin_segment();
    e_.run();
    out_.events = e_.events_processed();
    return out_;
  }

 private:
  void schedule_failure() {
    failure_ = e_.schedule_in(from_seconds(rng_.exponential(mtbf_)), [this] { on_failure(); });
  }
  void schedule_preemption() {
    preempt_ = e_.schedule_in(from_seconds(rng_.exponential(3600.0 / spec_.preemptions_per_hour)),
                              [this] { on_preemption(); });
  }
  void begin_segment() {
    state_ = State::compute;
    seg_ = std::min(tau_, total_ - committed_);
    seg_start_ = e_.now();
    pending_ = e_.schedule_in(seg_, [this] { begin_checkpoint(seg_, false); });
  }
  void begin_checkpoint(SimTime work, bool then_requeue) {
    state_ = State::checkpoint;
    seg_ = work;
    ckpt_start_ = e_.now();
    pending_ = e_.schedule_in(delta_, [this, then_requeue] {
      committed_ += seg_;
      ++out_.checkpoints;
      out_.checkpoint_time_s += to_seconds(delta_);
      if (committed_ >= total_) return finish();
      if (then_requeue) return begin_requeue(0);
      begin_segment();
    });
  }
  void begin_restart() {
    state_ = State::restart;
    restart_start_ = e_.now();
    pending_ = e_.schedule_in(restart_, [this] {
      out_.restart_time_s += to_seconds(restart_);
      begin_segment();
    });
  }
  void begin_requeue(SimTime extra) {
    state_ = State::requeue;
    const SimTime start = e_.now();
    pending_ = e_.schedule_in(extra + requeue_, [this, start] {
      out_.requeue_time_s += to_seconds(e_.now() - start);
      begin_restart();
    });
  }
  void lose_current_work() {
    if (state_ == State::compute) out_.lost_work_s += to_seconds(e_.now() - seg_start_);
    if (state_ == State::checkpoint) {
      out_.lost_work_s += to_seconds(seg_);
      out_.checkpoint_time_s += to_seconds(e_.now() - ckpt_start_);
    }
  }
  void on_failure() {
    schedule_failure();  // memoryless: the next interruption is independent of this one
    if (state_ == State::requeue || state_ == State::done) return;  // off the machines
    ++out_.failures;
    const double u = rng_.uniform();
    const std::size_t comp = static_cast<std::size_t>(
        std::lower_bound(cum_.begin(), cum_.end(), u) - cum_.begin());
    if (comp < out_.failures_by_component.size()) ++out_.failures_by_component[comp];
    e_.cancel(pending_);
    lose_current_work();
    if (state_ == State::restart) out_.restart_time_s += to_seconds(e_.now() - restart_start_);
    begin_restart();
  }
  void on_preemption() {
    schedule_preemption();
    if (state_ == State::requeue || state_ == State::done) return;
    ++out_.preemptions;
    e_.cancel(pending_);
    if (state_ == State::restart) {
      out_.restart_time_s += to_seconds(e_.now() - restart_start_);
      return begin_requeue(notice_);
    }
    const SimTime done_work = state_ == State::compute ? e_.now() - seg_start_ : seg_;
    if (state_ == State::checkpoint) out_.checkpoint_time_s += to_seconds(e_.now() - ckpt_start_);
    if (notice_ >= delta_ && done_work > 0) return begin_checkpoint(done_work, true);  // save in the notice window
    lose_current_work_preempted(done_work);
    begin_requeue(notice_);
  }
  void lose_current_work_preempted(SimTime work) { out_.lost_work_s += to_seconds(work + notice_); }
  void finish() {
    state_ = State::done;
    out_.wall_time_s = to_seconds(e_.now());
    e_.cancel(failure_);
    e_.cancel(preempt_);
    e_.stop();
  }

  const RunSpec& spec_;
  Rng rng_;
  Engine e_;
  double mtbf_ = 0;
  std::vector<double> cum_;
  RunOutcome out_;
  SimTime total_ = 0, tau_ = 0, delta_ = 0, restart_ = 0, requeue_ = 0, notice_ = 0;
  SimTime committed_ = 0, seg_ = 0, seg_start_ = 0, ckpt_start_ = 0, restart_start_ = 0;
  State state_ = State::compute;
  EventHandle pending_, failure_, preempt_;
};

Quantiles quantiles(std::vector<double> v) {
  Quantiles q;
  if (v.empty()) return q;
  const double n = static_cast<double>(v.size());
  q.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - q.mean) * (x - q.mean);
  q.sd = v.size() > 1 ? std::sqrt(ss / (n - 1)) : 0;
  q.ci95_half_width = 1.959964 * q.sd / std::sqrt(n);
  std::sort(v.begin(), v.end());
  auto at = [&](double p) {  // linear interpolation between order statistics (type 7)
    const double h = (n - 1) * p;
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  q.p10 = at(0.1);
  q.p50 = at(0.5);
  q.p90 = at(0.9);
  return q;
}

}  // namespace

std::vector<FailureComponent> failure_components_llama3() {
  // Counts from Dubey et al. 2024 Table 5 (419 unexpected interruptions), per GPU-hour.
  const double gpu_hours = 54.0 * 24.0 * 16384.0;
  const std::vector<std::pair<const char*, int>> counts = {
      {"faulty GPU", 148}, {"GPU HBM3 memory", 72}, {"software bug", 54},
      {"network switch/cable", 35}, {"host maintenance", 32}, {"GPU SRAM memory", 19},
      {"GPU system processor", 17}, {"NIC", 7}, {"NCCL watchdog timeout", 7},
      {"silent data corruption", 6}, {"GPU thermal interface/sensor", 6}, {"SSD", 3},
      {"power supply", 3}, {"server chassis", 2}, {"IO expansion board", 2}, {"dependency", 2},
      {"CPU", 2}, {"system memory", 2}};
  std::vector<FailureComponent> out;
  for (auto [name, n] : counts) out.push_back({name, n / gpu_hours});
  return out;
}

double RunSpec::effective_mtbf_s() const {
  if (!failures) return 0;
  if (mtbf_s > 0) return mtbf_s;
  const auto comps = components.empty() ? failure_components_llama3() : components;
  double rate_per_gpu_hour = 0;
  for (const auto& c : comps) rate_per_gpu_hour += c.per_gpu_per_hour;
  if (rate_per_gpu_hour <= 0 || devices <= 0) return 0;
  return 3600.0 / (rate_per_gpu_hour * devices);
}

double RunSpec::effective_interval_s() const {
  if (checkpoint_interval_s > 0) return checkpoint_interval_s;
  const double m = effective_mtbf_s();
  if (m <= 0) return failure_free_time_s > 0 ? failure_free_time_s : 1;  // no failures: one checkpoint at the end
  // A checkpoint is written between optimizer steps, so the interval is at least one step (Daly's
  // τ → 0 as the write time δ → 0).
  return std::max(daly_interval_s(checkpoint_write_s, m), step_time_s);
}

std::string RunSpec::validate() const {
  if (bad(failure_free_time_s) || failure_free_time_s <= 0) return "failure_free_time_s must be a finite number > 0";
  if (failure_free_time_s > 1e9) return "failure_free_time_s must be <= 1e9 s (31 years)";
  if (bad(checkpoint_interval_s) && !(checkpoint_interval_s <= 0)) return "checkpoint_interval_s must be finite";
  if (bad(checkpoint_write_s)) return "checkpoint_write_s must be a finite number >= 0";
  if (bad(step_time_s)) return "step_time_s must be a finite number >= 0";
  if (bad(restart_s)) return "restart_s must be a finite number >= 0";
  if (bad(mtbf_s)) return "mtbf_s must be a finite number >= 0";
  if (bad(preemptions_per_hour) || bad(preemption_notice_s) || bad(requeue_s))
    return "preemption rate, notice and requeue time must be finite numbers >= 0";
  if (devices < 1) return "devices must be >= 1";
  for (const auto& c : components)
    if (bad(c.per_gpu_per_hour)) return "failure rate of '" + c.name + "' must be a finite number >= 0";
  const double m = effective_mtbf_s();
  const double tau = effective_interval_s();
  // Guard against runs that would (practically) never finish: e^{(τ+δ)/M} beyond ~e^30.
  if (m > 0 && (tau + checkpoint_write_s) / m > 30)
    return "checkpoint interval + write time is over 30× the mean time between failures: the run would not finish";
  if (m > 0 && restart_s / m > 30) return "restart time is over 30× the mean time between failures";
  // Every checkpoint is an event of the simulation: bound their number (Llama 3's 54 days at
  // Daly's interval are ~2,000).
  if (!(tau > 0) || failure_free_time_s / tau > kMaxCheckpointsPerRun)
    return "the checkpoint interval (" + std::to_string(tau) + " s) gives over " +
           std::to_string(static_cast<long long>(kMaxCheckpointsPerRun)) +
           " checkpoints in the run: use a longer checkpoint_interval_s" +
           (checkpoint_write_s > 0 ? std::string() : " or a checkpoint_write_s > 0 for Daly's interval");
  return "";
}

double checkpoint_bytes(double params) { return models::kCheckpointBytesPerParam * params; }

RunOutcome simulate_run_once(const RunSpec& spec, std::uint64_t seed) { return RunSim(spec, seed).run(); }

RunSummary simulate_run(const RunSpec& spec, int seeds, std::uint64_t base_seed, const RunProgress& progress,
                        const std::atomic<bool>* cancel) {
  RunSummary s;
  if (auto err = spec.validate(); !err.empty()) {
    s.error = err;
    return s;
  }
  if (seeds < 1) {
    s.error = "seeds must be >= 1";
    return s;
  }
  s.interval_s = spec.effective_interval_s();
  s.mtbf_s = spec.effective_mtbf_s();
  s.daly_ratio = daly_expected_ratio(s.interval_s, spec.checkpoint_write_s, s.mtbf_s, spec.restart_s);
  const auto comps = spec.components.empty() ? failure_components_llama3() : spec.components;
  for (const auto& c : comps) s.component_names.push_back(c.name);
  s.mean_failures_by_component.assign(comps.size(), 0);
  std::vector<double> wall, ratio, goodput, gpuh, fails, lost;
  for (int i = 0; i < seeds; ++i) {
    if (cancel && cancel->load(std::memory_order_relaxed)) {
      s.cancelled = true;
      s.error = "cancelled";
      return s;
    }
    const RunOutcome o = simulate_run_once(spec, base_seed + static_cast<std::uint64_t>(i));
    wall.push_back(o.wall_time_s);
    ratio.push_back(o.wall_time_s / spec.failure_free_time_s);
    goodput.push_back(spec.failure_free_time_s / o.wall_time_s);
    gpuh.push_back(o.wall_time_s * spec.devices / 3600.0);
    fails.push_back(o.failures);
    lost.push_back(o.lost_work_s);
    for (std::size_t k = 0; k < comps.size(); ++k) s.mean_failures_by_component[k] += o.failures_by_component[k];
    s.events += o.events;
    if (progress) progress(double(i + 1) / seeds);
  }
  for (auto& x : s.mean_failures_by_component) x /= seeds;
  s.seeds = seeds;
  s.wall_time_s = quantiles(wall);
  s.ratio = quantiles(ratio);
  s.goodput = quantiles(goodput);
  s.gpu_hours = quantiles(gpuh);
  s.failures = quantiles(fails);
  s.lost_work_s = quantiles(lost);
  s.ok = true;
  return s;
}

std::vector<WastePoint> waste_curve(const RunSpec& spec, const std::vector<double>& multiples, int seeds,
                                    std::uint64_t base_seed, const std::atomic<bool>* cancel) {
  std::vector<WastePoint> out;
  const double tau = spec.effective_interval_s();
  for (double k : multiples) {
    RunSpec s = spec;
    s.checkpoint_interval_s = tau * k;
    const RunSummary r = simulate_run(s, seeds, base_seed, {}, cancel);
    if (!r.ok) break;
    out.push_back({s.checkpoint_interval_s, r.ratio.mean, r.ratio.ci95_half_width, r.daly_ratio});
  }
  return out;
}

}  // namespace flopcast::simulator
