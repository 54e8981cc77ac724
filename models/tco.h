// Total cost of ownership of owned accelerator capacity, and the monthly bill of renting it.
//
// Owned, per purchase (month 0 and every refresh):
//   capex = (devices × (device_price + server_per_device)) / (1 − network_share) + installation
//   (network_share: cluster interconnect as a share of total cluster capex, Epoch AI: 19%).
// Depreciation: straight-line  D_y = (capex − residual) / life
//               declining balance D_y = min(book × factor / life, book − residual), and the last
//               year of the life writes the book down to the residual exactly.
// Monthly opex: energy = used device-hours × kW/device × PUE × tariff (or the analytic model's
//   energy per device-hour), colocation = devices × provisioned kW × USD/kW-month, staff (USD/yr ÷ 12),
//   maintenance (fraction of capex per year ÷ 12), financing = interest of an annuity loan on the
//   financed fraction of capex (monthly payments over the loan term).
// Refresh: after `refresh_after_years` the fleet is sold at its book value and re-bought at
//   capex × (1 + hardware_price_trend)^years (any loan balance is repaid then).
// Demand: D(m) = D_0 × (1 + growth)^(m/12) device-hours per month; owned capacity serves
//   devices × 730 h × (1 − failure_loss); the overflow is rented at the burst price, trended as
//   price_0 × (1 + trend)^(m/12) (costs.md §1.3).
// Cash view (what NPV/IRR use): down payment + loan payments + opex + rent − sale proceeds, and
//   the residual book value at the horizon counted as an inflow. Expense view (accounting TCO):
//   depreciation + interest + opex + rent.
// Ignores: taxes (and the depreciation tax shield), inflation of opex, partial-month purchases,
//   spare-part inventory, staff scaling with fleet size (staff is an input), resale below book.
// Sources: structure of Cottier et al. 2024 (arXiv 2405.21015) and costs.md §3 and §5; all default
//   values live in the scenario key table with their sources.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flopcast::models {

inline constexpr double kHoursPerMonth = 730.0;  // 8,760 h / 12
inline constexpr double kHoursPerYear = 8760.0;

enum class DepreciationMethod { straight_line, declining_balance };

struct DepreciationInputs {
  double cost_usd = 0;
  double life_years = 4;
  double residual_fraction = 0;  // of cost, [0, 1)
  DepreciationMethod method = DepreciationMethod::straight_line;
  double declining_factor = 2.0;  // 2 = double-declining balance
};

// Depreciation of each year of the life (size ceil(life_years); a fractional last year gets the
// pro-rated straight-line amount or the remaining book value). Throws std::invalid_argument on
// life <= 0, cost < 0 or residual outside [0, 1).
std::vector<double> depreciation_by_year(const DepreciationInputs& in);
// Book value after `years` (linear inside a year), never below the residual.
double book_value_after(const DepreciationInputs& in, double years);

struct OwnedInputs {
  int devices = 0;
  double device_price_usd = 0;
  double server_usd_per_device = 0;  // chassis, CPUs, DRAM, NICs, storage per device
  double network_share = 0;          // interconnect share of total capex, [0, 1)
  double installation_usd = 0;       // rack, stack, cable, commissioning (one-off per purchase)
  DepreciationMethod depreciation = DepreciationMethod::straight_line;
  double life_years = 4;
  double residual_fraction = 0;
  double declining_factor = 2.0;
  double power_kw_per_device = 0;  // average draw of one device and its share of the server
  std::optional<double> energy_kwh_per_device_hour;  // from the analytic model (before PUE); overrides power
  double pue = 1.2;
  double tariff_usd_per_kwh = 0.08;
  double colo_usd_per_kw_month = 0;
  double provisioned_kw_per_device = 0;  // colocation bills provisioned power
  double staff_usd_per_year = 0;
  double maintenance_fraction_per_year = 0;  // of capex
  double financed_fraction = 0;              // of capex, [0, 1]
  double interest_rate_per_year = 0;
  double loan_years = 0;  // 0: the depreciation life
  double refresh_after_years = 0;  // 0: never refresh inside the horizon
  double hardware_price_trend_per_year = 0;  // capex change per year at refresh (−0.2 = 20% cheaper)
  double failure_loss = 0;  // fraction of owned device-hours lost to failures, [0, 1)

  double capex_usd() const;  // one purchase at today's price
};

struct DemandInputs {
  double device_hours_per_month = 0;  // month 0
  double growth_per_year = 0;         // 0.5 = +50 %/yr
  double at_month(double m) const;
};

struct MonthCost {
  int month = 0;
  double demand_device_hours = 0;
  double owned_device_hours = 0;   // demand served by owned devices
  double rented_device_hours = 0;  // overflow (owned) or everything (rent)
  double utilisation = 0;          // owned_device_hours / (devices × 730)
  double capex_usd = 0;            // purchase price (cash or financed)
  double sale_usd = 0;             // proceeds of selling the old fleet at a refresh
  double depreciation_usd = 0;
  double energy_usd = 0;
  double energy_kwh = 0;  // facility energy (× PUE) of the owned devices
  double colo_usd = 0;
  double staff_usd = 0;
  double maintenance_usd = 0;
  double interest_usd = 0;
  double principal_usd = 0;  // loan principal repaid
  double rent_usd = 0;
  double cash_usd = 0;     // paid this month (down payment + loan payment + opex + rent − sale)
  double expense_usd = 0;  // depreciation + interest + opex + rent
  double cumulative_cash_usd = 0;
  double cumulative_expense_usd = 0;
};

struct Schedule {
  std::vector<MonthCost> months;
  double residual_value_usd = 0;  // book value of the owned fleet at the horizon (an inflow)
  double total_cash_usd = 0;      // Σ cash − residual value
  double total_expense_usd = 0;
  double total_energy_kwh = 0;
  double upfront_usd = 0;  // cash paid at t = 0 (month 0's down payment)
};

// Owned fleet serving `demand`, overflow rented at burst_usd_per_device_hour (month 0 price,
// trended by rental_trend_per_year; burst_loss_fraction of rented hours is lost, e.g. preemption).
Schedule owned_schedule(const OwnedInputs& owned, const DemandInputs& demand, int horizon_months,
                        double burst_usd_per_device_hour, double rental_trend_per_year,
                        double burst_loss_fraction = 0);

struct RentInputs {
  double usd_per_device_hour = 0;  // month-0 price of this tier
  double trend_per_year = 0;
  double loss_fraction = 0;  // spot: fraction of paid hours lost to preemption, [0, 1)
  int committed_devices = 0;  // reserved tiers: devices paid every hour of the term
  int term_months = 0;        // reserved term; the committed price resets to the trended price after
  double overflow_usd_per_device_hour = 0;  // demand above the commitment (month-0, trended)
};

// Renting the whole demand on one tier.
Schedule rent_schedule(const RentInputs& rent, const DemandInputs& demand, int horizon_months);

// Capital recovery factor: the level annual payment per dollar over n years at rate r.
double capital_recovery_factor(double rate, double years);

}  // namespace flopcast::models
