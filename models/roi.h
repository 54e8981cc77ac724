// Return on buying instead of renting: NPV, IRR, payback, break-even utilisation, cost per run and
// per million tokens, a ±20 % sensitivity ranking (tornado data) and seeded Monte-Carlo P10/P90.
//
// Formulas (cash flow c_t at the end of year t, t = 0 first):
//   NPV(r) = Σ c_t / (1 + r)^t
//   IRR    = every r in (−0.99, 10] with NPV(r) = 0, found by scanning NPV on a fine grid and
//            bisecting each sign change to 1e-12. No sign change in the flows: IRR is undefined
//            (reported as such, never a number). Several roots: all are reported (not unique).
//   payback = first time the cumulative undiscounted savings (rent − own, monthly) reach 0,
//             linear inside the month; none when never inside the horizon.
//   break-even utilisation u*: owned yearly cost C_fixed + C_var·u equals renting the same
//             used hours, N·8760·u·p/(1 − loss):  u* = C_fixed / (N·8760·p/(1 − loss) − C_var),
//             with C_fixed = (capex − residual·(1+r)^−life)·CRF(r, life) + colo + staff + maintenance
//             (the cost of capital enters through the discount rate r; loan terms do not), and
//             C_var = energy at u = 1. Owned hours are scaled by (1 − failure loss).
//             Above u* owning is cheaper. No finite u* in (0, 1] → "owning never cheaper" flag.
// Assumptions: yearly flows are the monthly cash flows summed per 12 months with the purchase at
//   t = 0 and the residual value in the last year; the flows of "buy" are own − rent (savings).
// Ignores: taxes, inflation, the value of flexibility (real options), tangent (double) IRR roots.
// Sources: standard corporate-finance definitions (Brealey–Myers–Allen); IRR multiplicity:
//   Descartes' rule of signs; oracle values in /work/shared/research/test-vectors.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/cloud_prices.h"
#include "models/tco.h"

namespace flopcast::models {

double npv(const std::vector<double>& cash_flows, double rate);

enum class IrrStatus { unique, multiple, undefined, not_found };
struct IrrResult {
  IrrStatus status = IrrStatus::undefined;
  std::vector<double> roots;  // ascending; empty unless unique/multiple
  std::string note;           // why undefined / not unique
};
// Number of sign changes in the non-zero cash flows (Descartes: an upper bound on the roots).
int sign_changes(const std::vector<double>& cash_flows);
IrrResult irr(const std::vector<double>& cash_flows);
std::string_view to_string(IrrStatus s);

struct RentOption {
  std::string label;  // "lambda on_demand"
  std::string provider;
  PriceTier tier = PriceTier::on_demand;
  double usd_per_device_hour = 0;
  bool derived = false;       // price from the costs.md §1.2 rule, not a source
  std::string price_source;   // source or derivation
  double preemptions_per_hour = 0;       // spot: per device-hour
  double hours_lost_per_preemption = 0;  // work redone per preemption
  int committed_devices = 0;             // reserved tiers
  int term_months = 0;
  double loss_fraction() const;  // min(0.95, preemptions_per_hour × hours_lost_per_preemption)
};

struct MonteCarloSpec {
  int samples = 0;  // 0: skip
  std::uint64_t seed = 1;
  double trend_low = 0, trend_high = 0;              // rental price trend per year
  double demand_scale_low = 1, demand_scale_high = 1;  // multiplies demand (utilisation)
  double failure_rate_low = 0, failure_rate_high = 0;  // failures per device-year
};

struct BuyVsRentInputs {
  OwnedInputs owned;
  DemandInputs demand;
  int horizon_months = 48;
  double discount_rate = 0.10;  // per year
  double rental_trend_per_year = kDefaultRentalTrendPerYear;
  double burst_usd_per_device_hour = 0;  // overflow above the owned fleet (on-demand)
  double failures_per_device_year = 0;
  double device_hours_lost_per_failure = 0;
  std::vector<RentOption> rent_options;
  double run_device_hours = 0;  // one training run (0: skip per-run cost)
  double run_tokens = 0;        // tokens of that run (0: skip per-token cost)
  MonteCarloSpec monte_carlo;
};

struct SensitivityItem {
  std::string input;
  double npv_low_usd = 0;   // input × 0.8
  double npv_high_usd = 0;  // input × 1.2
  double swing_usd = 0;     // |high − low|
};

struct OptionResult {
  std::string label;
  std::string kind;  // "own" | "rent"
  PriceTier tier = PriceTier::on_demand;
  bool derived = false;
  std::string price_source;
  double usd_per_device_hour = 0;  // month-0 list (rent) or effective (own)
  double cost_usd = 0;             // undiscounted cash over the horizon (own: net of residual)
  double pv_cost_usd = 0;          // discounted at the discount rate
  double effective_usd_per_device_hour = 0;  // cost / demand device-hours served
  std::optional<double> cost_per_run_usd;
  std::optional<double> usd_per_million_tokens;
  double energy_mwh = 0;  // owned facility energy (rent: 0, the provider's energy is not known)
  Schedule schedule;
  // Buying instead of this option (rent only):
  std::optional<double> npv_usd;
  IrrResult irr;
  std::optional<double> payback_years;
  std::optional<double> break_even_utilisation;  // in (0, 1]; nullopt: owning never cheaper
  std::string break_even_note;
  std::vector<double> yearly_savings_usd;  // the flows NPV/IRR use
  std::vector<SensitivityItem> sensitivity;  // ranked by swing
  std::optional<double> npv_p10_usd, npv_p50_usd, npv_p90_usd;
};

struct BuyVsRentResult {
  std::vector<OptionResult> options;  // [0] = own, then the rent options in input order
  double owned_utilisation_mean = 0;
  double failure_loss = 0;
  std::vector<std::string> notes;
};

// Throws std::invalid_argument on inconsistent inputs (message names the input).
BuyVsRentResult analyse_buy_vs_rent(const BuyVsRentInputs& in);

// The NPV of buying instead of `option` (no sensitivity or Monte Carlo): the unit the sensitivity
// and Monte-Carlo loops evaluate.
double buy_npv(const BuyVsRentInputs& in, const RentOption& option);

}  // namespace flopcast::models
