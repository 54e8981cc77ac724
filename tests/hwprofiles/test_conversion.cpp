// The catalog against its provenance copy of the research table: every unit rule of
// tools/convert_hwprofiles.py re-checked independently, and (with Python) the checked-in
// devices.json is exactly what the script produces.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "hwprofiles/catalog.h"

using namespace flopcast::hwprofiles;
using flopcast::models::Precision;
using json = nlohmann::json;

namespace {

const std::string kResearch =
    std::string(FLOPCAST_SOURCE_DIR) + "/hwprofiles/data/sources/research-hwprofiles.json";

json research() {
  std::ifstream in(kResearch);
  REQUIRE(in.good());
  return json::parse(in);
}

std::optional<double> value(const json& dev, const char* key) {
  if (!dev.contains(key) || dev.at(key).is_null()) return std::nullopt;
  return dev.at(key).get<double>();
}

std::optional<double> times(const std::optional<double>& v, double factor) {
  if (!v) return std::nullopt;
  return *v * factor;
}

void check_same(const std::optional<double>& got, const std::optional<double>& want, const char* what) {
  INFO(what);
  REQUIRE(got.has_value() == want.has_value());  // unknown stays unknown, known stays known
  if (want) CHECK(*got == Approx(*want).epsilon(1e-12));
}

// Scale-out NIC share the converter adds where the research table is null (SCALE_OUT_ADDED, from
// the reference systems' published NICs), in Gb/s per device per direction.
std::optional<double> added_scale_out_gbit(const std::string& id) {
  if (id == "nvidia-v100-sxm2-16gb" || id == "nvidia-v100-sxm2-32gb")
    return 4 * 100.0 / 8;                                    // DGX-1
  if (id == "nvidia-v100-sxm3-32gb") return 8 * 100.0 / 16;  // DGX-2
  if (id == "nvidia-gb200-per-gpu") return 400.0;            // ConnectX-7
  if (id == "nvidia-gb300-per-gpu") return 800.0;            // ConnectX-8
  return std::nullopt;
}

}  // namespace

TEST_CASE("catalog values follow the documented unit rules from the research table", "[conversion]") {
  const json table = research();
  REQUIRE(table.size() == 40);
  REQUIRE(builtin_catalog().size() == table.size());
  for (const json& r : table) {
    const std::string id = r.at("id").get<std::string>();
    INFO(id);
    const DeviceProfile* d = builtin_catalog().find(id);
    REQUIRE(d != nullptr);
    CHECK(d->name == r.at("name").get<std::string>());
    const auto added =
        r.at("scale_out_gbit_s_per_device").is_null() ? added_scale_out_gbit(id) : std::nullopt;
    CHECK(d->sources.size() ==
          r.at("sources").size() + (added ? 1 : 0));  // the added value's source
    CHECK(d->cloud_prices.size() == r.at("cloud_prices").size());
    CHECK(d->price_points.size() == r.at("price_points").size());

    check_same(d->peak(Precision::fp32), times(value(r, "fp32_tflops"), 1e12), "fp32");
    check_same(d->peak(Precision::tf32), times(value(r, "tf32_tflops"), 1e12), "tf32");
    check_same(d->peak(Precision::bf16), times(value(r, "bf16_tflops"), 1e12), "bf16");
    check_same(d->peak(Precision::fp16), times(value(r, "fp16_tflops"), 1e12), "fp16");
    check_same(d->peak(Precision::fp8), times(value(r, "fp8_tflops"), 1e12), "fp8");
    check_same(d->peak(Precision::int8), times(value(r, "int8_tops"), 1e12), "int8");
    check_same(d->peak(Precision::fp4), times(value(r, "fp4_tflops"), 1e12), "fp4");
    const auto vec = value(r, "fp64_tflops"), ten = value(r, "fp64_tensor_tflops");
    std::optional<double> fp64 = vec;
    if (ten && (!fp64 || *ten > *fp64)) fp64 = ten;
    check_same(d->peak(Precision::fp64), times(fp64, 1e12), "fp64 = max(vector, tensor)");
    check_same(d->fp64_vector_flops_per_s, times(vec, 1e12), "fp64 vector");

    std::optional<double> mem;
    if (auto cap = value(r, "memory_capacity")) {
      const std::string unit = r.at("memory_capacity_unit").get<std::string>();
      REQUIRE((unit == "GB" || unit == "GiB"));
      mem = *cap * (unit == "GB" ? 1e9 : 1073741824.0);
    }
    check_same(d->memory_bytes, mem, "memory");
    check_same(d->memory_bandwidth_bytes_per_s, times(value(r, "memory_bw_gb_s"), 1e9), "HBM");
    check_same(d->scale_up_bytes_per_s, times(value(r, "intra_node_bw_gb_s_bidir"), 1e9 / 2),
               "scale-up per direction");
    check_same(d->scale_out_bytes_per_s,
               times(added ? added : value(r, "scale_out_gbit_s_per_device"), 1e9 / 8),
               "scale-out per direction");
    check_same(d->tdp_w, value(r, "tdp_w"), "tdp");
    check_same(d->system_power_kw, value(r, "system_power_kw"), "system power");
    check_same(d->price_usd, value(r, "price_usd"), "price");
    if (r.at("scale_up_domain_size").is_null()) CHECK_FALSE(d->scale_up_domain_size.has_value());
    else CHECK(d->scale_up_domain_size == r.at("scale_up_domain_size").get<int>());
    CHECK(d->derived_fields.has_value() ==
          (!r.at("derived_fields").is_null() || added.has_value()));
    CHECK(d->unverified_fields.has_value() == !r.at("unverified_fields").is_null());
  }
}

#ifdef FLOPCAST_PYTHON3
TEST_CASE("devices.json is exactly what tools/convert_hwprofiles.py produces", "[conversion]") {
  const std::string cmd = std::string("\"") + FLOPCAST_PYTHON3 + "\" \"" + FLOPCAST_SOURCE_DIR +
                          "/tools/convert_hwprofiles.py\" --check";
  INFO(cmd);
  CHECK(std::system(cmd.c_str()) == 0);
}
#endif
