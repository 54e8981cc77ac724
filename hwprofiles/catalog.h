// The built-in device catalog: hwprofiles/data/devices.json, embedded into the library at build
// time (the `flopcast` binary needs no data path at run time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hwprofiles/device_profile.h"
#include "hwprofiles/profile_loader.h"

namespace flopcast::hwprofiles {

class Catalog {
 public:
  Catalog() = default;
  Catalog(std::vector<DeviceProfile> devices, std::string hash)
      : devices_(std::move(devices)), hash_(std::move(hash)) {}

  const std::vector<DeviceProfile>& devices() const { return devices_; }
  // nullptr when no device has this id.
  const DeviceProfile* find(std::string_view id) const;
  std::vector<std::string> ids() const;  // catalog order
  size_t size() const { return devices_.size(); }
  // "fnv1a64:<16 hex digits>" of the canonical JSON text (whitespace-independent), for result
  // provenance: two runs with the same hash used the same device data.
  const std::string& catalog_hash() const { return hash_; }

 private:
  std::vector<DeviceProfile> devices_;
  std::string hash_;
};

// Parses a catalog document; errors as parse_catalog reports them.
struct CatalogResult {
  Catalog catalog;
  std::vector<ProfileError> errors;
  bool ok() const { return errors.empty(); }
};
CatalogResult make_catalog(std::string_view json_text, const std::string& origin);

// The embedded catalog, parsed once (thread-safe). The embedded data is checked by the tests; if
// it were ever invalid this throws std::logic_error naming the first problem.
const Catalog& builtin_catalog();

// The embedded devices.json text, byte for byte.
std::string_view builtin_catalog_json();

// Convenience: builtin_catalog().catalog_hash().
std::string catalog_hash();

}  // namespace flopcast::hwprofiles
