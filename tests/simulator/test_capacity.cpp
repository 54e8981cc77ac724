// Capacity simulation: queueing theory checks (Erlang C, Cosmetatos), scheduler and preemption
// properties over random streams, auto-scaling, the fleet optimiser and the trace importers.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "simulator/capacity/capacity.h"
#include "simulator/capacity/traces.h"

using namespace flopcast::simulator::capacity;

namespace {

// Erlang C by the stable recurrence of the Erlang B formula.
double erlang_c(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  const double rho = a / c;
  return b / (1.0 - rho + rho * b);
}

struct QueueStats {
  double p_wait = 0, wq_h = 0;
  std::int64_t jobs = 0;
};

QueueStats mmc(int c, double lambda, DurationDist dist, int seeds, std::int64_t jobs) {
  PoissonWorkload w;
  w.arrivals_per_hour = lambda;
  w.jobs = jobs;
  w.mean_service_h = 1.0;
  w.duration = dist;
  CapacityConfig cfg;
  cfg.pools = {{"owned", c, true, 1.0}};
  QueueStats q;
  for (int s = 1; s <= seeds; ++s) {
    const auto r = simulate(generate_jobs(w, 1000 + s), cfg);
    REQUIRE(r.jobs_done == jobs);
    q.p_wait += r.p_wait / seeds;
    q.wq_h += r.wait_mean_s / 3600.0 / seeds;
    q.jobs += r.jobs_done;
  }
  return q;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("M/M/c (c=8, λ=6/h, μ=1/h) matches Erlang C within 3 %", "[capacity][queueing]") {
  const double pw = erlang_c(8, 6.0);
  CHECK(pw == Approx(0.356981).epsilon(1e-5));
  const QueueStats q = mmc(8, 6.0, DurationDist::exponential, 10, 200000);
  CHECK(q.jobs == 2000000);
  CHECK(q.p_wait == Approx(0.356981).epsilon(0.03));
  CHECK(q.wq_h == Approx(0.178491).epsilon(0.03));
}

TEST_CASE("M/M/c (c=16, λ=14/h) matches Erlang C within 3 %", "[capacity][queueing]") {
  const QueueStats q = mmc(16, 14.0, DurationDist::exponential, 4, 200000);
  CHECK(q.p_wait == Approx(0.508482).epsilon(0.03));
  CHECK(q.wq_h == Approx(0.254241).epsilon(0.05));
}

TEST_CASE("M/D/c (c=8, λ=6/h, D=1 h) is near Cosmetatos' approximation", "[capacity][queueing]") {
  // W_q(M/D/c) ≈ ½ (1 + f) W_q(M/M/c), f = (1 − ρ)(c − 1)(√(4 + 5c) − 2) / (16 ρ c).
  const double rho = 0.75, c = 8;
  const double f = (1 - rho) * (c - 1) * (std::sqrt(4 + 5 * c) - 2) / (16 * rho * c);
  const double wq = 0.5 * (1 + f) * 0.178491;
  CHECK(wq == Approx(0.0968).epsilon(0.01));
  const QueueStats q = mmc(8, 6.0, DurationDist::deterministic, 10, 200000);
  CHECK(q.wq_h == Approx(wq).epsilon(0.10));
  CHECK(q.wq_h < 0.75 * 0.178491);  // clearly not the exponential answer
}

namespace {
std::vector<JobSpec> random_stream(std::uint64_t seed, int jobs, int max_devices, int priorities) {
  PoissonWorkload w;
  w.arrivals_per_hour = 3.0;
  w.jobs = jobs;
  w.mean_service_h = 2.0;
  w.duration = DurationDist::lognormal;
  w.lognormal_sigma = 1.2;
  w.sizes.clear();
  for (int d = 1; d <= max_devices; d *= 2) w.sizes.push_back({d, 1.0});
  w.priorities.clear();
  for (int p = 0; p < priorities; ++p) w.priorities.push_back({p, 1.0, 0});
  return generate_jobs(w, seed);
}
}  // namespace

TEST_CASE("EASY backfill never delays the head job's reservation", "[capacity][property]") {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    CAPTURE(seed);
    const auto jobs = random_stream(seed, 600, 16, 1);
    CapacityConfig cfg;
    cfg.pools = {{"a", 16, true, 1}, {"b", 24, true, 1}};
    cfg.scheduler = Scheduler::easy_backfill;
    cfg.record_jobs = true;
    const auto r = simulate(jobs, cfg);
    REQUIRE(r.jobs_done == 600);
    int reserved = 0, backfilled = 0;
    std::map<std::int64_t, double> arrival;
    for (const auto& j : r.jobs) {
      if (j.first_reservation_s >= 0) {
        ++reserved;
        CHECK(j.first_start_s <= j.first_reservation_s + 1e-6);
      }
    }
    // Backfill happened: some job started before an earlier-arrived job.
    for (std::size_t i = 1; i < r.jobs.size(); ++i)
      for (std::size_t k = 0; k < i && k < 50; ++k)
        if (r.jobs[k].arrival_s < r.jobs[i].arrival_s && r.jobs[i].first_start_s < r.jobs[k].first_start_s) ++backfilled;
    CHECK(reserved > 0);
    CHECK(backfilled > 0);
  }
}

TEST_CASE("EASY backfill waits no longer on average than FIFO on mixed sizes", "[capacity][property]") {
  double easy = 0, fifo = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto jobs = random_stream(seed, 2000, 32, 1);
    CapacityConfig cfg;
    cfg.pools = {{"a", 48, true, 1}};
    cfg.scheduler = Scheduler::fifo;
    fifo += simulate(jobs, cfg).wait_mean_s;
    cfg.scheduler = Scheduler::easy_backfill;
    easy += simulate(jobs, cfg).wait_mean_s;
  }
  CHECK(easy < fifo);
}

TEST_CASE("a preempted job's work is never counted twice", "[capacity][property]") {
  std::int64_t total_preemptions = 0;
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    CAPTURE(seed);
    const auto jobs = random_stream(seed, 500, 8, 3);
    CapacityConfig cfg;
    cfg.pools = {{"a", 12, true, 1}};
    cfg.preemption = true;
    cfg.checkpoint_interval_s = seed % 2 ? 0.0 : 1800.0;
    cfg.scheduler = seed % 3 == 0 ? Scheduler::easy_backfill : Scheduler::fifo;
    cfg.record_jobs = true;
    const auto r = simulate(jobs, cfg);
    REQUIRE(r.jobs_done == 500);
    total_preemptions += r.preemptions;
    double useful_h = 0, lost_h = 0, service_h = 0;
    std::map<std::int64_t, const JobSpec*> spec;
    for (const auto& j : jobs) spec[j.id] = &j;
    for (const auto& j : r.jobs) {
      const JobSpec& s = *spec.at(j.id);
      CHECK(j.useful_s == Approx(s.service_s).margin(1e-6));  // each second of work kept once
      CHECK(j.lost_s >= 0);
      if (j.preemptions == 0) CHECK(j.lost_s == 0);
      CHECK(j.end_s - j.first_start_s >= s.service_s + j.lost_s - 1e-6);
      useful_h += j.useful_s * s.devices / 3600;
      lost_h += j.lost_s * s.devices / 3600;
      service_h += s.service_s * s.devices / 3600;
    }
    CHECK(r.useful_device_hours == Approx(service_h).epsilon(1e-9));
    CHECK(r.lost_device_hours == Approx(lost_h).epsilon(1e-9));
    CHECK(r.busy_device_hours == Approx(useful_h + lost_h).epsilon(1e-9));
  }
  CHECK(total_preemptions > 0);
}

TEST_CASE("higher priority waits less when it may preempt", "[capacity]") {
  const auto jobs = random_stream(7, 3000, 4, 2);
  CapacityConfig cfg;
  cfg.pools = {{"a", 8, true, 1}};
  cfg.preemption = true;
  const auto r = simulate(jobs, cfg);
  REQUIRE(r.by_priority.size() == 2);
  CHECK(r.by_priority[0].priority == 1);
  CHECK(r.by_priority[0].wait_mean_s < r.by_priority[1].wait_mean_s);
  CHECK(r.by_priority[1].preemptions > 0);
  CHECK(r.by_priority[0].preemptions == 0);
}

TEST_CASE("SJF beats FIFO on mean wait for variable single-device jobs", "[capacity]") {
  const auto jobs = random_stream(3, 20000, 1, 1);
  CapacityConfig cfg;
  cfg.pools = {{"a", 1, true, 1}};
  const double fifo = simulate(jobs, cfg).wait_mean_s;
  cfg.scheduler = Scheduler::sjf;
  const double sjf = simulate(jobs, cfg).wait_mean_s;
  CHECK(sjf < 0.8 * fifo);
}

TEST_CASE("auto-scaling bursts to rented capacity after the provisioning delay", "[capacity]") {
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 20; ++i) jobs.push_back({i, 0.0, 3600.0, 4, 0, 3600.0 + 1.0});
  CapacityConfig cfg;
  cfg.pools = {{"owned", 8, true, 2.0}};
  cfg.autoscale.enabled = true;
  cfg.autoscale.usd_per_device_hour = 3.0;
  cfg.autoscale.max_devices = 64;
  cfg.autoscale.step_devices = 16;
  cfg.autoscale.provisioning_delay_s = 900;
  cfg.autoscale.cooldown_s = 60;
  cfg.autoscale.check_interval_s = 60;
  cfg.record_jobs = true;
  const auto r = simulate(jobs, cfg);
  CHECK(r.jobs_done == 20);
  CHECK(r.rented_cost_usd > 0);
  CHECK(r.rented_device_hours_used + r.owned_device_hours_used == Approx(20 * 4.0));
  CHECK(r.rented_device_hours_used >= 12 * 4.0);
  CHECK(r.span_s < 3 * 3600.0);  // instead of ten one-hour waves
  double min_cloud_start = 1e300;
  for (const auto& j : r.jobs)
    if (j.pool == 1) min_cloud_start = std::min(min_cloud_start, j.first_start_s);
  CHECK(min_cloud_start >= 900.0);
  CHECK(r.deadline_misses == 18);  // only the two owned-pool jobs met a start-at-once deadline
  // Without auto-scaling the same jobs run ten waves on the owned pool only.
  cfg.autoscale.enabled = false;
  const auto o = simulate(jobs, cfg);
  CHECK(o.rented_cost_usd == 0);
  CHECK(o.span_s == Approx(10 * 3600.0));
  CHECK(o.owned_cost_usd == Approx(8 * 10 * 2.0));
  CHECK(o.owned_utilisation == Approx(1.0));
}

TEST_CASE("a job larger than every pool is rejected, not queued forever", "[capacity]") {
  std::vector<JobSpec> jobs = {{0, 0, 60, 16, 0, {}}, {1, 0, 60, 2, 0, {}}};
  CapacityConfig cfg;
  cfg.pools = {{"a", 8, true, 1}};
  const auto r = simulate(jobs, cfg);
  CHECK(r.jobs_rejected == 1);
  CHECK(r.jobs_done == 1);
  CHECK_THROWS(simulate(jobs, CapacityConfig{}));
}

TEST_CASE("generated streams are seeded and follow the demand growth", "[capacity]") {
  PoissonWorkload w;
  w.arrivals_per_hour = 5;
  w.jobs = 250000;
  w.growth_per_year = 1.0;
  const auto a = generate_jobs(w, 5), b = generate_jobs(w, 5), c = generate_jobs(w, 6);
  CHECK(a[1000].arrival_s == b[1000].arrival_s);
  CHECK(a[1000].arrival_s != c[1000].arrival_s);
  std::int64_t y1 = 0, y2 = 0;
  for (const auto& j : a) {
    const double y = j.arrival_s / (8760 * 3600.0);
    if (y < 1) ++y1;
    else if (y < 2) ++y2;
  }
  REQUIRE(y1 > 0);
  CHECK(static_cast<double>(y2) / y1 == Approx(2.0).epsilon(0.02));
  CHECK(static_cast<double>(y1) == Approx(5 * 8760 / std::log(2.0)).epsilon(0.02));
}

TEST_CASE("fleet optimiser: cost curve over owned devices under a wait limit", "[capacity][fleet]") {
  PoissonWorkload w;
  w.arrivals_per_hour = 6;
  w.jobs = 4000;
  w.mean_service_h = 1;
  CapacityConfig base;
  base.autoscale.enabled = true;
  base.autoscale.usd_per_device_hour = 4.0;
  base.autoscale.max_devices = 32;
  base.autoscale.step_devices = 2;
  base.autoscale.provisioning_delay_s = 300;
  base.autoscale.check_interval_s = 120;
  base.autoscale.cooldown_s = 120;
  FleetSearch s;
  s.owned_grid = {0, 4, 6, 8, 10, 14};
  s.owned_usd_per_device_hour = 1.5;
  s.wait_limit_p95_s = 3600;
  s.seeds = {1, 2};
  const FleetResult f = optimise_fleet(w, base, s);
  REQUIRE(f.curve.size() == 6);
  REQUIRE(f.best);
  // Owning nothing pays the burst price on all work; owning far too much pays idle devices.
  CHECK(f.best->owned_devices > 0);
  CHECK(f.best->owned_devices < 14);
  for (const auto& p : f.curve) CHECK(f.best->expected_cost_usd <= p.expected_cost_usd + (p.feasible ? 0 : 1e300));
}

TEST_CASE("Alibaba GPU 2023 excerpt: importer and replay", "[capacity][traces]") {
  const auto text = slurp(std::string(FLOPCAST_SOURCE_DIR) + "/tests/data/traces/alibaba_gpu2023_openb_pod_list_default.head2000.csv");
  const TraceImport t = parse_alibaba_gpu2023(text);
  // README facts for the excerpt: 2,000 rows, 158 pending, num_gpu 0: 275 (over all rows).
  CHECK(t.rows == 2000);
  std::int64_t eight = 0, two = 0;
  for (const auto& j : t.jobs) eight += j.devices == 8, two += j.devices == 2;
  CHECK(eight <= 6);
  CHECK(two <= 1);
  CHECK(t.jobs.size() + t.skipped == 2000);
  CHECK(t.skipped >= 158);
  CHECK(t.jobs.size() == t.observed_queue_s.size());
  const Summary q = summarise(t.observed_queue_s);
  CHECK(q.max <= 14330);  // the full file's maximum queue
  // Replay on the cluster's GPUs (6,212 in the node list): its queue is short, as observed.
  CapacityConfig cfg;
  cfg.pools = {{"openb", 6212, true, 1}};
  cfg.scheduler = Scheduler::fifo;
  const auto r = simulate(t.jobs, cfg);
  CHECK(r.jobs_done == static_cast<std::int64_t>(t.jobs.size()));
  CHECK(r.wait_p50_s <= q.median + 1.0);
  CHECK_THROWS_WITH(parse_alibaba_gpu2023("name,num_gpu\n"), Catch::Contains("gpu_milli"));
  CHECK_THROWS_WITH(parse_alibaba_gpu2023(text.substr(0, text.find('\n') + 1) + "x,1,2\n"), Catch::Contains("line 2"));
}

TEST_CASE("Helios, Philly and PAI 2020 importers read their documented layouts", "[capacity][traces]") {
  const std::string helios =
      "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n"
      "1425511,uXBbc,vcJkd,1,1,1,COMPLETED,2020-06-09 18:41:01,2020-06-09 18:41:01,2020-06-10 04:55:09,36848,0\n"
      "1425512,uVMrF,vchbv,4,16,1,FAILED,2020-06-09 18:41:27,2020-06-09 18:41:27,2020-06-09 18:45:36,249,0\n"
      "1425513,uzqls,vcpDC,0,1,1,CANCELLED,2020-06-09 18:41:28,2020-06-09 18:41:28,2020-06-17 14:15:21,675233,0\n";
  const auto h = parse_helios(helios);
  REQUIRE(h.jobs.size() == 2);
  CHECK(h.skipped == 1);
  CHECK(h.jobs[1].arrival_s == 26);
  CHECK(h.jobs[1].devices == 4);
  CHECK(h.jobs[0].service_s == 36848);
  CHECK(parse_datetime_s("2020-06-10 04:55:09") - parse_datetime_s("2020-06-09 18:41:01") == 36848);

  const auto philly = slurp(std::string(FLOPCAST_SOURCE_DIR) + "/tests/data/traces/philly_cluster_job_log.readme_example.json");
  const auto p = parse_philly(philly);
  CHECK(p.rows == 1);
  CHECK(p.jobs.size() + p.skipped == 1);
  CHECK_THROWS(parse_philly("{}"));
  try {
    parse_philly("[\n  {\"jobid\": 1,\n");
    FAIL("a truncated Philly trace was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(
        std::string(e.what()) ==
        "line 3, column 1: invalid JSON: syntax error while parsing object key - unexpected end of "
        "input; expected string literal (a Philly trace is a JSON array of jobs)");
  }

  const std::string jobs = "j1,i1,u1,Terminated,100.0,400.0\nj2,i2,u2,Running,150.0,\n";
  const std::string tasks =
      "j1,worker,2.0,Terminated,130.0,400.0,600.0,29.3,50.0,V100\n"
      "j1,ps,1.0,Terminated,120.0,390.0,600.0,29.3,,V100\n"
      "j2,worker,1.0,Running,160.0,,600.0,29.3,100.0,T4\n";
  const auto a = parse_pai2020(jobs, tasks);
  REQUIRE(a.jobs.size() == 1);
  CHECK(a.jobs[0].devices == 1);  // 2 × 50 % of a GPU
  CHECK(a.jobs[0].service_s == 280);
  CHECK(a.observed_queue_s[0] == 20);
  CHECK(a.skipped == 1);
}
