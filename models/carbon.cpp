#include "models/carbon.h"

#include <cmath>
#include <stdexcept>

namespace flopcast::models {

const std::vector<GridIntensity>& grid_intensities() {
  static constexpr std::string_view kEmber = "Ember 2023 via Our World in Data (costs.md s3.4)";
  static const std::vector<GridIntensity> kTable = {
      {"world", "World", 481, 2023, "lifecycle", kEmber},
      {"us", "United States", 367, 2023, "direct combustion",
       "EIA FAQ 2023: 0.81 lb CO2/kWh (costs.md s3.4)"},
      {"cn", "China", 582, 2023, "lifecycle", kEmber},
      {"in", "India", 713, 2023, "lifecycle", kEmber},
      {"au", "Australia", 549, 2023, "lifecycle", kEmber},
      {"cz", "Czechia", 450, 2023, "lifecycle", kEmber},
      {"de", "Germany", 381, 2023, "lifecycle", kEmber},
      {"ie", "Ireland", 291, 2023, "lifecycle", kEmber},
      {"ca", "Canada", 170, 2023, "lifecycle", kEmber},
      {"dk", "Denmark", 152, 2023, "lifecycle", kEmber},
      {"be", "Belgium", 138, 2023, "lifecycle", kEmber},
      {"at", "Austria", 111, 2023, "lifecycle", kEmber},
      {"br", "Brazil", 98, 2023, "lifecycle", kEmber},
      {"fi", "Finland", 79, 2023, "lifecycle", kEmber},
      {"fr", "France", 56, 2023, "lifecycle", kEmber},
      {"no", "Norway", 30, 2023, "lifecycle", kEmber},
  };
  return kTable;
}

std::optional<GridIntensity> find_grid_intensity(std::string_view region) {
  for (const GridIntensity& g : grid_intensities())
    if (g.region == region) return g;
  return std::nullopt;
}

double tco2e(double energy_mwh, double g_co2e_per_kwh) {
  if (!(energy_mwh >= 0) || !std::isfinite(energy_mwh))
    throw std::invalid_argument("energy must be a finite number of MWh >= 0");
  if (!(g_co2e_per_kwh >= 0) || !std::isfinite(g_co2e_per_kwh))
    throw std::invalid_argument("carbon intensity must be a finite gCO2e/kWh >= 0");
  return energy_mwh * g_co2e_per_kwh / 1000.0;
}

}  // namespace flopcast::models
