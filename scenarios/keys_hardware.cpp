// Scenario keys of the "hardware" section: which accelerator and how many. The device itself is
// resolved by the runner through flopcast::hwprofiles (catalog id or embedded custom profile).
#include <string>

#include "scenarios/keys_sections.h"

namespace flopcast::scenarios::detail {

namespace {
const char* kGroup = "hardware";
}

void add_hardware_keys(std::vector<KeySpec>& k) {
  k.push_back({.pointer = "/hardware", .type = KeyType::object, .required = true,
               .help = "The accelerators: a catalog device id or an embedded custom profile, and how many.",
               .group = kGroup});
  k.push_back({.pointer = "/hardware/device", .type = KeyType::string,
               .help = "Device id from the built-in hardware catalog (`flopcast hw list`), e.g. nvidia-h100-sxm5-80gb. Give this or device_profile, not both.",
               .group = kGroup, .default_text = "none: give device_profile"});
  k.push_back({.pointer = "/hardware/device_profile", .type = KeyType::object,
               .help = "An embedded custom device profile in the hardware library's profile format (validated by flopcast::hwprofiles; its errors name pointers under this key). `--hw FILE` on the command line overrides both keys.",
               .group = kGroup, .open = true, .default_text = "none: give device"});
  k.push_back({.pointer = "/hardware/device_count", .type = KeyType::integer, .required = true,
               .unit = "devices", .minimum = 1, .maximum = 1048576,
               .help = "Accelerators used by the run (GPUs; chips for TPUs).", .group = kGroup});
}

void apply_hardware(const Reader& r, Scenario& s, std::vector<Issue>& issues) {
  const bool has_id = r.has("/hardware/device");
  const bool has_profile = r.has("/hardware/device_profile");
  if (has_id && has_profile)
    issues.push_back({"/hardware/device_profile", "given together with /hardware/device: expected one of the two"});
  if (!has_id && !has_profile)
    issues.push_back({"/hardware/device", "missing: expected a catalog device id (or /hardware/device_profile)"});
  if (has_id) {
    s.device_id = r.string("/hardware/device");
    if (s.device_id.empty()) issues.push_back({"/hardware/device", "is empty: expected a catalog device id"});
  }
  if (has_profile) s.device_profile = *r.get("/hardware/device_profile");
  s.device_count = int(r.integer("/hardware/device_count"));
}

}  // namespace flopcast::scenarios::detail
