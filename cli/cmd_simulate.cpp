// `flopcast simulate SCENARIO [--level iteration|run] [--seeds N] [--trace out.json]
//                             [--format table|json] [--out FILE] [--representative-tp]`
// The discrete-event simulations (simulator/): one iteration on the topology (step time, bubble,
// busy/idle per device, link utilisation, critical path) or the whole run with failures,
// checkpoints, restarts and preemption (wall time, goodput, GPU-hours, P10/P50/P90 over seeds).
// Durations come from the analytic model (models::estimate); files are read and written only
// through scenarios/ and hwprofiles/. Ctrl-C stops cleanly (exit 1, "cancelled").
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "flopcast/version.h"
#include "hwprofiles/catalog.h"
#include "hwprofiles/node_profile.h"
#include "models/estimate.h"
#include "scenarios/atomic_file.h"
#include "scenarios/scenario.h"
#include "scenarios/sha256.h"
#include "scenarios/trace_writer.h"
#include "scenarios/zoo_run.h"
#include "simulator/durations.h"
#include "simulator/iteration.h"
#include "simulator/profiles.h"
#include "simulator/run.h"

namespace flopcast::cli {
namespace {

using nlohmann::ordered_json;

std::atomic<bool> g_cancel{false};
extern "C" void on_sigint(int) { g_cancel.store(true); }

struct SimulateOptions {
  std::string scenario;
  std::string level;  // "" = the scenario's /simulation/level (estimate -> iteration)
  int seeds = 0;      // 0 = the scenario's /simulation/seeds
  std::string trace;
  std::string format = "table";
  std::string out;
  bool representative_tp = false;
  bool full = false;  // never use the representative-rank shortcut
};

class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Finite or null (never nan/inf in output).
ordered_json num(double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); }

ordered_json quantiles_json(const simulator::Quantiles& q, double scale = 1.0) {
  return {{"mean", num(q.mean * scale)}, {"p10", num(q.p10 * scale)}, {"p50", num(q.p50 * scale)},
          {"p90", num(q.p90 * scale)}, {"sd", num(q.sd * scale)}, {"ci95_half_width", num(q.ci95_half_width * scale)}};
}

const ordered_json* at(const ordered_json& j, const char* pointer) {
  const ordered_json::json_pointer p(pointer);
  return j.contains(p) && !j.at(p).is_null() ? &j.at(p) : nullptr;
}

class ProgressBar {
 public:
  explicit ProgressBar(std::string what) : what_(std::move(what)), tty_(isatty(2) != 0), t0_(clock::now()) {}
  ~ProgressBar() { done(); }
  void update(double f) {
    if (!tty_) return;
    const auto now = clock::now();
    if (now - t0_ < std::chrono::milliseconds(500) || now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const int width = 30, filled = static_cast<int>(f * width);
    std::cerr << "\r" << what_ << " [" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << static_cast<int>(f * 100) << "%"
              << std::flush;
    shown_ = true;
  }
  void done() {
    if (shown_) std::cerr << "\r" << std::string(what_.size() + 40, ' ') << "\r" << std::flush;
    shown_ = false;
  }

 private:
  using clock = std::chrono::steady_clock;
  std::string what_;
  bool tty_;
  clock::time_point t0_, last_{};
  bool shown_ = false;
};

struct Prepared {
  scenarios::Scenario s;
  models::EstimateInput in;
  models::EstimateResult est;
  std::string input_sha256;
  simulator::NodeSpec node;
  simulator::ClusterSpec cluster;
  std::string cluster_id;
  std::optional<scenarios::ZooStep> zoo;  // model-library workloads (encoder, ViT, CNN, ...)
  double failure_free_time_s = 0;         // the whole run without interruptions or checkpoints
};

Prepared prepare(const SimulateOptions& o) {
  Prepared p;
  std::string text;
  if (auto err = scenarios::read_file(o.scenario, text); !err.empty()) throw BadInput(err);
  p.input_sha256 = scenarios::sha256_hex(text);
  auto lr = scenarios::load_scenario_text(text, o.scenario);
  if (!lr.ok) {
    std::string line = lr.diagnostics.empty() ? o.scenario + ": invalid scenario" : lr.diagnostics.front().to_string();
    if (lr.diagnostics.size() > 1) line += " (and " + std::to_string(lr.diagnostics.size() - 1) + " more)";
    throw BadInput(line);
  }
  p.s = std::move(lr.scenario);
  models::DeviceSpec device;
  if (p.s.device_profile) {
    const nlohmann::json j = nlohmann::json::parse(p.s.device_profile->dump());
    auto pr = hwprofiles::parse_device_profile(j, o.scenario, "/hardware/device_profile");
    if (!pr.ok()) throw BadInput(pr.errors.front().to_string());
    device = pr.profile->to_device_spec();
  } else {
    const auto* d = hwprofiles::builtin_catalog().find(p.s.device_id);
    if (!d) throw BadInput(o.scenario + ": /hardware/device: \"" + p.s.device_id + "\": expected a built-in device id");
    device = d->to_device_spec();
  }
  if (p.s.zoo) {
    // Model-library presets: the zoo model's step (data parallelism, tensor parallelism where the
    // scenario gives it), simulated as scenarios/zoo_run.h lays it out.
    scenarios::ZooStep st = scenarios::zoo_step(p.s, device, p.s.device_count);
    if (!st.ok)
      throw BadInput(o.scenario +
                     ": the model-library estimate cannot run this scenario: " + st.why);
    p.est = scenarios::zoo_run_totals(p.s, device, p.s.device_count, st);
    if (!p.est.ok)
      throw BadInput(o.scenario +
                     ": the model-library estimate cannot run this scenario: " + p.est.error);
    p.est.breakdown.num_microbatches = st.input.grad_accumulation;
    p.failure_free_time_s =
        p.s.zoo->training_samples / (st.result.samples_per_s_per_gpu * p.s.device_count);
    p.est.training_time_s = p.failure_free_time_s;  // the run simulation produces the goodput
    p.in.device = device;
    p.in.device_count = p.s.device_count;
    p.zoo = std::move(st);
  } else {
    p.in = scenarios::to_estimate_input(p.s, device);
    p.in.goodput = 1.0;  // the run simulation produces the goodput
    p.est = models::estimate(p.in);
    if (!p.est.ok)
      throw BadInput(o.scenario + ": the analytic model cannot run this scenario: " + p.est.error);
    // Daly's T_s: tokens / (throughput of the failure-free schedule), no checkpoints.
    p.failure_free_time_s =
        p.in.training.training_tokens / (p.est.tokens_per_s_per_gpu * p.in.device_count);
  }
  // Topology: a named cluster profile, else what the device profile implies.
  if (const auto* c = at(p.s.effective, "/simulation/cluster")) {
    p.cluster_id = c->get<std::string>();
    const auto* cp = hwprofiles::find_cluster(p.cluster_id);
    if (!cp) throw BadInput(o.scenario + ": /simulation/cluster: \"" + p.cluster_id + "\": expected a built-in cluster profile id");
    p.node = simulator::node_spec_from(*hwprofiles::find_node(cp->node));
    p.cluster = simulator::cluster_spec_from(*cp);
    if (p.node.gpus_per_node * p.cluster.nodes < p.in.device_count)
      throw BadInput(o.scenario + ": /simulation/cluster: \"" + p.cluster_id + "\" has " +
                     std::to_string(p.node.gpus_per_node * p.cluster.nodes) + " GPUs, the scenario needs " +
                     std::to_string(p.in.device_count));
  } else {
    try {
      simulator::specs_from_device(device, p.in.device_count, p.node, p.cluster);
    } catch (const std::invalid_argument& e) {
      throw BadInput(o.scenario + ": /hardware: " + e.what());
    }
  }
  return p;
}

ordered_json header(const Prepared& p, const SimulateOptions& o, const std::string& level) {
  ordered_json j;
  j["result_version"] = 1;
  j["job"] = "simulate";
  j["level"] = level;
  j["scenario"] = {{"name", p.s.name}, {"file", o.scenario}};
  const auto& l = p.est.layout;
  j["layout"] = {{"dp", l.dp}, {"tp", l.tp}, {"pp", l.pp}, {"cp", l.cp}, {"ep", l.ep}, {"vp", l.vp},
                 {"num_microbatches", p.est.breakdown.num_microbatches}};
  j["hardware"] = {{"device", p.in.device.id}, {"device_count", p.in.device_count},
                   {"cluster", p.cluster_id.empty() ? ordered_json(nullptr) : ordered_json(p.cluster_id)},
                   {"gpus_per_node", p.node.gpus_per_node}, {"nodes", p.cluster.nodes}};
  j["estimate"] = {{"step_time_s", num(p.est.step_time_s)},
                   {"pipeline_bubble_fraction", num(p.est.pipeline_bubble_fraction)},
                   {"training_time_s", num(p.est.training_time_s)}};
  return j;
}

ordered_json provenance(const Prepared& p, std::uint64_t seed) {
  return {{"flopcast_version", kVersion}, {"git_sha", kGitSha}, {"input_sha256", p.input_sha256},
          {"catalog_hash", hwprofiles::catalog_hash()}, {"seed", seed}, {"devices", p.in.device_count}};
}

int run_iteration(const Prepared& p, const SimulateOptions& o, ordered_json& j, std::string& table) {
  const auto costs = p.zoo ? simulator::iteration_costs_from_zoo(p.zoo->input, p.zoo->result)
                           : simulator::iteration_costs_from_estimate(p.in, p.est);
  simulator::IterationOptions io;
  // Above kAutoRepresentativeGpus the representative-rank shortcut is on unless --full: it gives the
  // same result as the full simulation (tests/simulator, 256 GPUs) at ~tp x fewer flows.
  constexpr int kAutoRepresentativeGpus = 2048;
  io.representative_tp = o.representative_tp || (!o.full && p.in.device_count > kAutoRepresentativeGpus);
  io.record_timeline = !o.trace.empty();
  io.cancel = &g_cancel;
  simulator::Engine engine;
  simulator::FlowNetwork net(engine);
  simulator::IterationResult r;
  try {
    simulator::Topology topo(net, p.node, p.cluster);
    ProgressBar bar("simulating one iteration");
    io.progress = [&bar](double f) { bar.update(f); };
    r = simulator::simulate_iteration(costs, engine, &topo, io);
  } catch (const std::invalid_argument& e) {
    throw BadInput(o.scenario + ": topology: " + e.what());
  }
  if (r.cancelled) throw std::runtime_error("cancelled");
  if (!r.ok) throw std::runtime_error("iteration simulation failed: " + r.error);
  ordered_json it;
  it["step_time_s"] = num(r.step_time_s);
  it["estimate_step_time_s"] = num(p.est.step_time_s);
  it["ratio_to_estimate"] = num(r.step_time_s / p.est.step_time_s);
  it["pipeline_span_s"] = num(r.pipeline_span_s);
  it["bubble_fraction"] = num(r.bubble_fraction);
  it["event_count"] = r.event_count;
  it["events"] = {{"compute_ops", r.compute_ops},
                  {"tp_collectives", r.tp_collectives},
                  {"ep_collectives", r.ep_collectives},
                  {"cp_collectives", r.cp_collectives},
                  {"p2p_sends", r.p2p_sends},
                  {"dp_collectives", r.dp_collectives},
                  {"optimizer_steps", r.optimizer_steps},
                  {"expected", simulator::expected_event_count(costs, true)},
                  {"engine_events", r.engine_events},
                  {"flows", r.flows}};
  ordered_json devs = ordered_json::array();
  const int cp_ranks =
      std::max(1, p.est.layout.cp);  // the simulator's workers: dp × cp (simulator/durations.h)
  double busy_min = 1e300, busy_max = 0;
  for (int w = 0; w < r.workers; ++w) {
    const double b = r.worker_busy_s[static_cast<std::size_t>(w)];
    busy_min = std::min(busy_min, b);
    busy_max = std::max(busy_max, b);
    if (w < 64)
      devs.push_back({{"dp_replica", r.worker_d[static_cast<std::size_t>(w)] / cp_ranks},
                      {"cp_rank", r.worker_d[static_cast<std::size_t>(w)] % cp_ranks},
                      {"pipeline_rank", r.worker_p[static_cast<std::size_t>(w)]},
                      {"tp_gpus", r.tp},
                      {"busy_s", num(b)},
                      {"idle_s", num(r.worker_idle_s[static_cast<std::size_t>(w)])}});
  }
  it["devices"] = {{"groups", r.workers}, {"busy_s_min", num(busy_min)}, {"busy_s_max", num(busy_max)},
                   {"first_groups", devs}};
  ordered_json links = ordered_json::array();
  for (std::size_t i = 0; i < r.links.size() && i < 20; ++i)
    links.push_back({{"name", r.links[i].name}, {"kind", r.links[i].kind}, {"bytes", num(r.links[i].bytes)},
                     {"busy_s", num(r.links[i].busy_s)}, {"utilisation", num(r.links[i].utilisation)}});
  it["links"] = {{"used", r.links.size()}, {"max_utilisation", num(r.max_link_utilisation)}, {"top", links}};
  ordered_json cp = ordered_json::array();
  for (std::size_t i = 0; i < r.critical_path.size(); ++i) {
    if (r.critical_path.size() > 40 && i == 20) {
      cp.push_back({{"what", "... " + std::to_string(r.critical_path.size() - 40) + " more"}});
      i = r.critical_path.size() - 20;
    }
    const auto& s = r.critical_path[i];
    cp.push_back({{"what", s.what}, {"start_s", num(s.start_s)}, {"end_s", num(s.end_s)}});
  }
  it["critical_path"] = {{"segments", r.critical_path.size()}, {"compute_s", num(r.critical_compute_s)},
                         {"waiting_s", num(r.critical_wait_s)}, {"path", cp}};
  it["representative_tp"] = io.representative_tp;
  j["iteration"] = it;
  if (!o.trace.empty()) {
    if (auto err = scenarios::write_chrome_trace(o.trace, r); !err.empty()) throw std::runtime_error(err);
    j["trace_file"] = o.trace;
  }
  Table t({"quantity", "value"});
  t.add_row({"scenario", p.s.name});
  t.add_row({"devices",
             std::to_string(p.in.device_count) + " (dp " + std::to_string(p.est.layout.dp) +
                 (cp_ranks > 1 ? ", cp " + std::to_string(cp_ranks) : std::string()) + ", tp " +
                 std::to_string(costs.layout.tp) + ", pp " + std::to_string(costs.layout.pp) +
                 ", " + std::to_string(costs.num_microbatches) + " micro-batches)"});
  t.add_row({"step time (simulated)", format_duration_s(r.step_time_s)});
  t.add_row({"step time (estimate)", format_duration_s(p.est.step_time_s) + " (sim/estimate " +
                                         format_number(r.step_time_s / p.est.step_time_s, 4) + ")"});
  t.add_row({"pipeline bubble", format_number(r.bubble_fraction * 100) + " %"});
  t.add_row({"busy per GPU", format_duration_s(busy_min) + " .. " + format_duration_s(busy_max)});
  t.add_row({"max link utilisation", format_number(r.max_link_utilisation * 100) + " %" +
                                          (r.links.empty() ? "" : " (" + r.links.front().name + ")")});
  t.add_row({"critical path", std::to_string(r.critical_path.size()) + " segments, compute " +
                                  format_duration_s(r.critical_compute_s) + ", waiting " +
                                  format_duration_s(r.critical_wait_s)});
  t.add_row({"operations simulated", format_number(double(r.event_count), 1) + " (" +
                                         format_number(double(r.engine_events), 1) +
                                         " engine events, " + format_number(double(r.flows), 1) +
                                         " flows)"});
  if (!o.trace.empty()) t.add_row({"trace", o.trace});
  t.right_align(1);
  table = t.render(fancy_output());
  return kExitOk;
}

int run_run(const Prepared& p, const SimulateOptions& o, ordered_json& j, std::string& table) {
  const auto& e = p.s.effective;
  simulator::RunSpec spec;
  spec.devices = p.in.device_count;
  spec.step_time_s = p.est.step_time_s;
  spec.failure_free_time_s = p.failure_free_time_s;
  if (!(spec.failure_free_time_s > 0) || !std::isfinite(spec.failure_free_time_s))
    throw BadInput(
        o.scenario +
        (p.zoo ? ": /workload/training_samples: the run simulation needs training samples > 0"
               : ": /workload/training_tokens: the run simulation needs training tokens > 0"));
  const ordered_json* interval = at(e, "/simulation/checkpoint_interval_s");
  const bool auto_interval = !interval || interval->is_string();
  spec.checkpoint_interval_s = auto_interval ? 0 : interval->get<double>();
  const double ckpt_bytes = simulator::checkpoint_bytes(p.est.params);
  std::string write_source;
  if (const auto* w = at(e, "/simulation/checkpoint_write_s")) {
    spec.checkpoint_write_s = w->get<double>();
    write_source = "scenario /simulation/checkpoint_write_s";
  } else {
    double bw = p.cluster.storage_write_bytes_per_s;
    write_source = "checkpoint bytes / cluster " + p.cluster_id + " storage write bandwidth";
    if (const auto* b = at(e, "/simulation/storage_write_bytes_per_s")) {
      bw = b->get<double>();
      write_source = "checkpoint bytes / /simulation/storage_write_bytes_per_s";
    }
    if (!(bw > 0))
      throw BadInput(o.scenario + ": /simulation/checkpoint_write_s: needed: expected a number (s), or a storage "
                                  "write bandwidth (/simulation/storage_write_bytes_per_s or a /simulation/cluster with one)");
    spec.checkpoint_write_s = ckpt_bytes / bw;
  }
  spec.restart_s = at(e, "/simulation/restart_s") ? at(e, "/simulation/restart_s")->get<double>() : 600;
  spec.failures = at(e, "/simulation/failures") ? at(e, "/simulation/failures")->get<bool>() : true;
  if (const auto* m = at(e, "/simulation/mtbf_s")) spec.mtbf_s = m->get<double>();
  spec.preemptions_per_hour = at(e, "/simulation/preemptions_per_hour") ? at(e, "/simulation/preemptions_per_hour")->get<double>() : 0;
  spec.preemption_notice_s = at(e, "/simulation/preemption_notice_s") ? at(e, "/simulation/preemption_notice_s")->get<double>() : 0;
  spec.requeue_s = at(e, "/simulation/requeue_s") ? at(e, "/simulation/requeue_s")->get<double>() : 0;
  if (auto err = spec.validate(); !err.empty()) throw BadInput(o.scenario + ": /simulation: " + err);
  const int seeds = o.seeds > 0 ? o.seeds : static_cast<int>(at(e, "/simulation/seeds") ? at(e, "/simulation/seeds")->get<long long>() : 100);
  const std::uint64_t seed = p.s.seed;
  simulator::RunSummary r;
  {
    ProgressBar bar("simulating " + std::to_string(seeds) + " runs");
    r = simulator::simulate_run(spec, seeds, seed, [&](double f) { bar.update(f); }, &g_cancel);
  }
  if (r.cancelled) throw std::runtime_error("cancelled");
  if (!r.ok) throw std::runtime_error("run simulation failed: " + r.error);
  std::vector<simulator::WastePoint> curve;
  if (auto_interval && spec.effective_mtbf_s() > 0) {
    ProgressBar bar("waste curve");
    curve = simulator::waste_curve(spec, {0.5, 0.75, 1.0, 1.5, 2.0}, std::min(seeds, 200), seed, &g_cancel);
    if (g_cancel.load()) throw std::runtime_error("cancelled");
  }
  ordered_json run;
  run["seeds"] = r.seeds;
  run["failure_free_time_s"] = num(spec.failure_free_time_s);
  run["failure_free_time_h"] = num(spec.failure_free_time_s / 3600);
  run["wall_time_s"] = quantiles_json(r.wall_time_s);
  run["wall_time_h"] = quantiles_json(r.wall_time_s, 1.0 / 3600);
  run["wall_to_failure_free_ratio"] = quantiles_json(r.ratio);
  run["daly_expected_ratio"] = num(r.daly_ratio);
  run["goodput"] = quantiles_json(r.goodput);
  run["gpu_hours"] = quantiles_json(r.gpu_hours);
  run["checkpoint"] = {{"interval_s", num(r.interval_s)},
                       {"interval_mode", auto_interval ? "auto (Daly 2006)" : "scenario"},
                       {"young_interval_s", num(simulator::young_interval_s(spec.checkpoint_write_s, r.mtbf_s))},
                       {"write_s", num(spec.checkpoint_write_s)},
                       {"write_source", write_source},
                       {"bytes", num(ckpt_bytes)}};
  run["failures"] = {{"mtbf_s", num(r.mtbf_s)},
                     {"mtbf_source", at(e, "/simulation/mtbf_s") ? "scenario /simulation/mtbf_s"
                                                                 : "Llama 3 405B per-GPU rates (arXiv 2407.21783) x devices"},
                     {"enabled", spec.failures},
                     {"per_run", quantiles_json(r.failures)},
                     {"restart_s", num(spec.restart_s)}};
  ordered_json by = ordered_json::object();
  for (std::size_t k = 0; k < r.component_names.size(); ++k) by[r.component_names[k]] = num(r.mean_failures_by_component[k]);
  run["failures"]["mean_by_component"] = by;
  run["lost_work_s"] = quantiles_json(r.lost_work_s);
  run["preemption"] = {{"per_hour", num(spec.preemptions_per_hour)}, {"notice_s", num(spec.preemption_notice_s)},
                       {"requeue_s", num(spec.requeue_s)}};
  ordered_json wc = ordered_json::array();
  for (const auto& w : curve)
    wc.push_back({{"interval_s", num(w.interval_s)}, {"simulated_ratio", num(w.simulated_ratio)},
                  {"ci95_half_width", num(w.ci95_half_width)}, {"daly_ratio", num(w.daly_ratio)}});
  run["waste_curve"] = wc;
  run["engine_events"] = r.events;
  j["run"] = run;
  // The headline figures also at the top level, so Daly's ratio can be checked without digging:
  // wall_time_s / failure_free_time_s (mean and P50 over seeds).
  for (const char* key : {"wall_time_s", "wall_time_h", "failure_free_time_s"}) j[key] = run[key];

  Table t({"quantity", "value"});
  t.add_row({"scenario", p.s.name});
  t.add_row({"devices", std::to_string(p.in.device_count)});
  t.add_row({"failure-free time T_s", format_duration_s(spec.failure_free_time_s)});
  t.add_row({"wall time P10 / P50 / P90", format_duration_s(r.wall_time_s.p10) + " / " +
                                               format_duration_s(r.wall_time_s.p50) + " / " +
                                               format_duration_s(r.wall_time_s.p90)});
  t.add_row({"T_w/T_s mean (95% CI)", format_number(r.ratio.mean, 5) + " +- " + format_number(r.ratio.ci95_half_width, 2) +
                                          " (Daly: " + format_number(r.daly_ratio, 5) + ")"});
  t.add_row({"goodput P50", format_number(r.goodput.p50 * 100) + " %"});
  t.add_row({"GPU-hours P50", format_number(r.gpu_hours.p50)});
  t.add_row({"interruptions per run (mean)", format_number(r.failures.mean) + " (MTBF " + format_duration_s(r.mtbf_s) + ")"});
  t.add_row({"checkpoint interval", format_duration_s(r.interval_s) +
                                         (!auto_interval                        ? ""
                                          : r.interval_s > spec.step_time_s ? " (Daly)"
                                                                            : " (one step: Daly's is shorter)") + ", write " +
                                        format_duration_s(spec.checkpoint_write_s)});
  for (const auto& w : curve)
    t.add_row({"  waste at interval " + format_duration_s(w.interval_s),
               "T_w/T_s " + format_number(w.simulated_ratio, 5) + " (Daly " + format_number(w.daly_ratio, 5) + ")"});
  t.add_row({"seeds", std::to_string(r.seeds)});
  t.right_align(1);
  table = t.render(fancy_output());
  return kExitOk;
}

void run_simulate(const SimulateOptions& o) {
  g_cancel.store(false);
  auto old = std::signal(SIGINT, on_sigint);
  try {
    Prepared p = prepare(o);
    std::string level = o.level;
    if (level.empty()) level = p.s.level == "run" ? "run" : "iteration";
    if (!o.trace.empty() && level != "iteration") throw BadInput("--trace needs --level iteration");
    ordered_json j = header(p, o, level);
    std::string table;
    if (level == "iteration") run_iteration(p, o, j, table);
    else run_run(p, o, j, table);
    j["provenance"] = provenance(p, p.s.seed);
    const std::string json_text = j.dump(2) + "\n";
    if (!o.out.empty())
      if (auto err = scenarios::write_file_atomic(o.out, json_text); !err.empty()) throw std::runtime_error(err);
    if (o.format == "json") std::cout << json_text;
    else std::cout << table;
    std::cout.flush();
    set_exit_code(kExitOk);
  } catch (const BadInput& e) {
    std::cerr << "flopcast: " << e.what() << "\n";
    set_exit_code(kExitBadInput);
  } catch (const std::exception& e) {
    std::cerr << "flopcast: " << e.what() << "\n";
    set_exit_code(kExitFailure);
  }
  std::signal(SIGINT, old);
}

}  // namespace

void register_simulate(CLI::App& app) {
  auto opts = std::make_shared<SimulateOptions>();
  CLI::App* cmd = app.add_subcommand("simulate", "Discrete-event simulation of one iteration or a whole run");
  cmd->add_option("scenario", opts->scenario, "Scenario file (JSON, see docs/scenario-format.md)")->required();
  cmd->add_option("--level", opts->level, "iteration (one step on the topology) or run (failures, checkpoints)")
      ->check(CLI::IsMember({"iteration", "run"}));
  cmd->add_option("--seeds", opts->seeds, "Run level: independent runs (default: /simulation/seeds)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--trace", opts->trace, "Iteration level: write a Chrome-trace/Perfetto JSON file");
  cmd->add_option("--format", opts->format, "Output: table (for people) or json")->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--out", opts->out, "Also write the result JSON to FILE (atomically)");
  cmd->add_flag("--representative-tp", opts->representative_tp,
                "Simulate the flows of one tensor-parallel rank per group (faster; exact when each GPU has its own links;"
                " on by default above 2,048 GPUs)");
  cmd->add_flag("--full", opts->full, "Simulate every rank's flows even above 2,048 GPUs");
  cmd->callback([opts] { run_simulate(*opts); });
}

}  // namespace flopcast::cli
