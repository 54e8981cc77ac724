// The non-decoder model library (scenarios/data/model_library.json, embedded in the binary at
// build time) and the zoo predictor for ground-truth records whose model.type is encoder,
// encoder-decoder, vit or cnn.
//
// Record -> prediction (reads only model, training, system; documented defaults as a user would):
//   shape        the record's shape keys where given, else the preset's (model.preset)
//   input        model.input (seq_len | image_size, channels | seq_len_enc, seq_len_dec), else
//                model.seq_len, else the preset's default input
//   precision    null: bf16 where the device has a bf16 peak, else fp16 (mixed precision)
//   micro-batch  training.micro_batch_size; else the per-device share of global_batch_samples
//                (or of global_batch_tokens / tokens per sample) capped by device memory
//                (models/zoo_estimate.h), the rest accumulated
//   layout       pure data parallelism over system.gpu_count (every zoo model fits one device)
//   time to train training_samples / (samples/s per device × devices) / goodput
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cnn.h"
#include "models/encoder.h"
#include "models/encoder_decoder.h"
#include "models/vit.h"
#include "models/zoo_estimate.h"
#include "scenarios/groundtruth.h"

namespace flopcast::scenarios {

struct LibraryModel {
  std::string name;
  std::vector<std::string> aliases;  // other names of the entry ("resnet50", "bert-large")
  models::ModelKind kind = models::ModelKind::cnn;
  nlohmann::json entry;  // the JSON object as stored
  std::optional<double> published_params;
  std::optional<double> published_gmacs;  // CNNs: multiply-adds per image at published image size
  int published_image_size = 0;
  std::string source;
};

const std::vector<LibraryModel>& model_library();
const LibraryModel* find_library_model(std::string_view name);
// The entry a record or a user means by `text`: its name or one of its aliases, matched exactly,
// else as record_token() (case, blanks, '-' and '_' ignored) after dropping an organisation prefix
// ("google/vit-base-patch16-224"). Null when nothing matches, or when more than one entry does
// ("VIT-G14": vit-g14 and vit-G14).
const LibraryModel* match_library_model(std::string_view text);
std::string_view model_library_json();  // the embedded file, byte for byte

// "encoder" | "encoder-decoder" | "vit" | "cnn" | "decoder"
std::string kind_name(models::ModelKind k);
std::optional<models::ModelKind> kind_from_name(std::string_view s);

// Input of one sample: text (seq_len), images (image_size, channels) or pairs (enc, dec).
struct SampleInput {
  int seq_len = 0;
  int image_size = 0;
  int channels = 3;
  int seq_len_enc = 0;
  int seq_len_dec = 0;
};

// Builds the layer list of a library entry merged with `overrides` (a record's / scenario's model
// object: shape keys given there win). Entries of kind "decoder" with "architecture":
// "transformer-xl" build a decoder-style stack whose attention keys are mem_len + seq_len
// (build_memory_decoder in model_library.cpp documents what it counts). Returns nullopt and a
// one-line reason in *error.
std::optional<models::LayerList> build_layers(const nlohmann::json& entry, const nlohmann::json& overrides,
                                             const SampleInput& input, models::Phase phase, std::string* error);
// The preset's default sample input.
SampleInput default_input(const nlohmann::json& entry);
// Parameters the entry's shape gives (published convention: no task head for encoders).
double library_params(const LibraryModel& m);
// A layer list's parameters as model cards count them: without the ELECTRA generator and the
// fine-tuning span head.
double published_convention_params(const models::LayerList& L);

// True for model.type values the zoo predictor handles.
bool is_zoo_type(std::string_view model_type);

// The zoo predictor for one ground-truth record (same output shape as predict_record).
RecordPrediction predict_zoo_record(const nlohmann::json& record, const DeviceLookup& lookup,
                                    const PredictOptions& o, const models::ZooParams& zp = {});

}  // namespace flopcast::scenarios
