#include "models/efficiency.h"

#include <algorithm>
#include <cmath>

namespace flopcast::models {

double gemm_efficiency(double M, double N, double K, const EfficiencyParams& p) {
  const double d = p.gemm_half_dim;
  auto sat = [d](double x) { return x <= 0 ? 0.0 : x / (x + d); };
  return p.gemm_eff_max * sat(M) * sat(N) * sat(K);
}

double gemm_time_s(double M, double N, double K, double peak, double hbm, double bpe, const EfficiencyParams& p) {
  if (M <= 0 || N <= 0 || K <= 0) return 0;
  const double flops = 2 * M * N * K;
  const double eta = std::max(gemm_efficiency(M, N, K, p), 1e-6);
  const double t_compute = flops / (eta * peak);
  const double bytes = (M * K + K * N + M * N) * bpe;
  const double t_memory = hbm > 0 ? bytes / (p.mem_eff * hbm) : 0;
  return std::max(t_compute, t_memory) + p.kernel_overhead_s;
}

double attention_time_s(double exec_flops, double s_q, double peak16_v, const EfficiencyParams& p) {
  if (exec_flops <= 0) return 0;
  const double eta = p.attn_eff_max * s_q / (s_q + p.gemm_half_dim);
  return exec_flops / (eta * peak16_v) + p.kernel_overhead_s;
}

double dispatch_bound_time_s(double g, double h, const EfficiencyParams& p) {
  if (!(p.dispatch_overlap_exponent > 0) || !(g > 0) || !(h > 0)) return std::max(g, h);
  const double k = std::max(1.0, p.dispatch_overlap_exponent);  // below 1 it would exceed g + h
  // (g^k + h^k)^(1/k) = m · (1 + (n/m)^k)^(1/k) with m = max, n = min: no overflow for large k.
  const double m = std::max(g, h), n = std::min(g, h);
  return m * std::pow(1.0 + std::pow(n / m, k), 1.0 / k);
}

double memory_time_s(double bytes, double hbm, int n_kernels, const EfficiencyParams& p) {
  const double t = hbm > 0 ? bytes / (p.mem_eff * hbm) : 0;
  return t + n_kernels * p.kernel_overhead_s;
}

double peak16(const DeviceSpec& d, Precision prec) {
  if (auto v = d.peak(Precision::bf16)) return *v;
  if (auto v = d.peak(Precision::fp16)) return *v;
  return d.peak(prec).value_or(0);
}

double effective_gemm_peak(const DeviceSpec& d, Precision prec, const EfficiencyParams& p) {
  const double own = d.peak(prec).value_or(0);
  if (prec != Precision::fp8 && prec != Precision::fp4 && prec != Precision::int8) return own;
  const double base = peak16(d, prec);
  if (base <= 0) return own;
  const double halvings = std::log2(2.0 / bytes_per_element(prec));  // fp8: 1, fp4: 2
  const double cap = base * std::pow(p.fp8_gemm_speedup_cap, halvings);
  return std::min(own, cap);
}

}  // namespace flopcast::models
