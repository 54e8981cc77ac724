// scenarios/data/model_library.json: every entry builds, cites a source, and its computed
// parameter count (and CNN multiply-adds) agree with the published figures stored beside them.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

#include "scenarios/model_library.h"

using namespace flopcast::scenarios;
using nlohmann::json;

TEST_CASE("the model library holds every ground-truth preset", "[zoo]") {
  for (const char* n : {"bert-large-uncased", "electra-base", "resnet50-v1.5", "resnext101-32x4d",
                        "se-resnext101-32x4d", "efficientnet-b0", "efficientnet-b4", "efficientnetv2-s",
                        "transformer-big-wmt-en-de", "t5-v1.1-small", "t5-v1.1-large", "t5-v1.1-xl", "t5-v1.1-xxl",
                        "vit-b16", "vit-g14", "transformer-xl-base-wt103", "transformer-xl-large-wt103"}) {
    INFO(n);
    CHECK(find_library_model(n) != nullptr);
  }
  CHECK(find_library_model("no-such-model") == nullptr);
}

TEST_CASE("library entries are found by their other names, never ambiguously", "[zoo]") {
  CHECK(match_library_model("resnet50")->name == "resnet50-v1.5");
  CHECK(match_library_model("ResNet-50")->name == "resnet50-v1.5");
  CHECK(match_library_model("bert-large")->name == "bert-large-uncased");
  CHECK(match_library_model("google/vit-base-patch16-224")->name == "vit-b16");
  CHECK(match_library_model("vit_l_16")->name == "vit-l16");
  CHECK(match_library_model("google/t5-v1_1-xl")->name == "t5-v1.1-xl");
  CHECK(match_library_model("efficientnet_b7")->name == "efficientnet-b7");
  CHECK(match_library_model("vit-G14")->name == "vit-G14");  // exact names first
  CHECK(match_library_model("VIT-G14") == nullptr);          // vit-g14 or vit-G14: not guessed
  CHECK(match_library_model("resnext101") == nullptr);       // 32x4d, 32x8d, 64x4d: not guessed
  CHECK(match_library_model("") == nullptr);
  CHECK(match_library_model("google/") == nullptr);
  // No alias is another entry's name or alias, and each says where the name comes from.
  std::set<std::string> seen;
  for (const auto& m : model_library()) {
    INFO(m.name);
    if (!m.aliases.empty()) CHECK_FALSE(m.entry.value("aliases_source", "").empty());
    for (const auto& a : m.aliases) {
      INFO(a);
      CHECK(seen.insert(a).second);
      CHECK(match_library_model(a) == &m);
    }
  }
}

TEST_CASE("library entries: unique names, sources, computed params beside the published ones", "[zoo]") {
  std::set<std::string> names;
  for (const auto& m : model_library()) {
    INFO(m.name);
    CHECK(names.insert(m.name).second);
    CHECK_FALSE(m.source.empty());
    CHECK(m.entry.contains("source_url"));
    REQUIRE(m.published_params.has_value());
    CHECK_FALSE(m.entry["published"].value("params_source", "").empty());
    const double computed = library_params(m);
    REQUIRE(computed > 0);
    // Within 1 %, or within the rounding of the published figure when the source rounds it
    // (timm's model card gives EfficientNet-B3 as 12.2M). Where the paper rounds to two figures
    // (EfficientNet's "19M") the entry cites the reference implementation's exact count instead.
    double tol = 0.01 * *m.published_params;
    if (m.entry["published"].contains("params_significant_digits")) {
      const int digits = m.entry["published"]["params_significant_digits"].get<int>();
      const double unit = std::pow(10.0, std::floor(std::log10(*m.published_params)) - digits + 1);
      tol = std::max(tol, 0.5 * unit);
    }
    if (m.entry["published"].contains("params_tolerance")) {  // a documented inconsistency of the source
      CHECK_FALSE(m.entry["published"].value("params_note", "").empty());
      tol = m.entry["published"]["params_tolerance"].get<double>() * *m.published_params;
    }
    CHECK(std::fabs(computed - *m.published_params) <= tol);
  }
}

TEST_CASE("CNN multiply-adds per image agree with the published figures", "[zoo]") {
  int checked = 0;
  for (const auto& m : model_library()) {
    if (m.kind != flopcast::models::ModelKind::cnn || !m.published_gmacs) continue;
    INFO(m.name);
    SampleInput in;
    in.image_size = m.published_image_size;
    std::string err;
    auto L = build_layers(m.entry, json::object(), in, flopcast::models::Phase::pretrain, &err);
    REQUIRE(L);
    const double gmacs = L->forward_flops_per_sample() / 2e9;
    // published figures are rounded to two or three significant figures; EfficientNetV2's at its
    // evaluation size differ by up to 6 % between the paper and the reference code's count
    CHECK(std::fabs(gmacs - *m.published_gmacs) / *m.published_gmacs < 0.07);
    ++checked;
  }
  CHECK(checked >= 15);
}

TEST_CASE("build_layers reports what it lacks in one line", "[zoo]") {
  std::string err;
  SampleInput in;
  json entry = {{"kind", "cnn"}, {"name", "lenet"}};
  in.image_size = 32;
  CHECK_FALSE(build_layers(entry, json::object(), in, flopcast::models::Phase::pretrain, &err));
  CHECK(err.find("unknown CNN architecture 'lenet'") != std::string::npos);
  // A CNN with neither a library name nor a preset says what it needs, not a made-up name.
  CHECK_FALSE(build_layers(json{{"kind", "cnn"}}, json::object(), in,
                           flopcast::models::Phase::pretrain, &err));
  CHECK(err.find("a CNN needs a model-library preset") != std::string::npos);
  entry = {{"kind", "encoder"}};
  CHECK_FALSE(build_layers(entry, json{{"n_layers", 2}}, in, flopcast::models::Phase::pretrain, &err));
  CHECK(err.find("model.d_model and model.n_heads") != std::string::npos);
  entry = {{"kind", "vit"}, {"n_layers", 2}, {"d_model", 64}, {"n_heads", 4}};
  in.image_size = 0;
  CHECK_FALSE(build_layers(entry, json::object(), in, flopcast::models::Phase::pretrain, &err));
  CHECK(err.find("image_size") != std::string::npos);
}

TEST_CASE("Transformer-XL presets: published counts, memory in the attention key length", "[zoo]") {
  // Dai et al. 2019 Table 1 (WikiText-103): Standard 151M, within 1 %.
  const LibraryModel* base = find_library_model("transformer-xl-base-wt103");
  REQUIRE(base != nullptr);
  CHECK(base->kind == flopcast::models::ModelKind::decoder);
  CHECK(std::fabs(library_params(*base) / 151e6 - 1) < 0.01);
  CHECK(base->entry.contains("notes"));
  // Large: the released 18-layer configuration; the paper's 257M is a documented inconsistency.
  const LibraryModel* large = find_library_model("transformer-xl-large-wt103");
  REQUIRE(large != nullptr);
  CHECK_FALSE(large->entry["published"].value("params_note", "").empty());
  json sixteen = large->entry;
  sixteen["n_layers"] = 16;
  LibraryModel l16 = *large;
  l16.entry = sixteen;
  CHECK(std::fabs(library_params(l16) / 257e6 - 1) < 0.01);  // what the published figure counts
  // Every layer attends over mem_len + seq_len keys.
  SampleInput in = default_input(base->entry);
  REQUIRE(in.seq_len == 150);
  std::string err;
  auto L = build_layers(base->entry, json::object(), in, flopcast::models::Phase::pretrain, &err);
  INFO(err);
  REQUIRE(L);
  CHECK(L->tokens_per_sample == 150);
  bool found = false;
  for (const auto& o : L->ops)
    if (o.name == "layer scores AC (content)") {
      found = true;
      CHECK(o.n == 150 + 150);
      CHECK(o.m_per_sample == 150);
      CHECK(o.repeat == 16);
    }
  CHECK(found);
  // A longer memory costs more per sample.
  json longer = base->entry;
  longer["mem_len"] = 600;
  auto L2 = build_layers(longer, json::object(), in, flopcast::models::Phase::pretrain, &err);
  REQUIRE(L2);
  CHECK(L2->forward_flops_per_sample() > L->forward_flops_per_sample());
  CHECK(L2->params() == L->params());
}
