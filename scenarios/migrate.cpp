#include "scenarios/migrate.h"

#include <algorithm>

namespace flopcast::scenarios {

using nlohmann::ordered_json;

namespace {

// Moves doc[from] to doc[section][to] when present. Refuses to overwrite.
bool move_key(ordered_json& doc, const char* from, const char* section, const char* to,
              std::string& error_pointer, std::string& error) {
  if (!doc.contains(from)) return true;
  ordered_json& dest = doc[section];
  if (!dest.is_object()) {
    error_pointer = std::string("/") + section;
    error = "expected an object in a version-0 file";
    return false;
  }
  if (dest.contains(to)) {
    error_pointer = std::string("/") + from;
    error = std::string("version-0 key given together with /") + section + "/" + to + ": expected one of the two";
    return false;
  }
  dest[to] = doc[from];
  doc.erase(from);
  return true;
}

bool v0_to_v1(ordered_json& doc, std::string& error_pointer, std::string& error) {
  for (const char* section : {"workload", "hardware", "costs"})
    if (!doc.contains(section)) doc[section] = ordered_json::object();
  // "model": "llama2-7b" (a preset name) or an object of shape keys.
  if (doc.contains("model")) {
    ordered_json model = doc["model"];
    if (model.is_string()) model = ordered_json{{"preset", model}};
    doc.erase("model");
    if (!doc["workload"].is_object()) {
      error_pointer = "/workload";
      error = "expected an object in a version-0 file";
      return false;
    }
    doc["workload"]["model"] = model;
  }
  const struct { const char* from; const char* section; const char* to; } moves[] = {
      {"seq_len", "workload", "seq_len"},
      {"tokens", "workload", "training_tokens"},
      {"batch_tokens", "workload", "global_batch_tokens"},
      {"precision", "workload", "precision"},
      {"gpu", "hardware", "device"},
      {"gpus", "hardware", "device_count"},
      {"price_per_gpu_hour", "costs", "usd_per_gpu_hour"},
  };
  for (const auto& m : moves)
    if (!move_key(doc, m.from, m.section, m.to, error_pointer, error)) return false;
  if (doc["costs"].is_object() && doc["costs"].empty()) doc.erase("costs");
  return true;
}

// Schema 2 only adds keys under /costs (keys_costs.cpp): a version-1 file keeps its meaning as is.
// A version-1 file that already uses a version-2 cost key was written for version 2 with the
// wrong number: say so rather than accept it silently.
bool v1_to_v2(ordered_json& doc, std::string& error_pointer, std::string& error) {
  if (!doc.contains("costs") || !doc["costs"].is_object()) return true;
  for (auto it = doc["costs"].begin(); it != doc["costs"].end(); ++it) {
    const std::string& k = it.key();
    if (k == "currency" || k == "usd_per_gpu_hour" || k == "electricity_usd_per_kwh" || k == "pue") continue;
    error_pointer = "/costs/" + k;
    error = "key \"" + k + "\" is new in schema_version 2: expected schema_version 2 for buy-vs-rent inputs";
    return false;
  }
  return true;
}

}  // namespace

const std::vector<MigrationStep>& migration_steps() {
  static const std::vector<MigrationStep> steps = {
      {0, 1,
       "schema_version 0 -> 1: flat draft keys moved into sections (model, seq_len, tokens -> "
       "training_tokens, batch_tokens -> global_batch_tokens, precision under /workload; gpu -> "
       "device, gpus -> device_count under /hardware; price_per_gpu_hour -> /costs/usd_per_gpu_hour)",
       &v0_to_v1},
      {1, 2,
       "schema_version 1 -> 2: costs section grown for buy vs rent (owned, rent, demand, capacity, ...); "
       "version-1 keys unchanged",
       &v1_to_v2},
  };
  return steps;
}

MigrationOutcome migrate_to_current(ordered_json& doc) {
  MigrationOutcome out;
  // Other Flopcast files a user may hand to a scenario command: say which command reads them.
  const auto records_like = [](const ordered_json& r) {
    return r.is_object() && r.contains("model") && r.contains("system") && r.contains("training");
  };
  if (doc.is_array() && !doc.empty() && records_like(doc.front())) {
    out.error_pointer = "";
    out.error =
        "this is an array of run records (the ground-truth format), not a scenario: "
        "flopcast predict FILE or flopcast validate FILE read it";
    return out;
  }
  if (!doc.is_object()) {
    out.error_pointer = "";
    out.error = "expected a JSON object (a scenario), got " + std::string(doc.type_name());
    return out;
  }
  if (!doc.contains("schema_version")) {
    out.error_pointer = "/schema_version";
    if (doc.contains("seeds") && doc.contains("runs"))
      out.error =
          "this is the seeds' comparison file, not a scenario: flopcast models seeds FILE reads it "
          "(the same run as a scenario: scenarios/examples/bert-large-8gpu.json)";
    else if (doc.contains("records") && doc["records"].is_array())
      out.error =
          "this is a file of run records (the ground-truth format), not a scenario: "
          "flopcast predict FILE or flopcast validate FILE read it";
    else
      out.error = "missing required key: expected an integer 0.." + std::to_string(kSchemaVersion);
    return out;
  }
  const ordered_json& v = doc["schema_version"];
  if (!v.is_number_integer() && !v.is_number_unsigned()) {
    out.error_pointer = "/schema_version";
    out.error = "is " + std::string(v.type_name()) + ": expected an integer 0.." + std::to_string(kSchemaVersion);
    return out;
  }
  const long long version = v.is_number_unsigned() ? static_cast<long long>(std::min<unsigned long long>(v.get<unsigned long long>(), 1ULL << 62))
                                                   : v.get<long long>();
  if (version < 0 || version > kSchemaVersion) {
    out.error_pointer = "/schema_version";
    out.error = "is " + v.dump() + ": expected 0.." + std::to_string(kSchemaVersion) +
                (version > kSchemaVersion ? " (the file was written by a newer flopcast)" : "");
    return out;
  }
  out.from_version = static_cast<int>(version);
  int current = out.from_version;
  for (const auto& step : migration_steps()) {
    if (step.from != current) continue;
    if (!step.apply(doc, out.error_pointer, out.error)) return out;
    current = step.to;
    out.applied.emplace_back(step.summary);
  }
  if (current != kSchemaVersion) {
    out.error_pointer = "/schema_version";
    out.error = "no migration from version " + std::to_string(current) + ": expected " + std::to_string(kSchemaVersion);
    return out;
  }
  // Keep schema_version first.
  ordered_json migrated = ordered_json::object();
  migrated["schema_version"] = kSchemaVersion;
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "schema_version") migrated[it.key()] = it.value();
  doc = std::move(migrated);
  out.ok = true;
  return out;
}

}  // namespace flopcast::scenarios
