// Scenario keys of the "simulation" section: which level of the model runs and run-level
// factors (goodput), and the options of the iteration and run simulators (`flopcast simulate`).
#include <string>

#include "scenarios/keys_sections.h"

namespace flopcast::scenarios::detail {

namespace {
const char* kGroup = "simulation";
}

void add_simulation_keys(std::vector<KeySpec>& k) {
  k.push_back({.pointer = "/simulation", .type = KeyType::object, .default_value = nlohmann::ordered_json::object(),
               .help = "Simulation options.", .group = kGroup});
  k.push_back({.pointer = "/simulation/level", .type = KeyType::enumeration, .default_value = "estimate",
               .choices = {"estimate", "iteration", "run"},
               .help = "estimate: the analytic model (microseconds); iteration: the discrete-event simulation of one step; run: the whole run with failures and checkpoints (`flopcast simulate`).",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/goodput", .type = KeyType::any_of, .default_value = "auto",
               .unit = "fraction", .minimum = 0.01, .maximum = 1, .choices = {"auto"},
               .help = "Fraction of wall time spent on useful training steps (failures, restarts, checkpoints, evaluation and start-up take the rest); \"auto\": g0 (fitted on published whole runs) x the interruption goodput of this many devices (models/goodput.h), as `flopcast predict` applies to published runs (model-library presets: the interruption goodput alone); 1: compute time only.",
               .group = kGroup});
  // Iteration and run simulation (`flopcast simulate`, simulator/).
  k.push_back({.pointer = "/simulation/seeds", .type = KeyType::integer, .default_value = 100, .minimum = 1,
               .maximum = 100000, .help = "Run simulation: independent runs (seeds seed, seed+1, ...) for P10/P50/P90.",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/checkpoint_interval_s", .type = KeyType::any_of, .default_value = "auto",
               .unit = "s", .minimum = 1, .choices = {"auto"},
               .help = "Compute time between checkpoints; \"auto\": Daly's optimum for the checkpoint write time and MTBF.",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/checkpoint_write_s", .type = KeyType::number, .unit = "s", .minimum = 0,
               .maximum = 1e6, .help = "Time to write one checkpoint; absent: model state (14 B/parameter) / the cluster's storage write bandwidth.",
               .group = kGroup, .default_text = "from the checkpoint size and storage bandwidth"});
  k.push_back({.pointer = "/simulation/restart_s", .type = KeyType::number, .default_value = 600, .unit = "s",
               .minimum = 0, .maximum = 1e7, .help = "Time from an interruption to training again (re-schedule, re-load the checkpoint).",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/failures", .type = KeyType::boolean, .default_value = true,
               .help = "Draw unexpected interruptions (false: a failure-free run).", .group = kGroup});
  k.push_back({.pointer = "/simulation/mtbf_s", .type = KeyType::number, .unit = "s", .minimum = 1, .maximum = 1e10,
               .help = "Mean time between interruptions of the whole job; absent: Llama 3's per-GPU rates (419 in 54 days on 16,384 GPUs) times the device count.",
               .group = kGroup, .default_text = "Llama 3 per-GPU rate × devices"});
  k.push_back({.pointer = "/simulation/preemptions_per_hour", .type = KeyType::number, .default_value = 0,
               .unit = "1/h", .minimum = 0, .maximum = 100, .help = "Spot preemptions of the whole job per hour.",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/preemption_notice_s", .type = KeyType::number, .default_value = 0, .unit = "s",
               .minimum = 0, .maximum = 86400, .help = "Notice before a spot preemption; at least the checkpoint write time saves the work.",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/requeue_s", .type = KeyType::number, .default_value = 0, .unit = "s",
               .minimum = 0, .maximum = 1e8, .help = "Wait for capacity after a preemption, before the restart.",
               .group = kGroup});
  k.push_back({.pointer = "/simulation/cluster", .type = KeyType::string,
               .help = "Built-in cluster profile id (hwprofiles/data/clusters/) for the topology and storage bandwidth; absent: one switch, links from the device profile.",
               .group = kGroup, .default_text = "none"});
  k.push_back({.pointer = "/simulation/storage_write_bytes_per_s", .type = KeyType::number, .unit = "bytes/s",
               .minimum = 1e6, .maximum = 1e16, .help = "Aggregate checkpoint write bandwidth; overrides the cluster profile's.",
               .group = kGroup, .default_text = "the cluster profile's"});
}

void apply_simulation(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  s.level = r.string("/simulation/level", "estimate");
  if (const auto* v = r.get("/simulation/checkpoint_interval_s");
      v && !(v->is_string() && v->get<std::string>() == "auto") && !(v->is_number() && v->get<double>() >= 1 && v->get<double>() <= 1e9))
    issues.push_back({"/simulation/checkpoint_interval_s", "is " + v->dump() + ": expected \"auto\" or a number in 1..1e9 (s)"});
  if (const auto* v = r.get("/simulation/goodput"); v && !(v->is_string() && v->get<std::string>() == "auto")) {
    if (v->is_number() && v->get<double>() >= 0.01 && v->get<double>() <= 1) s.goodput = v->get<double>();
    else issues.push_back({"/simulation/goodput", "is " + v->dump() + ": expected \"auto\" or a number in 0.01..1 (fraction)"});
  }
}

}  // namespace flopcast::scenarios::detail
