#include "models/goodput.h"

#include <cmath>

namespace flopcast::models {

double daly_interval_s(double delta, double m) {
  if (m <= 0) return 0;
  if (delta >= 2 * m) return m;
  const double x = delta / (2 * m);
  return std::sqrt(2 * delta * m) * (1 + std::sqrt(x) / 3 + x / 9) - delta;
}

double young_interval_s(double delta, double m) { return std::sqrt(2 * delta * m); }

double daly_expected_ratio(double tau, double delta, double m, double r) {
  if (m <= 0) return (tau + delta) / tau;
  return m * std::exp(r / m) * std::expm1((tau + delta) / m) / tau;
}

double failure_goodput(double devices, double params) {
  if (!(devices > 0) || !(params > 0) || !std::isfinite(devices) || !std::isfinite(params))
    return 1.0;
  const double m = 3600.0 / (kInterruptionsPerGpuHour * devices);
  const double delta =
      kCheckpointBytesPerParam * params / (devices * kCheckpointWriteBytesPerSPerDevice);
  const double tau = daly_interval_s(delta, m);
  if (!(tau > 0)) return 1.0;
  const double ratio = daly_expected_ratio(tau, delta, m, kRestartS);
  return std::isfinite(ratio) && ratio >= 1 ? 1.0 / ratio : 1.0;
}

}  // namespace flopcast::models
