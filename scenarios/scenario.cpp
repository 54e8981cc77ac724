#include "scenarios/scenario.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>

#include "models/efficiency.h"
#include "models/flops.h"
#include "models/goodput.h"
#include "scenarios/atomic_file.h"
#include "scenarios/key_table.h"
#include "scenarios/keys_sections.h"
#include "scenarios/migrate.h"
#include "scenarios/record_values.h"
#include "scenarios/strict_json.h"

namespace flopcast::scenarios {

using nlohmann::ordered_json;

namespace {

std::string parent_of(const std::string& pointer) {
  const auto slash = pointer.rfind('/');
  return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

std::string last_token(const std::string& pointer) { return pointer.substr(pointer.rfind('/') + 1); }

std::string a_type(const ordered_json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return ordered_json(v).dump();
}

std::string expectation(const KeySpec& k) {
  std::string e;
  switch (k.type) {
    case KeyType::integer: e = "an integer"; break;
    case KeyType::number: e = "a number"; break;
    case KeyType::string: e = "a string"; break;
    case KeyType::boolean: e = "true or false"; break;
    case KeyType::object: e = "an object"; break;
    case KeyType::array: e = "an array"; break;
    case KeyType::any_of: e = "a value"; break;
    case KeyType::enumeration: {
      e = "one of ";
      for (std::size_t i = 0; i < k.choices.size(); ++i) e += (i ? ", " : "") + ("\"" + k.choices[i] + "\"");
      return e;
    }
  }
  if (k.minimum || k.maximum) {
    e += " in " + (k.minimum ? number_text(*k.minimum) : std::string("-inf")) + ".." +
         (k.maximum ? number_text(*k.maximum) : std::string("inf"));
  }
  if (!k.unit.empty()) e += " (" + k.unit + ")";
  return e;
}

// Enumerations longer than this name only their closest choices in an error.
constexpr std::size_t kLongEnumeration = 16;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

struct Validator {
  std::vector<detail::Issue>& issues;

  std::vector<std::string> children_of(const std::string& pointer) const {
    std::vector<std::string> names;
    for (const auto& k : scenario_keys())
      if (parent_of(k.pointer) == pointer) names.push_back(last_token(k.pointer));
    return names;
  }

  bool check_scalar(const ordered_json& v, const std::string& pointer, const KeySpec& k, KeyType type,
                    const std::vector<std::string>& choices) {
    auto wrong = [&](const std::string& expected) {
      issues.push_back({pointer, "is " + a_type(v) + ": expected " + expected});
      return false;
    };
    switch (type) {
      case KeyType::integer:
      case KeyType::number: {
        if (!v.is_number()) return wrong(expectation(k));
        const double d = v.get<double>();
        if (!std::isfinite(d)) return wrong(expectation(k));
        if (type == KeyType::integer && std::floor(d) != d) return wrong(expectation(k));
        // Range first: nothing downstream does arithmetic on an unchecked value.
        if ((k.minimum && d < *k.minimum) || (k.maximum && d > *k.maximum)) {
          issues.push_back({pointer, "is " + v.dump() + ": out of range, expected " + expectation(k)});
          return false;
        }
        return true;
      }
      case KeyType::string:
        return v.is_string() ? true : wrong(expectation(k));
      case KeyType::boolean:
        return v.is_boolean() ? true : wrong(expectation(k));
      case KeyType::enumeration: {
        KeySpec tmp = k;
        tmp.type = KeyType::enumeration;
        tmp.choices = choices;
        if (!v.is_string()) return wrong(expectation(tmp));
        if (std::find(choices.begin(), choices.end(), v.get<std::string>()) == choices.end()) {
          if (choices.size() > kLongEnumeration) {
            // A long list (the model presets): name the closest few, not all of them.
            std::string close;
            for (const auto& c : detail::closest_names(v.get<std::string>(), choices, 3))
              close += (close.empty() ? "" : ", ") + ("\"" + c + "\"");
            const std::string named = model_name_hint(v.get<std::string>());
            issues.push_back({pointer, "is " + v.dump() + ": expected one of " +
                                           std::to_string(choices.size()) + " names" +
                                           (named.empty() ? " (closest: " + close + ")" : named)});
            return false;
          }
          issues.push_back({pointer, "is " + v.dump() + ": expected " + expectation(tmp)});
          return false;
        }
        return true;
      }
      default:
        return true;
    }
  }

  void check(const ordered_json& v, const std::string& pointer, const KeySpec& k) {
    if (k.type == KeyType::object) {
      if (!v.is_object()) {
        issues.push_back({pointer, "is " + a_type(v) + ": expected an object"});
        return;
      }
      if (!k.open) walk(v, pointer);
      return;
    }
    if (k.type == KeyType::array) {
      if (!v.is_array()) {
        issues.push_back({pointer, "is " + a_type(v) + ": expected an array"});
        return;
      }
      for (std::size_t i = 0; i < v.size(); ++i)
        check_scalar(v[i], pointer + "/" + std::to_string(i), k, k.item_type, k.choices);
      return;
    }
    check_scalar(v, pointer, k, k.type, k.choices);
  }

  void walk(const ordered_json& obj, const std::string& pointer) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string child = pointer_append(pointer, it.key());
      const KeySpec* k = find_key(child);
      if (!k) {
        std::string known;
        for (const auto& n : children_of(pointer)) known += (known.empty() ? "" : ", ") + n;
        issues.push_back({child, "unknown key \"" + it.key() + "\": expected one of " + known});
        continue;
      }
      check(it.value(), child, *k);
    }
    for (const auto& k : scenario_keys())
      if (k.required && parent_of(k.pointer) == pointer && !obj.contains(last_token(k.pointer)))
        issues.push_back({k.pointer, "missing required key: expected " + expectation(k)});
  }
};

// Fills documented constant defaults into objects that exist (creating optional sections whose
// default is an empty object).
ordered_json with_defaults(const ordered_json& doc) {
  ordered_json eff = doc;
  for (const auto& k : scenario_keys()) {
    if (k.default_value.is_null()) continue;
    const ordered_json::json_pointer parent(parent_of(k.pointer));
    if (!eff.contains(parent) || !eff.at(parent).is_object()) continue;
    ordered_json& obj = eff.at(parent);
    const std::string name = last_token(k.pointer);
    if (!obj.contains(name)) obj[name] = k.default_value;
  }
  return eff;
}

std::size_t key_index(const std::string& pointer) {
  const auto& keys = scenario_keys();
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i].pointer == pointer) return i;
  return keys.size();
}

ordered_json canonical(const ordered_json& v, const std::string& pointer) {
  if (v.is_object()) {
    const KeySpec* k = pointer.empty() ? nullptr : find_key(pointer);
    if (k && k->open) return v;  // another module's format: keep as written
    std::vector<std::pair<std::size_t, std::string>> order;
    std::size_t pos = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++pos)
      order.emplace_back(key_index(pointer_append(pointer, it.key())) * 100000 + pos, it.key());
    std::stable_sort(order.begin(), order.end());
    ordered_json out = ordered_json::object();
    for (const auto& [rank, name] : order) out[name] = canonical(v.at(name), pointer_append(pointer, name));
    return out;
  }
  if (v.is_array()) {
    ordered_json out = ordered_json::array();
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(canonical(v[i], pointer + "/" + std::to_string(i)));
    return out;
  }
  return v;
}

Diagnostic make_diag(const std::string& origin, std::string_view text,
                     const std::map<std::string, std::size_t>* offsets, const std::string& pointer,
                     const std::string& message) {
  Diagnostic d;
  d.file = origin;
  d.pointer = pointer;
  d.message = message;
  if (offsets) {
    // The value's own position, else its nearest ancestor's.
    std::string p = pointer;
    while (true) {
      const auto it = offsets->find(p);
      if (it != offsets->end()) {
        line_column(text, it->second > 0 ? it->second - 1 : 0, d.line, d.column);
        break;
      }
      if (p.empty()) break;
      p = parent_of(p);
    }
  }
  return d;
}

LoadResult load_impl(ordered_json doc, const std::string& origin, std::string_view text,
                     const std::map<std::string, std::size_t>* offsets) {
  LoadResult out;
  try {
    const MigrationOutcome mig = migrate_to_current(doc);
    if (!mig.ok) {
      out.diagnostics.push_back(make_diag(origin, text, offsets, mig.error_pointer, mig.error));
      return out;
    }
    // After a migration from version 0 the pointers no longer match the file's; the steps from
    // version 1 on move no key, so line numbers stay valid for version >= 1 files.
    const auto* where = mig.from_version >= 1 ? offsets : nullptr;
    std::vector<detail::Issue> issues;
    Validator{issues}.walk(doc, "");
    if (issues.empty()) {
      Scenario& s = out.scenario;
      s.schema_version = mig.from_version;
      s.document = canonical(doc, "");
      s.effective = with_defaults(s.document);
      for (const auto& a : mig.applied) s.notes.push_back("migrated: " + a);
      const detail::Reader r(s.effective, s.document);
      detail::apply_document(r, s, issues);
      detail::apply_workload(r, s, issues);
      detail::apply_hardware(r, s, issues);
      detail::apply_parallelism(r, s, issues);
      detail::apply_costs(r, s, issues);
      detail::apply_simulation(r, s, issues);
      if (s.name.empty()) {
        const auto slash = origin.find_last_of('/');
        s.name = slash == std::string::npos ? origin : origin.substr(slash + 1);
      }
    }
    for (const auto& i : issues) out.diagnostics.push_back(make_diag(origin, text, where, i.pointer, i.message));
    out.ok = out.diagnostics.empty();
  } catch (const std::exception& e) {
    out.ok = false;
    out.diagnostics.push_back(make_diag(origin, text, nullptr, "", std::string("internal error: ") + e.what()));
  }
  return out;
}

}  // namespace

namespace detail {

std::string expected_text(const KeySpec& k) { return expectation(k); }

std::vector<std::string> closest_names(const std::string& value, const std::vector<std::string>& choices,
                                       std::size_t n) {
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string v = lower(value);
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& c : choices) {
    const std::string lc = lower(c);
    // A choice that contains the value (or the reverse) ranks first; then by edit distance.
    const bool contains = !v.empty() && (lc.find(v) != std::string::npos || v.find(lc) != std::string::npos);
    ranked.emplace_back((contains ? 0 : 1000) + edit_distance(v, lc), c);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < n; ++i) out.push_back(ranked[i].second);
  return out;
}

}  // namespace detail

std::string Diagnostic::to_string() const {
  std::string s;
  if (!file.empty()) {
    s = file;
    if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
    s += ": ";
  }
  if (!pointer.empty()) s += pointer + ": ";
  s += message;
  // One line, always.
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

LoadResult load_scenario_text(std::string_view text, const std::string& origin) {
  StrictParse p = parse_strict(text, origin);
  if (!p.ok) {
    LoadResult out;
    out.diagnostics.push_back(p.error);
    return out;
  }
  return load_impl(std::move(p.doc), origin, text, &p.offsets);
}

LoadResult load_scenario_document(const ordered_json& doc, const std::string& origin) {
  return load_impl(doc, origin, {}, nullptr);
}

LoadResult load_scenario_file(const std::string& path) {
  std::string text;
  const std::string err = read_file(path, text);
  if (!err.empty()) {
    LoadResult out;
    Diagnostic d;
    d.file = path;
    d.message = err;
    out.diagnostics.push_back(d);
    return out;
  }
  return load_scenario_text(text, path);
}

std::string save_scenario_text(const ordered_json& document) { return canonical(document, "").dump(2) + "\n"; }

std::string save_scenario_file(const std::string& path, const ordered_json& document) {
  try {
    return write_file_atomic(path, save_scenario_text(document));
  } catch (const std::exception& e) {
    return std::string("could not save: ") + e.what();
  }
}

double decoder_params(const Scenario& s) {
  return models::shape_complete(s.model) ? models::count_params(s.model).total : 0.0;
}

GoodputParts scenario_goodput_parts(const Scenario& s, int device_count, double params) {
  if (s.goodput) return {false, *s.goodput, 1.0};
  // Model-library presets: interruptions only, as their predictor (scenarios/zoo_predict.cpp).
  return {true, s.zoo ? 1.0 : models::EfficiencyParams{}.goodput, models::failure_goodput(device_count, params)};
}

double scenario_goodput(const Scenario& s, int device_count, double params) {
  const GoodputParts g = scenario_goodput_parts(s, device_count, params);
  return g.g0 * g.interruptions;
}

std::string goodput_note(const Scenario& s, int device_count, double params) {
  char buf[256];
  const GoodputParts g = scenario_goodput_parts(s, device_count, params);
  if (!g.automatic) {
    std::snprintf(buf, sizeof buf, "goodput %.3g as the scenario sets (/simulation/goodput)", g.g0);
  } else {
    std::snprintf(buf, sizeof buf, "goodput auto: %.3f = g0 %.3f (%s) x %.4f ", g.g0 * g.interruptions, g.g0,
                  s.zoo ? "no fitted g0 for model-library kinds" : "evaluation, start-up, stalls: fitted on published whole runs",
                  g.interruptions);
    char tail[160];
    std::snprintf(tail, sizeof tail,
                  "(interruptions of %d devices at Llama 3's rate, Daly's checkpoint interval: models/goodput.h)",
                  device_count);
    return std::string(buf) + tail;
  }
  return buf;
}

models::EstimateInput to_estimate_input(const Scenario& s, const models::DeviceSpec& device) {
  models::EstimateInput in;
  in.model = s.model;
  in.training = s.training;
  in.device = device;
  in.device_count = s.device_count;
  in.layout = s.layout;
  in.auto_layout = s.auto_layout;
  in.costs.usd_per_gpu_hour = s.usd_per_gpu_hour.value_or(0.0);
  in.costs.electricity_usd_per_kwh = s.electricity_usd_per_kwh;
  in.costs.pue = s.pue;
  in.goodput = scenario_goodput(s, s.device_count, decoder_params(s));
  if (s.recompute_auto) {
    // Recompute searched: an explicit layout becomes a search with every part of it fixed.
    in.fixed_recompute = false;
    if (!s.auto_layout) {
      in.auto_layout = true;
      in.fixed.dp = s.layout.dp;
      in.fixed.tp = s.layout.tp;
      in.fixed.pp = s.layout.pp;
      in.fixed.cp = s.layout.cp;
      in.fixed.ep = s.layout.ep;
      in.fixed.vp = s.layout.vp;
      in.fixed.micro_batch_size = s.layout.micro_batch_size;
      in.fixed.sharding = s.layout.sharding;
      in.fixed.sequence_parallel = s.layout.sequence_parallel;
    }
  }
  if (s.auto_layout) {
    // What the scenario fixes even in auto mode; the rest is searched.
    const auto& doc = s.document;
    const auto has = [&](const char* p) { return doc.contains(ordered_json::json_pointer(p)); };
    if (has("/parallelism/sharding")) in.fixed.sharding = s.layout.sharding;
    if (has("/parallelism/sequence_parallel")) in.fixed.sequence_parallel = s.layout.sequence_parallel;
    if (has("/parallelism/micro_batch_size")) in.fixed.micro_batch_size = s.layout.micro_batch_size;
  }
  return in;
}

}  // namespace flopcast::scenarios
