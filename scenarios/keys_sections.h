// Internal: each section of the scenario format lives in its own keys_<section>.cpp with
// (1) its keys for the table and (2) the mapping of those keys onto Scenario. Extending a section
// (a cost engineer adding cost keys, say) touches only that file (plus a migration step when old
// files need rewriting: scenarios/migrate.cpp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/key_table.h"
#include "scenarios/scenario.h"

namespace flopcast::scenarios::detail {

// Reads values of a validated document. `effective` has every default filled in; `raw` is what
// the user wrote (to tell "set" from "defaulted"). Types and ranges are already checked.
class Reader {
 public:
  Reader(const nlohmann::ordered_json& effective, const nlohmann::ordered_json& raw)
      : effective_(effective), raw_(raw) {}
  bool has(const std::string& pointer) const;  // present in what the user wrote
  const nlohmann::ordered_json* get(const std::string& pointer) const;  // effective, or nullptr
  double number(const std::string& pointer, double fallback = 0) const;
  long long integer(const std::string& pointer, long long fallback = 0) const;
  std::string string(const std::string& pointer, const std::string& fallback = "") const;
  bool boolean(const std::string& pointer, bool fallback = false) const;

 private:
  const nlohmann::ordered_json& effective_;
  const nlohmann::ordered_json& raw_;
};

struct Issue {
  std::string pointer;
  std::string message;
};

// The "expected ..." text of a key (type, range, unit), as the validator words it.
std::string expected_text(const KeySpec& k);
// The n choices closest to `value` (substring matches first, then edit distance).
std::vector<std::string> closest_names(const std::string& value, const std::vector<std::string>& choices,
                                       std::size_t n);

void add_document_keys(std::vector<KeySpec>& keys);
void add_workload_keys(std::vector<KeySpec>& keys);
void add_hardware_keys(std::vector<KeySpec>& keys);
void add_parallelism_keys(std::vector<KeySpec>& keys);
void add_costs_keys(std::vector<KeySpec>& keys);
void add_simulation_keys(std::vector<KeySpec>& keys);

// Map a section onto the scenario; cross-key checks (the ones a per-key range cannot express)
// append an Issue. Called in this order: document, workload, hardware, parallelism, costs,
// simulation (later sections may read earlier ones from `s`).
void apply_document(const Reader& r, Scenario& s, std::vector<Issue>& issues);
void apply_workload(const Reader& r, Scenario& s, std::vector<Issue>& issues);
void apply_hardware(const Reader& r, Scenario& s, std::vector<Issue>& issues);
void apply_parallelism(const Reader& r, Scenario& s, std::vector<Issue>& issues);
void apply_costs(const Reader& r, Scenario& s, std::vector<Issue>& issues);
void apply_simulation(const Reader& r, Scenario& s, std::vector<Issue>& issues);

}  // namespace flopcast::scenarios::detail
