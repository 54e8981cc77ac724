// Hardware choice sweep: see sweep.h for the method.
#include "scenarios/sweep.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "flopcast/version.h"
#include "hwprofiles/catalog.h"
#include "hwprofiles/device_profile.h"
#include "scenarios/key_table.h"
#include "scenarios/model_library.h"
#include "scenarios/record_values.h"
#include "scenarios/result_json.h"
#include "scenarios/scenario.h"
#include "scenarios/sha256.h"
#include "scenarios/uncertainty.h"
#include "scenarios/zoo_run.h"

namespace flopcast::scenarios {

using nlohmann::ordered_json;

namespace {


std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    out.push_back(trim(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// A whole positive integer within 1 .. kMaxSweepDevices; nullopt otherwise.
std::optional<int> parse_count(const std::string& s) {
  long long v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  const auto [p, ec] = std::from_chars(b, e, v);
  if (s.empty() || ec != std::errc() || p != e || v < 1 || v > kMaxSweepDevices) return std::nullopt;
  return static_cast<int>(v);
}

std::string fmt_g(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

Diagnostic diag(const std::string& file, const std::string& pointer, const std::string& message) {
  Diagnostic d;
  d.file = file;
  d.pointer = pointer;
  d.message = message;
  return d;
}

// Cheapest on-demand catalog price; ties: provider name, then date (deterministic).
PriceChoice catalog_price(const hwprofiles::DeviceProfile& d) {
  PriceChoice best;
  const hwprofiles::CloudPrice* chosen = nullptr;
  double chosen_usd = 0;
  for (const auto& c : d.cloud_prices) {
    if (c.pricing_kind != "on-demand") continue;
    std::optional<double> usd = c.usd_per_device_hr;
    if (!usd && c.usd_per_instance_hr && c.devices_per_instance && *c.devices_per_instance > 0)
      usd = *c.usd_per_instance_hr / *c.devices_per_instance;
    if (!usd || !std::isfinite(*usd) || *usd <= 0) continue;
    const bool better = !chosen || *usd < chosen_usd ||
                        (*usd == chosen_usd && (c.provider < chosen->provider ||
                                                (c.provider == chosen->provider &&
                                                 c.date.value_or("") < chosen->date.value_or(""))));
    if (better) {
      chosen = &c;
      chosen_usd = *usd;
    }
  }
  if (!chosen) {
    best.label = "unknown";
    best.why_unknown = "no /costs/usd_per_gpu_hour in the scenario and no on-demand price for " + d.id +
                       " in the catalog";
    return best;
  }
  best.usd_per_gpu_hour = chosen_usd;
  best.label = "catalog on-demand " + chosen->provider + " " + chosen->date.value_or("(undated)");
  return best;
}

// What the cost column rests on, in words (the table's footer and /sweep/price_basis).
std::string price_basis(const Scenario& sc, bool uniform) {
  const std::string catalog = "cheapest on-demand price of each device in the catalog";
  if (!sc.usd_per_gpu_hour) return catalog;
  const std::string usd = fmt_g(*sc.usd_per_gpu_hour) + " USD/GPU-hour";
  if (uniform) return "scenario /costs/usd_per_gpu_hour (" + usd + ") for every device";
  return "scenario /costs/usd_per_gpu_hour (" + usd + ") for " +
         (sc.device_id.empty() ? std::string("its custom device") : sc.device_id) + ", " + catalog +
         " for the others";
}

bool finite_result(const models::EstimateResult& r) {
  for (double v : {r.step_time_s, r.tokens_per_s_per_gpu, r.wall_time_h, r.gpu_hours, r.energy_mwh, r.cost_usd,
                   r.mfu, r.memory.total_bytes})
    if (!std::isfinite(v)) return false;
  return r.step_time_s > 0 && r.wall_time_h > 0 && r.gpu_hours > 0;
}

struct SweepJob {
  std::size_t device = 0;  // index into the evaluated devices
  int count = 0;
};

struct EvalDevice {
  const hwprofiles::DeviceProfile* profile = nullptr;
  models::DeviceSpec spec;
  PriceChoice price;
};

SweepRow evaluate(const Scenario& base, bool search_recompute, const EvalDevice& dev, int count) {
  SweepRow row;
  row.device_id = dev.profile->id;
  row.device_name = dev.profile->name;
  row.device_type = dev.profile->device_type;
  row.device_count = count;
  row.price = dev.price;
  row.wall_time_sigma =
      scenario_band_sigma(Spread::whole_run, base.zoo.has_value(), is_moe(base.model));
  Scenario s = base;
  s.device_count = count;
  s.auto_layout = true;
  s.layout.dp = count;
  if (base.zoo) {
    s.layout.dp = count / std::max(1, base.zoo->tensor_parallel);
    // Model-library presets: data parallelism over `count` devices, in replicas of the scenario's
    // tensor parallelism (the zoo model searches no layout; scenarios/zoo_run.h).
    s.usd_per_gpu_hour = dev.price.usd_per_gpu_hour.value_or(0.0);
    const ZooStep st = zoo_step(s, dev.spec, count);
    if (st.ok) {
      row.result = zoo_run_totals(s, dev.spec, count, st);
    } else {
      row.result.ok = false;
      row.result.error = st.why;
    }
  } else {
    models::EstimateInput in = to_estimate_input(s, dev.spec);
    // An explicit scenario layout was written for its own device count: search every part here.
    if (!base.auto_layout) in.fixed = {};
    in.fixed_recompute = !search_recompute;
    in.costs.usd_per_gpu_hour = dev.price.usd_per_gpu_hour.value_or(0.0);
    row.result = models::estimate(in);
  }
  const models::EstimateResult& r = row.result;
  row.memory_fit = memory_fit_text(r.memory);
  if (!r.ok) {
    row.reason = r.error.empty() ? "the estimate failed" : r.error;
    row.memory_fit = "not checked";
  } else if (!finite_result(r)) {
    row.reason = "internal error: the estimate produced a non-finite or zero time";
  } else if (r.memory.checked && !r.memory.fits) {
    const double need = r.leanest_memory_bytes > 0 ? r.leanest_memory_bytes : r.memory.total_bytes;
    row.reason = "does not fit in memory at any layout: none of the " + std::to_string(r.layouts_evaluated) +
                 " layouts tried fits; the leanest needs " + fmt_g(need / kGiB) + " GiB per device of " +
                 fmt_g(r.memory.capacity_bytes.value_or(0) / kGiB) + " GiB";
  } else {
    row.feasible = true;
    if (dev.price.usd_per_gpu_hour) row.cost_usd = r.cost_usd;
  }
  row.energy_known = r.energy_known;
  if (!row.feasible) row.cost_note = "configuration infeasible";
  else if (!row.cost_usd) row.cost_note = dev.price.why_unknown;
  else if (!row.energy_known && s.electricity_usd_per_kwh > 0)
    row.cost_note = "electricity not included: the energy is unknown (device power unknown)";
  return row;
}

ordered_json row_json(const SweepRow& row) {
  const models::EstimateResult& r = row.result;
  const bool has = row.feasible;
  ordered_json j;
  j["device"] = row.device_id;
  j["device_name"] = row.device_name;
  j["device_type"] = row.device_type;
  j["device_count"] = row.device_count;
  j["status"] = row.feasible ? "feasible" : "infeasible";
  j["reason"] = row.reason.empty() ? ordered_json(nullptr) : ordered_json(row.reason);
  j["pareto"] = row.pareto;
  j["off_front"] = row.off_front.empty() ? ordered_json(nullptr) : ordered_json(row.off_front);
  j["wall_time_h"] = has ? num(r.wall_time_h) : ordered_json(nullptr);
  const Band wb = band(r.wall_time_h, row.wall_time_sigma);
  j["wall_time_p10_h"] = has ? num(wb.p10) : ordered_json(nullptr);
  j["wall_time_p90_h"] = has ? num(wb.p90) : ordered_json(nullptr);
  j["gpu_hours"] = has ? num(r.gpu_hours) : ordered_json(nullptr);
  j["cost_usd"] = num(row.cost_usd);
  j["cost_note"] = row.cost_note.empty() ? ordered_json(nullptr) : ordered_json(row.cost_note);
  j["usd_per_gpu_hour"] = num(row.price.usd_per_gpu_hour);
  j["price"] = row.price.label;
  j["energy_mwh"] = has && row.energy_known ? num(r.energy_mwh) : ordered_json(nullptr);
  j["tokens_per_s_per_gpu"] = has ? num(r.tokens_per_s_per_gpu) : ordered_json(nullptr);
  j["mfu"] = has ? num(r.mfu) : ordered_json(nullptr);
  const bool est = r.ok;
  j["peak_memory_gib_per_gpu"] = est ? num(r.memory.total_bytes / kGiB) : ordered_json(nullptr);
  j["capacity_gib"] = est && r.memory.capacity_bytes ? num(*r.memory.capacity_bytes / kGiB) : ordered_json(nullptr);
  j["memory_fit"] = row.memory_fit;
  j["layout"] = est ? layout_json(r) : ordered_json(nullptr);
  j["layouts_evaluated"] = r.layouts_evaluated;
  ordered_json notes = ordered_json::array();
  for (const auto& n : r.notes) notes.push_back(n);
  j["notes"] = notes;
  return j;
}

void csv_cell(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Shortest round-trip text of a JSON value for a CSV cell; null -> "".
std::string cell_text(const ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

RunResult fail(std::vector<Diagnostic> d, int code) {
  RunResult out;
  out.diagnostics = std::move(d);
  out.exit_code = code;
  return out;
}

RunResult run_sweep_impl(const SweepRequest& req, const ProgressFn& progress, const std::atomic<bool>& cancel,
                         SweepOutcome* outcome_out) {
  if (progress) progress(0.0, "reading scenario");
  LoadResult loaded = load_scenario_text(req.scenario_text, req.origin);
  if (!loaded.ok) return fail(loaded.diagnostics, 2);
  const Scenario& sc = loaded.scenario;
  if (req.device_counts.empty())
    return fail({diag(req.origin, "", "sweep: no device counts given: expected --gpus A..B or N,N,...")}, 2);
  for (int n : req.device_counts)
    if (n < 1 || n > kMaxSweepDevices)
      return fail({diag(req.origin, "", "sweep: device count " + std::to_string(n) + " out of range: expected 1.." +
                                            std::to_string(kMaxSweepDevices))},
                  2);

  const auto& catalog = hwprofiles::builtin_catalog();
  std::vector<std::string> ids = req.device_ids.empty() ? catalog.ids() : req.device_ids;
  {
    std::set<std::string> seen;
    std::vector<std::string> uniq;
    for (const auto& id : ids)
      if (seen.insert(id).second) uniq.push_back(id);
    ids = std::move(uniq);
  }
  std::vector<int> counts = req.device_counts;
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());

  const models::Precision prec = sc.training.precision;
  const std::string prec_field = "peak_flops_per_s." + std::string(models::to_string(prec));
  const bool search_recompute = !sc.document.contains(ordered_json::json_pointer("/workload/activation_recompute"));

  SweepOutcome outcome;
  std::vector<EvalDevice> devices;
  for (const auto& id : ids) {
    const hwprofiles::DeviceProfile* p = catalog.find(id);
    if (!p)
      return fail({diag("", "",
                        "sweep: unknown device id \"" + id +
                            "\": expected an id of the built-in catalog (flopcast hw list) or all" +
                            device_hint(id))},
                  2);
    const auto peak = p->peak(prec);
    if (!peak || !(*peak > 0)) {
      outcome.skipped.push_back({p->id, p->name, p->device_type, hwprofiles::unknown_field_message(*p, prec_field)});
      continue;
    }
    if (!p->memory_bandwidth_bytes_per_s || !(*p->memory_bandwidth_bytes_per_s > 0)) {
      outcome.skipped.push_back(
          {p->id, p->name, p->device_type, hwprofiles::unknown_field_message(*p, "memory_bandwidth_bytes_per_s")});
      continue;
    }
    EvalDevice d;
    d.profile = p;
    d.spec = p->to_device_spec();
    // The scenario's rental price is what the user pays for the scenario's own device; another
    // device is priced from the catalog unless the request says the price holds for every device.
    if (sc.usd_per_gpu_hour && (req.uniform_price || p->id == sc.device_id)) {
      d.price.usd_per_gpu_hour = *sc.usd_per_gpu_hour;
      d.price.label = "scenario /costs/usd_per_gpu_hour";
    } else {
      d.price = catalog_price(*p);
      if (sc.usd_per_gpu_hour && !d.price.usd_per_gpu_hour)
        d.price.why_unknown +=
            " (the scenario's /costs/usd_per_gpu_hour is the price of " +
            (sc.device_id.empty() ? std::string("its custom device") : sc.device_id) +
            "; --uniform-price applies it to every device)";
    }
    devices.push_back(std::move(d));
  }

  std::vector<SweepJob> jobs;
  for (std::size_t d = 0; d < devices.size(); ++d)
    for (int n : counts) jobs.push_back({d, n});
  outcome.rows.resize(jobs.size());

  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  auto work = [&](bool report) {
    for (;;) {
      if (cancel.load() || stop.load()) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      SweepRow row;
      try {
        row = evaluate(sc, search_recompute, devices[jobs[i].device], jobs[i].count);
      } catch (const std::exception& e) {
        row.device_id = devices[jobs[i].device].profile->id;
        row.device_count = jobs[i].count;
        row.reason = std::string("internal error: ") + e.what();
      } catch (...) {
        row.device_id = devices[jobs[i].device].profile->id;
        row.device_count = jobs[i].count;
        row.reason = "internal error";
      }
      outcome.rows[i] = std::move(row);
      const std::size_t finished = done.fetch_add(1) + 1;
      if (report && progress)
        progress(0.02 + 0.96 * double(finished) / double(jobs.size()),
                 "sweeping " + std::to_string(finished) + "/" + std::to_string(jobs.size()));
    }
  };
  const int threads = std::clamp(req.threads, 1, 64);
  std::vector<std::thread> pool;
  try {
    for (int t = 1; t < threads && std::size_t(t) < jobs.size(); ++t) pool.emplace_back(work, false);
  } catch (...) {
    // could not start more threads: the calling thread does the rest
  }
  work(true);
  for (auto& t : pool) t.join();
  if (cancel.load()) {
    RunResult out;
    out.exit_code = 1;
    out.diagnostics.push_back(diag("", "", "cancelled"));
    return out;
  }

  outcome.front = pareto_front(outcome.rows);

  ordered_json j;
  j["result_version"] = kResultVersion;
  j["job"] = "sweep";
  j["scenario"] = {{"name", sc.name}, {"file", req.origin}};
  ordered_json w;
  w["model"] = sc.preset.empty() ? "custom" : sc.preset;
  std::optional<double> params;
  for (const auto& r : outcome.rows)
    if (r.result.ok) {
      params = r.result.params;
      break;
    }
  w["params"] = num(params);
  w["precision"] = std::string(models::to_string(prec));
  const bool zoo_images =
      sc.zoo && (sc.zoo->kind == models::ModelKind::vit || sc.zoo->kind == models::ModelKind::cnn);
  w["kind"] = sc.zoo ? kind_name(sc.zoo->kind) : std::string("decoder");
  w["training_tokens"] = zoo_images ? ordered_json(nullptr) : num(sc.training.training_tokens);
  w["global_batch_tokens"] = zoo_images ? ordered_json(nullptr) : num(sc.training.global_batch_tokens);
  if (sc.zoo) {
    w["training_samples"] = num(sc.zoo->training_samples);
    w["global_batch_samples"] = num(sc.zoo->global_batch_samples);
  }
  w["seq_len"] = sc.model.seq_len;
  w["recompute"] = search_recompute ? "searched" : recompute_name(sc.training.recompute);
  w["layout"] = sc.auto_layout ? "auto per configuration (parts the scenario fixes stay fixed)"
                               : "auto per configuration (the scenario's explicit layout is not used)";
  j["workload"] = w;

  ordered_json sw;
  sw["devices"] = ids;
  sw["device_counts"] = counts;
  sw["configurations"] = outcome.rows.size();
  std::size_t feasible = 0;
  for (const auto& r : outcome.rows) feasible += r.feasible ? 1 : 0;
  sw["feasible"] = feasible;
  sw["front_size"] = outcome.front.size();
  sw["price_basis"] = price_basis(sc, req.uniform_price);
  sw["objective"] = "minimize wall_time_h and cost_usd";
  j["sweep"] = sw;

  ordered_json rows = ordered_json::array();
  for (const auto& r : outcome.rows) rows.push_back(row_json(r));
  if (sc.zoo) {
    // Model-library presets count samples; an image has no tokens (null).
    for (auto& row : rows) {
      const auto& t = row["tokens_per_s_per_gpu"];
      row["samples_per_s_per_gpu"] = t.is_number() ? num(t.get<double>() / sc.zoo->tokens_per_sample) : ordered_json(nullptr);
      if (zoo_images) row["tokens_per_s_per_gpu"] = nullptr;
    }
  }
  j["rows"] = rows;
  ordered_json front = ordered_json::array();
  for (std::size_t i : outcome.front) {
    const auto& r = outcome.rows[i];
    front.push_back({{"device", r.device_id},
                     {"device_count", r.device_count},
                     {"wall_time_h", num(r.result.wall_time_h)},
                     {"cost_usd", num(r.cost_usd)}});
  }
  j["pareto_front"] = front;
  ordered_json skipped = ordered_json::array();
  for (const auto& s : outcome.skipped) skipped.push_back({{"device", s.device_id},
                       {"device_name", s.device_name},
                       {"device_type", s.device_type},
                       {"reason", s.reason}});
  j["skipped"] = skipped;

  std::string hashed = save_scenario_text(sc.document) + "\n--sweep devices";
  for (const auto& id : ids) hashed += " " + id;
  hashed += "\n--sweep counts";
  for (int n : counts) hashed += " " + std::to_string(n);
  ordered_json prov;
  prov["flopcast_version"] = kVersion;
  prov["git_sha"] = kGitSha;
  prov["input_sha256"] = sha256_hex(hashed);
  prov["catalog_hash"] = hwprofiles::catalog_hash();
  prov["seed"] = sc.seed;
  prov["schema_version"] = kSchemaVersion;
  j["provenance"] = prov;

  if (progress) progress(1.0, "done");
  RunResult out;
  out.ok = true;
  out.exit_code = 0;
  out.result = std::move(j);
  if (outcome_out) *outcome_out = std::move(outcome);
  return out;
}

}  // namespace

std::string parse_device_list(std::string_view text, std::vector<std::string>& ids) {
  ids.clear();
  const std::string t = trim(text);
  if (t == "all") {
    ids = hwprofiles::builtin_catalog().ids();
    return "";
  }
  if (t.empty()) return "--devices: empty: expected all or a comma list of catalog ids";
  const auto& catalog = hwprofiles::builtin_catalog();
  std::set<std::string> seen;
  for (const auto& id : split(t, ',')) {
    if (id.empty()) return "--devices \"" + t + "\": empty id: expected all or ID,ID,...";
    if (!catalog.find(id))
      return "--devices: unknown device id \"" + id +
             "\": expected an id of the built-in catalog (flopcast hw list)" + device_hint(id);
    if (seen.insert(id).second) ids.push_back(id);
  }
  return "";
}

std::string parse_count_list(std::string_view text, std::vector<int>& counts) {
  counts.clear();
  const std::string t = trim(text);
  const std::string expected = "expected A..B (powers of two within) or N,N,... with whole numbers 1.." +
                               std::to_string(kMaxSweepDevices);
  if (t.empty()) return "--gpus: empty: " + expected;
  if (const auto dots = t.find(".."); dots != std::string::npos) {
    const auto lo = parse_count(trim(std::string_view(t).substr(0, dots)));
    const auto hi = parse_count(trim(std::string_view(t).substr(dots + 2)));
    if (!lo || !hi) return "--gpus \"" + t + "\": " + expected;
    if (*lo > *hi) return "--gpus \"" + t + "\": the range is empty (A > B): " + expected;
    for (long long p = 1; p <= *hi; p *= 2)
      if (p >= *lo) counts.push_back(static_cast<int>(p));
    if (counts.empty()) return "--gpus \"" + t + "\": no power of two within the range: " + expected;
    return "";
  }
  for (const auto& part : split(t, ',')) {
    const auto n = parse_count(part);
    if (!n) {
      counts.clear();
      return "--gpus \"" + t + "\": \"" + part + "\" is not a device count: " + expected;
    }
    counts.push_back(*n);
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return "";
}

std::vector<std::size_t> pareto_front(std::vector<SweepRow>& rows) {
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SweepRow& r = rows[i];
    r.pareto = false;
    r.off_front.clear();
    if (!r.feasible) r.off_front = "infeasible";
    else if (r.memory_fit != "yes") r.off_front = "memory fit not checked (device memory unknown)";
    else if (!r.cost_usd) r.off_front = "cost unknown";
    else eligible.push_back(i);
  }
  const auto time = [&](std::size_t i) { return rows[i].result.wall_time_h; };
  const auto cost = [&](std::size_t i) { return *rows[i].cost_usd; };
  std::stable_sort(eligible.begin(), eligible.end(), [&](std::size_t a, std::size_t b) {
    if (time(a) != time(b)) return time(a) < time(b);
    return cost(a) < cost(b);
  });
  // Walk groups of equal time: a point is on the front iff its cost is the group's minimum and
  // strictly below every cost seen at a smaller time.
  std::vector<std::size_t> front;
  std::optional<std::size_t> best_before;  // cheapest point at a strictly smaller time
  for (std::size_t g = 0; g < eligible.size();) {
    std::size_t e = g;
    while (e < eligible.size() && time(eligible[e]) == time(eligible[g])) ++e;
    const std::size_t group_min = eligible[g];  // sorted by cost within the group
    for (std::size_t k = g; k < e; ++k) {
      const std::size_t i = eligible[k];
      std::optional<std::size_t> dominator;
      if (best_before && cost(*best_before) <= cost(i)) dominator = best_before;
      else if (cost(group_min) < cost(i)) dominator = group_min;
      if (dominator) {
        rows[i].off_front = "dominated by " + rows[*dominator].device_id + " x " +
                            std::to_string(rows[*dominator].device_count);
      } else {
        rows[i].pareto = true;
        front.push_back(i);
      }
    }
    if (!best_before || cost(group_min) < cost(*best_before)) best_before = group_min;
    g = e;
  }
  return front;
}

RunResult run_sweep(const SweepRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel,
                    SweepOutcome* outcome) {
  try {
    return run_sweep_impl(request, progress, cancel, outcome);
  } catch (const std::exception& e) {
    return fail({diag(request.origin, "", std::string("internal error: ") + e.what())}, 1);
  } catch (...) {
    return fail({diag(request.origin, "", "internal error")}, 1);
  }
}

std::string sweep_csv(const ordered_json& result) {
  static const char* const kColumns[] = {
      "device", "device_name", "device_type", "device_count", "status", "pareto", "off_front", "wall_time_h", "wall_time_p10_h",
      "wall_time_p90_h", "gpu_hours",
      "cost_usd", "usd_per_gpu_hour", "price", "energy_mwh", "tokens_per_s_per_gpu", "mfu",
      "peak_memory_gib_per_gpu", "capacity_gib", "memory_fit", "dp", "tp", "pp", "cp", "ep", "micro_batch_size",
      "sharding", "recompute", "reason", "cost_note"};
  std::string out;
  bool first = true;
  for (const char* c : kColumns) {
    if (!first) out += ',';
    first = false;
    out += c;
  }
  out += "\r\n";
  const auto layout_keys = std::set<std::string>{"dp", "tp", "pp", "cp", "ep", "micro_batch_size", "sharding",
                                                 "recompute"};
  auto emit = [&](const ordered_json& row) {
    bool first_cell = true;
    for (const char* c : kColumns) {
      if (!first_cell) out += ',';
      first_cell = false;
      std::string text;
      if (layout_keys.count(c)) {
        if (row.contains("layout") && row["layout"].is_object() && row["layout"].contains(c))
          text = cell_text(row["layout"][c]);
      } else if (row.contains(c)) {
        text = cell_text(row[c]);
      }
      csv_cell(out, text);
    }
    out += "\r\n";
  };
  if (result.contains("rows"))
    for (const auto& row : result["rows"]) emit(row);
  if (result.contains("skipped"))
    for (const auto& s : result["skipped"]) {
      ordered_json row;
      row["device"] = s["device"];
      row["device_name"] = s["device_name"];
      row["device_type"] = s["device_type"];
      row["status"] = "skipped";
      row["reason"] = s["reason"];
      emit(row);
    }
  return out;
}

}  // namespace flopcast::scenarios
