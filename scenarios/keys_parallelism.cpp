// Scenario keys of the "parallelism" section: the parallel layout (explicit, or "auto": the model
// chooses) and the knobs that apply to either (sharding, pipeline schedule, micro-batch size).
#include <cmath>
#include <numeric>
#include <string>

#include "scenarios/keys_sections.h"
#include "scenarios/model_library.h"

namespace flopcast::scenarios::detail {

namespace {
const char* kGroup = "parallelism";
const char* kExplicitOnly[] = {"dp", "tp", "pp", "cp", "ep", "vp"};
}  // namespace

void add_parallelism_keys(std::vector<KeySpec>& k) {
  k.push_back({.pointer = "/parallelism", .type = KeyType::object, .default_value = nlohmann::ordered_json::object(),
               .help = "How the devices are split: data, tensor, pipeline, context and expert parallelism, sharding, schedule.",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/layout", .type = KeyType::enumeration, .default_value = "auto",
               .choices = {"auto", "explicit"},
               .help = "auto: the estimate chooses the layout and says which it chose (the result's layout and layout note); explicit: dp/tp/pp/cp/ep/vp below.",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/dp", .type = KeyType::integer, .unit = "devices",
               .minimum = 1, .maximum = 1048576,
               .help = "Data-parallel replicas (explicit layout only). dp · tp · pp · cp must equal device_count.",
               .group = kGroup, .default_text = "device_count / (tp · pp · cp)"});
  k.push_back({.pointer = "/parallelism/tp", .type = KeyType::integer, .default_value = 1,
               .unit = "devices", .minimum = 1, .maximum = 1024,
               .help = "Tensor-parallel degree (explicit layout only); must divide n_heads.", .group = kGroup});
  k.push_back({.pointer = "/parallelism/pp", .type = KeyType::integer, .default_value = 1,
               .unit = "stages", .minimum = 1, .maximum = 1024,
               .help = "Pipeline-parallel stages (explicit layout only); at most n_layers.", .group = kGroup});
  k.push_back({.pointer = "/parallelism/cp", .type = KeyType::integer, .default_value = 1,
               .unit = "devices", .minimum = 1, .maximum = 1024,
               .help = "Context-parallel degree: the sequence split over devices (explicit layout only).",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/ep", .type = KeyType::integer, .default_value = 1,
               .unit = "devices", .minimum = 1, .maximum = 65536,
               .help = "Expert-parallel degree, carved out of dp (Megatron convention; explicit layout only); must divide dp and n_experts.",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/vp", .type = KeyType::integer, .default_value = 1,
               .unit = "stages", .minimum = 1, .maximum = 1024,
               .help = "Virtual pipeline stages per pipeline rank (explicit layout only); above 1 needs schedule interleaved.",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/sharding", .type = KeyType::enumeration, .default_value = "none",
               .choices = {"none", "zero1", "zero2", "zero3"},
               .help = "Optimizer/gradient/weight sharding over data-parallel ranks: ZeRO stage 1, 2 or 3 (FSDP full shard).",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/schedule", .type = KeyType::enumeration, .default_value = "1f1b",
               .choices = {"gpipe", "1f1b", "interleaved"},
               .help = "Pipeline schedule: GPipe (all forwards, then all backwards), 1F1B, or interleaved 1F1B with vp virtual stages.",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/sequence_parallel", .type = KeyType::boolean, .default_value = false,
               .help = "Megatron sequence parallelism alongside tensor parallelism.", .group = kGroup});
  k.push_back({.pointer = "/parallelism/overlap_grad_reduce", .type = KeyType::boolean, .default_value = true,
               .help = "Data-parallel communication (gradient reduction, ZeRO parameter gathers) overlapped with the backward and forward passes (PyTorch DDP buckets, Megatron-Core --overlap-grad-reduce); false: it runs after the backward, as Megatron-LM's local DDP did before 2023.",
               .group = kGroup});
  k.push_back({.pointer = "/parallelism/micro_batch_size", .type = KeyType::integer, .default_value = 1,
               .unit = "sequences", .minimum = 1, .maximum = 65536,
               .help = "Sequences per micro-batch on one data-parallel replica.", .group = kGroup});
}

namespace {

// Model-library presets (models/zoo_estimate): data parallelism over every device, no sharding, no
// pipeline; the micro-batch is the user's or chosen to fit memory (scenarios/runner.cpp).
void apply_zoo_parallelism(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  ZooWorkload& z = *s.zoo;
  const std::string name = z.library_name == "custom" ? "the " + kind_name(z.kind) + " shape"
                                                       : "preset \"" + z.library_name + "\"";
  // Transformer stacks (their layer lists tag each op's split) also take Megatron-style tensor
  // parallelism in an explicit layout; CNNs and Transformer-XL run data parallelism only.
  const bool tp_ok = z.layers.tensor_parallel;
  const std::string what = name + (tp_ok ? " runs data and tensor parallelism only (models/zoo_estimate)"
                                         : " runs data parallelism only (models/zoo_estimate)");
  s.auto_layout = r.string("/parallelism/layout", "auto") == "auto";
  int tp = 1;
  if (!s.auto_layout && tp_ok && r.has("/parallelism/tp")) {
    tp = int(r.integer("/parallelism/tp"));
    int heads = 0;  // the attention heads tp splits (every head-split GEMM's batch)
    for (const auto& o : z.layers.ops)
      if (o.tp_split == models::TpSplit::heads && o.kind == models::ZooOpKind::gemm) heads = std::gcd(heads, o.batch);
    if (tp < 1 || s.device_count % tp != 0)
      issues.push_back({"/parallelism/tp", "is " + std::to_string(tp) + ": expected a divisor of device_count (" +
                                               std::to_string(s.device_count) + ")"});
    else if (heads > 0 && heads % tp != 0)
      issues.push_back({"/parallelism/tp", "is " + std::to_string(tp) + ": expected a divisor of the attention heads (" +
                                               std::to_string(heads) + ")"});
  }
  const int dp = tp >= 1 && s.device_count % tp == 0 ? s.device_count / tp : s.device_count;
  for (const char* key : kExplicitOnly) {
    const std::string ptr = std::string("/parallelism/") + key;
    if (!r.has(ptr)) continue;
    if (s.auto_layout)
      issues.push_back({ptr, "set while /parallelism/layout is \"auto\": expected layout \"explicit\" or no " + std::string(key)});
    else if (std::string(key) == "dp" && r.integer(ptr) != dp)
      issues.push_back({ptr, "is " + std::to_string(r.integer(ptr)) + ": " + what + ": expected device_count" +
                                 (tp > 1 ? " / tp (" : " (") + std::to_string(dp) + ")"});
    else if (std::string(key) == "tp" && tp_ok)
      continue;  // checked above
    else if (std::string(key) != "dp" && r.integer(ptr) != 1)
      issues.push_back({ptr, "is " + std::to_string(r.integer(ptr)) + ": " + what + ": expected 1"});
  }
  z.tensor_parallel = tp;
  if (r.has("/parallelism/sharding") && r.string("/parallelism/sharding") != "none")
    issues.push_back({"/parallelism/sharding", "is \"" + r.string("/parallelism/sharding") + "\": " + what +
                                                   " without ZeRO sharding: expected \"none\""});
  if (r.has("/parallelism/schedule"))
    issues.push_back({"/parallelism/schedule", "applies to pipeline parallelism of decoder presets only: " + what});
  if (r.has("/parallelism/sequence_parallel") && r.boolean("/parallelism/sequence_parallel"))
    issues.push_back({"/parallelism/sequence_parallel", "is true: " + what + ": expected false"});
  s.training.overlap_grad_reduce = r.boolean("/parallelism/overlap_grad_reduce", true);
  models::Layout l;
  l.dp = dp;
  l.tp = tp;
  z.micro_batch_size = r.has("/parallelism/micro_batch_size") ? int(r.integer("/parallelism/micro_batch_size")) : 0;
  l.micro_batch_size = z.micro_batch_size;
  s.layout = l;
  s.training.micro_batch_size = l.micro_batch_size;
  if (z.global_batch_samples <= 0) return;  // reported by apply_workload
  const double share = z.global_batch_samples / dp;
  if (share < 1 || share != std::floor(share)) {
    issues.push_back({z.batch_pointer, "is " + nlohmann::json(static_cast<long long>(z.global_batch_samples)).dump() +
                                           " samples: expected a multiple of " +
                                           (tp > 1 ? "the data-parallel replicas (" + std::to_string(dp) + ")"
                                                   : "device_count (" + std::to_string(s.device_count) + ")") +
                                           ": every data-parallel rank takes the same share"});
  } else if (z.micro_batch_size > 0 && std::fmod(share, z.micro_batch_size) != 0) {
    issues.push_back({"/parallelism/micro_batch_size",
                      "is " + std::to_string(z.micro_batch_size) + ": expected a divisor of the per-device share of the global batch (" +
                          nlohmann::json(static_cast<long long>(share)).dump() + " samples)"});
  }
}

}  // namespace

void apply_parallelism(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  if (s.zoo) {
    apply_zoo_parallelism(r, s, issues);
    return;
  }
  models::Layout& l = s.layout;
  s.auto_layout = r.string("/parallelism/layout", "auto") == "auto";
  const std::string sharding = r.string("/parallelism/sharding", "none");
  l.sharding = sharding == "zero1"   ? models::Sharding::zero1
               : sharding == "zero2" ? models::Sharding::zero2
               : sharding == "zero3" ? models::Sharding::zero3
                                     : models::Sharding::none;
  const std::string schedule = r.string("/parallelism/schedule", "1f1b");
  l.schedule = schedule == "gpipe"         ? models::PipelineSchedule::gpipe
               : schedule == "interleaved" ? models::PipelineSchedule::interleaved
                                           : models::PipelineSchedule::one_f_one_b;
  l.sequence_parallel = r.boolean("/parallelism/sequence_parallel", false);
  s.training.overlap_grad_reduce = r.boolean("/parallelism/overlap_grad_reduce", true);
  l.micro_batch_size = int(r.integer("/parallelism/micro_batch_size", 1));
  s.training.micro_batch_size = l.micro_batch_size;

  if (s.auto_layout) {
    for (const char* key : kExplicitOnly) {
      const std::string ptr = std::string("/parallelism/") + key;
      if (r.has(ptr))
        issues.push_back({ptr, "set while /parallelism/layout is \"auto\": expected layout \"explicit\" or no " +
                                   std::string(key)});
    }
    l.dp = s.device_count;
    return;
  }
  l.tp = int(r.integer("/parallelism/tp", 1));
  l.pp = int(r.integer("/parallelism/pp", 1));
  l.cp = int(r.integer("/parallelism/cp", 1));
  l.ep = int(r.integer("/parallelism/ep", 1));
  l.vp = int(r.integer("/parallelism/vp", 1));
  const long long model_parallel = static_cast<long long>(l.tp) * l.pp * l.cp;
  if (r.has("/parallelism/dp")) {
    l.dp = int(r.integer("/parallelism/dp"));
    if (static_cast<long long>(l.dp) * model_parallel != s.device_count)
      issues.push_back({"/parallelism/dp", "dp · tp · pp · cp = " + std::to_string(l.dp * model_parallel) +
                                               ": expected device_count (" + std::to_string(s.device_count) + ")"});
  } else if (s.device_count % model_parallel != 0) {
    issues.push_back({"/parallelism/tp", "tp · pp · cp = " + std::to_string(model_parallel) +
                                             ": expected a divisor of device_count (" +
                                             std::to_string(s.device_count) + ")"});
  } else {
    l.dp = int(s.device_count / model_parallel);
  }
  const auto& m = s.model;
  if (m.n_heads > 0 && m.n_heads % l.tp != 0)
    issues.push_back({"/parallelism/tp", "is " + std::to_string(l.tp) + ": expected a divisor of n_heads (" +
                                             std::to_string(m.n_heads) + ")"});
  if (m.n_layers > 0 && l.pp * l.vp > m.n_layers)
    issues.push_back({"/parallelism/pp", "pp · vp = " + std::to_string(l.pp * l.vp) +
                                             ": expected at most n_layers (" + std::to_string(m.n_layers) + ")"});
  if (l.vp > 1 && l.schedule != models::PipelineSchedule::interleaved)
    issues.push_back({"/parallelism/vp", "is " + std::to_string(l.vp) +
                                             ": expected 1 unless /parallelism/schedule is \"interleaved\""});
  if (l.ep > 1) {
    if (!m.moe)
      issues.push_back({"/parallelism/ep", "is " + std::to_string(l.ep) + ": expected 1 for a dense model (no /workload/model/moe)"});
    else if (l.dp % l.ep != 0 || m.moe->n_experts % l.ep != 0)
      issues.push_back({"/parallelism/ep", "is " + std::to_string(l.ep) + ": expected a divisor of dp (" +
                                               std::to_string(l.dp) + ") and of n_experts (" +
                                               std::to_string(m.moe->n_experts) + ")"});
  }
  if (m.seq_len > 0 && l.dp > 0) {
    const double seqs = s.training.global_batch_tokens / m.seq_len;
    const double per_replica = seqs / l.dp;
    const double mbs = l.micro_batch_size;
    if (per_replica < mbs || per_replica / mbs != static_cast<double>(static_cast<long long>(per_replica / mbs)))
      issues.push_back({"/parallelism/micro_batch_size",
                        "global batch of " + nlohmann::json(seqs).dump() + " sequences over dp = " +
                            std::to_string(l.dp) + " replicas: expected a whole number of micro-batches of " +
                            std::to_string(l.micro_batch_size) + " per replica"});
  }
}

}  // namespace flopcast::scenarios::detail
