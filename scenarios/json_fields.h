// Tolerant readers of optional fields in records and library entries: a missing key, null, a wrong
// type or a non-finite number all read as "absent" (std::nullopt). Used where absence has a
// documented default; strict input (scenario files) goes through the validator instead.
#pragma once

#include <cmath>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace flopcast::scenarios::json_fields {

inline const nlohmann::json& field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}
inline std::optional<double> number(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = field(j, key);
  if (v.is_number() && std::isfinite(v.get<double>())) return v.get<double>();
  return std::nullopt;
}
inline std::optional<int> positive(const nlohmann::json& j, const char* key) {
  auto v = number(j, key);
  if (v && *v >= 1 && *v < 1e9) return int(std::llround(*v));
  return std::nullopt;
}
inline std::optional<std::string> text(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = field(j, key);
  if (v.is_string()) return v.get<std::string>();
  return std::nullopt;
}
inline std::optional<bool> flag(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = field(j, key);
  if (v.is_boolean()) return v.get<bool>();
  return std::nullopt;
}

}  // namespace flopcast::scenarios::json_fields
