// Physical properties of the zoo time model (models/zoo_estimate.h) on every model-library preset
// (CNNs, encoders, encoder-decoders, ViTs, Transformer-XL) on every catalog GPU, in each precision
// the GPU has, on 1 and 16 devices: a faster part of the machine never makes a step slower, and
// less fixed overhead never does either.
#include <catch2/catch.hpp>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "../property_checks.h"
#include "hwprofiles/catalog.h"
#include "models/zoo_estimate.h"
#include "scenarios/groundtruth.h"
#include "scenarios/model_library.h"

using namespace flopcast;
using models::ZooEstimateInput;

namespace {

using Case = test::PinnedCase<ZooEstimateInput>;  // micro-batch pinned to what the estimate chose

const std::vector<Case>& cases() {
  static const std::vector<Case> out = [] {
    std::vector<Case> v;
    const auto lookup = scenarios::builtin_device_lookup();
    for (const auto& m : scenarios::model_library()) {
      std::string err;
      const auto layers =
          scenarios::build_layers(m.entry, nlohmann::json::object(),
                                  scenarios::default_input(m.entry), models::Phase::pretrain, &err);
      if (!layers) continue;
      for (const auto& id : hwprofiles::builtin_catalog().ids()) {
        const auto dev = lookup(id);
        if (!dev || dev->device_type != "gpu") continue;
        for (auto p : {models::Precision::fp32, models::Precision::tf32, models::Precision::fp16,
                       models::Precision::bf16}) {
          if (!dev->peak(p)) continue;
          for (int n : {1, 16}) {
            ZooEstimateInput in;
            in.layers = *layers;
            in.precision = p;
            in.device = *dev;
            in.device_count = n;
            in.grad_accumulation = 2;
            const auto r = models::zoo_estimate(in);
            if (!r.ok) continue;
            in.micro_batch_size = r.micro_batch_size;
            const auto again = models::zoo_estimate(in);
            REQUIRE(again.ok);
            std::ostringstream name;
            name << m.name << " on " << n << " x " << id << " " << models::to_string(p);
            v.push_back({name.str(), in, again.step_time_s});
          }
        }
      }
    }
    return v;
  }();
  return out;
}

std::vector<std::string> slower_after(const std::function<void(ZooEstimateInput&)>& change) {
  return test::slower_after(
      cases(), [](const ZooEstimateInput& in) { return models::zoo_estimate(in); }, change);
}

using test::expect_none;
using test::scale;

}  // namespace

TEST_CASE("zoo: every library model on every catalog GPU is estimated", "[zoo][property]") {
  CHECK(cases().size() > 500);
  // The harness sees a slowdown where there is one.
  CHECK(slower_after([](ZooEstimateInput& in) {
          for (auto& p : in.device.peak_flops_per_s) scale(p, 0.5);
        }).size() == cases().size());
}

TEST_CASE("zoo: faster links, memory or compute never make a step slower", "[zoo][property]") {
  for (double k : {1.25, 2.0, 8.0}) {
    INFO("factor " << k);
    expect_none(
        slower_after([k](ZooEstimateInput& in) { scale(in.device.scale_up_bytes_per_s, k); }));
    expect_none(
        slower_after([k](ZooEstimateInput& in) { scale(in.device.scale_out_bytes_per_s, k); }));
    expect_none(slower_after(
        [k](ZooEstimateInput& in) { scale(in.device.memory_bandwidth_bytes_per_s, k); }));
    expect_none(slower_after([k](ZooEstimateInput& in) {
      for (auto& p : in.device.peak_flops_per_s) scale(p, k);
    }));
  }
}

TEST_CASE("zoo: less fixed overhead never makes a step slower", "[zoo][property]") {
  expect_none(slower_after([](ZooEstimateInput& in) { in.efficiency.host_overhead_s *= 0.5; }));
  expect_none(slower_after([](ZooEstimateInput& in) { in.efficiency.kernel_overhead_s *= 0.5; }));
  expect_none(slower_after([](ZooEstimateInput& in) { in.efficiency.comm_latency_s *= 0.5; }));
  expect_none(
      slower_after([](ZooEstimateInput& in) { in.zoo.optimizer_tensor_overhead_s *= 0.5; }));
}

TEST_CASE("zoo: more gradient accumulation never lowers the throughput per device",
          "[zoo][property]") {
  std::vector<std::string> bad;
  for (const auto& c : cases()) {
    const double base = models::zoo_estimate(c.in).samples_per_s_per_gpu;
    ZooEstimateInput in = c.in;
    in.grad_accumulation *= 4;
    const double more = models::zoo_estimate(in).samples_per_s_per_gpu;
    if (more < base * (1 - 1e-9)) bad.push_back(c.name);
  }
  expect_none(bad);
}
