// Ground-truth run records (their format: tests/data/groundtruth/FORMAT.md, with the records in
// tests/data/groundtruth/) -> models::EstimateInput -> predicted metrics with P10/P90 bands, and
// the validation report (predicted vs measured, MAPE per metric, family and kind).
//
// A prediction reads only the record's structured inputs: `model`, `training`, `system` — never
// `measured`, `id`, `family`, `kind`, `source*`, `notes`, `derived`, `verification`,
// `model.description`, `training.phase` or any `*_text` key. What a record leaves null is filled
// with the documented defaults below (as a user would), each counted in `defaults_used`:
//   precision      fp8 where the device's fp8 tensor peak exceeds its bf16 peak (Hopper, Blackwell,
//   MI300, Gaudi 2/3:
//                  transformer training stacks run their GEMMs in fp8 there: Transformer Engine in
//                  NeMo/Megatron, MLPerf submissions, DeepSeek-V3, Llama 4), else bf16 where it has
//                  a bf16 peak, else fp16, else fp32; zoo records: the same for transformers,
//                  16-bit for CNNs (scenarios/zoo_predict.cpp)
//   attention      unfused when the record states fp16 on a GPU with bf16 tensor cores (a stack
//                  from before FlashAttention, bf16 and sequence parallelism were the default);
//                  else models/memory.h's rule (unfused on V100 and older, and for fp32 training)
//   unfused stack  (either case above): that software generation also had no sequence
//                  parallelism, no overlapped data-parallel communication (Megatron-LM's local DDP
//                  reduced gradients after the backward) and only full recompute, its scripts'
//                  default (--checkpoint-activations): an unstated recompute there is full
//   goodput        whole runs: the fitted g0 × the interruption goodput of gpu_count devices
//                  (models/goodput.h: Llama 3's failure rate, Daly's checkpoint interval)
//   layout         auto layout (models/layout_search.h) with the given parts fixed; also when the
//                  given layout is invalid for the model (then a note says why); where no layout
//                  fits our memory model, the fastest (the run did fit: the model overshot)
//   micro-batch, recompute, sharding: searched with the layout (recompute: see unfused stack)
//   gpu_count      the smallest power of two ≥ 8 whose memory holds 20 bytes per parameter at 60 %
//   global batch   global_batch_samples·seq_len, else max(1024, gpu_count)·seq_len tokens
//   training tokens training_samples·seq_len when only samples are given
//   shape          from params: h ≈ 128·l, N = 12·l·h² (GPT-3 family aspect), heads = h/128 (from
//                  16 heads on rounded to a multiple of 8, then l re-solved from N),
//                  ffn = 4h (plain) or 8h/3 rounded to 256 (gated), seq_len 2048, vocab 50,257;
//                  MoE without expert sizes: a dense equivalent of params_active
//   sequence parallelism on whenever tp > 1 (except on the unfused stacks above).
// Uncertainty: the band is log-normal around the prediction, σ² = σ0² + n_other·σd² +
//   n_searched·σsearch² + [MoE]·σmoe² (+ σrun² for whole-run metrics), where n_searched counts the
//   defaults that are searched layout parts and n_other the rest; fitted from the cross-validation
//   residuals (tools/fit_params.py);
//   P10/P90 = P50·exp(∓1.2816·σ).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/estimate.h"
#include "scenarios/uncertainty.h"

namespace flopcast::scenarios {

using DeviceLookup = std::function<std::optional<models::DeviceSpec>(const std::string& id)>;


struct PredictOptions {
  models::EfficiencyParams efficiency;
  UncertaintyParams uncertainty;
};

// Reads efficiency / uncertainty overrides from a JSON object {"efficiency": {...},
// "uncertainty": {...}} (keys as the struct fields). Returns "" or a one-line error.
std::string apply_params_json(const nlohmann::json& j, PredictOptions& o);
nlohmann::ordered_json params_to_json(const PredictOptions& o);

// A whole-run record without a device count is predicted on the fewest devices, doubled until
// its wall time is at most this planning horizon (60 days: published large runs took 33-84 days
// of training, OPT-175B ~33 ideal (arXiv 2205.01068), GPT-3 175B on 1,024 A100 34 and 1T on 3,072
// 84 (Narayanan et al. 2021 §5.1), Llama 3 405B 54 (arXiv 2407.21783 §3.3.4)), up to this many.
inline constexpr double kDefaultRunHorizonH = 60.0 * 24.0;
inline constexpr int kDefaultMaxDevices = 32768;

struct RecordInput {
  bool ok = false;
  std::string why_null;                   // when !ok: why nothing can be predicted
  models::EstimateInput input;
  std::vector<std::string> defaults_used;  // inputs the record left null and we filled
  std::vector<std::string> notes;          // values read as unknown (scenarios/record_values.h)
  bool gpu_count_known = false;
  bool batch_known = false;
  bool tokens_known = false;
  bool shape_from_params = false;
};

// How many of a prediction's defaults_used entries are layout parts the auto layout searched.
int searched_defaults(const std::vector<std::string>& defaults_used);

RecordInput record_to_input(const nlohmann::json& record, const DeviceLookup& lookup, const PredictOptions& o);

// The metrics FORMAT.md defines, in output order.
const std::vector<std::string>& metric_names();

struct RecordPrediction {
  nlohmann::ordered_json out;  // {"id", "predicted", "p10", "p90", "why_null", "layout", "defaults_used"}
  models::EstimateResult result;
  bool ok = false;
  bool moe = false;  // the model run was a mixture of experts (the band's σ_moe term applied)
};

RecordPrediction predict_record(const nlohmann::json& record, const DeviceLookup& lookup, const PredictOptions& o);

// The one-line error for a document that is not an array of records; it names the command that
// reads the file when it is another Flopcast file (a scenario, the seeds' comparison).
std::string not_records_message(const nlohmann::json& doc);

// Whole array; `records` must be a JSON array (else one-line error in *error).
nlohmann::ordered_json predict_all(const nlohmann::json& records, const DeviceLookup& lookup, const PredictOptions& o,
                                   std::string* error = nullptr);

// Validation: one row per (record, metric) where both predicted and measured exist.
struct ValidationRow {
  std::string id, family, group, kind, metric;
  double predicted = 0, measured = 0, p10 = 0, p90 = 0;
  double error = 0;  // (pred − meas)/meas
  bool in_band = false;
  bool low_confidence = false;
  int n_defaults = 0;  // inputs the record left null (defaults_used)
  int n_searched = 0;  // of those, layout parts the auto layout searched
  bool moe = false;    // a mixture-of-experts model
};
struct ValidationReport {
  std::vector<ValidationRow> rows;
  std::vector<std::pair<std::string, std::string>> not_predicted;  // id, why (measured but null)
  int records = 0;
};
ValidationReport validate_records(const nlohmann::json& records, const DeviceLookup& lookup, const PredictOptions& o);

// Source group of a family: the family name without its version ("megatron-bridge-26.02" ->
// "megatron-bridge", "mlperf-training-gpt3" -> "mlperf-training", "nemo-24.07" -> "nemo").
std::string family_group(const std::string& family);

struct Aggregate {
  std::string key;
  int n = 0;
  double mape = 0;
  double bias = 0;  // mean signed error
  double in_band = 0;
  double median_width = 0;  // median (P90−P10)/P50
};
// Per metric, per key (family / group / kind), headline rows excluded when low-confidence.
std::vector<Aggregate> aggregate(const ValidationReport& r, const std::string& metric,
                                 const std::function<std::string(const ValidationRow&)>& key);

// Reads a JSON file (records array or parameters object). Returns "" or a one-line error naming
// the file and what was wrong ("FILE: line L, column C: ..." for syntax errors).
std::string read_json_file(const std::string& path, nlohmann::json& out);

// The device lookup over the embedded catalog (flopcast::hwprofiles::builtin_catalog()).
DeviceLookup builtin_device_lookup();

// Text renderings of the report: "table" (plain text), "markdown", or JSON.
std::string validation_markdown(const ValidationReport& r, const std::string& command);
nlohmann::ordered_json validation_json(const ValidationReport& r);

}  // namespace flopcast::scenarios
