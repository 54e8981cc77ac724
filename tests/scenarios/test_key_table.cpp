#include <catch2/catch.hpp>

#include <set>

#include "helpers.h"
#include "scenarios/key_table.h"
#include "scenarios/model_library.h"
#include "scenarios/presets.h"

using namespace flopcast::scenarios;

TEST_CASE("every key is documented, typed, ranged and either required or defaulted", "[keys]") {
  std::set<std::string> seen;
  for (const auto& k : scenario_keys()) {
    INFO(k.pointer);
    CHECK(seen.insert(k.pointer).second);  // declared once
    CHECK_FALSE(k.help.empty());
    CHECK_FALSE(k.group.empty());
    const auto slash = k.pointer.rfind('/');
    if (slash > 0) {
      const KeySpec* parent = find_key(k.pointer.substr(0, slash));
      REQUIRE(parent != nullptr);
      CHECK(parent->type == KeyType::object);
      CHECK_FALSE(parent->open);
    }
    if (!k.required) CHECK((!k.default_value.is_null() || !k.default_text.empty()));
    if (k.required) CHECK(k.default_value.is_null());
    if (k.type == KeyType::integer || k.type == KeyType::number) {
      CHECK(k.minimum.has_value());
      CHECK(k.maximum.has_value());
      if (k.minimum && k.maximum) CHECK(*k.minimum <= *k.maximum);
    }
    if (k.type == KeyType::enumeration) {
      CHECK_FALSE(k.choices.empty());
      if (k.default_value.is_string())
        CHECK(std::find(k.choices.begin(), k.choices.end(), k.default_value.get<std::string>()) != k.choices.end());
    }
    if (k.default_value.is_number() && k.minimum && k.maximum) {
      CHECK(k.default_value.get<double>() >= *k.minimum);
      CHECK(k.default_value.get<double>() <= *k.maximum);
    }
  }
  CHECK(find_key("/workload/training_tokens") != nullptr);
  CHECK(find_key("/nope") == nullptr);
}

TEST_CASE("the checked-in JSON Schema equals the generated one", "[keys][schema]") {
  const std::string file = test::slurp(test::source_path("scenarios/schema/scenario.schema.json"));
  INFO("regenerate with: flopcast schema --out scenarios/schema/scenario.schema.json");
  CHECK(file == scenario_json_schema_text());
}

TEST_CASE("docs/scenario-format.md carries the generated key reference", "[keys][docs]") {
  const std::string doc = test::slurp(test::source_path("docs/scenario-format.md"));
  INFO("regenerate the block with: flopcast schema --keys-markdown");
  CHECK(doc.find(key_reference_markdown()) != std::string::npos);
  for (const auto& k : scenario_keys()) {
    INFO(k.pointer);
    CHECK(doc.find("`" + k.pointer + "`") != std::string::npos);
  }
}

TEST_CASE("the schema mirrors the table", "[keys][schema]") {
  const auto s = scenario_json_schema();
  CHECK(s["additionalProperties"] == false);
  CHECK(s["required"] == nlohmann::ordered_json::array({"schema_version", "workload", "hardware"}));
  const auto& count = s["properties"]["hardware"]["properties"]["device_count"];
  CHECK(count["type"] == "integer");
  CHECK(count["minimum"] == 1);
  const auto& preset = s["properties"]["workload"]["properties"]["model"]["properties"]["preset"];
  CHECK(preset["enum"].size() == model_presets().size() + model_library().size());  // decoders + model library
  // The embedded profile is validated by hwprofiles: open in the schema.
  CHECK_FALSE(s["properties"]["hardware"]["properties"]["device_profile"].contains("additionalProperties"));
  CHECK(scenario_json_schema_text() == scenario_json_schema_text());  // deterministic
}
