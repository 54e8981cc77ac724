// Physical properties of the estimate on every published decoder run with a device: the layout the
// record states (or the one the search picks for it) held fixed, a faster part of the machine never
// makes a step slower, and more recompute never makes it faster. One hand-made model cannot show
// what hundreds of real shapes (MoE, GQA, context and expert parallelism, fp8, LoRA) can.
#include <catch2/catch.hpp>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "../groundtruth_records.h"
#include "../property_checks.h"
#include "models/estimate.h"
#include "scenarios/groundtruth.h"

using namespace flopcast;
using models::EstimateInput;

namespace {

using Fixed = test::PinnedCase<EstimateInput>;  // layout and recompute fixed to what the record ran

// Every public decoder record that predicts a step, with its layout pinned.
const std::vector<Fixed>& fixed_records() {
  static const std::vector<Fixed> out = [] {
    std::vector<Fixed> v;
    const auto lookup = scenarios::builtin_device_lookup();
    const scenarios::PredictOptions opts;
    for (const auto& rec : test::groundtruth_records("public.json")) {
      const auto ri = scenarios::record_to_input(rec, lookup, opts);
      if (!ri.ok) continue;
      const auto r = models::estimate(ri.input);
      if (!r.ok || !(r.step_time_s > 0)) continue;
      Fixed f{rec["id"].get<std::string>(), ri.input, 0};
      f.in.auto_layout = false;
      f.in.layout = r.layout;
      f.in.training.recompute = r.recompute;
      f.in.training.recompute_layers = r.recompute_layers;
      const auto again = models::estimate(f.in);
      if (!again.ok) continue;
      f.step_s = again.step_time_s;
      v.push_back(std::move(f));
    }
    return v;
  }();
  return out;
}

std::vector<std::string> slower_after(const std::function<void(EstimateInput&)>& change) {
  return test::slower_after(
      fixed_records(), [](const EstimateInput& in) { return models::estimate(in); }, change);
}

using test::expect_none;
using test::scale;

}  // namespace

TEST_CASE("every published run: the pinned layout reproduces the prediction",
          "[estimate][property][groundtruth]") {
  // Most of the public file's 799 records have a device and a shape.
  CHECK(fixed_records().size() > 700);
  // The harness sees a slowdown where there is one: half the memory bandwidth or half the peak
  // slows every record down.
  const auto all = fixed_records().size();
  CHECK(slower_after([](EstimateInput& in) {
          scale(in.device.memory_bandwidth_bytes_per_s, 0.5);
        }).size() == all);
  CHECK(slower_after([](EstimateInput& in) {
          for (auto& p : in.device.peak_flops_per_s) scale(p, 0.5);
        }).size() == all);
}

TEST_CASE("every published run: faster links, memory or compute never make a step slower",
          "[estimate][property][groundtruth]") {
  for (double k : {1.25, 2.0, 8.0}) {
    INFO("factor " << k);
    expect_none(slower_after([k](EstimateInput& in) { scale(in.device.scale_up_bytes_per_s, k); }));
    expect_none(
        slower_after([k](EstimateInput& in) { scale(in.device.scale_out_bytes_per_s, k); }));
    expect_none(
        slower_after([k](EstimateInput& in) { scale(in.device.memory_bandwidth_bytes_per_s, k); }));
    expect_none(slower_after([k](EstimateInput& in) {
      for (auto& p : in.device.peak_flops_per_s) scale(p, k);
    }));
    expect_none(slower_after([k](EstimateInput& in) {
      scale(in.device.scale_up_bytes_per_s, k);
      scale(in.device.scale_out_bytes_per_s, k);
      scale(in.device.memory_bandwidth_bytes_per_s, k);
      for (auto& p : in.device.peak_flops_per_s) scale(p, k);
    }));
  }
}

TEST_CASE("every published run: less fixed overhead never makes a step slower",
          "[estimate][property][groundtruth]") {
  expect_none(slower_after([](EstimateInput& in) { in.efficiency.host_overhead_s *= 0.5; }));
  expect_none(slower_after([](EstimateInput& in) { in.efficiency.kernel_overhead_s *= 0.5; }));
  expect_none(slower_after([](EstimateInput& in) { in.efficiency.comm_latency_s *= 0.5; }));
  expect_none(slower_after([](EstimateInput& in) {
    in.efficiency.comm_eff = std::min(1.0, in.efficiency.comm_eff * 1.2);
  }));
}

TEST_CASE("every published run: more recompute never makes a step faster",
          "[estimate][property][groundtruth]") {
  using models::Recompute;
  std::vector<std::string> bad;
  for (const auto& f : fixed_records()) {
    EstimateInput in = f.in;
    in.training.recompute_layers = 0;
    double last = 0;
    for (Recompute rc : {Recompute::none, Recompute::selective, Recompute::full}) {
      in.training.recompute = rc;
      const auto r = models::estimate(in);
      if (!r.ok) {
        bad.push_back(f.name + ": " + r.error);
        break;
      }
      if (r.step_time_s < last * (1 - 1e-9)) {
        std::ostringstream s;
        s << f.name << ": "
          << "recompute " << int(rc) << " " << r.step_time_s << " s < " << last << " s";
        bad.push_back(s.str());
      }
      last = r.step_time_s;
    }
  }
  expect_none(bad);
}

TEST_CASE("every published run: a larger scale-up domain never makes a step slower",
          "[estimate][property][groundtruth]") {
  for (int k : {2, 4, 9}) {
    INFO("domain x" << k);
    expect_none(slower_after([k](EstimateInput& in) {
      if (in.device.scale_up_domain_size) *in.device.scale_up_domain_size *= k;
    }));
  }
}

TEST_CASE("every published run: a larger global batch never lowers the throughput per device",
          "[estimate][property][groundtruth]") {
  // More micro-batches per step on the same layout: the pipeline bubble and the data-parallel
  // gradient exchange are amortised over more tokens.
  std::vector<std::string> bad;
  for (const auto& f : fixed_records()) {
    const double base = models::estimate(f.in).tokens_per_s_per_gpu;
    for (double k : {2.0, 4.0}) {
      EstimateInput in = f.in;
      in.training.global_batch_tokens *= k;
      const auto r = models::estimate(in);
      if (!r.ok) {
        bad.push_back(f.name + ": " + r.error);
        break;
      }
      if (r.tokens_per_s_per_gpu < base * (1 - 1e-9)) {
        std::ostringstream s;
        s << f.name << ": batch x" << k << " " << base << " -> " << r.tokens_per_s_per_gpu
          << " tokens/s";
        bad.push_back(s.str());
      }
    }
  }
  expect_none(bad);
}

TEST_CASE("every published run: more recompute never needs more memory",
          "[memory][property][groundtruth]") {
  using models::Recompute;
  std::vector<std::string> bad;
  for (const auto& f : fixed_records()) {
    EstimateInput in = f.in;
    in.training.recompute_layers = 0;
    double last = -1;
    for (Recompute rc : {Recompute::none, Recompute::selective, Recompute::full}) {
      in.training.recompute = rc;
      const auto r = models::estimate(in);
      REQUIRE(r.ok);
      if (last >= 0 && r.memory.total_bytes > last * (1 + 1e-12))
        bad.push_back(f.name + ": recompute " + std::to_string(int(rc)) + " needs more memory");
      last = r.memory.total_bytes;
    }
  }
  expect_none(bad);
}

TEST_CASE(
    "every published run: ZeRO-1 never needs more memory than no sharding, and over a group of "
    "one device no ZeRO stage changes anything",
    "[memory][property][groundtruth]") {
  using models::Sharding;
  std::vector<std::string> bad;
  int single = 0;
  for (const auto& f : fixed_records()) {
    EstimateInput in = f.in;
    in.layout.sharding = Sharding::none;
    const auto none = models::estimate(in);
    REQUIRE(none.ok);
    in.layout.sharding = Sharding::zero1;
    if (models::estimate(in).memory.total_bytes > none.memory.total_bytes * (1 + 1e-12))
      bad.push_back(f.name + ": zero1 needs more memory than none");
    if (in.layout.dp * in.layout.cp != 1) continue;
    ++single;
    for (Sharding z : {Sharding::zero1, Sharding::zero2, Sharding::zero3}) {
      in.layout.sharding = z;
      const auto r = models::estimate(in);
      REQUIRE(r.ok);
      if (r.memory.total_bytes != none.memory.total_bytes || r.step_time_s != none.step_time_s)
        bad.push_back(f.name + ": sharding " + std::to_string(int(z)) +
                      " over one device changes the estimate");
    }
  }
  CHECK(single > 100);  // vTrain's single-node rows and Megatron's model-parallel rows run dp 1
  expect_none(bad);
}

TEST_CASE(
    "every published run without ZeRO: twice the data-parallel replicas, each with the same "
    "work, never raise the throughput per device",
    "[estimate][property][groundtruth]") {
  // (With ZeRO they may: each device updates 1/dp of the optimizer state.)
  std::vector<std::string> bad;
  for (const auto& f : fixed_records()) {
    EstimateInput in = f.in;
    in.layout.sharding = models::Sharding::none;
    const double base = models::estimate(in).tokens_per_s_per_gpu;
    in.layout.dp *= 2;
    in.device_count *= 2;
    in.training.global_batch_tokens *= 2;
    const auto r = models::estimate(in);
    if (!r.ok) {
      bad.push_back(f.name + ": " + r.error);
      continue;
    }
    if (r.tokens_per_s_per_gpu > base * (1 + 1e-9)) {
      std::ostringstream s;
      s << f.name << ": dp x2 " << base << " -> " << r.tokens_per_s_per_gpu << " tokens/s";
      bad.push_back(s.str());
    }
  }
  expect_none(bad);
}
