// The zoo predictor: ground-truth records of encoders, encoder-decoders, ViTs and CNNs
// (declared in scenarios/model_library.h, which documents the defaults).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "models/energy.h"
#include "models/goodput.h"
#include "scenarios/json_fields.h"
#include "scenarios/model_library.h"
#include "scenarios/record_values.h"
#include "scenarios/uncertainty.h"

namespace flopcast::scenarios {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

using json_fields::field;
using json_fields::number;
using json_fields::positive;
using json_fields::text;

// How far a record's model.params may sit from its preset's count before a note says so: rounded
// published figures ("330M" for BERT-large's 335 M) stay well inside it.
constexpr double kParamsTolerance = 0.10;

std::string params_text(double p) {
  char buf[32];
  if (p >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f B", p / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.1f M", p / 1e6);
  return buf;
}

}  // namespace

RecordPrediction predict_zoo_record(const json& rec, const DeviceLookup& lookup, const PredictOptions& o,
                                    const models::ZooParams& zp) {
  RecordPrediction p;
  auto& out = p.out;
  out["id"] = rec.is_object() && rec.contains("id") ? rec["id"] : json(nullptr);
  ordered_json pred = ordered_json::object(), lo = ordered_json::object(), hi = ordered_json::object(),
               why = ordered_json::object();
  std::vector<std::string> defaults, notes;
  std::string all_null;
  models::ZooEstimateResult zr;
  int gpus = 0;
  int tp = 1;  // tensor-parallel ranks per replica, as the record states
  bool gpus_known = false;
  double tokens_per_sample = 1;
  bool images = false;  // a CNN or ViT sample is an image: no tokens
  models::Precision prec = models::Precision::fp16;
  models::DeviceSpec device;  // the record's, once found

  const json& jm = field(rec, "model");
  const json& jt = field(rec, "training");
  const json& js = field(rec, "system");
  [&] {
    if (!jm.is_object() || !jt.is_object() || !js.is_object()) {
      all_null = "record lacks one of model, training, system";
      return;
    }
    const auto dev_id = text(js, "device");
    if (!dev_id) {
      all_null = "system.device is null";
      return;
    }
    auto dev = lookup(*dev_id);
    if (!dev) {
      all_null = "device " + *dev_id + " not in the hardware catalog";
      return;
    }
    // Model: preset entry merged with the record's shape keys.
    const auto preset = text(jm, "preset");
    const LibraryModel* lm = preset ? find_library_model(*preset) : nullptr;
    json entry = lm ? lm->entry : json::object();
    if (!lm) {
      entry["kind"] = text(jm, "type").value_or("");
      if (preset) entry["name"] = *preset;
      if (preset) defaults.push_back("model.preset " + *preset + " not in the library: shape from the record");
    }
    SampleInput in = lm ? default_input(lm->entry) : SampleInput{};
    const json& ji = field(jm, "input");
    if (auto v = positive(ji, "seq_len")) in.seq_len = *v;
    else if (auto v2 = positive(jm, "seq_len")) in.seq_len = *v2;
    if (auto v = positive(ji, "image_size")) in.image_size = *v;
    if (auto v = positive(ji, "channels")) in.channels = *v;
    if (auto v = positive(ji, "seq_len_enc")) in.seq_len_enc = *v;
    if (auto v = positive(ji, "seq_len_dec")) in.seq_len_dec = *v;
    const std::string type = text(jm, "type").value_or("");
    if (type == "encoder" && !positive(ji, "seq_len") && !positive(jm, "seq_len")) {
      if (in.seq_len <= 0) in.seq_len = 128;
      defaults.push_back("model.input.seq_len (" + std::to_string(in.seq_len) + ")");
    }
    if (type == "encoder-decoder" && (!positive(ji, "seq_len_enc") || !positive(ji, "seq_len_dec"))) {
      if (in.seq_len_enc <= 0) in.seq_len_enc = positive(jm, "seq_len").value_or(512);
      if (in.seq_len_dec <= 0) in.seq_len_dec = in.seq_len_enc;
      defaults.push_back("model.input.seq_len_enc/dec (" + std::to_string(in.seq_len_enc) + "/" +
                         std::to_string(in.seq_len_dec) + ")");
    }
    if ((type == "cnn" || type == "vit") && !positive(ji, "image_size")) {
      if (in.image_size <= 0) in.image_size = 224;
      defaults.push_back("model.input.image_size (" + std::to_string(in.image_size) + ")");
    }
    const auto phase =
        text(jt, "phase_kind").value_or("pretrain") == "finetune" ? models::Phase::finetune : models::Phase::pretrain;
    json over = jm;
    over.erase("description");
    std::string err;
    auto L = build_layers(entry, over, in, phase, &err);
    // The record's own parameter count checks the preset it names. Names that differ only in case
    // are different models (vit-g14, ViT-g/14 at 1.0 B; vit-G14, ViT-G/14 at 1.8 B): where the
    // count fits the other spelling and not the named one, the record means the other.
    if (const auto rp = number(jm, "params"); L && lm && rp && *rp > 0) {
      auto off = [&](const models::LayerList& l) {
        return published_convention_params(l) / *rp - 1;
      };
      if (std::fabs(off(*L)) > kParamsTolerance) {
        const LibraryModel* named = lm;
        for (const auto& other : model_library()) {
          if (&other == named || record_token(other.name) != record_token(named->name)) continue;
          std::string err2;
          auto L2 = build_layers(other.entry, over, in, phase, &err2);
          if (!L2 || std::fabs(off(*L2)) > kParamsTolerance) continue;
          notes.push_back("model.preset " + named->name + " (" +
                          params_text(published_convention_params(*L)) + " parameters) read as " +
                          other.name + " (" + params_text(published_convention_params(*L2)) +
                          "), whose count matches model.params " + params_text(*rp) +
                          ": the names differ only in case");
          L = std::move(L2);
          lm = &other;
          break;
        }
        if (lm == named) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%+.0f %%", 100 * off(*L));
          notes.push_back("the " + named->name + " layer list counts " +
                          params_text(published_convention_params(*L)) +
                          " parameters, model.params says " + params_text(*rp) + " (" + buf +
                          "): predicted with the layer list");
        }
      }
    }
    if (!L) {
      all_null = err;
      return;
    }
    tokens_per_sample = L->tokens_per_sample;
    images = L->kind == models::ModelKind::cnn || L->kind == models::ModelKind::vit;

    // Precision.
    if (const auto pp = stated_precision(jt, notes)) {
      prec = *pp;
    } else {
      // Transformers train their GEMMs in fp8 where the hardware has it (Transformer Engine);
      // convolutional networks stay 16-bit.
      if (type != "cnn" && dev->peak(models::Precision::fp8).value_or(0) > dev->peak(models::Precision::bf16).value_or(0))
        prec = models::Precision::fp8;
      else if (dev->peak(models::Precision::bf16))
        prec = models::Precision::bf16;
      else if (dev->peak(models::Precision::fp16))
        prec = models::Precision::fp16;
      else
        prec = models::Precision::fp32;  // CPUs: no 16-bit peak in their profiles
      defaults.push_back("training.precision (" + std::string(models::to_string(prec)) + ")");
    }

    // Devices and batch.
    gpus_known = positive(js, "gpu_count").has_value();
    gpus = positive(js, "gpu_count").value_or(8);
    if (const json& pj = field(js, "parallelism"); !gpus_known && pj.is_object()) {
      // A record that names its data-parallel degree (and tp) has named its device count.
      if (const auto dpv = positive(pj, "dp");
          dpv && *dpv * positive(pj, "tp").value_or(1) <= 1e7) {
        gpus = int(*dpv * positive(pj, "tp").value_or(1));
        gpus_known = true;
      }
    }
    if (!gpus_known) defaults.push_back("system.gpu_count (8)");
    models::ZooEstimateInput zi;
    zi.layers = std::move(*L);
    zi.precision = prec;
    zi.device = *dev;
    device = *dev;
    zi.device_count = gpus;
    // Tensor parallelism as the record states it (T5X's model partitions); dp replicas share the batch.
    const json& par = field(js, "parallelism");
    const auto stated_tp = par.is_object() ? positive(par, "tp") : std::nullopt;
    tp = stated_tp ? int(*stated_tp) : 1;
    for (const char* axis : {"pp", "cp", "ep"})
      if (par.is_object())
        if (const auto v = positive(par, axis); v && *v > 1)
          notes.push_back(std::string("system.parallelism.") + axis + " = " + std::to_string(int(*v)) +
                          " is not modelled for model-library kinds: predicted without it (data and tensor "
                          "parallelism only)");
    zi.tensor_parallel = tp;
    zi.efficiency = o.efficiency;
    zi.zoo = zp;
    const auto mb = positive(jt, "micro_batch_size");
    const auto ga = positive(jt, "gradient_accumulation");
    const auto global_samples = [&]() -> std::optional<double> {  // samples per optimizer step
      if (auto g = number(jt, "global_batch_samples"); g && *g > 0) return *g;
      if (auto t = number(jt, "global_batch_tokens"); t && *t > 0) return *t / tokens_per_sample;
      return std::nullopt;
    }();
    // Micro-batch and accumulation of z at z.tensor_parallel ranks per replica; false when neither
    // the record nor the batch sets the micro-batch (then it is the memory cap: a default).
    auto size_batch = [&](models::ZooEstimateInput& z) {
      const int dp = std::max(1, gpus / std::max(1, z.tensor_parallel));
      std::optional<double> local;  // samples per data-parallel replica per step
      if (global_samples) local = *global_samples / dp;
      if (mb) {
        z.micro_batch_size = *mb;
        z.grad_accumulation = ga ? *ga : (local ? std::max(1, int(std::lround(*local / *mb))) : 1);
      } else if (ga && local && *local >= 1) {
        // The record fixes the accumulation, so the micro-batch is its share of the batch: the run
        // held it in memory, whatever the activation estimate says (predicting a smaller
        // micro-batch would contradict the stated global batch).
        z.grad_accumulation = int(*ga);
        z.micro_batch_size = std::max(1, int(std::lround(*local / *ga)));
      } else {
        // the memory cap first, then split the per-device share into micro-batches under it
        models::ZooEstimateInput probe = z;
        probe.micro_batch_size = 0;
        const int cap = models::zoo_estimate(probe).micro_batch_size;
        if (local && *local >= 1) {
          const int n = std::max(1, int(std::ceil(*local / std::max(1, cap))));
          z.micro_batch_size = std::max(1, int(std::lround(*local / n)));
          z.grad_accumulation = ga ? *ga : n;
        } else {
          z.micro_batch_size = std::max(1, cap);
          return false;
        }
      }
      return true;
    };
    const bool batch_stated = size_batch(zi);
    zr = models::zoo_estimate(zi);
    // A record that leaves tp null gets data parallelism, unless the model's states and one
    // sample's activations do not fit under the micro-batch cap of one device. Then, as a user
    // splits a model too large for one device (T5X's model partitions, Megatron):
    //  - the degree the record's batch implies, where its global batch is smaller than
    //    gpu_count × micro-batch × accumulation (1 when unstated): not every device can be its own
    //    replica, and the ratio is the ranks per replica (JAX-Toolbox's T5X tables);
    //  - else the fewest ranks that fit: a power of two within the scale-up domain.
    // Each must divide the devices and the heads and fit; a model that fits at tp 1 keeps it.
    if (zr.ok && !stated_tp && zi.layers.tensor_parallel &&
        !models::zoo_fits(zr, zi.device, zp.activation_memory_fraction)) {
      std::vector<std::pair<int, std::string>> candidates;
      if (mb && global_samples) {
        const double implied = gpus * *mb * ga.value_or(1) / *global_samples;
        const int t = int(std::lround(implied));
        if (t > 1 && std::fabs(implied - t) < 1e-6 * implied &&
            models::zoo_tp_valid(zi.layers, gpus, t))
          candidates.push_back({t, "gpu_count x micro-batch / global batch"});
      }
      for (const int t : models::zoo_tp_degrees(zi.layers, zi.device, gpus))
        candidates.push_back(
            {t,
             "the model's states and one sample's activations exceed the micro-batch cap of "
             "one device at tp 1"});
      for (const auto& [t, reason] : candidates) {
        models::ZooEstimateInput trial = zi;
        trial.tensor_parallel = t;
        size_batch(trial);
        auto tr = models::zoo_estimate(trial);
        if (!tr.ok || !models::zoo_fits(tr, trial.device, zp.activation_memory_fraction)) continue;
        zi = std::move(trial);
        zr = std::move(tr);
        tp = t;
        defaults.push_back("system.parallelism.tp (" + std::to_string(t) + ": " + reason + ")");
        break;
      }
    }
    if (!batch_stated)
      defaults.push_back("training.global_batch (micro-batch " +
                         std::to_string(zi.micro_batch_size) + ")");
    if (!zr.ok) all_null = "model: " + zr.error;
    for (const auto& n : zr.notes) notes.push_back(n);
  }();

  const auto& u = o.uncertainty;
  auto sigma = [&](const std::string& k) {
    return zoo_band_sigma(zp, u,
                          k == "energy_mwh"                        ? Spread::energy
                          : k == "wall_time_h" || k == "gpu_hours" ? Spread::whole_run
                                                                   : Spread::throughput,
                          int(defaults.size()));
  };
  auto put = [&](const std::string& k, std::optional<double> v, const std::string& reason) {
    if (v && std::isfinite(*v) && *v > 0) {
      pred[k] = *v;
      lo[k] = *v * std::exp(-kZ90 * sigma(k));
      hi[k] = *v * std::exp(kZ90 * sigma(k));
    } else {
      pred[k] = nullptr;
      lo[k] = nullptr;
      hi[k] = nullptr;
      why[k] = reason.empty() ? "not computable" : reason;
    }
  };
  if (!all_null.empty()) {
    for (const auto& k : metric_names()) put(k, std::nullopt, all_null);
  } else {
    const double sps = zr.samples_per_s_per_gpu;
    const auto samples = number(jt, "training_samples");
    // The interruption goodput of this device count (models/goodput.h) only: the decoders' g0 is
    // fitted on LLM whole runs (their evaluation, batch ramp-up, large-checkpoint start-up, and the
    // throughput model's bias on those runs); nothing fits one for these kinds (docs/parameters.md).
    const double goodput = models::failure_goodput(gpus, zr.params);
    std::optional<double> wall_h;
    if (samples && *samples > 0 && gpus_known) wall_h = *samples / (sps * gpus) / goodput / 3600.0;
    // Energy as the scenarios compute it (scenarios/zoo_run.cpp): device power at the busy
    // fraction over the run, × the default PUE (records' energy is the facility's; decoders alike).
    std::optional<double> energy;
    std::string energy_why =
        !samples ? "training.training_samples unknown" : "system.gpu_count unknown";
    if (wall_h) {
      models::EnergyOptions eo;
      eo.pue = models::kPueOther;
      const auto er =
          models::training_energy(device, gpus, *wall_h * 3600.0,
                                  models::busy_fraction(zr.parallel_efficiency, goodput), eo);
      if (er.ok)
        energy = er.energy_mwh;
      else
        energy_why = "energy: " + er.error;
    }
    for (const auto& k : metric_names()) {
      if (k == "tokens_per_s_per_gpu")
        put(k, images ? std::nullopt : std::optional<double>(zr.tokens_per_s_per_gpu),
            "an image model's sample is an image, not tokens: see samples_per_s_per_gpu");
      else if (k == "samples_per_s_per_gpu") put(k, sps, "");
      else if (k == "step_time_s") put(k, zr.step_time_s, "");
      else if (k == "wall_time_h")
        put(k, wall_h, !samples ? "training.training_samples unknown" : "system.gpu_count unknown");
      else if (k == "gpu_hours")
        put(k, wall_h ? std::optional<double>(*wall_h * gpus) : std::nullopt,
            !samples ? "training.training_samples unknown" : "system.gpu_count unknown");
      else if (k == "mfu") put(k, zr.mfu, "");
      else if (k == "energy_mwh")
        put(k, energy, energy_why);
      else put(k, std::nullopt, "not modelled for encoder / encoder-decoder / vit / cnn records");
    }
  }
  out["predicted"] = pred;
  out["p10"] = lo;
  out["p90"] = hi;
  out["why_null"] = why;
  if (zr.ok) {
    char buf[160];
    const std::string tp_text = tp > 1 ? " tp" + std::to_string(tp) : std::string();
    std::snprintf(buf, sizeof buf, "dp%d%s mb%d accum%d", std::max(1, gpus / std::max(1, tp)), tp_text.c_str(),
                  zr.micro_batch_size,
                  zr.samples_per_s_per_gpu > 0 ? int(std::lround(zr.step_time_s * zr.samples_per_s_per_gpu * tp /
                                                                 std::max(1, zr.micro_batch_size)))
                                               : 1);
    out["layout"] = std::string(buf);
    out["precision"] = std::string(models::to_string(prec));
    out["devices"] = gpus;
  }
  out["defaults_used"] = defaults;
  out["notes"] = notes;
  p.ok = zr.ok && all_null.empty();
  p.result.ok = p.ok;
  p.result.params = zr.params;
  p.result.step_time_s = zr.step_time_s;
  p.result.tokens_per_s_per_gpu = zr.tokens_per_s_per_gpu;
  p.result.mfu = zr.mfu;
  p.result.model_flops_per_token = tokens_per_sample > 0 ? zr.model_flops_per_sample / tokens_per_sample : 0;
  return p;
}

}  // namespace flopcast::scenarios
