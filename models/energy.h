// Energy of a training run: device power at its load, plus the host's share, times PUE.
// This module owns energy; cost and carbon build on it (kWh × $/kWh, kWh × gCO2e/kWh).
//
// Formula (per device, watts):
//   S        = server max power per device = system_power_w_per_device when the profile knows it,
//              else TDP × m(device_type), m = chip-to-server multiplier (Epoch AI `energy.py`:
//              GPUs 1.8 default (V100 1.67, A100 2.03, H100 1.82), TPUs 1.56 "other TPU" default)
//   φ(u)     = φ_idle + (φ_busy − φ_idle) · u        load fraction of S at busy fraction u in [0, 1]
//   P_device = TDP · φ(u),  P_host = (S − TDP) · φ(u),  P_IT = P_device + P_host = S · φ(u)
//   E        = d · P_IT · t_wall · PUE                (facility energy; energy_mwh = E / 3.6e9 J)
//   φ_busy = 0.75: average fraction of rated power drawn while training (Epoch AI `energy.py`, GPUs).
//   Epoch uses 0.43 for TPUs because it pairs them with rated TDPs far above their draw
//   (Patterson et al. quote 450 W for TPU v3); this catalog's TPU tdp_w (262 W for v3) is already
//   near the draw, so one φ_busy serves every device type (docs/parameters.md, "Energy").
//   φ_idle = 0.25: a powered, idle server (assumption; DGX-class idle draw is about a quarter of
//   its maximum). u = busy fraction = parallel efficiency (compute share of the step time) × goodput
//   (time not lost to failures/restarts): busy_fraction(). PUE < 1 or non-finite is taken as 1.
// Source: Patterson et al. 2021, "Carbon Emissions and Large Neural Network Training"
//   (arXiv:2104.10350): energy = hours × processors × average power per processor × PUE;
//   Epoch AI training-cost-trends `energy.py` (chip-to-server multipliers, average power fractions,
//   PUE 1.1 hyperscaler / 1.25 other). See docs/parameters.md, section "Energy".
// Assumptions: power is a linear function of the busy fraction; host power scales with the same
//   load fraction as the accelerator; PUE constant over the run.
// Ignores: storage and network switches outside the servers, cooling beyond PUE, DVFS/power caps,
//   embodied energy.
#pragma once

#include <optional>
#include <string>

#include "models/device_spec.h"

namespace flopcast::models {

inline constexpr double kIdleLoadFraction = 0.25;
inline constexpr double kBusyLoadFraction = 0.75;
inline constexpr double kServerMultiplierGpu = 1.8;
inline constexpr double kServerMultiplierTpu = 1.56;
inline constexpr double kPueHyperscale = 1.1;
inline constexpr double kPueOther = 1.25;
inline constexpr double kJoulesPerKwh = 3.6e6;
inline constexpr double kJoulesPerMwh = 3.6e9;

struct EnergyOptions {
  double pue = 1.0;  // facility / IT power (the caller passes CostInputs::pue)
  std::optional<double> server_power_w_per_device;  // override S
  std::optional<double> busy_load_fraction;          // override φ_busy
  double idle_load_fraction = kIdleLoadFraction;
};

struct PowerBreakdown {
  bool ok = false;
  std::string error;  // e.g. "unknown for ID: tdp_w"
  double server_w_per_device = 0;  // S
  double load_fraction = 0;        // φ(u)
  double device_w = 0;             // P_device
  double host_w = 0;               // P_host
  double it_w = 0;                 // P_device + P_host
  double facility_w = 0;           // × PUE
  std::string basis;               // "system_power" or "tdp × multiplier m"
};

struct EnergyResult {
  bool ok = false;
  std::string error;
  PowerBreakdown power;  // per device
  double it_energy_j = 0;
  double facility_energy_j = 0;
  double energy_kwh = 0;  // facility
  double energy_mwh = 0;  // facility
};

// u = parallel_efficiency × goodput, clamped to [0, 1]; non-finite inputs give 1 (conservative).
double busy_fraction(double parallel_efficiency, double goodput);

PowerBreakdown power_per_device(const DeviceSpec& d, double busy, const EnergyOptions& o = {});

// Whole run: device_count devices for wall_time_s seconds at busy fraction `busy`.
EnergyResult training_energy(const DeviceSpec& d, int device_count, double wall_time_s, double busy,
                             const EnergyOptions& o = {});

}  // namespace flopcast::models
