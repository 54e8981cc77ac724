#include "models/zoo_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "models/collectives.h"

namespace flopcast::models {

double LayerList::params() const {
  double s = 0;
  for (const auto& o : ops) s += o.weight_params * o.repeat;
  return s;
}
double LayerList::forward_flops_per_sample() const {
  double s = 0;
  for (const auto& o : ops) s += o.flops_per_sample * o.repeat;
  return s;
}
double LayerList::saved_elems_per_sample() const {
  double s = 0;
  for (const auto& o : ops) s += o.saved_elems_per_sample * o.repeat;
  return s;
}
ZooOp& LayerList::add(ZooOp op) {
  ops.push_back(std::move(op));
  return ops.back();
}

ZooOp gemm_op(std::string name, double m, double n, double k, double weight_params, int batch) {
  ZooOp o;
  o.name = std::move(name);
  o.kind = ZooOpKind::gemm;
  o.m_per_sample = m;
  o.n = n;
  o.k = k;
  o.batch = std::max(1, batch);
  o.flops_per_sample = 2.0 * m * n * k * o.batch;
  o.weight_params = weight_params;
  o.saved_elems_per_sample = m * k * o.batch;  // the input, kept for the weight gradient
  return o;
}

ZooOp memory_op(std::string name, double elems, double saved, double flops) {
  ZooOp o;
  o.name = std::move(name);
  o.kind = ZooOpKind::memory;
  o.elems_per_sample = elems;
  o.saved_elems_per_sample = saved;
  o.flops_per_sample = flops;
  return o;
}

double zoo_gemm_peak(const DeviceSpec& d, Precision p, const EfficiencyParams& e) {
  if (p == Precision::fp32) return d.peak(Precision::fp32).value_or(0);
  if (p == Precision::tf32) {
    if (auto t = d.peak(Precision::tf32)) return *t;
    return d.peak(Precision::fp32).value_or(0);
  }
  const double v = effective_gemm_peak(d, p, e);
  if (v > 0) return v;
  // a 16-bit precision the device lacks: the other 16-bit format (TPU bf16 for fp16 and back)
  if (p == Precision::fp16 || p == Precision::bf16) return peak16(d, p);
  return 0;
}

namespace {

double act_bytes(Precision p) {
  // tf32/fp32 runs keep activations in fp32; mixed precision in 16 bits; fp8 runs keep 16-bit
  // activations outside the GEMM inputs.
  switch (p) {
    case Precision::fp64: return 8;
    case Precision::fp32: case Precision::tf32: return 4;
    default: return 2;
  }
}

// The share of the layer list one of tp tensor-parallel ranks runs (ZooOp::tp_split).
LayerList tensor_parallel_share(const LayerList& L, int tp) {
  LayerList s = L;
  if (tp <= 1) return s;
  const double t = tp;
  for (auto& o : s.ops) {
    switch (o.tp_split) {
      case TpSplit::replicate: break;
      case TpSplit::columns:  // the input stays whole (kept for the weight gradient)
        o.n /= t;
        o.flops_per_sample /= t;
        o.weight_params /= t;
        break;
      case TpSplit::rows:
        o.k /= t;
        o.flops_per_sample /= t;
        o.weight_params /= t;
        o.saved_elems_per_sample /= t;
        break;
      case TpSplit::heads:
        if (o.kind == ZooOpKind::gemm) o.batch = std::max(1, int(std::lround(o.batch / t)));
        o.flops_per_sample /= t;
        o.elems_per_sample /= t;
        o.saved_elems_per_sample /= t;
        break;
      case TpSplit::width:
        o.elems_per_sample /= t;
        o.saved_elems_per_sample /= t;
        break;
    }
  }
  return s;
}

}  // namespace

bool LayerList::splits_evenly(int tp) const {
  if (tp <= 1) return true;
  for (const auto& o : ops)
    if (o.kind == ZooOpKind::gemm && o.tp_split == TpSplit::heads && o.batch % tp != 0)
      return false;
  return true;
}

bool zoo_tp_valid(const LayerList& L, int devices, int tp) {
  return tp >= 1 && devices % tp == 0 && L.splits_evenly(tp);
}

std::vector<int> zoo_tp_degrees(const LayerList& L, const DeviceSpec& d, int devices) {
  std::vector<int> out;
  const int domain = d.scale_up_domain_size.value_or(8);
  for (int t = 2; t <= std::min(domain, devices); t *= 2)
    if (zoo_tp_valid(L, devices, t)) out.push_back(t);
  return out;
}

bool zoo_fits(const ZooEstimateResult& r, const DeviceSpec& d, double fraction) {
  if (!d.memory_bytes || *d.memory_bytes <= 0) return true;
  return r.state_bytes_per_device + r.activation_bytes_per_sample <= *d.memory_bytes * fraction;
}

namespace {

int choose_micro_batch(const ZooEstimateInput& in, double act_bytes_per_sample, double params) {
  if (in.micro_batch_size > 0) return in.micro_batch_size;
  const auto mem = in.device.memory_bytes;
  if (!mem || *mem <= 0 || act_bytes_per_sample <= 0) return 256;
  const double states = params * kZooStateBytesPerParam;
  const double room = *mem * in.zoo.activation_memory_fraction - states;
  int b = 256;
  while (b > 1 && b * act_bytes_per_sample > room) b /= 2;
  return b;
}

}  // namespace

ZooEstimateResult zoo_estimate(const ZooEstimateInput& in) {
  ZooEstimateResult r;
  const auto& L = in.layers;
  if (L.ops.empty()) {
    r.error = "empty layer list for " + L.name;
    return r;
  }
  const double peak = zoo_gemm_peak(in.device, in.precision, in.efficiency);
  if (!(peak > 0)) {
    r.error = "device " + in.device.id + " has no known peak for " + std::string(to_string(in.precision));
    return r;
  }
  const double hbm = in.device.memory_bandwidth_bytes_per_s.value_or(0);
  if (!(hbm > 0)) {
    r.error = "device " + in.device.id + " has no known memory bandwidth";
    return r;
  }
  if (in.device_count < 1 || in.grad_accumulation < 1) {
    r.error = "device count and gradient accumulation must be at least 1";
    return r;
  }
  const int tp = std::max(1, in.tensor_parallel);
  if (tp > 1 && !L.tensor_parallel) {
    r.error = "tensor parallelism is not modelled for " + L.name + " (a CNN or Transformer-XL layer list)";
    return r;
  }
  if (in.device_count % tp != 0) {
    r.error = "device count " + std::to_string(in.device_count) + " is not a multiple of tensor parallelism " +
              std::to_string(tp);
    return r;
  }
  const int dp = in.device_count / tp;
  const LayerList share = tensor_parallel_share(L, tp);  // what one rank runs
  const double e_act = act_bytes(in.precision);
  const double e = e_act;
  const double gemm_elem = in.precision == Precision::fp8 ? 1.0 : e_act;
  r.params = L.params();
  r.forward_flops_per_sample = L.forward_flops_per_sample();
  r.model_flops_per_sample = 3.0 * r.forward_flops_per_sample;
  r.activation_bytes_per_sample = share.saved_elems_per_sample() * e_act;
  const double rank_params = share.params();
  r.params_per_rank = rank_params;
  const int b = choose_micro_batch(in, r.activation_bytes_per_sample, rank_params);
  r.micro_batch_size = b;
  if (in.micro_batch_size <= 0) r.notes.push_back("micro-batch " + std::to_string(b) + " chosen to fit memory");
  r.state_bytes_per_device = rank_params * kZooStateBytesPerParam;
  r.fits_memory = zoo_fits(r, in.device, 1.0);
  if (!r.fits_memory) {
    char buf[320];
    std::snprintf(
        buf, sizeof buf,
        "does not fit: the model's states (16 B per parameter: weights, gradients, Adam moments) "
        "need %.1f GiB per device and one sample's activations %.2f GiB, against %.1f GiB: the "
        "run needs optimizer sharding (not modelled for this kind) or more tensor-parallel "
        "ranks; predicted as if they fit",
        r.state_bytes_per_device / 1073741824.0, r.activation_bytes_per_sample / 1073741824.0,
        *in.device.memory_bytes / 1073741824.0);
    r.notes.push_back(buf);
  }

  EfficiencyParams ep = in.efficiency;
  if (in.zoo.gemm_eff_max > 0) ep.gemm_eff_max = in.zoo.gemm_eff_max;
  const bool simt = in.precision == Precision::fp32 ||
                    (in.precision == Precision::tf32 && !in.device.peak(Precision::tf32));
  if (in.precision == Precision::tf32 && !in.device.peak(Precision::tf32))
    r.notes.push_back("tf32 on " + in.device.id +
                      ", which has no TF32 tensor cores: runs as fp32 on the CUDA cores");
  if (simt && in.zoo.simt_gemm_eff_max > 0) ep.gemm_eff_max = in.zoo.simt_gemm_eff_max;
  const double p16 = peak16(in.device, in.precision) > 0 ? peak16(in.device, in.precision) : peak;
  double fwd = 0, bwd = 0, mem_bound = 0;
  for (const auto& o : share.ops) {
    ZooOpTime t;
    t.name = o.name;
    if (o.attention_score && in.zoo.fused_attention) {
      if (o.kind == ZooOpKind::gemm) {
        const double exec = o.flops_per_sample * b;
        t.forward_s = attention_time_s(exec, o.m_per_sample, in.precision == Precision::fp32 || in.precision == Precision::tf32 ? peak : p16, ep) * o.repeat;
        t.backward_s = 2.5 * t.forward_s;  // FlashAttention backward: 2.5× the forward matmuls (Dao 2023)
      }
    } else if (o.kind == ZooOpKind::gemm) {
      const double M = std::max(1.0, o.m_per_sample * b);
      const double one = gemm_time_s(M, o.n, o.k, peak, hbm, gemm_elem, ep) * o.batch;
      t.forward_s = one * o.repeat;
      t.backward_s = 2.0 * t.forward_s;
      // a GEMM whose HBM time exceeds its compute time is memory-bound on this device
      const double flops = 2 * M * o.n * o.k;
      const double bytes = (M * o.k + o.k * o.n + M * o.n) * gemm_elem;
      t.memory_bound = bytes / (ep.mem_eff * hbm) > flops / (std::max(gemm_efficiency(M, o.n, o.k, ep), 1e-6) * peak);
    } else {
      const double bytes = in.zoo.memory_traffic_factor * (o.depthwise ? in.zoo.depthwise_traffic_factor : 1.0) *
                           o.elems_per_sample * b * (o.elementwise_fp32 ? 4.0 : e);
      t.forward_s = memory_time_s(bytes, hbm, 1, ep) * o.repeat;
      t.backward_s = in.zoo.backward_bytes_factor * t.forward_s;
      t.memory_bound = true;
    }
    fwd += t.forward_s;
    bwd += t.backward_s;
    if (t.memory_bound) mem_bound += t.forward_s + t.backward_s;
    r.ops.push_back(std::move(t));
  }
  const Topology topo = make_topology(in.device, ep);
  // Tensor parallelism (Megatron): a row-split GEMM's output is all-reduced over the tp ranks in
  // the forward, a column-split GEMM's input gradient in the backward; on the critical path.
  if (tp > 1) {
    for (const auto& o : share.ops) {
      if (o.kind != ZooOpKind::gemm) continue;
      const double M = std::max(1.0, o.m_per_sample * b) * o.batch;
      if (o.tp_split == TpSplit::rows) r.tp_comm_s += o.repeat * all_reduce_s(M * o.n * e, tp, 1, topo);
      if (o.tp_split == TpSplit::columns) r.tp_comm_s += o.repeat * all_reduce_s(M * o.k * e, tp, 1, topo);
    }
  }
  r.compute_s_per_microbatch = fwd + bwd;
  r.memory_bound_s_per_microbatch = mem_bound;

  // Data-parallel gradient all-reduce of each rank's share over the dp replicas (tp ranks apart),
  // overlapped with the last micro-batch's backward.
  const double grad_bytes = in.zoo.grad_bytes_per_param * rank_params;
  r.dp_comm_s = all_reduce_s(grad_bytes, dp, tp, topo);
  r.dp_comm_exposed_s = std::max(r.dp_comm_s - ep.dp_overlap * bwd, r.dp_comm_s * in.zoo.last_bucket_fraction);
  r.optimizer_s = memory_time_s(in.zoo.optimizer_bytes_per_param * rank_params, hbm, 1, ep);
  double tensors = 0;  // weight + bias (or scale + shift) of every parametrised op
  for (const auto& o : share.ops)
    if (o.weight_params > 0) tensors += 2.0 * o.repeat;
  if (in.device.device_type == "gpu") r.optimizer_s += tensors * in.zoo.optimizer_tensor_overhead_s;

  r.step_time_s =
      in.grad_accumulation * (r.compute_s_per_microbatch + r.tp_comm_s) + r.dp_comm_exposed_s + r.optimizer_s;
  if (!(r.step_time_s > 0) || !std::isfinite(r.step_time_s)) {
    r.error = "step time not computable";
    return r;
  }
  r.parallel_efficiency =
      std::clamp(in.grad_accumulation * r.compute_s_per_microbatch / r.step_time_s, 0.0, 1.0);
  // A micro-batch of b samples occupies the tp ranks of one replica.
  r.samples_per_s_per_gpu = double(b) * in.grad_accumulation / r.step_time_s / tp;
  r.tokens_per_s_per_gpu = r.samples_per_s_per_gpu * L.tokens_per_sample;
  const double nominal = in.device.peak(in.precision).value_or(peak);
  r.mfu = nominal > 0 ? r.samples_per_s_per_gpu * r.model_flops_per_sample / nominal : 0;
  r.ok = true;
  return r;
}

}  // namespace flopcast::models
