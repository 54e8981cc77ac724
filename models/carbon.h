// Operational carbon of a training run or a fleet: energy × grid carbon intensity.
//
//   tCO2e = energy_mwh × intensity_g_per_kwh / 1000      (1 MWh = 1000 kWh, 1 t = 1e6 g)
// The energy is facility energy (PUE included), from the analytic model (EstimateResult::energy_mwh)
// or the TCO schedule. Structure: Patterson et al. 2021, "Carbon Emissions and Large Neural
// Network Training" (arXiv 2104.10350).
// Intensities: costs.md §3.4 — Ember 2023 via Our World in Data (lifecycle basis) per country,
// EIA 2023 for the United States (direct combustion only; the two bases differ by ~10–20 %).
// Ignores: embodied (manufacturing) emissions, hourly/marginal intensity, renewable contracts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flopcast::models {

struct GridIntensity {
  std::string_view region;  // lower-case key: "world", "us", "cn", "fr", ...
  std::string_view name;
  double g_co2e_per_kwh;
  int year;
  std::string_view basis;   // "lifecycle" | "direct combustion"
  std::string_view source;
};

const std::vector<GridIntensity>& grid_intensities();
std::optional<GridIntensity> find_grid_intensity(std::string_view region);

// Throws std::invalid_argument on negative or non-finite input.
double tco2e(double energy_mwh, double g_co2e_per_kwh);

}  // namespace flopcast::models
