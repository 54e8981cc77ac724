// Scenarios whose workload names a model-library preset (encoder, encoder-decoder, ViT, CNN,
// Transformer-XL): the step from models/zoo_estimate, and the run's totals in the decoder result's
// fields so that `flopcast estimate` prints one result shape for every kind.
//
// Per device count n (data parallelism, in replicas of the explicit layout's tp; an auto layout
// whose transformer's states and one sample's activations exceed the micro-batch cap of one device
// takes the fewest tensor-parallel ranks, a power of two within the scale-up domain dividing the
// heads and n, that fit (where none does, the one that needs least memory, reported as not
// fitting); shares below are then per replica):
//   share      = global_batch_samples / n                 (whole; apply_parallelism checks it)
//   micro-batch /parallelism/micro_batch_size when given (accumulation share / it); otherwise the
//              largest micro-batch models/zoo_estimate lets fit (its activation-memory cap) split
//              into k equal micro-batches, k the smallest count ≥ share / cap that divides share
//   step       models::zoo_estimate (its formula: models/zoo_estimate.h), efficiency and zoo
//              parameters at their defaults (what `flopcast predict` uses for zoo records)
//   time       training_samples / (samples/s per device · n) / goodput;  GPU-hours = time · n
//   energy     models/energy.h: training_energy at busy fraction parallel efficiency × goodput,
//              parallel efficiency = accumulation · compute per micro-batch / step time
//   cost       GPU-hours · price + facility kWh · electricity price (as the decoder estimate)
//   memory     fp32 weights, gradients and two Adam moments (16 B/parameter, the zoo's own count
//              for its micro-batch cap) + the saved activations of one micro-batch; framework,
//              workspace and fragmentation are not counted (a lower bound).
#pragma once

#include <string>

#include "models/device_spec.h"
#include "models/estimate.h"
#include "models/zoo_estimate.h"
#include "scenarios/scenario.h"

namespace flopcast::scenarios {

struct ZooStep {
  bool ok = false;
  std::string why;  // when !ok: one line (the batch does not split over these devices, no peak...)
  models::ZooEstimateInput input;
  models::ZooEstimateResult result;
  int layouts_tried = 1;  // tensor-parallel degrees the auto layout estimated (1: the stated one)
};

// The zoo step of scenario s (s.zoo set) on device_count devices.
ZooStep zoo_step(const Scenario& s, const models::DeviceSpec& device, int device_count);

// The run's totals in models::EstimateResult's fields (layout dp = device_count, memory as above).
models::EstimateResult zoo_run_totals(const Scenario& s, const models::DeviceSpec& device, int device_count,
                                      const ZooStep& step);

}  // namespace flopcast::scenarios
