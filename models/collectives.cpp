#include "models/collectives.h"

#include <algorithm>
#include <cmath>

namespace flopcast::models {

Topology make_topology(const DeviceSpec& d, const EfficiencyParams& p, bool* used_default) {
  Topology t;
  bool def = false;
  double up = d.scale_up_bytes_per_s.value_or(0);
  double out = d.scale_out_bytes_per_s.value_or(0);
  if (out <= 0) {
    out = kDefaultScaleOutBytesPerS;
    def = true;
  }
  if (up <= 0) {
    up = std::max(out, kDefaultScaleUpBytesPerS);
    def = true;
  }
  t.scale_up_bytes_per_s = up * p.comm_eff;
  t.scale_out_bytes_per_s = std::min(out, up) * p.comm_eff;
  t.domain_size = std::max(1, d.scale_up_domain_size.value_or(8));
  t.latency_s = p.comm_latency_s;
  if (used_default) *used_default = def;
  return t;
}

int ranks_per_domain(int n, int stride, int domain_size) {
  if (n <= 1) return 1;
  stride = std::max(1, stride);
  if (stride >= domain_size) return 1;
  return std::clamp(domain_size / stride, 1, n);
}

namespace {

double ring_ar(double B, int n, double bw, double a) {
  if (n <= 1 || B <= 0) return 0;
  return 2.0 * (n - 1) / n * B / bw + 2.0 * (n - 1) * a;
}
double tree_ar(double B, int n, double bw, double a) {
  if (n <= 1 || B <= 0) return 0;
  return 2.0 * B / bw + 2.0 * std::ceil(std::log2(double(n))) * a;
}
double ring_half(double B, int n, double bw, double a) {  // reduce-scatter / all-gather
  if (n <= 1 || B <= 0) return 0;
  return double(n - 1) / n * B / bw + double(n - 1) * a;
}

}  // namespace

double all_reduce_s(double B, int n, int stride, const Topology& t) {
  if (n <= 1 || B <= 0) return 0;
  const int k = ranks_per_domain(n, stride, t.domain_size);
  if (k >= n) return std::min(ring_ar(B, n, t.scale_up_bytes_per_s, t.latency_s),
                              tree_ar(B, n, t.scale_up_bytes_per_s, t.latency_s));
  const int nodes = (n + k - 1) / k;
  const double flat = std::min(ring_ar(B, n, t.scale_out_bytes_per_s, t.latency_s),
                               tree_ar(B, n, t.scale_out_bytes_per_s, t.latency_s));
  const double hier = 2 * ring_half(B, k, t.scale_up_bytes_per_s, t.latency_s) +
                      std::min(ring_ar(B / k, nodes, t.scale_out_bytes_per_s, t.latency_s),
                               tree_ar(B / k, nodes, t.scale_out_bytes_per_s, t.latency_s));
  return std::min(flat, hier);
}

double reduce_scatter_s(double B, int n, int stride, const Topology& t) {
  if (n <= 1 || B <= 0) return 0;
  const int k = ranks_per_domain(n, stride, t.domain_size);
  if (k >= n) return ring_half(B, n, t.scale_up_bytes_per_s, t.latency_s);
  const int nodes = (n + k - 1) / k;
  const double flat = ring_half(B, n, t.scale_out_bytes_per_s, t.latency_s);
  const double hier = ring_half(B, k, t.scale_up_bytes_per_s, t.latency_s) +
                      ring_half(B / k, nodes, t.scale_out_bytes_per_s, t.latency_s);
  return std::min(flat, hier);
}

double all_gather_s(double B, int n, int stride, const Topology& t) { return reduce_scatter_s(B, n, stride, t); }

double all_to_all_s(double B, int n, int stride, const Topology& t) {
  if (n <= 1 || B <= 0) return 0;
  const int k = ranks_per_domain(n, stride, t.domain_size);
  // Of the (n−1)/n·B a rank sends, the part to peers in its domain goes over scale-up links and
  // the rest over its NIC share; both proceed concurrently.
  const double inside = double(k - 1) / n * B;
  const double outside = double(n - k) / n * B;
  const double t_in = inside / t.scale_up_bytes_per_s;
  const double t_out = outside / t.scale_out_bytes_per_s;
  return std::max(t_in, t_out) + (1 + std::ceil(std::log2(double(n)))) * t.latency_s;
}

double p2p_s(double B, bool same_domain, const Topology& t) {
  if (B <= 0) return 0;
  return B / (same_domain ? t.scale_up_bytes_per_s : t.scale_out_bytes_per_s) + t.latency_s;
}

}  // namespace flopcast::models
