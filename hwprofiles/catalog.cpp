#include "hwprofiles/catalog.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "hwprofiles/json_syntax_error.h"

namespace flopcast::hwprofiles {

namespace detail {
std::string_view embedded_devices_json();  // generated at build time (cmake/embed_json.cmake)
}

namespace {

std::string fnv1a64(std::string_view data) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : data) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

const DeviceProfile* Catalog::find(std::string_view id) const {
  for (const DeviceProfile& d : devices_)
    if (d.id == id) return &d;
  return nullptr;
}

std::vector<std::string> Catalog::ids() const {
  std::vector<std::string> out;
  out.reserve(devices_.size());
  for (const DeviceProfile& d : devices_) out.push_back(d.id);
  return out;
}

CatalogResult make_catalog(std::string_view json_text, const std::string& origin) {
  CatalogResult result;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& e) {
    const JsonSyntaxError syntax = describe_parse_error(json_text, e);
    result.errors.push_back(ProfileError{origin, "", syntax.message, syntax.line, syntax.column});
    return result;
  }
  CatalogParseResult parsed = parse_catalog(j, origin);
  result.errors = std::move(parsed.errors);
  // Canonical text: sorted keys, no whitespace, so the hash does not depend on formatting.
  result.catalog = Catalog(std::move(parsed.devices), fnv1a64(j.dump()));
  return result;
}

std::string_view builtin_catalog_json() { return detail::embedded_devices_json(); }

const Catalog& builtin_catalog() {
  static const Catalog catalog = [] {
    CatalogResult r = make_catalog(builtin_catalog_json(), "hwprofiles/data/devices.json");
    if (!r.ok())
      throw std::logic_error("built-in device catalog is invalid: " + r.errors.front().to_string());
    return std::move(r.catalog);
  }();
  return catalog;
}

std::string catalog_hash() { return builtin_catalog().catalog_hash(); }

}  // namespace flopcast::hwprofiles
