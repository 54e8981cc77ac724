// Named model architectures (scenarios/data/model_presets.json, embedded in the binary at build
// time: no data path at run time). Each entry carries the source of its numbers.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "models/workload.h"

namespace flopcast::scenarios {

struct ModelPreset {
  std::string name;
  std::vector<std::string> aliases;  // other names ("Llama-2-7b-hf")
  models::TransformerShape shape;  // seq_len is the preset's training context
  std::string source;
  std::string source_url;
};

const std::vector<ModelPreset>& model_presets();
const ModelPreset* find_preset(std::string_view name);
// The preset a record or a user means by `text`: its name or an alias, exactly, else as
// model_name_token() ("meta-llama/Llama-2-7b-hf", "Llama 2 7B"); null when none or more than one
// preset matches.
const ModelPreset* match_preset(std::string_view text);
std::vector<std::string> preset_names();
std::string_view model_presets_json();  // the embedded file, byte for byte

// A decoder shape from a preset-style object (the keys of model_presets.json entries, as
// `flopcast import hf` writes them): n_layers, d_model, n_heads, n_kv_heads, ffn_dim, ffn_gated,
// vocab_size and tied_embeddings required; head_dim, seq_len (0 when absent), moe, attention (mla),
// params, params_active optional. Throws nlohmann::json::exception or std::runtime_error when a
// required key is missing or has the wrong type.
models::TransformerShape decoder_shape_from_json(const nlohmann::json& entry);

}  // namespace flopcast::scenarios
