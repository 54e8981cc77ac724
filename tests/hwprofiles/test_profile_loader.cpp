// Custom device profiles: the loader and validator accept a minimal profile and reject bad ones
// with the JSON pointer and what was expected.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "hwprofiles/catalog.h"
#include "hwprofiles/profile_loader.h"
#include "hwprofiles/validator.h"

using namespace flopcast::hwprofiles;
using flopcast::models::Precision;
using json = nlohmann::json;

namespace {

json minimal() {
  return json::parse(R"({
    "schema_version": 1,
    "id": "my-accel",
    "name": "My accelerator",
    "device_type": "accelerator",
    "peak_flops_per_s": {"bf16": 500e12, "fp8": null},
    "memory_bytes": 68719476736,
    "memory_bandwidth_bytes_per_s": 2e12,
    "scale_up_bytes_per_s": 200e9,
    "scale_up_domain_size": 8
  })");
}

// The one error for `j`; fails the test when there is not exactly one.
ProfileError only_error(const json& j) {
  ProfileResult r = parse_device_profile(j, "my.json");
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.profile.has_value());
  REQUIRE(r.errors.size() == 1);
  return r.errors.front();
}

}  // namespace

TEST_CASE("a minimal custom profile loads; absent keys are unknown", "[loader]") {
  ProfileResult r = parse_device_profile(minimal(), "my.json");
  REQUIRE(r.ok());
  const DeviceProfile& p = *r.profile;
  CHECK(p.id == "my-accel");
  CHECK(p.peak(Precision::bf16) == 500e12);
  CHECK_FALSE(p.peak(Precision::fp8).has_value());
  CHECK_FALSE(p.peak(Precision::fp16).has_value());
  CHECK_FALSE(p.tdp_w.has_value());
  CHECK_FALSE(p.confidence.has_value());
  CHECK(p.memory_bytes == 64.0 * 1073741824.0);
  CHECK(missing_fields_for_training(p, Precision::bf16, 8).empty());
  CHECK(missing_fields_for_training(p, Precision::bf16, 16) ==
        std::vector<std::string>{"scale_out_bytes_per_s"});
  const auto spec = p.to_device_spec();
  CHECK(spec.id == "my-accel");
  CHECK(spec.scale_up_domain_size == 8);
  CHECK_FALSE(spec.sparse_2_4);
  CHECK_FALSE(spec.system_power_w_per_device.has_value());
}

TEST_CASE("validator: negative bandwidth names its pointer", "[loader][validator]") {
  json j = minimal();
  j["memory_bandwidth_bytes_per_s"] = -2e12;
  const ProfileError e = only_error(j);
  CHECK(e.pointer == "/memory_bandwidth_bytes_per_s");
  CHECK(e.to_string() ==
        "my.json: /memory_bandwidth_bytes_per_s: expected a bandwidth in bytes/s > 0 and < 1e15, "
        "got -2000000000000");
}

TEST_CASE("validator: missing id", "[loader][validator]") {
  json j = minimal();
  j.erase("id");
  const ProfileError e = only_error(j);
  CHECK(e.to_string() == "my.json: /id: required key 'id' is missing (expected a string)");
}

TEST_CASE("validator: wrong type", "[loader][validator]") {
  json j = minimal();
  j["memory_bytes"] = "80GB";
  CHECK(only_error(j).to_string() ==
        "my.json: /memory_bytes: expected a number (bytes) or null, got a string");
  j = minimal();
  j["scale_up_domain_size"] = 8.5;
  CHECK(only_error(j).pointer == "/scale_up_domain_size");
  j = minimal();
  j["peak_flops_per_s"] = 5e14;
  CHECK(only_error(j).pointer == "/peak_flops_per_s");
  j = minimal();
  j["name"] = 7;
  CHECK(only_error(j).to_string() == "my.json: /name: expected a string, got a number");
}

TEST_CASE("validator: unknown keys are errors", "[loader][validator]") {
  json j = minimal();
  j["memory_gb"] = 80;
  CHECK(only_error(j).to_string() == "my.json: /memory_gb: unknown key 'memory_gb'");
  j = minimal();
  j["peak_flops_per_s"]["fp6"] = 1e15;
  const ProfileError e = only_error(j);
  CHECK(e.pointer == "/peak_flops_per_s/fp6");
  CHECK(e.message.find("unknown key 'fp6'") != std::string::npos);
  j = minimal();
  j["cloud_prices"] = json::parse(R"([{"provider": "X", "pricing_kind": "spot", "usd": 1}])");
  CHECK(only_error(j).pointer == "/cloud_prices/0/usd");
}

TEST_CASE("validator: ranges catch unit mistakes", "[loader][validator]") {
  json j = minimal();
  j["memory_bytes"] = 80;  // GB forgotten
  CHECK(only_error(j).pointer == "/memory_bytes");
  j = minimal();
  j["memory_bytes"] = 1048576;  // 1 MiB: the smallest allowed
  CHECK(parse_device_profile(j, "my.json").ok());
  j["memory_bytes"] = 100.0 * 1099511627776.0 + 1;
  CHECK(only_error(j).pointer == "/memory_bytes");
  j = minimal();
  j["peak_flops_per_s"]["bf16"] = 1e19;
  CHECK(only_error(j).pointer == "/peak_flops_per_s/bf16");
  j = minimal();
  j["peak_flops_per_s"]["bf16"] = 0;  // zero is allowed (no such unit), negatives are not
  CHECK(parse_device_profile(j, "my.json").ok());
  j["peak_flops_per_s"]["bf16"] = -1;
  CHECK(only_error(j).pointer == "/peak_flops_per_s/bf16");
  j = minimal();
  j["device_type"] = "quantum";
  CHECK(only_error(j).message == "expected one of gpu, tpu, asic, accelerator, cpu, fpga, got 'quantum'");
  j = minimal();
  j["scale_up_domain_size"] = 0;
  CHECK(only_error(j).pointer == "/scale_up_domain_size");
  j = minimal();
  j["id"] = "My Accel";
  CHECK(only_error(j).pointer == "/id");
  j = minimal();
  j["tdp_w"] = 0;
  CHECK(only_error(j).pointer == "/tdp_w");
  j = minimal();
  j["derived_fields"] = json::array({"memory_bytes", "memory_gb"});
  CHECK(only_error(j).pointer == "/derived_fields/1");
  j = minimal();
  j["cloud_prices"] = json::parse(R"([{"provider": "X", "pricing_kind": "monthly"}])");
  CHECK(only_error(j).pointer == "/cloud_prices/0/pricing_kind");
  j = minimal();
  j["schema_version"] = 2;
  CHECK(only_error(j).message == "unsupported schema_version 2 (expected 1)");
}

TEST_CASE("several problems are all reported, with the pointer prefix", "[loader][validator]") {
  json j = minimal();
  j.erase("name");
  j.erase("schema_version");
  j["tdp_w"] = "700 W";
  j["extra"] = true;
  ProfileResult r = parse_device_profile(j, "scenario.json", "/system/custom_device");
  REQUIRE(r.errors.size() == 3);
  std::vector<std::string> pointers;
  for (const auto& e : r.errors) pointers.push_back(e.pointer);
  CHECK(std::find(pointers.begin(), pointers.end(), "/system/custom_device/name") != pointers.end());
  CHECK(std::find(pointers.begin(), pointers.end(), "/system/custom_device/tdp_w") != pointers.end());
  CHECK(std::find(pointers.begin(), pointers.end(), "/system/custom_device/extra") != pointers.end());
  CHECK(parse_device_profile(json::array(), "x.json").errors.front().to_string() ==
        "x.json: expected a device profile (a JSON object), got an array");
}

TEST_CASE("profile text: JSON syntax errors carry line and column", "[loader]") {
  ProfileResult r = parse_device_profile_text("{\n  \"id\": \"x\",\n  \"name\": ,\n}", "bad.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].to_string().rfind("bad.json:3:", 0) == 0);
  CHECK(r.errors[0].to_string().find('\n') == std::string::npos);
}

TEST_CASE("profile files: read from disk, missing file is an error naming it", "[loader]") {
  ProfileResult missing = load_device_profile_file("/nonexistent/dir/my.json");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].to_string() == "/nonexistent/dir/my.json: cannot read the device profile file");

  // A catalog device written out as a custom profile file loads back identically.
  const DeviceProfile& h100 = *builtin_catalog().find("nvidia-h100-sxm5-80gb");
  const std::string path = "test_hwprofiles_custom_h100.json";
  {
    std::ofstream out(path);
    auto j = to_json(h100);
    out << j.dump(2);
  }
  ProfileResult r = load_device_profile_file(path);
  std::remove(path.c_str());
  REQUIRE(r.ok());
  CHECK(*r.profile == h100);
}

TEST_CASE("field references", "[validator]") {
  CHECK(is_known_field_reference("memory_bytes"));
  CHECK(is_known_field_reference("peak_flops_per_s.fp8"));
  CHECK(is_known_field_reference("price_points[2].value_usd"));
  CHECK(is_known_field_reference("price_points[1]"));
  CHECK_FALSE(is_known_field_reference("peak_flops_per_s.fp6"));
  CHECK_FALSE(is_known_field_reference("memory_capacity"));
  CHECK_FALSE(is_known_field_reference(""));
}
