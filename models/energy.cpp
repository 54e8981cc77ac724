#include "models/energy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace flopcast::models {

namespace {

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

bool is_tpu(const DeviceSpec& d) { return d.device_type == "tpu"; }

bool positive(const std::optional<double>& x) { return x && std::isfinite(*x) && *x > 0; }

}  // namespace

double busy_fraction(double parallel_efficiency, double goodput) {
  if (!std::isfinite(parallel_efficiency) || !std::isfinite(goodput)) return 1.0;
  return std::clamp(parallel_efficiency * goodput, 0.0, 1.0);
}

PowerBreakdown power_per_device(const DeviceSpec& d, double busy, const EnergyOptions& o) {
  PowerBreakdown p;
  if (!positive(d.tdp_w)) {
    p.error = "unknown for " + d.id + ": tdp_w";
    return p;
  }
  const double tdp = *d.tdp_w;
  if (positive(o.server_power_w_per_device)) {
    p.server_w_per_device = *o.server_power_w_per_device;
    p.basis = "server power override";
  } else if (positive(d.system_power_w_per_device)) {
    p.server_w_per_device = *d.system_power_w_per_device;
    p.basis = "system_power";
  } else {
    const double mult = is_tpu(d) ? kServerMultiplierTpu : kServerMultiplierGpu;
    p.server_w_per_device = tdp * mult;
    p.basis = "tdp x " + num(mult) + " (chip-to-server multiplier)";
  }
  // A system power below the chip's TDP would make the host share negative: use the TDP.
  p.server_w_per_device = std::max(p.server_w_per_device, tdp);
  const double u = std::isfinite(busy) ? std::clamp(busy, 0.0, 1.0) : 1.0;
  const double phi_busy = o.busy_load_fraction && std::isfinite(*o.busy_load_fraction)
                              ? std::clamp(*o.busy_load_fraction, 0.0, 1.0)
                              : kBusyLoadFraction;
  const double phi_idle = std::isfinite(o.idle_load_fraction) ? std::clamp(o.idle_load_fraction, 0.0, phi_busy) : 0.0;
  p.load_fraction = phi_idle + (phi_busy - phi_idle) * u;
  p.device_w = tdp * p.load_fraction;
  p.host_w = (p.server_w_per_device - tdp) * p.load_fraction;
  p.it_w = p.device_w + p.host_w;
  const double pue = std::isfinite(o.pue) && o.pue >= 1.0 ? o.pue : 1.0;
  p.facility_w = p.it_w * pue;
  p.ok = true;
  return p;
}

EnergyResult training_energy(const DeviceSpec& d, int device_count, double wall_time_s, double busy,
                             const EnergyOptions& o) {
  EnergyResult r;
  r.power = power_per_device(d, busy, o);
  if (!r.power.ok) {
    r.error = r.power.error;
    return r;
  }
  if (device_count <= 0 || !std::isfinite(wall_time_s) || wall_time_s < 0) {
    r.error = "energy needs a positive device count and a finite wall time";
    return r;
  }
  r.it_energy_j = r.power.it_w * device_count * wall_time_s;
  r.facility_energy_j = r.power.facility_w * device_count * wall_time_s;
  r.energy_kwh = r.facility_energy_j / kJoulesPerKwh;
  r.energy_mwh = r.facility_energy_j / kJoulesPerMwh;
  r.ok = true;
  return r;
}

}  // namespace flopcast::models
