// The enumerated values of a ground-truth record (training.precision, system.sharding,
// training.activation_recompute) read the way a person writes them.
//
// tests/data/groundtruth/FORMAT.md fixes each vocabulary (precision: fp32, tf32, bf16, fp16, fp8,
// fp4; sharding: none, zero1, zero2, zero3; recompute: none, selective, full). Sources and people
// spell the same thing otherwise: "BF16", "bf16-mixed", "MXFP8", "NVFP4", "FSDP", "ZeRO-3", "DDP".
// A value is matched case-insensitively, with blanks, '_' and '-' ignored, against the
// vocabulary and these aliases (each the framework's own name for the same setting):
//   precision  bfloat16, bf16-mixed / bf16mixed (PyTorch Lightning), ampbf16 → bf16;
//              float16, half, fp16-mixed, ampfp16 → fp16; float32, single → fp32;
//              mxfp8, e4m3, hybrid (Transformer Engine's fp8 recipe) → fp8; nvfp4, mxfp4 → fp4
//   sharding   ddp, no → none; zero-1, os, distributedoptimizer (Megatron) → zero1; zero-2 → zero2;
//              zero-3, fsdp, fullshard (PyTorch FSDP FULL_SHARD) → zero3
//   recompute  no, off, false → none (Megatron's "block" / "uniform" are methods of full recompute
//              over some layers, not a granularity: unknown, the layout search decides)
// Anything else is not a guess: the caller treats the field as unknown (its documented default or
// search) and says so in the prediction's notes. Ignores: spellings beyond these.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwprofiles/device_profile.h"
#include "models/layout.h"
#include "models/precision.h"
#include "models/workload.h"

namespace flopcast::scenarios {

// Lower case, with blanks, '_', '-' and ' ' removed ("bf16-mixed" → "bf16mixed").
std::string record_token(std::string_view s);
// record_token of a model name as people write it, an organisation prefix dropped
// ("meta-llama/Llama-2-7b-hf" → "llama27bhf").
std::string model_name_token(std::string_view s);

// The catalog devices (ids) a device written as people write it names: every word of the text
// (lower-case letters and digits; "tesla", "instinct", "gpu", "hbm3" and the like ignored) is a
// word of the device's id or name, or a form factor without its generation ("sxm" for "sxm5"), or
// two adjacent words run together ("tpuv4"). "H100-SXM" names nvidia-h100-sxm5-80gb alone; "H100"
// names the SXM5 and the PCIe card; "B200" not GB200. An exact id is itself.
std::vector<std::string> catalog_devices_named(std::string_view text);

// The catalog device whose id this is, exactly or as record_token() writes it
// ("NVIDIA-H100-SXM5-80GB", "nvidia_h100_sxm5_80gb"); null otherwise.
const hwprofiles::DeviceProfile* catalog_device_spelled(std::string_view text);

// For an error about a device or a model name that is not an id or a name: what the text
// stands for, as a clause to append ("; \"H100-SXM\" is nvidia-h100-sxm5-80gb", "; \"H100\" could
// be nvidia-h100-sxm5-80gb or nvidia-h100-pcie-80gb"), or "" when it names nothing.
std::string device_hint(std::string_view text);
std::string model_name_hint(std::string_view text);  // presets and model-library entries

// The entry of `entries` (each with .name and .aliases) that `text` names: the entry with that name
// or alias, else the only one whose name or an alias has text's model_name_token; null when none or
// more than one has it (never a guess).
template <class Entry>
const Entry* match_named(const std::vector<Entry>& entries, std::string_view text) {
  for (const auto& e : entries)
    if (e.name == text) return &e;
  for (const auto& e : entries)
    for (const auto& a : e.aliases)
      if (a == text) return &e;
  const std::string t = model_name_token(text);
  if (t.empty()) return nullptr;
  const Entry* found = nullptr;
  for (const auto& e : entries) {
    bool hit = record_token(e.name) == t;
    for (const auto& a : e.aliases) hit = hit || record_token(a) == t;
    if (!hit) continue;
    if (found) return nullptr;
    found = &e;
  }
  return found;
}

std::optional<models::Precision> record_precision(std::string_view s);
std::optional<models::Sharding> record_sharding(std::string_view s);
std::optional<models::Recompute> record_recompute(std::string_view s);

// model.type: dense, moe, encoder, encoder-decoder, vit, cnn (aliases: decoder → dense;
// mixture-of-experts → moe; seq2seq → encoder-decoder; vision-transformer → vit; convnet → cnn).
std::optional<std::string> record_model_type(std::string_view s);
// training.phase_kind: pretrain, finetune (pre-training, fine-tuning, fine-tune).
std::optional<std::string> record_phase(std::string_view s);

// One training.lora.target entry as the model's matrix names (qkv_proj, q_proj, k_proj, v_proj,
// o_proj, gate_proj, up_proj, down_proj, all_linear), from the Hugging Face Llama names, Megatron /
// NeMo's (linear_qkv, linear_proj, linear_fc1 — gate and up fused in a gated FFN — linear_fc2) and
// GPT-NeoX / Falcon's (query_key_value, dense, dense_h_to_4h, dense_4h_to_h), matched as above;
// nullopt for a name it does not know.
std::optional<std::vector<std::string>> record_lora_target(std::string_view s, bool ffn_gated);

// A copy of a record whose model.type, training.phase_kind and model.preset are in their canonical
// spelling where they map (a preset is matched against the model library's names the same way),
// and whose numeric fields (FORMAT.md: shape, batch, token and sample counts, gpu_count, the
// parallel degrees) hold numbers where they were written as numeric strings ("512", "1.5e12",
// "8,192"); anything else is left as it was. A numeric field holding something that is not a number
// adds a note to `notes` (the field then reads as unknown). Predictions read this copy.
nlohmann::json canonical_record(const nlohmann::json& rec,
                                std::vector<std::string>* notes = nullptr);

// The text of a vocabulary field j[key] (`field` names it in notes): nullopt when absent or null; a
// value of another JSON type is unknown too, and a note says so.
std::optional<std::string> vocabulary_text(const nlohmann::json& j, const char* key,
                                           const std::string& field,
                                           std::vector<std::string>& notes);

// A record's stated precision (training.precision), sharding (system.sharding) or recompute
// (training.activation_recompute) from its section: the value where it maps, else nullopt, with a
// note in `notes` when the field held something that does not map (vocabulary_text,
// unrecognized_note). nullopt without a note when the field is absent or null.
std::optional<models::Precision> stated_precision(const nlohmann::json& training,
                                                  std::vector<std::string>& notes);
std::optional<models::Sharding> stated_sharding(const nlohmann::json& system,
                                                std::vector<std::string>& notes);
std::optional<models::Recompute> stated_recompute(const nlohmann::json& training,
                                                  std::vector<std::string>& notes);

// "training.precision 'amp' is not one of fp32, tf32, bf16, fp16, fp8, fp4: taken as unknown".
std::string unrecognized_note(const std::string& field, const std::string& value,
                              const char* vocabulary);

}  // namespace flopcast::scenarios
