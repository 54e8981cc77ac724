#include "scenarios/zoo_run.h"

#include <algorithm>
#include <cmath>

#include "models/energy.h"

namespace flopcast::scenarios {

namespace {

// The step at tp tensor-parallel ranks per replica (s.zoo set, device_count >= 1).
ZooStep zoo_step_at(const Scenario& s, const models::DeviceSpec& device, int device_count, int tp) {
  ZooStep st;
  const ZooWorkload& z = *s.zoo;
  if (device_count % tp != 0) {
    st.why = std::to_string(device_count) + " devices are not a multiple of tensor parallelism " + std::to_string(tp);
    return st;
  }
  const double share = z.global_batch_samples / (device_count / tp);  // per data-parallel replica
  if (share < 1 || share != std::floor(share)) {
    st.why = "global batch of " + std::to_string(std::llround(z.global_batch_samples)) + " samples does not split over " +
             std::to_string(device_count / tp) + " data-parallel replicas";
    return st;
  }
  models::ZooEstimateInput& in = st.input;
  in.layers = z.layers;
  in.precision = s.training.precision;
  in.device = device;
  in.device_count = device_count;
  in.tensor_parallel = tp;
  in.efficiency = models::EfficiencyParams{};
  if (!s.training.overlap_grad_reduce) in.efficiency.dp_overlap = 0;  // the reduction after the backward
  in.zoo = models::ZooParams{};
  if (z.micro_batch_size > 0) {
    if (std::fmod(share, z.micro_batch_size) != 0) {
      st.why = "micro-batch " + std::to_string(z.micro_batch_size) + " does not divide the per-replica share (" +
               std::to_string(std::llround(share)) + " samples)";
      return st;
    }
    in.micro_batch_size = z.micro_batch_size;
    in.grad_accumulation = int(share / z.micro_batch_size);
  } else {
    models::ZooEstimateInput probe = in;
    probe.micro_batch_size = 0;
    const models::ZooEstimateResult cap_r = models::zoo_estimate(probe);
    if (!cap_r.ok) {
      st.why = cap_r.error;
      return st;
    }
    const double cap = std::max(1, cap_r.micro_batch_size);
    double k = std::ceil(share / cap);
    while (std::fmod(share, k) != 0) k += 1;  // ends at k = share at the latest
    in.micro_batch_size = int(share / k);
    in.grad_accumulation = int(k);
  }
  st.result = models::zoo_estimate(in);
  if (!st.result.ok) {
    st.why = st.result.error;
    return st;
  }
  st.ok = true;
  return st;
}

}  // namespace

ZooStep zoo_step(const Scenario& s, const models::DeviceSpec& device, int device_count) {
  if (!s.zoo) return ZooStep{.why = "not a model-library workload"};
  if (device_count < 1) return ZooStep{.why = "device count below 1"};
  const ZooWorkload& z = *s.zoo;
  ZooStep st = zoo_step_at(s, device, device_count, std::max(1, z.tensor_parallel));
  // An auto layout splits a transformer whose states do not fit one device over the fewest
  // tensor-parallel ranks that fit (a power of two within the scale-up domain, dividing the heads
  // and the devices), as `flopcast predict` does for a record that leaves tp null.
  const double cap_fraction = models::ZooParams{}.activation_memory_fraction;
  if (!st.ok || !s.auto_layout || z.tensor_parallel > 1 || !z.layers.tensor_parallel ||
      models::zoo_fits(st.result, device, cap_fraction))
    return st;
  ZooStep leanest = st;  // where none fits: the one that needs least (the sweep reports it)
  auto need = [](const ZooStep& x) {
    return x.result.state_bytes_per_device + x.result.activation_bytes_per_sample;
  };
  int tried = 1;
  for (const int t : models::zoo_tp_degrees(z.layers, device, device_count)) {
    ZooStep trial = zoo_step_at(s, device, device_count, t);
    ++tried;
    if (!trial.ok) continue;
    if (models::zoo_fits(trial.result, device, cap_fraction)) {
      trial.layouts_tried = tried;
      trial.result.notes.push_back(
          "tensor parallelism " + std::to_string(t) +
          " chosen: at tp 1 the model's states and one sample's activations "
          "exceed the micro-batch cap of one device");
      return trial;
    }
    if (need(trial) < need(leanest)) leanest = std::move(trial);
  }
  leanest.layouts_tried = tried;
  return leanest;
}

models::EstimateResult zoo_run_totals(const Scenario& s, const models::DeviceSpec& device, int device_count,
                                      const ZooStep& step) {
  models::EstimateResult r;
  const ZooWorkload& z = *s.zoo;
  const models::ZooEstimateResult& zr = step.result;
  const double d = device_count;
  const int tp = std::max(1, step.input.tensor_parallel);
  r.layout.dp = device_count / tp;
  r.layout.tp = tp;
  r.layout.micro_batch_size = zr.micro_batch_size;
  r.layout_note = (tp > 1 ? "data parallelism over " + std::to_string(device_count / tp) + " replicas of " +
                                std::to_string(tp) + "-way tensor parallelism"
                          : "data parallelism over " + std::to_string(device_count) + " devices") +
                  " (models/zoo_estimate): micro-batch " + std::to_string(zr.micro_batch_size) + " x " +
                  std::to_string(step.input.grad_accumulation) + " accumulated per replica per step" +
                  (z.micro_batch_size > 0 ? std::string(" (as given)") : std::string(" (the largest split that fits memory)"));
  r.layouts_evaluated = step.layouts_tried;
  r.params = zr.params;
  r.params_active = zr.params;
  r.model_flops_per_token = zr.model_flops_per_sample / z.tokens_per_sample;
  r.hardware_flops_per_token = r.model_flops_per_token;  // no recomputation in the zoo model
  r.step_time_s = zr.step_time_s;
  r.tokens_per_s_per_gpu = zr.tokens_per_s_per_gpu;
  r.mfu = zr.mfu;
  r.achieved_flops_per_s_per_device = zr.samples_per_s_per_gpu * zr.model_flops_per_sample;
  r.parallel_efficiency = zr.parallel_efficiency;
  r.pipeline_bubble_fraction = 0;
  r.exposed_comm_s_per_step = zr.dp_comm_exposed_s + step.input.grad_accumulation * zr.tp_comm_s;

  const double goodput = scenario_goodput(s, device_count, zr.params);
  r.training_time_s = z.training_samples / (zr.samples_per_s_per_gpu * d) / goodput;
  r.wall_time_h = r.training_time_s / 3600;
  r.gpu_hours = r.wall_time_h * d;
  models::EnergyOptions eo;
  eo.pue = s.pue > 0 ? s.pue : 1.0;
  const models::EnergyResult er =
      models::training_energy(device, device_count, r.training_time_s, models::busy_fraction(r.parallel_efficiency, goodput), eo);
  r.energy_known = er.ok;
  if (er.ok) r.energy_mwh = er.energy_mwh;
  else {
    r.energy_why_unknown = er.error;
    r.notes.push_back("energy: " + er.error);
  }
  r.cost_usd = r.gpu_hours * s.usd_per_gpu_hour.value_or(0.0) + er.energy_kwh * s.electricity_usd_per_kwh;

  auto& m = r.memory;
  const double held = zr.params_per_rank > 0 ? zr.params_per_rank : zr.params;  // this rank's share
  m.weights_bytes = 4.0 * held;    // fp32 master weights
  m.gradients_bytes = 4.0 * held;  // fp32 gradients (all-reduced)
  m.optimizer_bytes = 8.0 * held;  // two Adam / LAMB moments
  m.activations_bytes = zr.micro_batch_size * zr.activation_bytes_per_sample;
  m.buffers_bytes = 0;
  m.total_bytes = m.weights_bytes + m.gradients_bytes + m.optimizer_bytes + m.activations_bytes;
  if (device.memory_bytes && *device.memory_bytes > 0) {
    m.capacity_bytes = *device.memory_bytes;
    m.checked = true;
    m.fits = m.total_bytes <= *device.memory_bytes;
  }
  for (const auto& n : zr.notes) r.notes.push_back("zoo: " + n);
  r.notes.push_back("memory: 16 B/parameter (fp32 weights, gradients, two moments) + saved activations of one "
                    "micro-batch; framework, workspace and fragmentation not counted");
  r.ok = std::isfinite(r.step_time_s) && r.step_time_s > 0;
  if (!r.ok) r.error = "step time is not finite (internal)";
  return r;
}

}  // namespace flopcast::scenarios
