// The runner: scenario text in, result JSON out. Never throws.
#include "scenarios/runner.h"

#include <cmath>
#include <exception>
#include <optional>
#include <set>

#include "flopcast/version.h"
#include "hwprofiles/catalog.h"
#include "hwprofiles/device_profile.h"
#include "hwprofiles/profile_loader.h"
#include "models/estimate.h"
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


struct Failure {
  std::vector<Diagnostic> diagnostics;
  int exit_code = 2;
};

Diagnostic diag(const std::string& file, const std::string& pointer, const std::string& message) {
  Diagnostic d;
  d.file = file;
  d.pointer = pointer;
  d.message = message;
  return d;
}

struct Device {
  hwprofiles::DeviceProfile profile;
  std::string source;  // catalog | scenario device_profile | --hw FILE
};

// Resolves the device: --hw text, else the embedded profile, else the catalog id.
std::optional<Device> resolve_device(const RunRequest& req, const Scenario& s, Failure& f) {
  auto from_errors = [&](const std::vector<hwprofiles::ProfileError>& errs, const std::string& origin) {
    for (const auto& e : errs) {
      Diagnostic d = diag(e.origin.empty() ? origin : e.origin, e.pointer, e.message);
      d.line = e.line;
      d.column = e.column;
      f.diagnostics.push_back(d);
    }
    if (errs.empty()) f.diagnostics.push_back(diag(origin, "", "invalid device profile"));
  };
  if (!req.hw_profile_text.empty()) {
    const auto pr = hwprofiles::parse_device_profile_text(req.hw_profile_text, req.hw_profile_origin);
    if (!pr.ok()) {
      from_errors(pr.errors, req.hw_profile_origin);
      return std::nullopt;
    }
    return Device{*pr.profile, "--hw " + req.hw_profile_origin};
  }
  if (s.device_profile) {
    const nlohmann::json j = nlohmann::json::parse(s.device_profile->dump());
    const auto pr = hwprofiles::parse_device_profile(j, req.origin, "/hardware/device_profile");
    if (!pr.ok()) {
      from_errors(pr.errors, req.origin);
      return std::nullopt;
    }
    return Device{*pr.profile, "scenario /hardware/device_profile"};
  }
  const auto& catalog = hwprofiles::builtin_catalog();
  const hwprofiles::DeviceProfile* p = catalog.find(s.device_id);
  if (!p) {
    f.diagnostics.push_back(diag(req.origin, "/hardware/device",
                                 "unknown device id \"" + s.device_id +
                                     "\": expected an id of the built-in catalog (flopcast hw "
                                     "list) or /hardware/device_profile" +
                                     device_hint(s.device_id)));
    return std::nullopt;
  }
  return Device{*p, "catalog"};
}

struct Prepared {
  Scenario scenario;
  Device device;
  std::string input_sha256;
};

std::optional<Prepared> prepare(const RunRequest& req, Failure& f) {
  LoadResult loaded = load_scenario_text(req.scenario_text, req.origin);
  if (!loaded.ok) {
    f.diagnostics = loaded.diagnostics;
    return std::nullopt;
  }
  auto device = resolve_device(req, loaded.scenario, f);
  if (!device) return std::nullopt;
  // A precision the device has no published peak for cannot be estimated.
  const auto precision = loaded.scenario.training.precision;
  if (!device->profile.peak(precision)) {
    f.diagnostics.push_back(
        diag("", "", hwprofiles::unknown_field_message(device->profile,
                                                        "peak_flops_per_s." + std::string(models::to_string(precision)))));
    return std::nullopt;
  }
  Prepared p{std::move(loaded.scenario), std::move(*device), ""};
  std::string hashed = save_scenario_text(p.scenario.document);
  if (!req.hw_profile_text.empty()) hashed += "\n--hw\n" + req.hw_profile_text;
  p.input_sha256 = sha256_hex(hashed);
  return p;
}

bool finite_result(const models::EstimateResult& r) {
  for (double v : {r.step_time_s, r.tokens_per_s_per_gpu, r.wall_time_h, r.gpu_hours, r.energy_mwh, r.cost_usd,
                   r.mfu, r.memory.total_bytes, r.params})
    if (!std::isfinite(v)) return false;
  return r.step_time_s > 0 && r.wall_time_h > 0 && r.gpu_hours > 0;
}

ordered_json provenance(const Prepared& p) {
  ordered_json j;
  j["flopcast_version"] = kVersion;
  j["git_sha"] = kGitSha;
  j["input_sha256"] = p.input_sha256;
  j["catalog_hash"] = hwprofiles::catalog_hash();
  j["seed"] = p.scenario.seed;
  j["schema_version"] = kSchemaVersion;
  j["migrated_from_schema_version"] =
      p.scenario.schema_version == kSchemaVersion ? ordered_json(nullptr) : ordered_json(p.scenario.schema_version);
  return j;
}

std::optional<double> rental_usd(const Scenario& s, const models::EstimateResult& r) {
  if (!s.usd_per_gpu_hour) return std::nullopt;
  return r.gpu_hours * *s.usd_per_gpu_hour;
}

ordered_json estimate_json(const RunRequest& req, const Prepared& p, const models::EstimateInput& in,
                           const models::EstimateResult& r) {
  const Scenario& s = p.scenario;
  ordered_json j;
  j["result_version"] = kResultVersion;
  j["job"] = "estimate";
  j["scenario"] = {{"name", s.name}, {"file", req.origin}};

  const auto rental = rental_usd(s, r);
  ordered_json m;
  m["tokens_per_s_per_gpu"] = num(r.tokens_per_s_per_gpu);
  m["step_time_s"] = num(r.step_time_s);
  m["wall_time_h"] = num(r.wall_time_h);
  m["gpu_hours"] = num(r.gpu_hours);
  m["energy_mwh"] = r.energy_known ? num(r.energy_mwh) : ordered_json(nullptr);
  m["peak_memory_gib_per_gpu"] = num(r.memory.total_bytes / kGiB);
  m["mfu"] = num(r.mfu);
  // The model's cost is rental + electricity; without a rental price it is not a cost of the run.
  m["cost_usd"] = rental ? num(r.cost_usd) : ordered_json(nullptr);
  m["samples_per_s_per_gpu"] =
      s.zoo ? num(r.tokens_per_s_per_gpu / s.zoo->tokens_per_sample)
            : (s.model.seq_len > 0 ? num(r.tokens_per_s_per_gpu / s.model.seq_len) : ordered_json(nullptr));
  j["metrics"] = m;

  ordered_json c;
  c["currency"] = s.currency;
  c["usd_per_gpu_hour"] = num(s.usd_per_gpu_hour);
  c["electricity_usd_per_kwh"] = num(s.electricity_usd_per_kwh);
  c["pue"] = num(s.pue);
  c["rental_usd"] = num(rental);
  c["electricity_usd"] =
      r.energy_known ? num(r.cost_usd - rental.value_or(0.0)) : ordered_json(nullptr);
  c["cost_usd"] = m["cost_usd"];
  j["costs"] = c;

  ordered_json w;
  w["model"] = s.preset.empty() ? "custom" : s.preset;
  w["kind"] = kind_name(s.model.kind);
  w["params"] = num(r.params);
  w["params_active"] = num(r.params_active);
  w["training_tokens"] = num(s.training.training_tokens);
  w["global_batch_tokens"] = num(s.training.global_batch_tokens);
  w["seq_len"] = s.model.seq_len;
  w["precision"] = std::string(models::to_string(s.training.precision));
  w["attention"] = r.memory.flash_attention ? "fused" : "unfused";  // the kernel the estimate assumed
  w["phase"] = s.training.phase == models::Phase::finetune ? "finetune" : "pretrain";
  w["model_flops_per_token"] = num(r.model_flops_per_token);
  w["hardware_flops_per_token"] = num(r.hardware_flops_per_token);
  j["workload"] = w;

  ordered_json h;
  h["device"] = p.device.profile.id;
  h["device_name"] = p.device.profile.name;
  h["device_count"] = s.device_count;
  h["source"] = p.device.source;
  j["hardware"] = h;

  ordered_json lay;
  lay["mode"] = s.auto_layout ? "auto" : "explicit";
  lay.update(layout_json(r));
  lay["note"] = r.layout_note;
  lay["layouts_evaluated"] = r.layouts_evaluated;
  j["layout"] = lay;

  ordered_json mem;
  mem["weights_gib"] = num(r.memory.weights_bytes / kGiB);
  mem["gradients_gib"] = num(r.memory.gradients_bytes / kGiB);
  mem["optimizer_gib"] = num(r.memory.optimizer_bytes / kGiB);
  mem["activations_gib"] = num(r.memory.activations_bytes / kGiB);
  mem["buffers_gib"] = num(r.memory.buffers_bytes / kGiB);
  mem["total_gib"] = num(r.memory.total_bytes / kGiB);
  mem["capacity_gib"] = r.memory.capacity_bytes ? num(*r.memory.capacity_bytes / kGiB) : ordered_json(nullptr);
  mem["fits"] = memory_fit_text(r.memory);
  j["memory"] = mem;

  ordered_json eff;
  eff["achieved_flops_per_s_per_gpu"] = num(r.achieved_flops_per_s_per_device);
  eff["parallel_efficiency"] = num(r.parallel_efficiency);
  eff["pipeline_bubble_fraction"] = num(r.pipeline_bubble_fraction);
  eff["exposed_comm_s_per_step"] = num(r.exposed_comm_s_per_step);
  eff["goodput"] = num(in.goodput);
  j["efficiency"] = eff;

  ordered_json checks;
  checks["memory_fit"] = mem["fits"];
  checks["cost"] = rental ? "computed" : "not computed: /costs/usd_per_gpu_hour not given";
  checks["simulation"] = "not checked: the analytic estimate; `flopcast simulate` runs the iteration and whole-run simulations";
  checks["uncertainty"] = "P10-P90 band of every metric in /bands (scenarios/uncertainty.h)";
  j["checks"] = checks;

  ordered_json notes = ordered_json::array();
  for (const auto& n : s.notes) notes.push_back(n);
  for (const auto& n : r.notes) notes.push_back(n);
  j["notes"] = notes;
  j["why_null"] = ordered_json::object();  // JSON pointer of a null value -> why it is null
  if (!r.energy_known) {
    const std::string why = r.energy_why_unknown.empty()
                                ? std::string("no run length")
                                : "the device's power is unknown (" + r.energy_why_unknown + ")";
    j["why_null"]["/metrics/energy_mwh"] = why;
    j["why_null"]["/costs/electricity_usd"] = why + ": cost_usd is the GPU rental alone";
  }
  j["provenance"] = provenance(p);
  return j;
}

// The result of a model-library workload: the decoder result's shape, values from
// scenarios/zoo_run.h; what does not apply is null, and /why_null says why.
ordered_json zoo_json(const RunRequest& req, const Prepared& p, const models::EstimateInput& in,
                      const models::EstimateResult& r, const ZooStep& st) {
  const Scenario& s = p.scenario;
  const ZooWorkload& z = *s.zoo;
  ordered_json j = estimate_json(req, p, in, r);
  ordered_json& why = j["why_null"];
  const bool images = z.kind == models::ModelKind::vit || z.kind == models::ModelKind::cnn;
  j["metrics"]["samples_per_s_per_gpu"] = num(st.result.samples_per_s_per_gpu);
  auto w = j["workload"];
  ordered_json nw;
  for (auto it = w.begin(); it != w.end(); ++it) {
    nw[it.key()] = it.value();
    if (it.key() == "global_batch_tokens") {
      nw["training_samples"] = num(z.training_samples);
      nw["global_batch_samples"] = num(z.global_batch_samples);
      nw["tokens_per_sample"] = images ? ordered_json(nullptr) : num(z.tokens_per_sample);
    }
  }
  nw["model_flops_per_sample"] = num(st.result.model_flops_per_sample);
  ordered_json input = ordered_json::object();
  if (images) {
    input["image_size"] = z.image_size;
    input["channels"] = z.channels;
  } else if (z.kind == models::ModelKind::encoder_decoder) {
    input["seq_len_enc"] = z.seq_len_enc;
    input["seq_len_dec"] = z.seq_len_dec;
  } else {
    input["seq_len"] = z.seq_len;
    if (z.packed_tokens_per_sample > 0)
      input["packed_tokens_per_sample"] = num(z.packed_tokens_per_sample);
  }
  nw["input"] = input;
  if (z.kind == models::ModelKind::encoder_decoder) nw["seq_len"] = nullptr;
  if (images) {
    const std::string img = "a " + kind_name(z.kind) + " sample is an image, not tokens: see samples_per_s_per_gpu / training_samples";
    for (const char* k : {"training_tokens", "global_batch_tokens", "seq_len", "model_flops_per_token", "hardware_flops_per_token"}) {
      nw[k] = nullptr;
      why["/workload/" + std::string(k)] = img;
    }
    nw["tokens_per_sample"] = nullptr;
    why["/workload/tokens_per_sample"] = img;
    j["metrics"]["tokens_per_s_per_gpu"] = nullptr;
    why["/metrics/tokens_per_s_per_gpu"] = img;
  }
  if (z.kind == models::ModelKind::encoder_decoder)
    why["/workload/seq_len"] = "an input/target pair: see workload.input.seq_len_enc and seq_len_dec";
  j["workload"] = nw;
  auto& lay = j["layout"];
  lay["schedule"] = nullptr;
  why["/layout/schedule"] = "no pipeline: the zoo model runs data parallelism only";
  lay["gradient_accumulation"] = st.input.grad_accumulation;
  j["checks"]["simulation"] = "not checked: model-library presets have the analytic estimate only";
  return j;
}

// The P10/P90 of every metric (scenarios/uncertainty.h), placed after /metrics. A scenario states
// its inputs, so no default widens the band; the σ are the cross-validated ones of the predictor.
void add_bands(ordered_json& result, bool zoo, bool moe) {
  auto sigma = [&](Spread sp) { return scenario_band_sigma(sp, zoo, moe); };
  const struct {
    const char* metric;
    Spread spread;
  } kSpread[] = {{"tokens_per_s_per_gpu", Spread::throughput}, {"step_time_s", Spread::throughput},
                 {"wall_time_h", Spread::whole_run},           {"gpu_hours", Spread::whole_run},
                 {"energy_mwh", Spread::energy},               {"peak_memory_gib_per_gpu", Spread::memory},
                 {"mfu", Spread::throughput},                  {"cost_usd", Spread::whole_run},
                 {"samples_per_s_per_gpu", Spread::throughput}};
  ordered_json lo = ordered_json::object(), hi = ordered_json::object();
  ordered_json& why = result["why_null"];
  const ordered_json& m = result["metrics"];
  for (const auto& [metric, spread] : kSpread) {
    const std::string k = metric;
    const bool value = m.contains(k) && m[k].is_number();
    if (value && !(zoo && spread == Spread::memory)) {
      const Band b = band(m[k].get<double>(), sigma(spread));
      lo[k] = num(b.p10);
      hi[k] = num(b.p90);
      continue;
    }
    lo[k] = nullptr;
    hi[k] = nullptr;
    const std::string reason =
        value ? "the model-library memory model is not validated against measured runs: no band"
              : "no value: see /metrics/" + k;
    why["/bands/p10/" + k] = reason;
    why["/bands/p90/" + k] = reason;
  }
  ordered_json bands;
  bands["p10"] = lo;
  bands["p90"] = hi;
  bands["sigma_log"] = {{"throughput", sigma(Spread::throughput)},
                        {"whole_run", sigma(Spread::whole_run)},
                        {"energy", sigma(Spread::energy)},
                        {"memory", zoo ? ordered_json(nullptr) : ordered_json(sigma(Spread::memory))}};
  bands["basis"] = zoo ? "log-normal around the estimate; sigma from the leave-one-family-out errors on the "
                         "published encoder, encoder-decoder, ViT and CNN runs (docs/model-zoo.md, docs/parameters.md)"
                       : "log-normal around the estimate; sigma from the leave-one-source-out errors on the published "
                         "decoder runs (docs/validation.md, docs/parameters.md)";
  ordered_json out;
  for (auto it = result.begin(); it != result.end(); ++it) {
    out[it.key()] = it.value();
    if (it.key() == "metrics") out["bands"] = bands;
  }
  result = std::move(out);
}

// Where the goodput came from: /efficiency/goodput_basis and a note.
void add_goodput(ordered_json& result, const Scenario& s, int device_count, double params) {
  const GoodputParts g = scenario_goodput_parts(s, device_count, params);
  result["efficiency"]["goodput_basis"] = g.automatic
                                              ? ordered_json{{"mode", "auto"}, {"g0", g.g0}, {"interruptions", g.interruptions}}
                                              : ordered_json{{"mode", "scenario"}, {"g0", nullptr}, {"interruptions", nullptr}};
  result["notes"].push_back(goodput_note(s, device_count, params));
}

void report(const ProgressFn& progress, double f, std::string_view what) {
  if (progress) progress(f, what);
}

RunResult cancelled() {
  RunResult out;
  out.exit_code = 1;
  out.diagnostics.push_back(diag("", "", "cancelled"));
  return out;
}

// GPU counts for the sweep: powers of two times the model-parallel group, from 1/64 to 64 times
// the scenario's count (within 1 .. 1,048,576), plus the scenario's own count.
std::vector<int> sweep_counts(const Scenario& s) {
  const long long group = s.auto_layout ? 1 : static_cast<long long>(s.layout.tp) * s.layout.pp * s.layout.cp;
  std::set<long long> counts;
  counts.insert(s.device_count);
  const long long lo = std::max<long long>(group, s.device_count / 64);
  const long long hi = std::min<long long>(1LL << 20, static_cast<long long>(s.device_count) * 64);
  for (long long dp = 1; group * dp <= hi; dp *= 2)
    if (group * dp >= lo) counts.insert(group * dp);
  return {counts.begin(), counts.end()};
}

// GPU counts of a data-parallel sweep: powers of two from 1/64 to 64 times the scenario's count
// (within 1 .. 1,048,576), plus the count itself.
std::vector<int> zoo_sweep_counts(int own) {
  std::set<long long> counts{own};
  const long long lo = std::max<long long>(1, own / 64);
  const long long hi = std::min<long long>(1LL << 20, static_cast<long long>(own) * 64);
  for (long long n = 1; n <= hi; n *= 2)
    if (n >= lo) counts.insert(n);
  return {counts.begin(), counts.end()};
}

// One point of the runner's GPU-count sweep (decoders and model-library presets alike).
ordered_json sweep_point(int n, const models::EstimateResult& pr, bool priced, bool tokens,
                         std::optional<double> samples_per_s_per_gpu, const std::string& layout,
                         double whole_run_sigma) {
  ordered_json pt;
  pt["device_count"] = n;
  pt["wall_time_h"] = num(pr.wall_time_h);
  const Band b = band(pr.wall_time_h, whole_run_sigma);  // the estimate's band (/bands), per count
  pt["wall_time_p10_h"] = num(b.p10);
  pt["wall_time_p90_h"] = num(b.p90);
  pt["gpu_hours"] = num(pr.gpu_hours);
  pt["cost_usd"] = priced ? num(pr.cost_usd) : ordered_json(nullptr);
  pt["energy_mwh"] = pr.energy_known ? num(pr.energy_mwh) : ordered_json(nullptr);
  pt["tokens_per_s_per_gpu"] = tokens ? num(pr.tokens_per_s_per_gpu) : ordered_json(nullptr);
  if (samples_per_s_per_gpu) pt["samples_per_s_per_gpu"] = num(*samples_per_s_per_gpu);
  pt["layout"] = layout;
  pt["memory_fit"] = memory_fit_text(pr.memory);
  return pt;
}

RunResult run_zoo(const RunRequest& req, const Prepared& p, const models::DeviceSpec& spec, const ProgressFn& progress,
                  const std::atomic<bool>& cancel) {
  RunResult out;
  const Scenario& s = p.scenario;
  report(progress, 0.1, "estimating");
  const ZooStep st = zoo_step(s, spec, s.device_count);
  if (!st.ok) {
    out.exit_code = 2;
    out.diagnostics.push_back(diag(req.origin, "", st.why.empty() ? "the estimate failed" : st.why));
    return out;
  }
  const models::EstimateResult r = zoo_run_totals(s, spec, s.device_count, st);
  if (!r.ok || !finite_result(r)) {
    out.exit_code = 1;
    out.diagnostics.push_back(diag(req.origin, "", "internal error: the estimate produced a non-finite or zero time"));
    return out;
  }
  models::EstimateInput in;
  in.goodput = scenario_goodput(s, s.device_count, r.params);
  out.result = zoo_json(req, p, in, r, st);
  add_goodput(out.result, s, s.device_count, r.params);
  add_bands(out.result, true, false);
  const double run_sigma = scenario_band_sigma(Spread::whole_run, true, false);
  if (req.job == Job::sweep_gpus) {
    out.result["job"] = "sweep_gpus";
    ordered_json points = ordered_json::array();
    ordered_json skipped = ordered_json::array();
    const auto counts = zoo_sweep_counts(s.device_count);
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (cancel.load()) return cancelled();
      report(progress, 0.1 + 0.9 * double(i) / double(counts.size()), "sweeping GPU count");
      const int n = counts[i];
      const ZooStep pst = zoo_step(s, spec, n);
      std::string reason = pst.why;
      if (pst.ok) {
        const models::EstimateResult pr = zoo_run_totals(s, spec, n, pst);
        if (!pr.ok || !finite_result(pr)) {
          reason = "non-finite result";
        } else {
          const bool tokens = !out.result["metrics"]["tokens_per_s_per_gpu"].is_null();
          points.push_back(sweep_point(n, pr, s.usd_per_gpu_hour.has_value(), tokens,
                                       pst.result.samples_per_s_per_gpu,
                                       pst.input.tensor_parallel > 1
                                           ? "dp=" + std::to_string(n / pst.input.tensor_parallel) +
                                                 " tp=" + std::to_string(pst.input.tensor_parallel)
                                           : "dp=" + std::to_string(n),
                                       run_sigma));
          continue;
        }
      }
      skipped.push_back({{"device_count", n}, {"reason", reason}});
    }
    out.result["sweep"] = {{"points", points}, {"skipped", skipped}};
  }
  report(progress, 1.0, "done");
  out.ok = true;
  out.exit_code = 0;
  return out;
}

RunResult run_impl(const RunRequest& req, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  RunResult out;
  report(progress, 0.0, "reading scenario");
  Failure f;
  auto prepared = prepare(req, f);
  if (!prepared) {
    out.diagnostics = f.diagnostics;
    out.exit_code = f.exit_code;
    return out;
  }
  if (cancel.load()) return cancelled();
  const Prepared& p = *prepared;
  const models::DeviceSpec spec = p.device.profile.to_device_spec();
  if (p.scenario.zoo) return run_zoo(req, p, spec, progress, cancel);

  report(progress, 0.1, "estimating");
  const models::EstimateInput in = to_estimate_input(p.scenario, spec);
  const models::EstimateResult r = models::estimate(in);
  if (!r.ok) {
    out.exit_code = 2;
    out.diagnostics.push_back(diag(req.origin, "", r.error.empty() ? "the estimate failed" : r.error));
    return out;
  }
  if (!finite_result(r)) {
    out.exit_code = 1;
    out.diagnostics.push_back(diag(req.origin, "", "internal error: the estimate produced a non-finite or zero time"));
    return out;
  }
  out.result = estimate_json(req, p, in, r);
  add_goodput(out.result, p.scenario, p.scenario.device_count, decoder_params(p.scenario));
  const bool moe = is_moe(p.scenario.model);
  add_bands(out.result, false, moe);
  const double run_sigma = scenario_band_sigma(Spread::whole_run, false, moe);

  if (req.job == Job::sweep_gpus) {
    out.result["job"] = "sweep_gpus";
    ordered_json points = ordered_json::array();
    ordered_json skipped = ordered_json::array();
    const auto counts = sweep_counts(p.scenario);
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (cancel.load()) return cancelled();
      report(progress, 0.1 + 0.9 * double(i) / double(counts.size()), "sweeping GPU count");
      Scenario s = p.scenario;
      const int n = counts[i];
      s.device_count = n;
      std::string reason;
      if (s.auto_layout) {
        s.layout.dp = n;
      } else {
        s.layout.dp = n / (s.layout.tp * s.layout.pp * s.layout.cp);
        const double seqs = s.training.global_batch_tokens / s.model.seq_len;
        const double per = seqs / (double(s.layout.dp) * s.layout.micro_batch_size);
        if (per < 1 || per != std::floor(per))
          reason = "global batch does not split into whole micro-batches over dp = " + std::to_string(s.layout.dp);
        else if (s.layout.ep > 1 && s.layout.dp % s.layout.ep != 0)
          reason = "ep does not divide dp = " + std::to_string(s.layout.dp);
      }
      if (reason.empty()) {
        const models::EstimateResult pr = models::estimate(to_estimate_input(s, spec));
        if (!pr.ok) reason = pr.error;
        else if (!finite_result(pr)) reason = "non-finite result";
        else {
          points.push_back(sweep_point(n, pr, s.usd_per_gpu_hour.has_value(), true, std::nullopt,
                                       "dp=" + std::to_string(pr.layout.dp) + " tp=" + std::to_string(pr.layout.tp) +
                                           " pp=" + std::to_string(pr.layout.pp) +
                                           (pr.layout.cp > 1 ? " cp=" + std::to_string(pr.layout.cp) : ""),
                                       run_sigma));
          continue;
        }
      }
      skipped.push_back({{"device_count", n}, {"reason", reason}});
    }
    out.result["sweep"] = {{"points", points}, {"skipped", skipped}};
  }
  report(progress, 1.0, "done");
  out.ok = true;
  out.exit_code = 0;
  return out;
}

}  // namespace

RunResult run(const RunRequest& request, const ProgressFn& progress, const std::atomic<bool>& cancel) {
  try {
    return run_impl(request, progress, cancel);
  } catch (const std::exception& e) {
    RunResult out;
    out.exit_code = 1;
    out.diagnostics.push_back(diag(request.origin, "", std::string("internal error: ") + e.what()));
    return out;
  } catch (...) {
    RunResult out;
    out.exit_code = 1;
    out.diagnostics.push_back(diag(request.origin, "", "internal error"));
    return out;
  }
}

}  // namespace flopcast::scenarios
