// Compression levers of a training run: pruning, quantization, distillation. Each one becomes a
// documented multiplier on the quantities the time and memory models use, so estimate() and the
// memory model apply them without knowing the lever.
//
// Formula (sparsity p in [0, 1), compute precision with B = 8·bytes_per_element bits):
//   structured pruning (whole heads / channels / neurons removed; Ma et al. 2023 "LLM-Pruner",
//     Xia et al. 2023 "Sheared LLaMA"): the remaining matrices are dense and smaller, so
//       params_factor = flops_per_token_factor = 1 − p
//     (applied to the parameter-proportional FLOPs 6·N and, through the parameter count, to
//     weight/gradient/optimizer bytes; weight_bytes_factor is per remaining weight and stays 1).
//   unstructured pruning (masked weights, Han et al. 2015): dense kernels run on the zeros:
//       no change in FLOPs-time, params or bytes — unless the device has 2:4 structured sparsity
//       (DeviceSpec::sparse_2_4, NVIDIA Ampere whitepaper 2020; Mishra et al. 2021 "Accelerating
//       Sparse Deep Neural Networks") and p >= 0.5: the tensor-core peak doubles
//       (peak_factor = 2) and the compute copy of the weights is stored compressed,
//       weight_bytes_factor = 0.5 · (1 + 2/B) (half the values + 2-bit index per kept value);
//       the master copy, gradients and optimizer stay dense.
//   quantization (weight_bits w, activation_bits a; 0 = the compute precision):
//       weight_bytes_factor ×= w / B, activation_bytes_factor = a / B (only when lower than B);
//       peak_factor = peak(P_low) / peak(P) when both w and a fit a lower precision P_low the device
//       has a peak for (<= 8 bits: fp8, then int8; <= 4 bits: fp4); weight-only quantization
//       (e.g. W4A16) dequantizes to the compute precision: no peak change.
//   distillation (Hinton et al. 2015): the teacher's forward runs on every training token:
//       teacher_flops_per_token = 2·N_teacher_active + 4·L_t·h_t·s_t (forward matmuls + attention
//       scores, the same convention as the 6N + 12·L·h·s training count), teacher weights frozen in
//       the compute precision on each device (split by tp·pp).
// Assumptions: multipliers are independent and multiply; FLOPs that do not scale with parameters
// (attention scores) are not pruned; 2:4 kernels reach the doubled peak at the same efficiency.
// Ignores: narrower activations of a structurally pruned model (activation memory is not reduced),
// mask bookkeeping (a boolean mask per weight during pruning-aware training), quantization
// scale tensors (< 1% for block sizes >= 32), the distillation loss itself, teacher activations
// (no backward through the teacher: only the current layer's are live).
#pragma once

#include <string>
#include <vector>

#include "models/device_spec.h"
#include "models/workload.h"

namespace flopcast::models {

struct CompressionEffect {
  double params_factor = 1.0;           // on the student's trainable parameter count
  double flops_per_token_factor = 1.0;  // on parameter-proportional FLOPs per token (6·N part)
  double peak_factor = 1.0;             // on the achievable peak FLOP/s of the matmuls
  double weight_bytes_factor = 1.0;     // bytes per remaining weight of the compute copy, relative to
                                        // the compute precision (memory + bandwidth); weight bytes =
                                        // params × params_factor × bytes_per_element × this
  double activation_bytes_factor = 1.0; // on stored activations
  double teacher_params = 0;            // teacher parameters (total)
  double teacher_flops_per_token = 0;   // extra forward FLOPs per training token (distillation)
  std::vector<std::string> notes;       // which lever did what (for EstimateResult::notes)
};

// Forward FLOPs per token of a model: 2·N_active + 4·L·h·s.
double forward_flops_per_token(const TransformerShape& m);

CompressionEffect compression_effect(const TransformerShape& m, const TrainingSpec& t, const DeviceSpec& d);

}  // namespace flopcast::models
