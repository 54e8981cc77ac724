// Reading device profiles: the built-in catalog's JSON and a user's custom device profile
// (`flopcast estimate --hw my.json`, a scenario's embedded custom device).
//
// Strict: unknown keys, wrong types and out-of-range values are errors, each naming the JSON
// pointer and what was expected. Absent optional keys mean null (unknown). The format is in
// docs/hardware-profiles.md; ranges are in hwprofiles/validator.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwprofiles/device_profile.h"

namespace flopcast::hwprofiles {

// One problem with a profile: which file, where in it (JSON pointer; "" is the whole document;
// line/column only for JSON syntax errors) and what was expected.
struct ProfileError {
  std::string origin;
  std::string pointer;
  std::string message;
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  // "ORIGIN: POINTER: MESSAGE" or "ORIGIN:LINE:COL: MESSAGE", one line.
  std::string to_string() const;
};

struct ProfileResult {
  std::optional<DeviceProfile> profile;  // set only when errors is empty
  std::vector<ProfileError> errors;
  bool ok() const { return profile.has_value() && errors.empty(); }
};

// A device object. `pointer_prefix` is where the object sits in its document ("/devices/3",
// "/system/custom_device") so error pointers are absolute. A top-level "schema_version" key is
// accepted (must be 1) when the object is a whole profile file.
ProfileResult parse_device_profile(const nlohmann::json& j, const std::string& origin,
                                   const std::string& pointer_prefix = "");

// A whole custom profile file's text: one device object (see docs/hardware-profiles.md).
ProfileResult parse_device_profile_text(std::string_view text, const std::string& origin);

// Reads and parses a custom profile file; a missing or unreadable file is an error naming it.
ProfileResult load_device_profile_file(const std::string& path);

struct CatalogParseResult {
  std::vector<DeviceProfile> devices;
  std::vector<ProfileError> errors;
  bool ok() const { return errors.empty(); }
};

// {"schema_version": 1, "generated_by": "...", "devices": [...]}; ids must be unique.
CatalogParseResult parse_catalog(const nlohmann::json& j, const std::string& origin);

// Escapes one key for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_escape(std::string_view key);

}  // namespace flopcast::hwprofiles
