// Time of collective operations over a two-level topology: a scale-up domain (NVLink/NVSwitch,
// ICI, Infinity Fabric) of D devices and a scale-out network (one NIC share per device).
//
// Formula (NCCL's ring algorithms; Thakur, Rabenseifner & Gropp 2005; NCCL docs "bus bandwidth"):
//   all-reduce, ring, n ranks, B bytes:       2·(n−1)/n · B / b  + 2·(n−1)·α
//   all-reduce, tree (double binary tree):    2·B / b            + 2·log2(n)·α
//   reduce-scatter / all-gather (B = full):   (n−1)/n · B / b    + (n−1)·α
//   all-to-all (B sent by each rank):         (n−1)/n · B / b    + (1+log2 n)·α (sends run concurrently)
//   point-to-point:                           B / b + α
//   hierarchical (k ranks per domain, n/k domains): reduce-scatter inside (scale-up b_up), all-reduce
//   of B/k across domains (scale-out b_out, each of the k ranks on its own NIC share), all-gather
//   inside. The best of ring, tree and hierarchical is taken (NCCL's tuner picks per size).
//   b = link bandwidth per direction × comm_eff; a group that spans domains is limited by b_out.
// Placement (Megatron order): TP innermost, then CP, then DP (with EP carved from DP×CP×TP),
//   then PP outermost; `stride` is the rank distance between group members.
// Ignores: congestion between concurrent collectives, rail-optimised vs fat-tree differences,
//   SHARP/in-network reduction, NCCL protocol switching (LL/LL128/Simple).
#pragma once

#include "models/device_spec.h"
#include "models/efficiency.h"

namespace flopcast::models {

// Bandwidths a group of ranks sees, resolved from the device and the group's placement.
struct Topology {
  double scale_up_bytes_per_s = 0;   // per device per direction, × comm_eff
  double scale_out_bytes_per_s = 0;  // per device per direction, × comm_eff
  int domain_size = 1;
  double latency_s = 8e-6;
};

// Fills bandwidths from the device; unknown scale-out falls back on kDefaultScaleOutBytesPerS
// (documented default: 200 Gb/s per device, an HDR-class NIC share) and sets *used_default.
Topology make_topology(const DeviceSpec& d, const EfficiencyParams& p, bool* used_default = nullptr);
inline constexpr double kDefaultScaleOutBytesPerS = 25e9;
inline constexpr double kDefaultScaleUpBytesPerS = 100e9;

// A group of n ranks, members `stride` ranks apart: how many share a scale-up domain.
int ranks_per_domain(int n, int stride, int domain_size);

double all_reduce_s(double bytes, int n, int stride, const Topology& t);
double reduce_scatter_s(double bytes, int n, int stride, const Topology& t);  // bytes = full buffer
double all_gather_s(double bytes, int n, int stride, const Topology& t);      // bytes = full buffer
double all_to_all_s(double bytes_per_rank, int n, int stride, const Topology& t);
double p2p_s(double bytes, bool same_domain, const Topology& t);

}  // namespace flopcast::models
