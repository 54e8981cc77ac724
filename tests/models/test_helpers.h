// Shared fixtures for the models tests: literal devices and shapes (datasheet numbers typed in,
// so the model tests do not depend on the catalog).
#pragma once

#include "models/device_spec.h"
#include "models/estimate.h"
#include "models/workload.h"

namespace flopcast::models::testing {

// NVIDIA A100 SXM4 80GB: 312 TFLOP/s bf16/fp16, 156 tf32, 19.5 fp32, 2039 GB/s HBM, NVLink 300 GB/s
// per direction, 8 per node, 200 Gb/s (25 GB/s) NIC share per GPU, 400 W.
inline DeviceSpec a100() {
  DeviceSpec d;
  d.id = "test-a100";
  d.name = "A100 (test)";
  d.device_type = "gpu";
  d.peak_flops_per_s[index_of(Precision::bf16)] = 312e12;
  d.peak_flops_per_s[index_of(Precision::fp16)] = 312e12;
  d.peak_flops_per_s[index_of(Precision::tf32)] = 156e12;
  d.peak_flops_per_s[index_of(Precision::fp32)] = 19.5e12;
  d.memory_bytes = 80e9;
  d.memory_bandwidth_bytes_per_s = 2039e9;
  d.scale_up_bytes_per_s = 300e9;
  d.scale_up_domain_size = 8;
  d.scale_out_bytes_per_s = 25e9;
  d.tdp_w = 400;
  return d;
}

// GPT-3 style dense decoder (Megatron 2021 Table 1 row: 18.4B), ungated FFN 4h, MHA.
inline TransformerShape gpt(int layers, int hidden, int heads, int seq = 2048, int vocab = 51200) {
  TransformerShape m;
  m.n_layers = layers;
  m.d_model = hidden;
  m.n_heads = heads;
  m.n_kv_heads = heads;
  m.ffn_dim = 4.0 * hidden;
  m.ffn_gated = false;
  m.vocab_size = vocab;
  m.seq_len = seq;
  return m;
}

inline EstimateInput basic_input(int devices, const Layout& l) {
  EstimateInput in;
  in.model = gpt(24, 2048, 16);
  in.training.global_batch_tokens = 512.0 * 2048;
  in.training.training_tokens = 1e9;
  in.training.precision = Precision::bf16;
  in.device = a100();
  in.device_count = devices;
  in.layout = l;
  return in;
}

}  // namespace flopcast::models::testing
