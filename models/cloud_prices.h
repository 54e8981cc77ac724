// Rental prices per device-hour: tiers, the commitment-discount rule for missing tiers, currency
// conversion at a dated exchange rate, and the rental price trend.
//
// Formulas:
//   derived reserved price = on-demand × (1 − d_provider,term)                 (costs.md §1.2)
//   USD per device-hour    = CNY per instance-hour / devices per instance / FX(CNY per USD, dated)
//   price in month m       = price_0 × (1 + trend_per_year)^(m / 12)            (costs.md §1.3)
// Assumptions: the per-provider commitment discounts of costs.md §1.2 (Epoch AI training-cost-trends
// defaults: AWS 41%/64%, GCP 37%/56%, Azure 25%/49%, Lambda 34%/56% "assumed") apply to every
// device of that provider; a provider without a documented rule gets no derived tier (the tier is
// reported as unavailable, never invented). Spot is never derived: §1.2 gives only ranges
// ("60–91% off", "up to 90%"), no rule.
// Ignores: regional price differences inside one provider, sustained-use and negotiated discounts,
// storage/egress, instance vCPU/RAM share (per-device price = instance price / devices).
// Sources: /work/shared/research/costs.md §1.1–1.3 and prices-china.md (copied with their sources into
// scenarios/data/prices/cloud_prices.json).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flopcast::models {

enum class PriceTier { on_demand, reserved_1y, reserved_3y, spot, capacity_block, reserved, monthly };

std::string_view to_string(PriceTier t);
std::optional<PriceTier> price_tier_from_string(std::string_view s);

struct PriceRow {
  std::string device;    // catalog id, e.g. "h100-sxm5-80gb"
  std::string provider;  // "aws", "gcp", "azure", "lambda", "alibaba", "tencent", ...
  std::string instance;
  std::string region;
  PriceTier tier = PriceTier::on_demand;
  double usd_per_device_hour = 0;  // converted with fx when currency != USD
  std::string currency = "USD";
  double native_per_device_hour = 0;  // in `currency`
  std::optional<double> fx_per_usd;   // currency units per USD, when currency != USD
  std::string fx_date;                // date of the exchange rate
  std::string date;                   // price date as the source gives it
  std::string confidence;             // high | medium | low
  std::string source;
  bool derived = false;  // computed here by the §1.2 rule, not read in a source
  std::string derivation;  // how it was derived (empty when read)
};

// Commitment discount of costs.md §1.2 for (provider, tier); nullopt when no documented rule.
std::optional<double> commitment_discount(std::string_view provider, PriceTier tier);

// Converts a native-currency price to USD at fx (currency units per USD). fx must be > 0.
double to_usd(double native_amount, double fx_per_usd);

// Finds the row for (device, provider, tier). When absent and tier is reserved_1y/reserved_3y,
// derives it from that provider's on-demand row by the §1.2 rule (derived = true). The newest
// row (lexicographically largest date string) wins when several match. nullopt when neither a row
// nor a rule exists.
std::optional<PriceRow> find_price(const std::vector<PriceRow>& table, std::string_view device,
                                   std::string_view provider, PriceTier tier);

// Price after `months` months under an annual trend (−0.14 = 14% cheaper each year).
double trended_price(double price_0, double trend_per_year, double months);

// Default rental price trend per year and its derivation (costs.md §1.3: Lambda 8× H100 SXM
// on-demand $3.49 (2024-01) → $2.99 (~2025) = −14.3 %/yr).
inline constexpr double kDefaultRentalTrendPerYear = 2.99 / 3.49 - 1.0;

}  // namespace flopcast::models
