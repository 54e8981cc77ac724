#include <catch2/catch.hpp>
#include <cmath>

#include "models/goodput.h"

using namespace flopcast::models;

TEST_CASE("goodput: Llama 3 405B on 16,384 GPUs, by hand", "[goodput]") {
  // λ = 419 / (54 d · 24 h · 16,384) per GPU-hour → M = 3600 / (λ · 16,384) s.
  const double lambda = 419.0 / (54.0 * 24.0 * 16384.0);
  CHECK(kInterruptionsPerGpuHour == Approx(1.973e-5).epsilon(1e-3));
  const double m = 3600.0 / (lambda * 16384.0);
  CHECK(m == Approx(11135.1).epsilon(1e-4));  // simulator/run.h: M = 11,135 s
  // δ = 14 B · 405e9 / (16,384 · 1 GB/s) = 0.346 s; Daly's τ ≈ √(2δM) = 87.8 s.
  const double delta = 14.0 * 405e9 / (16384.0 * 1e9);
  const double tau = daly_interval_s(delta, m);
  CHECK(tau == Approx(std::sqrt(2 * delta * m)).epsilon(0.01));
  // T_w/T_s = M e^{R/M} (e^{(τ+δ)/M} − 1) / τ with R = 600 s: e^{0.05388} · (1 + 0.00397) · (1 +
  // 0.00394).
  const double ratio = daly_expected_ratio(tau, delta, m, 600.0);
  CHECK(ratio == Approx(std::exp(600.0 / m) * (1 + (tau + delta) / (2 * m)) * (tau + delta) / tau)
                     .epsilon(1e-4));
  CHECK(failure_goodput(16384, 405e9) == Approx(1.0 / ratio).epsilon(1e-9));
  // Llama 3 reports more than 90 % effective training time for this run.
  CHECK(failure_goodput(16384, 405e9) > 0.90);
  CHECK(failure_goodput(16384, 405e9) < 0.95);
}

TEST_CASE("goodput: falls with the device count, near 1 for small jobs, 1 without inputs",
          "[goodput][property]") {
  double last = 1.0;
  for (double n : {1.0, 8.0, 64.0, 512.0, 4096.0, 32768.0, 131072.0}) {
    const double g = failure_goodput(n, 70e9);
    CHECK(g <= last);
    CHECK(g > 0);
    last = g;
  }
  CHECK(failure_goodput(8, 7e9) > 0.998);  // 8 GPUs: one interruption in ~260 days
  CHECK(failure_goodput(0, 7e9) == 1.0);
  CHECK(failure_goodput(8, 0) == 1.0);
  CHECK(failure_goodput(8, std::nan("")) == 1.0);
}
