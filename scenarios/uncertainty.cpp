#include "scenarios/uncertainty.h"

namespace flopcast::scenarios {

double band_sigma(const UncertaintyParams& u, Spread s, const SpreadBasis& b) {
  const double d2 = u.sigma_default * u.sigma_default;
  if (s == Spread::memory) return std::sqrt(u.sigma_memory * u.sigma_memory + double(b.n_defaults) * d2);
  const int n_other = b.n_defaults - b.n_searched;
  double s2 = u.sigma_base * u.sigma_base + double(n_other) * d2 +
              double(b.n_searched) * u.sigma_search * u.sigma_search + (b.moe ? u.sigma_moe * u.sigma_moe : 0.0);
  if (s == Spread::whole_run || s == Spread::energy) s2 += u.sigma_run * u.sigma_run;
  if (s == Spread::energy) s2 += u.sigma_energy * u.sigma_energy;
  return std::sqrt(s2);
}

double zoo_band_sigma(const models::ZooParams& zp, const UncertaintyParams& u, Spread s, int n_defaults) {
  const double d2 = u.sigma_default * u.sigma_default;
  if (s == Spread::memory) return std::sqrt(u.sigma_memory * u.sigma_memory + double(n_defaults) * d2);
  double s2 = zp.sigma_log * zp.sigma_log + double(n_defaults) * d2;
  if (s == Spread::whole_run || s == Spread::energy) s2 += zp.sigma_run * zp.sigma_run;
  if (s == Spread::energy) s2 += u.sigma_energy * u.sigma_energy;
  return std::sqrt(s2);
}

double scenario_band_sigma(Spread s, bool zoo, bool moe) {
  const UncertaintyParams u;
  return zoo ? zoo_band_sigma(models::ZooParams{}, u, s, 0) : band_sigma(u, s, SpreadBasis{.moe = moe});
}

}  // namespace flopcast::scenarios
