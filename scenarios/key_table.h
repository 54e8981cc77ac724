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
};

// All keys of the current schema version, in document order.
const std::vector<KeySpec>& scenario_keys();
const KeySpec* find_key(const std::string& pointer);

}  // namespace flopcast::scenarios
