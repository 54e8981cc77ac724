// The scenario format's key table: every key declared once, with its type, unit, valid range,
// default and help text. The validator, the JSON Schema generator (`flopcast schema`),
// docs/scenario-format.md and the GUI's form are all generated from this one table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flopcast::scenarios {

enum class KeyType { integer, number, string, boolean, enumeration, object, array, any_of };

struct KeySpec {
  std::string pointer;  // JSON pointer of the key, e.g. "/workload/training_tokens"
  KeyType type = KeyType::number;
  bool required = false;
  nlohmann::json default_value;  // null when required or when "absent" has a meaning of its own
  std::string unit;              // "tokens", "USD/GPU-hour", "" for unitless
  std::optional<double> minimum;  // inclusive
  std::optional<double> maximum;  // inclusive
  std::vector<std::string> choices;  // enumeration values (or special strings such as "auto")
  std::string help;                  // one or two sentences for docs, schema and the GUI tooltip
  std::string group;                 // form section: workload, hardware, parallelism, costs, simulation
  // Added by the scenario-format issue:
  KeyType item_type = KeyType::string;  // arrays: the type of each item (choices then apply to items)
  bool open = false;  // objects whose members another module validates (embedded device profile)
  std::string default_text;  // documented default when it is not a constant ("the preset's value")
};

// The schema version this build writes; older files are migrated (scenarios/migrate.h).
inline constexpr int kSchemaVersion = 2;  // 2: buy-vs-rent costs section (keys_costs.cpp)

// All keys of the current schema version, in document order.
const std::vector<KeySpec>& scenario_keys();
const KeySpec* find_key(const std::string& pointer);

std::string to_string(KeyType type);  // "integer", "number", ... as in JSON Schema (enumeration: "string")

// JSON Schema (draft 2020-12) generated from scenario_keys(): what `flopcast schema` prints and
// scenarios/schema/scenario.schema.json holds. Deterministic (same table, same bytes).
nlohmann::ordered_json scenario_json_schema();
std::string scenario_json_schema_text();  // dump(2) + "\n"

// The key reference of docs/scenario-format.md (a Markdown table per section), from the same table.
std::string key_reference_markdown();

}  // namespace flopcast::scenarios
