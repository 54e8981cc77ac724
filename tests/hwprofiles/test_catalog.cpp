// The built-in device catalog: all 40 research devices, the ground-truth ids, unit conversions,
// unknowns kept null, provenance hash.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "hwprofiles/catalog.h"
#include "hwprofiles/validator.h"

using namespace flopcast::hwprofiles;
using flopcast::models::Precision;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const DeviceProfile& device(const std::string& id) {
  const DeviceProfile* d = builtin_catalog().find(id);
  INFO("device " << id);
  REQUIRE(d != nullptr);
  return *d;
}

}  // namespace

TEST_CASE("the built-in catalog loads all 40 devices and each validates", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  REQUIRE(cat.size() == 40);
  auto ids = cat.ids();
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  for (const DeviceProfile& d : cat.devices()) {
    INFO(d.id);
    CHECK(validate_device_profile(d, "test").empty());
    CHECK_FALSE(d.sources.empty());  // every device keeps its sources
    CHECK_FALSE(d.name.empty());
  }
}

TEST_CASE("the embedded catalog is the checked-in devices.json byte for byte", "[catalog]") {
  const std::string file = read_file(std::string(FLOPCAST_SOURCE_DIR) + "/hwprofiles/data/devices.json");
  CHECK(builtin_catalog_json() == file);
}

TEST_CASE("every device id of the public ground truth is in the catalog", "[catalog]") {
  // The ids the ground-truth FORMAT.md lists (public.json and public-zoo.json).
  const char* const ids[] = {
      "amd-mi300x",           "amd-mi325x",            "google-tpu-v2",
      "google-tpu-v3",        "google-tpu-v4",         "google-tpu-v5p",
      "google-tpu-v6e",       "intel-gaudi2",          "nvidia-a100-sxm4-40gb",
      "nvidia-a100-sxm4-80gb", "nvidia-b200",          "nvidia-gb200-per-gpu",
      "nvidia-gb300-per-gpu", "nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb",
      "nvidia-h800-sxm5-80gb", "nvidia-v100-sxm2-32gb", "nvidia-v100-sxm3-32gb",
      "nvidia-a100-pcie-80gb", "nvidia-h100-pcie-80gb", "nvidia-l40s",
      "nvidia-v100-sxm2-16gb"};
  for (const char* id : ids) {
    INFO(id);
    CHECK(builtin_catalog().find(id) != nullptr);
  }
  CHECK(builtin_catalog().find("nvidia-h100") == nullptr);
  CHECK(builtin_catalog().find("") == nullptr);
}

TEST_CASE("H100 SXM NVLink is 450e9 B/s per direction", "[catalog][units]") {
  const DeviceProfile& h100 = device("nvidia-h100-sxm5-80gb");
  REQUIRE(h100.scale_up_bytes_per_s);
  CHECK(*h100.scale_up_bytes_per_s == 450e9);  // 900 GB/s bidirectional / 2
  CHECK(h100.scale_up_domain_size == 8);
  CHECK(h100.scale_out_bytes_per_s == 50e9);   // 400 Gbit/s * 1e9 / 8
  CHECK(h100.memory_bandwidth_bytes_per_s == 3350e9);
  CHECK(h100.tdp_w == 700);
  const auto spec = h100.to_device_spec();
  CHECK(spec.scale_up_bytes_per_s == 450e9);
  CHECK(spec.peak(Precision::bf16) == 989.4e12);
  CHECK(spec.peak(Precision::fp8) == 1978.9e12);
  CHECK(spec.sparse_2_4);
  REQUIRE(spec.system_power_w_per_device);
  CHECK(*spec.system_power_w_per_device == Approx(10.2e3 / 8));  // DGX H100 10.2 kW / 8 GPUs
}

TEST_CASE("capacities in GB and in GiB are converted exactly", "[catalog][units]") {
  // GB: 80 * 1e9
  CHECK(device("nvidia-h100-sxm5-80gb").memory_bytes == 80e9);
  CHECK(device("nvidia-h200-sxm-141gb").memory_bytes == 141e9);
  // GiB: 32 * 2^30 (Cloud TPU docs state GiB)
  CHECK(device("google-tpu-v4").memory_bytes == 34359738368.0);
  CHECK(device("google-tpu-v2").memory_bytes == 16.0 * 1073741824.0);
  CHECK(device("aws-trainium2").memory_bytes == 96.0 * 1073741824.0);
}

TEST_CASE("fp64 is the larger of the vector and tensor peaks; the vector one is kept", "[catalog]") {
  const DeviceProfile& h100 = device("nvidia-h100-sxm5-80gb");
  CHECK(h100.peak(Precision::fp64) == 67e12);
  CHECK(h100.fp64_vector_flops_per_s == 34e12);
  const DeviceProfile& v100 = device("nvidia-v100-sxm2-32gb");  // no fp64 tensor cores
  CHECK(v100.peak(Precision::fp64) == 7.8e12);
  CHECK(v100.fp64_vector_flops_per_s == 7.8e12);
}

TEST_CASE("unknown values stay null and are reported by name", "[catalog][unknown]") {
  const DeviceProfile& a100 = device("nvidia-a100-sxm4-80gb");
  CHECK_FALSE(a100.peak(Precision::fp8).has_value());  // Ampere has no fp8
  CHECK_FALSE(a100.to_device_spec().peak(Precision::fp8).has_value());
  CHECK(a100.peak(Precision::bf16) == 312e12);
  CHECK_FALSE(device("google-tpu-v4").tdp_w.has_value());
  CHECK_FALSE(device("nvidia-t4").peak(Precision::fp64).has_value());
  // The research file leaves confidence and the derived/unverified lists null for TPU v2.
  const DeviceProfile& v2 = device("google-tpu-v2");
  CHECK_FALSE(v2.confidence.has_value());
  CHECK_FALSE(v2.derived_fields.has_value());

  auto missing = missing_fields_for_training(a100, Precision::fp8, 1);
  REQUIRE(missing == std::vector<std::string>{"peak_flops_per_s.fp8"});
  CHECK(unknown_field_message(a100, missing.front()) ==
        "unknown for nvidia-a100-sxm4-80gb: peak_flops_per_s.fp8");
  CHECK(missing_fields_for_training(a100, Precision::bf16, 1024).empty());

  // TPU v4: ICI per chip derived from the pod's all-reduce bandwidth (1.1 PB/s / 4096 chips); no
  // scale-out (DCN) figure, needed only beyond one scale-up domain (4096 chips).
  const DeviceProfile& v4 = device("google-tpu-v4");
  CHECK(missing_fields_for_training(v4, Precision::bf16, 4096).empty());
  CHECK(missing_fields_for_training(v4, Precision::bf16, 8192) == std::vector<std::string>{"scale_out_bytes_per_s"});
  CHECK(v4.to_device_spec().scale_up_bytes_per_s == 268.5e9);
  // TPU v3 the same way (340 TB/s over 1024 chips); TPU v2: no ICI figure in its source.
  CHECK(device("google-tpu-v3").to_device_spec().scale_up_bytes_per_s == 332e9);
  CHECK(missing_fields_for_training(v2, Precision::bf16, 256) == std::vector<std::string>{"scale_up_bytes_per_s"});
  // MLU590: almost nothing is published.
  const auto mlu = missing_fields_for_training(device("cambricon-mlu590"), Precision::bf16, 2);
  CHECK(mlu.size() == 6);
}

TEST_CASE("derived and unverified fields use Flopcast names", "[catalog]") {
  const DeviceProfile& gb200 = device("nvidia-gb200-per-gpu");
  CHECK(gb200.is_derived("peak_flops_per_s.bf16"));
  CHECK(gb200.is_derived("memory_bytes"));
  CHECK(gb200.is_unverified("tdp_w"));
  CHECK_FALSE(gb200.is_derived("tdp_w"));
  const DeviceProfile& u55c = device("amd-alveo-u55c");
  CHECK(u55c.is_derived("scale_out_bytes_per_s"));
  CHECK(u55c.field_notes.at("scale_out_bytes_per_s") == "2 x 100 GbE");
  CHECK(device("nvidia-h800-sxm5-80gb").is_unverified("peak_flops_per_s.fp64"));
}

TEST_CASE("prices and cloud prices keep provider, pricing kind, date and source", "[catalog]") {
  const DeviceProfile& a100 = device("nvidia-a100-sxm4-40gb");
  REQUIRE_FALSE(a100.cloud_prices.empty());
  int on_demand = 0, reserved = 0, spot = 0;
  for (const CloudPrice& c : a100.cloud_prices) {
    if (c.pricing_kind == "on-demand") ++on_demand;
    if (c.pricing_kind == "reserved") ++reserved;
    if (c.pricing_kind == "spot") ++spot;
    CHECK(c.source.has_value());
    CHECK(c.date.has_value());
  }
  CHECK(on_demand >= 1);
  CHECK(reserved >= 1);
  CHECK(spot == 1);
  const CloudPrice& aws = a100.cloud_prices.front();
  CHECK(aws.provider == "AWS");
  CHECK(aws.usd_per_device_hr == 4.1);
  const auto ri = std::find_if(a100.cloud_prices.begin(), a100.cloud_prices.end(),
                               [](const CloudPrice& c) { return c.pricing == "3-yr reserved"; });
  REQUIRE(ri != a100.cloud_prices.end());
  CHECK(ri->term_years == 3);
  CHECK(a100.price_usd == 15000);
  CHECK(a100.price_points.size() == 3);
}

TEST_CASE("to_json round-trips every catalog device", "[catalog][json]") {
  const nlohmann::json doc = nlohmann::json::parse(builtin_catalog_json());
  const auto& devices = doc.at("devices");
  REQUIRE(devices.size() == builtin_catalog().size());
  for (size_t i = 0; i < devices.size(); ++i) {
    const DeviceProfile& d = builtin_catalog().devices()[i];
    INFO(d.id);
    const nlohmann::json out = nlohmann::json::parse(to_json(d).dump());
    CHECK(out == devices[i]);  // same keys, same values as the checked-in data
    ProfileResult back = parse_device_profile(out, "roundtrip");
    REQUIRE(back.ok());
    CHECK(*back.profile == d);
  }
}

TEST_CASE("catalog hash is stable under formatting and changes with the data", "[catalog][hash]") {
  const std::string& h = builtin_catalog().catalog_hash();
  REQUIRE(h.size() == 8 + 16);
  CHECK(h.rfind("fnv1a64:", 0) == 0);
  CHECK(catalog_hash() == h);
  nlohmann::json doc = nlohmann::json::parse(builtin_catalog_json());
  CatalogResult reformatted = make_catalog(doc.dump(4), "reformatted");
  REQUIRE(reformatted.ok());
  CHECK(reformatted.catalog.catalog_hash() == h);
  doc["devices"][0]["tdp_w"] = 301;
  CatalogResult changed = make_catalog(doc.dump(), "changed");
  REQUIRE(changed.ok());
  CHECK(changed.catalog.catalog_hash() != h);
}

TEST_CASE("catalog parsing rejects duplicates and wrong schema versions", "[catalog]") {
  nlohmann::json doc = nlohmann::json::parse(builtin_catalog_json());
  doc["devices"][1]["id"] = doc["devices"][0]["id"];
  CatalogResult dup = make_catalog(doc.dump(), "dup.json");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.errors.front().to_string() == "dup.json: /devices/1/id: duplicate device id '" +
                                              doc["devices"][0]["id"].get<std::string>() + "'");
  CatalogResult v2 = make_catalog(R"({"schema_version": 2, "devices": []})", "v2.json");
  REQUIRE_FALSE(v2.ok());
  CHECK(v2.errors.front().pointer == "/schema_version");
}
