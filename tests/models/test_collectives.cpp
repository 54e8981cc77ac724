#include <catch2/catch.hpp>

#include "models/collectives.h"
#include "test_helpers.h"

using namespace flopcast::models;
using namespace flopcast::models::testing;

namespace {
Topology topo(double up, double out, int domain, double alpha = 0) {
  Topology t;
  t.scale_up_bytes_per_s = up;
  t.scale_out_bytes_per_s = out;
  t.domain_size = domain;
  t.latency_s = alpha;
  return t;
}
}  // namespace

TEST_CASE("ring all-reduce inside one domain: 2(n-1)/n * B/b + 2(n-1) alpha", "[collectives]") {
  const Topology t = topo(100e9, 10e9, 8, 5e-6);
  // 1 GB over 8 ranks at 100 GB/s: 2·7/8·0.01 s = 17.5 ms + 14·5 µs (tree is slower here).
  CHECK(all_reduce_s(1e9, 8, 1, t) == Approx(2.0 * 7 / 8 * 1e9 / 100e9 + 14 * 5e-6));
  CHECK(all_reduce_s(1e9, 1, 1, t) == 0.0);
  CHECK(reduce_scatter_s(1e9, 8, 1, t) == Approx(7.0 / 8 * 1e9 / 100e9 + 7 * 5e-6));
  CHECK(all_gather_s(1e9, 8, 1, t) == reduce_scatter_s(1e9, 8, 1, t));
}

TEST_CASE("hierarchical all-reduce across domains", "[collectives]") {
  const Topology t = topo(100e9, 10e9, 8);
  // 64 ranks, 8 per domain: intra RS + AG of B (2·7/8·B/100e9), inter all-reduce of B/8 over 8
  // nodes at 10 GB/s (2·7/8·B/8/10e9); the flat ring over the NIC would be 2·63/64·B/10e9.
  const double B = 1e9;
  const double hier = 2 * 7.0 / 8 * B / 100e9 + 2 * 7.0 / 8 * (B / 8) / 10e9;
  CHECK(all_reduce_s(B, 64, 1, t) == Approx(hier));
  // Members one domain apart (stride 8): every hop crosses the network.
  CHECK(all_reduce_s(B, 8, 8, t) == Approx(std::min(2.0 * 7 / 8 * B / 10e9, 2.0 * B / 10e9)));
}

TEST_CASE("more bandwidth is never slower", "[collectives][property]") {
  for (double B : {1e3, 1e6, 1e9})
    for (int n : {2, 8, 64, 512})
      for (int stride : {1, 4, 8}) {
        const Topology slow = topo(50e9, 5e9, 8, 4e-6);
        const Topology fast = topo(100e9, 10e9, 8, 4e-6);
        CHECK(all_reduce_s(B, n, stride, fast) <= all_reduce_s(B, n, stride, slow));
        CHECK(all_gather_s(B, n, stride, fast) <= all_gather_s(B, n, stride, slow));
        CHECK(all_to_all_s(B, n, stride, fast) <= all_to_all_s(B, n, stride, slow));
        CHECK(p2p_s(B, stride < 8, fast) <= p2p_s(B, stride < 8, slow));
      }
}

TEST_CASE("ranks per domain from the group's stride", "[collectives]") {
  CHECK(ranks_per_domain(8, 1, 8) == 8);
  CHECK(ranks_per_domain(64, 2, 8) == 4);
  CHECK(ranks_per_domain(64, 8, 8) == 1);
  CHECK(ranks_per_domain(2, 1, 72) == 2);
}

TEST_CASE("unknown scale-out bandwidth uses the documented default and says so", "[collectives]") {
  DeviceSpec d = a100();
  d.scale_out_bytes_per_s.reset();
  bool def = false;
  const Topology t = make_topology(d, EfficiencyParams{}, &def);
  CHECK(def);
  CHECK(t.scale_out_bytes_per_s == Approx(kDefaultScaleOutBytesPerS * EfficiencyParams{}.comm_eff));
}
