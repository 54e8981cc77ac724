#include "models/cloud_prices.h"

#include <cmath>
#include <stdexcept>

namespace flopcast::models {

std::string_view to_string(PriceTier t) {
  switch (t) {
    case PriceTier::on_demand: return "on_demand";
    case PriceTier::reserved_1y: return "reserved_1y";
    case PriceTier::reserved_3y: return "reserved_3y";
    case PriceTier::spot: return "spot";
    case PriceTier::capacity_block: return "capacity_block";
    case PriceTier::reserved: return "reserved";
    case PriceTier::monthly: return "monthly";
  }
  return "?";
}

std::optional<PriceTier> price_tier_from_string(std::string_view s) {
  for (PriceTier t : {PriceTier::on_demand, PriceTier::reserved_1y, PriceTier::reserved_3y,
                      PriceTier::spot, PriceTier::capacity_block, PriceTier::reserved,
                      PriceTier::monthly})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::optional<double> commitment_discount(std::string_view provider, PriceTier tier) {
  struct Rule {
    std::string_view provider;
    double one_year, three_year;
  };
  // costs.md §1.2 (Epoch AI training-cost-trends defaults, 2024).
  static constexpr Rule kRules[] = {
      {"aws", 0.41, 0.64}, {"gcp", 0.37, 0.56}, {"azure", 0.25, 0.49}, {"lambda", 0.34, 0.56}};
  if (tier != PriceTier::reserved_1y && tier != PriceTier::reserved_3y) return std::nullopt;
  for (const Rule& r : kRules)
    if (r.provider == provider) return tier == PriceTier::reserved_1y ? r.one_year : r.three_year;
  return std::nullopt;
}

double to_usd(double native_amount, double fx_per_usd) {
  if (!(fx_per_usd > 0) || !std::isfinite(fx_per_usd))
    throw std::invalid_argument("exchange rate must be a positive number of currency units per USD");
  return native_amount / fx_per_usd;
}

static const PriceRow* newest(const std::vector<PriceRow>& table, std::string_view device,
                              std::string_view provider, PriceTier tier) {
  const PriceRow* best = nullptr;
  for (const PriceRow& r : table)
    if (r.device == device && r.provider == provider && r.tier == tier && !r.derived)
      if (!best || r.date > best->date) best = &r;
  return best;
}

std::optional<PriceRow> find_price(const std::vector<PriceRow>& table, std::string_view device,
                                   std::string_view provider, PriceTier tier) {
  if (const PriceRow* r = newest(table, device, provider, tier)) return *r;
  const auto d = commitment_discount(provider, tier);
  if (!d) return std::nullopt;
  const PriceRow* od = newest(table, device, provider, PriceTier::on_demand);
  if (!od) return std::nullopt;
  PriceRow out = *od;
  out.tier = tier;
  out.usd_per_device_hour = od->usd_per_device_hour * (1.0 - *d);
  out.native_per_device_hour = od->native_per_device_hour * (1.0 - *d);
  out.derived = true;
  out.derivation = "on-demand " + std::to_string(od->usd_per_device_hour) + " USD/device-h (" +
                   od->date + ") x (1 - " + std::to_string(*d) + "), costs.md s1.2 " +
                   std::string(provider) + " " + std::string(to_string(tier)) + " discount";
  out.confidence = "derived";
  return out;
}

double trended_price(double price_0, double trend_per_year, double months) {
  return price_0 * std::pow(1.0 + trend_per_year, months / 12.0);
}

}  // namespace flopcast::models
