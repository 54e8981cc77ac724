#include "models/tco.h"

#include "models/cloud_prices.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flopcast::models {

static void check_depreciation(const DepreciationInputs& in) {
  if (!(in.life_years > 0) || !std::isfinite(in.life_years))
    throw std::invalid_argument("depreciation life must be > 0 years");
  if (!(in.cost_usd >= 0) || !std::isfinite(in.cost_usd))
    throw std::invalid_argument("depreciable cost must be >= 0");
  if (!(in.residual_fraction >= 0 && in.residual_fraction < 1))
    throw std::invalid_argument("residual fraction must be in [0, 1)");
  if (in.method == DepreciationMethod::declining_balance && !(in.declining_factor > 0))
    throw std::invalid_argument("declining-balance factor must be > 0");
}

std::vector<double> depreciation_by_year(const DepreciationInputs& in) {
  check_depreciation(in);
  const double residual = in.cost_usd * in.residual_fraction;
  const int years = static_cast<int>(std::ceil(in.life_years - 1e-9));
  std::vector<double> out(years, 0.0);
  double book = in.cost_usd;
  for (int y = 0; y < years; ++y) {
    const double fraction = std::min(1.0, in.life_years - y);  // of a full year
    const bool last = y == years - 1;
    double d = 0;
    if (in.method == DepreciationMethod::straight_line) {
      d = (in.cost_usd - residual) / in.life_years * fraction;
    } else {
      d = last ? book - residual
               : std::min(book * in.declining_factor / in.life_years * fraction, book - residual);
    }
    if (last) d = book - residual;  // absorb rounding: end exactly at the residual
    d = std::max(0.0, d);
    out[y] = d;
    book -= d;
  }
  return out;
}

double book_value_after(const DepreciationInputs& in, double years) {
  const auto dep = depreciation_by_year(in);
  double book = in.cost_usd;
  for (std::size_t y = 0; y < dep.size() && years > 0; ++y) {
    const double span = std::min(1.0, in.life_years - static_cast<double>(y));
    const double take = std::min(years, span) / span;
    book -= dep[y] * take;
    years -= span;
  }
  return std::max(book, in.cost_usd * in.residual_fraction);
}

double OwnedInputs::capex_usd() const {
  return devices * (device_price_usd + server_usd_per_device) / (1.0 - network_share) +
         installation_usd;
}

double DemandInputs::at_month(double m) const {
  return device_hours_per_month * std::pow(1.0 + growth_per_year, m / 12.0);
}

double capital_recovery_factor(double rate, double years) {
  if (!(years > 0)) throw std::invalid_argument("capital recovery needs years > 0");
  if (std::abs(rate) < 1e-12) return 1.0 / years;
  return rate / (1.0 - std::pow(1.0 + rate, -years));
}

static void check_owned(const OwnedInputs& o, int horizon_months) {
  if (o.devices < 0) throw std::invalid_argument("owned devices must be >= 0");
  if (horizon_months <= 0) throw std::invalid_argument("horizon must be at least one month");
  if (!(o.network_share >= 0 && o.network_share < 1))
    throw std::invalid_argument("network share must be in [0, 1)");
  if (!(o.financed_fraction >= 0 && o.financed_fraction <= 1))
    throw std::invalid_argument("financed fraction must be in [0, 1]");
  if (!(o.failure_loss >= 0 && o.failure_loss < 1))
    throw std::invalid_argument("failure loss must be in [0, 1)");
  if (!(o.pue >= 1)) throw std::invalid_argument("PUE must be >= 1");
  if (o.refresh_after_years < 0) throw std::invalid_argument("refresh interval must be >= 0");
}

namespace {
struct Loan {
  double balance = 0;
  double payment = 0;  // monthly
  double monthly_rate = 0;
};
Loan make_loan(double principal, double annual_rate, double years) {
  Loan l;
  l.balance = principal;
  l.monthly_rate = annual_rate / 12.0;
  const double n = std::max(1.0, std::round(years * 12.0));
  l.payment = l.monthly_rate > 0 ? principal * l.monthly_rate / (1.0 - std::pow(1.0 + l.monthly_rate, -n))
                                 : principal / n;
  return l;
}
}  // namespace

Schedule owned_schedule(const OwnedInputs& o, const DemandInputs& demand, int horizon_months,
                        double burst_usd_per_device_hour, double rental_trend_per_year,
                        double burst_loss_fraction) {
  check_owned(o, horizon_months);
  if (!(burst_loss_fraction >= 0 && burst_loss_fraction < 1))
    throw std::invalid_argument("rental loss fraction must be in [0, 1)");
  Schedule s;
  s.months.reserve(horizon_months);
  const int refresh_months =
      o.refresh_after_years > 0 ? std::max(1, static_cast<int>(std::lround(o.refresh_after_years * 12))) : 0;
  DepreciationInputs dep{0, o.life_years, o.residual_fraction, o.depreciation, o.declining_factor};
  std::vector<double> dep_years;
  int bought_at = 0;
  double capex_now = 0;
  Loan loan;
  const double kwh_per_device_hour =
      o.energy_kwh_per_device_hour ? *o.energy_kwh_per_device_hour : o.power_kw_per_device;
  double cum_cash = 0, cum_exp = 0;
  for (int m = 0; m < horizon_months; ++m) {
    MonthCost c;
    c.month = m;
    const bool purchase = o.devices > 0 && (m == 0 || (refresh_months > 0 && m % refresh_months == 0));
    if (purchase) {
      if (m > 0) {  // sell the old fleet at book value, repay the loan
        c.sale_usd = book_value_after(dep, (m - bought_at) / 12.0);
        c.principal_usd += loan.balance;
        loan.balance = 0;
      }
      capex_now = o.capex_usd() * std::pow(1.0 + o.hardware_price_trend_per_year, m / 12.0);
      dep.cost_usd = capex_now;
      dep_years = depreciation_by_year(dep);
      bought_at = m;
      c.capex_usd = capex_now;
      const double financed = capex_now * o.financed_fraction;
      loan = make_loan(financed, o.interest_rate_per_year, o.loan_years > 0 ? o.loan_years : o.life_years);
      c.cash_usd += capex_now - financed;  // down payment
    }
    // Depreciation of this month.
    if (o.devices > 0) {
      const int age = m - bought_at;
      const int year = age / 12;
      if (year < static_cast<int>(dep_years.size())) {
        const double span_months = std::min(12.0, (o.life_years - year) * 12.0);
        if (age - year * 12 < span_months) c.depreciation_usd = dep_years[year] / span_months;
      }
    }
    // Loan payment.
    if (loan.balance > 1e-9) {
      const double interest = loan.balance * loan.monthly_rate;
      const double principal = std::min(loan.balance, loan.payment - interest);
      c.interest_usd = interest;
      c.principal_usd += principal;
      loan.balance -= principal;
    }
    // Demand split.
    c.demand_device_hours = demand.at_month(m);
    const double capacity = o.devices * kHoursPerMonth * (1.0 - o.failure_loss);
    c.owned_device_hours = std::min(c.demand_device_hours, capacity);
    c.rented_device_hours = c.demand_device_hours - c.owned_device_hours;
    // Busy owned devices also run the lost (failed) hours: energy follows device busy time.
    const double busy_hours = o.devices > 0 ? c.owned_device_hours / (1.0 - o.failure_loss) : 0.0;
    c.utilisation = o.devices > 0 ? busy_hours / (o.devices * kHoursPerMonth) : 0.0;
    c.energy_kwh = busy_hours * kwh_per_device_hour * o.pue;
    c.energy_usd = c.energy_kwh * o.tariff_usd_per_kwh;
    c.colo_usd = o.devices * o.provisioned_kw_per_device * o.colo_usd_per_kw_month;
    c.staff_usd = o.devices > 0 ? o.staff_usd_per_year / 12.0 : 0.0;
    c.maintenance_usd = capex_now * o.maintenance_fraction_per_year / 12.0;
    c.rent_usd = c.rented_device_hours / (1.0 - burst_loss_fraction) *
                 trended_price(burst_usd_per_device_hour, rental_trend_per_year, m);
    const double opex = c.energy_usd + c.colo_usd + c.staff_usd + c.maintenance_usd;
    c.cash_usd += c.interest_usd + c.principal_usd + opex + c.rent_usd - c.sale_usd;
    c.expense_usd = c.depreciation_usd + c.interest_usd + opex + c.rent_usd;
    cum_cash += c.cash_usd;
    cum_exp += c.expense_usd;
    c.cumulative_cash_usd = cum_cash;
    c.cumulative_expense_usd = cum_exp;
    s.total_energy_kwh += c.energy_kwh;
    if (m == 0) s.upfront_usd = c.cash_usd - c.interest_usd - c.principal_usd - opex - c.rent_usd;
    s.months.push_back(c);
  }
  if (o.devices > 0) {
    s.residual_value_usd = book_value_after(dep, (horizon_months - bought_at) / 12.0);
    // An outstanding loan is repaid at the horizon: it reduces what the residual is worth.
    s.residual_value_usd -= loan.balance;
  }
  s.total_cash_usd = cum_cash - s.residual_value_usd;
  s.total_expense_usd = cum_exp;
  return s;
}

Schedule rent_schedule(const RentInputs& r, const DemandInputs& demand, int horizon_months) {
  if (horizon_months <= 0) throw std::invalid_argument("horizon must be at least one month");
  if (!(r.loss_fraction >= 0 && r.loss_fraction < 1))
    throw std::invalid_argument("rental loss fraction must be in [0, 1)");
  if (r.committed_devices < 0) throw std::invalid_argument("committed devices must be >= 0");
  Schedule s;
  double cum = 0;
  double committed_price = r.usd_per_device_hour;
  for (int m = 0; m < horizon_months; ++m) {
    MonthCost c;
    c.month = m;
    c.demand_device_hours = demand.at_month(m);
    if (r.committed_devices > 0) {
      if (r.term_months > 0 && m > 0 && m % r.term_months == 0)
        committed_price = trended_price(r.usd_per_device_hour, r.trend_per_year, m);
      const double committed_hours = r.committed_devices * kHoursPerMonth;
      const double covered = std::min(c.demand_device_hours, committed_hours * (1.0 - r.loss_fraction));
      const double overflow = c.demand_device_hours - covered;
      c.rented_device_hours = committed_hours + overflow;
      c.rent_usd = committed_hours * committed_price +
                   overflow * trended_price(r.overflow_usd_per_device_hour, r.trend_per_year, m);
    } else {
      c.rented_device_hours = c.demand_device_hours / (1.0 - r.loss_fraction);
      c.rent_usd = c.rented_device_hours * trended_price(r.usd_per_device_hour, r.trend_per_year, m);
    }
    c.cash_usd = c.expense_usd = c.rent_usd;
    cum += c.cash_usd;
    c.cumulative_cash_usd = c.cumulative_expense_usd = cum;
    s.months.push_back(c);
  }
  s.total_cash_usd = s.total_expense_usd = cum;
  return s;
}

}  // namespace flopcast::models
