// Named model architectures (scenarios/data/model_presets.json, embedded in the binary at build
// time: no data path at run time). Each entry carries the source of its numbers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/workload.h"

namespace flopcast::scenarios {

struct ModelPreset {
  std::string name;
  models::TransformerShape shape;  // seq_len is the preset's training context
  std::string source;
  std::string source_url;
};

const std::vector<ModelPreset>& model_presets();
const ModelPreset* find_preset(std::string_view name);
std::vector<std::string> preset_names();
std::string_view model_presets_json();  // the embedded file, byte for byte

}  // namespace flopcast::scenarios
