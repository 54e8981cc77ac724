// Hugging Face config.json -> the workload section of a Flopcast scenario.
//
// Families mapped (config.json `model_type`): llama, llama4 (its text_config), mistral, mixtral,
// qwen2, qwen2_moe / qwen3_moe (as mixtral keys), qwen3, gpt_oss, phi3, gemma, gemma2, deepseek_v2
// / deepseek_v3, gpt_neox, gpt2, bert, electra, roberta, t5 / mt5, vit. Keys read per family are
// listed in docs/model-zoo.md. The result carries the shape keys of /workload/model plus the
// parameter count Flopcast computes from that shape (models/flops.h for decoders, the layer lists
// of models/ for the others), so an imported config and the matching preset give the same count.
// Errors name the file, the JSON pointer of the key and what was expected, in one line.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flopcast::scenarios {

struct HfImportResult {
  bool ok = false;
  std::string error;               // one line: "FILE: /pointer: what was expected"
  nlohmann::ordered_json workload;  // {"model": {...}, "seq_len": ...}
  std::string family;               // the model_type read
  double params = 0;                // computed from the imported shape
};

// `origin` names the file in error messages.
HfImportResult import_hf_config(const nlohmann::json& config, const std::string& origin);

// Reads and imports a config.json file.
HfImportResult import_hf_file(const std::string& path);

// Puts an imported model into a scenario document (`flopcast import hf --into`, the desktop app's
// File > Import): /workload/model becomes the import's; the sample shape follows the config (an
// image or encoder-decoder input, or an encoder's seq_len), except that a decoder keeps the
// scenario's training length (its /workload/seq_len, else its decoder preset's): a decoder
// config's length is the longest context it supports, usually far longer than training's. The
// other keys (amounts, hardware, layout) are kept; the validator says which no longer apply.
void merge_imported_model(nlohmann::ordered_json& scenario_document,
                          const HfImportResult& imported);

}  // namespace flopcast::scenarios
