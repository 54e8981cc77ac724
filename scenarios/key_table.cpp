// The key table: assembled from the per-section files (keys_<section>.cpp), and everything
// generated from it (JSON Schema, the docs' key reference).
#include "scenarios/key_table.h"

#include <cmath>
#include <sstream>

#include "scenarios/keys_sections.h"

namespace flopcast::scenarios {

using nlohmann::ordered_json;

namespace detail {

void add_document_keys(std::vector<KeySpec>& k) {
  k.push_back({.pointer = "/schema_version", .type = KeyType::integer, .required = true,
               .minimum = 0, .maximum = kSchemaVersion,
               .help = "Version of the scenario format the file was written in. Older versions are migrated on load (see Migration); newer ones are refused.",
               .group = "document"});
  k.push_back({.pointer = "/name", .type = KeyType::string, .default_value = "",
               .help = "Short title shown in reports and the GUI.", .group = "document",
               .default_text = "the file name"});
  k.push_back({.pointer = "/description", .type = KeyType::string, .default_value = "",
               .help = "Free text: what the scenario is for, where its numbers come from.", .group = "document"});
  k.push_back({.pointer = "/seed", .type = KeyType::integer, .default_value = 0, .minimum = 0,
               .maximum = 9007199254740991.0,
               .help = "Seed of every random draw (simulations, uncertainty); the same seed gives the same result.",
               .group = "document"});
}

void apply_document(const Reader& r, Scenario& s, std::vector<Issue>&) {
  s.name = r.string("/name", "");
  s.description = r.string("/description", "");
  s.seed = static_cast<std::uint64_t>(r.integer("/seed", 0));
}

bool Reader::has(const std::string& pointer) const {
  const ordered_json::json_pointer p(pointer);
  return raw_.contains(p);
}

const ordered_json* Reader::get(const std::string& pointer) const {
  const ordered_json::json_pointer p(pointer);
  if (!effective_.contains(p)) return nullptr;
  return &effective_.at(p);
}

double Reader::number(const std::string& pointer, double fallback) const {
  const auto* v = get(pointer);
  return v && v->is_number() ? v->get<double>() : fallback;
}

long long Reader::integer(const std::string& pointer, long long fallback) const {
  const auto* v = get(pointer);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<long long>();
  if (v->is_number_unsigned()) return static_cast<long long>(v->get<unsigned long long>());
  if (v->is_number_float()) return static_cast<long long>(v->get<double>());
  return fallback;
}

std::string Reader::string(const std::string& pointer, const std::string& fallback) const {
  const auto* v = get(pointer);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

bool Reader::boolean(const std::string& pointer, bool fallback) const {
  const auto* v = get(pointer);
  return v && v->is_boolean() ? v->get<bool>() : fallback;
}

}  // namespace detail

const std::vector<KeySpec>& scenario_keys() {
  static const std::vector<KeySpec> keys = [] {
    std::vector<KeySpec> k;
    detail::add_document_keys(k);
    detail::add_workload_keys(k);
    detail::add_hardware_keys(k);
    detail::add_parallelism_keys(k);
    detail::add_costs_keys(k);
    detail::add_simulation_keys(k);
    return k;
  }();
  return keys;
}

const KeySpec* find_key(const std::string& pointer) {
  for (const auto& k : scenario_keys())
    if (k.pointer == pointer) return &k;
  return nullptr;
}

std::string to_string(KeyType type) {
  switch (type) {
    case KeyType::integer: return "integer";
    case KeyType::number: return "number";
    case KeyType::string: return "string";
    case KeyType::boolean: return "boolean";
    case KeyType::enumeration: return "string";
    case KeyType::object: return "object";
    case KeyType::array: return "array";
    case KeyType::any_of: return "any";
  }
  return "any";
}

namespace {

ordered_json bound(const KeySpec& k, double v) {
  if (k.type == KeyType::integer && std::floor(v) == v && std::fabs(v) < 9.1e15)
    return ordered_json(static_cast<long long>(v));
  return ordered_json(v);
}

std::string description(const KeySpec& k) {
  std::string d = k.help;
  if (!k.unit.empty()) d += " Unit: " + k.unit + ".";
  if (!k.required && k.default_value.is_null() && !k.default_text.empty())
    d += " Default: " + k.default_text + ".";
  return d;
}

// "/a/b" -> "/properties/a/properties/b"
std::string schema_path(const std::string& pointer) {
  std::string out;
  std::size_t i = 1;
  while (i <= pointer.size()) {
    const std::size_t j = pointer.find('/', i);
    const std::string token = pointer.substr(i, j == std::string::npos ? std::string::npos : j - i);
    out += "/properties/" + token;
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

std::string parent_of(const std::string& pointer) { return pointer.substr(0, pointer.rfind('/')); }

}  // namespace

ordered_json scenario_json_schema() {
  ordered_json root;
  root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  root["$id"] = "flopcast-scenario-v" + std::to_string(kSchemaVersion) + ".schema.json";
  root["title"] = "Flopcast scenario";
  root["description"] =
      "A training scenario for flopcast (schema_version " + std::to_string(kSchemaVersion) +
      "). Generated by `flopcast schema` from the key table in scenarios/; see docs/scenario-format.md.";
  root["type"] = "object";
  root["additionalProperties"] = false;
  root["properties"] = ordered_json::object();
  root["required"] = ordered_json::array();
  for (const auto& k : scenario_keys()) {
    ordered_json node;
    node["description"] = description(k);
    switch (k.type) {
      case KeyType::enumeration:
        node["type"] = "string";
        node["enum"] = k.choices;
        break;
      case KeyType::array: {
        node["type"] = "array";
        ordered_json items;
        items["type"] = to_string(k.item_type);
        if (!k.choices.empty()) items["enum"] = k.choices;
        node["items"] = items;
        node["minItems"] = 1;
        node["uniqueItems"] = true;
        break;
      }
      case KeyType::object:
        node["type"] = "object";
        if (!k.open) {
          node["additionalProperties"] = false;
          node["properties"] = ordered_json::object();
        }
        break;
      case KeyType::any_of:
        break;
      default:
        node["type"] = to_string(k.type);
    }
    if (k.minimum) node["minimum"] = bound(k, *k.minimum);
    if (k.maximum) node["maximum"] = bound(k, *k.maximum);
    if (!k.default_value.is_null()) node["default"] = k.default_value;
    if (!k.unit.empty()) node["x-unit"] = k.unit;
    const ordered_json::json_pointer at(schema_path(k.pointer));
    root[at] = node;
    if (k.required) {
      const std::string parent = parent_of(k.pointer);
      const ordered_json::json_pointer parent_at(parent.empty() ? "" : schema_path(parent));
      root[parent_at]["required"].push_back(k.pointer.substr(k.pointer.rfind('/') + 1));
    }
  }
  return root;
}

std::string scenario_json_schema_text() { return scenario_json_schema().dump(2) + "\n"; }

std::string key_reference_markdown() {
  std::ostringstream md;
  md << "<!-- BEGIN KEY REFERENCE: generated by key_reference_markdown() in scenarios/key_table.cpp;"
        " a test keeps this block equal to it. -->\n";
  std::string group;
  for (const auto& k : scenario_keys()) {
    if (k.group != group) {
      group = k.group;
      md << "\n### " << group << "\n\n";
      md << "| key | type | required / default | unit | valid values | meaning |\n";
      md << "|---|---|---|---|---|---|\n";
    }
    std::string type = to_string(k.type);
    if (k.type == KeyType::enumeration) type = "enum";
    if (k.type == KeyType::array) type = "array of " + (k.item_type == KeyType::enumeration ? std::string("enum") : to_string(k.item_type));
    std::string def;
    if (k.required) def = "**required**";
    else if (!k.default_value.is_null()) def = "`" + k.default_value.dump() + "`";
    else def = k.default_text.empty() ? "absent" : k.default_text;
    std::string range;
    if (!k.choices.empty()) {
      for (std::size_t i = 0; i < k.choices.size(); ++i) range += (i ? ", " : "") + ("`" + k.choices[i] + "`");
    } else if (k.minimum || k.maximum) {
      range = (k.minimum ? bound(k, *k.minimum).dump() : std::string("-inf")) + " to " +
              (k.maximum ? bound(k, *k.maximum).dump() : std::string("inf"));
    }
    auto cell = [](std::string text) {  // a '|' would end the table cell
      for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) text.replace(at, 1, "\\|");
      return text;
    };
    md << "| `" << k.pointer << "` | " << type << " | " << cell(def) << " | " << cell(k.unit) << " | " << cell(range)
       << " | " << cell(k.help) << " |\n";
  }
  md << "\n<!-- END KEY REFERENCE -->\n";
  return md.str();
}

}  // namespace flopcast::scenarios
