#include "models/roi.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace flopcast::models {

double npv(const std::vector<double>& cash_flows, double rate) {
  double sum = 0, discount = 1;
  const double factor = 1.0 / (1.0 + rate);
  for (double c : cash_flows) {
    sum += c * discount;
    discount *= factor;
  }
  return sum;
}

int sign_changes(const std::vector<double>& cash_flows) {
  int changes = 0, last = 0;
  for (double c : cash_flows) {
    const int s = c > 0 ? 1 : (c < 0 ? -1 : 0);
    if (s == 0) continue;
    if (last != 0 && s != last) ++changes;
    last = s;
  }
  return changes;
}

std::string_view to_string(IrrStatus s) {
  switch (s) {
    case IrrStatus::unique: return "unique";
    case IrrStatus::multiple: return "multiple";
    case IrrStatus::undefined: return "undefined";
    case IrrStatus::not_found: return "not_found";
  }
  return "?";
}

IrrResult irr(const std::vector<double>& cash_flows) {
  IrrResult out;
  const int changes = sign_changes(cash_flows);
  if (changes == 0) {
    out.status = IrrStatus::undefined;
    out.note = "no sign change in the cash flows: IRR is undefined";
    return out;
  }
  // Scan x = ln(1 + r) over r in (−0.99, 10] and bisect each sign change of NPV.
  constexpr int kGrid = 20000;
  const double x_lo = std::log(0.01), x_hi = std::log(11.0);
  auto f = [&](double r) { return npv(cash_flows, r); };
  double r_prev = std::exp(x_lo) - 1.0;
  double f_prev = f(r_prev);
  for (int i = 1; i <= kGrid; ++i) {
    const double r = std::exp(x_lo + (x_hi - x_lo) * i / kGrid) - 1.0;
    const double fr = f(r);
    if (!std::isfinite(fr) || !std::isfinite(f_prev)) {
      r_prev = r, f_prev = fr;
      continue;
    }
    if (fr == 0.0) {
      out.roots.push_back(r);
    } else if (f_prev != 0.0 && (f_prev < 0) != (fr < 0)) {
      double a = r_prev, b = r, fa = f_prev;
      while (b - a > 1e-13) {
        const double mid = 0.5 * (a + b);
        const double fm = f(mid);
        if ((fm < 0) == (fa < 0)) a = mid, fa = fm;
        else b = mid;
      }
      out.roots.push_back(0.5 * (a + b));
    }
    r_prev = r, f_prev = fr;
  }
  if (out.roots.empty()) {
    out.status = IrrStatus::not_found;
    out.note = "the cash flows change sign but NPV has no root in (-0.99, 10]";
  } else if (out.roots.size() == 1) {
    out.status = IrrStatus::unique;
  } else {
    out.status = IrrStatus::multiple;
    out.note = "IRR is not unique: " + std::to_string(out.roots.size()) + " roots (" +
               std::to_string(changes) + " sign changes in the cash flows)";
  }
  return out;
}

double RentOption::loss_fraction() const {
  return std::min(0.95, std::max(0.0, preemptions_per_hour * hours_lost_per_preemption));
}

namespace {

double failure_loss_of(const BuyVsRentInputs& in) {
  return std::min(0.95, std::max(0.0, in.failures_per_device_year * in.device_hours_lost_per_failure /
                                          kHoursPerYear));
}

Schedule own_sched(const BuyVsRentInputs& in) {
  OwnedInputs o = in.owned;
  o.failure_loss = failure_loss_of(in);
  return owned_schedule(o, in.demand, in.horizon_months, in.burst_usd_per_device_hour,
                        in.rental_trend_per_year);
}

Schedule rent_sched(const BuyVsRentInputs& in, const RentOption& opt) {
  RentInputs r;
  r.usd_per_device_hour = opt.usd_per_device_hour;
  r.trend_per_year = in.rental_trend_per_year;
  r.loss_fraction = opt.loss_fraction();
  r.committed_devices = opt.committed_devices;
  r.term_months = opt.term_months;
  r.overflow_usd_per_device_hour = in.burst_usd_per_device_hour;
  return rent_schedule(r, in.demand, in.horizon_months);
}

// Yearly flows of buying instead of renting: year 0 = −down payment, then (rent − own) per year,
// the residual value in the last year.
std::vector<double> yearly_savings(const Schedule& own, const Schedule& rent) {
  const int months = static_cast<int>(own.months.size());
  std::vector<double> y(1 + (months + 11) / 12, 0.0);
  y[0] = -own.upfront_usd;
  for (int m = 0; m < months; ++m) {
    double own_cash = own.months[m].cash_usd;
    if (m == 0) own_cash -= own.upfront_usd;
    y[1 + m / 12] += rent.months[m].cash_usd - own_cash;
  }
  y.back() += own.residual_value_usd;
  return y;
}

std::optional<double> payback(const Schedule& own, const Schedule& rent) {
  double cum = -own.upfront_usd;
  if (cum >= 0) return 0.0;
  for (std::size_t m = 0; m < own.months.size(); ++m) {
    double own_cash = own.months[m].cash_usd;
    if (m == 0) own_cash -= own.upfront_usd;
    const double delta = rent.months[m].cash_usd - own_cash;
    if (cum + delta >= 0 && delta > 0) return (static_cast<double>(m) + (-cum / delta)) / 12.0;
    cum += delta;
  }
  return std::nullopt;
}

double present_value(const Schedule& s, double rate) {
  double pv = 0;
  for (const MonthCost& c : s.months) {
    const double t = c.month == 0 ? 0.0 : (c.month + 1) / 12.0;
    double cash = c.cash_usd;
    if (c.month == 0 && s.upfront_usd != 0) {  // the purchase at t = 0, the rest at month end
      pv += s.upfront_usd;
      cash -= s.upfront_usd;
      pv += cash / std::pow(1.0 + rate, 1.0 / 12.0);
      continue;
    }
    pv += cash / std::pow(1.0 + rate, t);
  }
  pv -= s.residual_value_usd / std::pow(1.0 + rate, s.months.size() / 12.0);
  return pv;
}

double served_hours(const Schedule& s) {
  double h = 0;
  for (const MonthCost& c : s.months) h += c.demand_device_hours;
  return h;
}

void break_even(const BuyVsRentInputs& in, const RentOption& opt, OptionResult& out) {
  const OwnedInputs& o = in.owned;
  if (o.devices <= 0) {
    out.break_even_note = "no owned devices";
    return;
  }
  const double r = in.discount_rate;
  const double capex = o.capex_usd();
  const double residual = capex * o.residual_fraction;
  const double capital = (capex - residual * std::pow(1.0 + r, -o.life_years)) *
                         capital_recovery_factor(r, o.life_years);
  const double fixed = capital + o.devices * o.provisioned_kw_per_device * o.colo_usd_per_kw_month * 12.0 +
                       o.staff_usd_per_year + capex * o.maintenance_fraction_per_year;
  const double kwh = o.energy_kwh_per_device_hour ? *o.energy_kwh_per_device_hour : o.power_kw_per_device;
  const double variable = o.devices * kHoursPerYear * kwh * o.pue * o.tariff_usd_per_kwh;
  const double rent_equiv = o.devices * kHoursPerYear * (1.0 - failure_loss_of(in)) *
                            opt.usd_per_device_hour / (1.0 - opt.loss_fraction());
  const double margin = rent_equiv - variable;
  if (margin <= 0) {
    out.break_even_note = "owning is never cheaper: energy alone costs more than renting";
    return;
  }
  const double u = fixed / margin;
  if (u > 1.0) {
    out.break_even_note = "owning is never cheaper: break-even would need utilisation " +
                          std::to_string(u) + " > 1";
    return;
  }
  out.break_even_utilisation = u;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const std::size_t i = static_cast<std::size_t>(pos);
  const double frac = pos - i;
  return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

// splitmix64: a tiny, fully specified generator (identical on every platform).
struct SplitMix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * ((next() >> 11) * 0x1.0p-53); }
};

struct Knob {
  const char* name;
  std::function<void(BuyVsRentInputs&, RentOption&, double)> scale;
};

std::vector<Knob> knobs() {
  auto clamp01 = [](double v) { return std::min(0.99, std::max(0.0, v)); };
  return {
      {"device_price_usd", [](auto& in, auto&, double k) { in.owned.device_price_usd *= k; }},
      {"server_usd_per_device", [](auto& in, auto&, double k) { in.owned.server_usd_per_device *= k; }},
      {"installation_usd", [](auto& in, auto&, double k) { in.owned.installation_usd *= k; }},
      {"network_share", [=](auto& in, auto&, double k) { in.owned.network_share = clamp01(in.owned.network_share * k); }},
      {"life_years", [](auto& in, auto&, double k) { in.owned.life_years *= k; }},
      {"residual_fraction", [=](auto& in, auto&, double k) { in.owned.residual_fraction = clamp01(in.owned.residual_fraction * k); }},
      {"power_kw_per_device", [](auto& in, auto&, double k) {
         in.owned.power_kw_per_device *= k;
         if (in.owned.energy_kwh_per_device_hour) *in.owned.energy_kwh_per_device_hour *= k;
       }},
      {"pue", [](auto& in, auto&, double k) { in.owned.pue = std::max(1.0, in.owned.pue * k); }},
      {"tariff_usd_per_kwh", [](auto& in, auto&, double k) { in.owned.tariff_usd_per_kwh *= k; }},
      {"colo_usd_per_kw_month", [](auto& in, auto&, double k) { in.owned.colo_usd_per_kw_month *= k; }},
      {"staff_usd_per_year", [](auto& in, auto&, double k) { in.owned.staff_usd_per_year *= k; }},
      {"maintenance_fraction_per_year", [](auto& in, auto&, double k) { in.owned.maintenance_fraction_per_year *= k; }},
      {"interest_rate_per_year", [](auto& in, auto&, double k) { in.owned.interest_rate_per_year *= k; }},
      {"demand_device_hours_per_month", [](auto& in, auto&, double k) { in.demand.device_hours_per_month *= k; }},
      {"demand_growth_per_year", [](auto& in, auto&, double k) { in.demand.growth_per_year *= k; }},
      {"discount_rate", [](auto& in, auto&, double k) { in.discount_rate *= k; }},
      {"rental_usd_per_device_hour", [](auto&, auto& opt, double k) { opt.usd_per_device_hour *= k; }},
      {"burst_usd_per_device_hour", [](auto& in, auto&, double k) { in.burst_usd_per_device_hour *= k; }},
      {"rental_trend_per_year", [](auto& in, auto&, double k) { in.rental_trend_per_year *= k; }},
      {"failures_per_device_year", [](auto& in, auto&, double k) { in.failures_per_device_year *= k; }},
  };
}

void check(const BuyVsRentInputs& in) {
  if (in.horizon_months <= 0) throw std::invalid_argument("horizon_years must give at least one month");
  if (!(in.discount_rate > -1)) throw std::invalid_argument("discount_rate must be > -1");
  if (!(in.demand.device_hours_per_month >= 0)) throw std::invalid_argument("demand must be >= 0");
  if (!(in.burst_usd_per_device_hour >= 0)) throw std::invalid_argument("burst price must be >= 0");
  for (const RentOption& o : in.rent_options)
    if (!(o.usd_per_device_hour >= 0)) throw std::invalid_argument("rent option " + o.label + ": price must be >= 0");
}

}  // namespace

double buy_npv(const BuyVsRentInputs& in, const RentOption& option) {
  return npv(yearly_savings(own_sched(in), rent_sched(in, option)), in.discount_rate);
}

BuyVsRentResult analyse_buy_vs_rent(const BuyVsRentInputs& in) {
  check(in);
  BuyVsRentResult res;
  res.failure_loss = failure_loss_of(in);
  OptionResult own;
  own.label = "own " + std::to_string(in.owned.devices) + " devices";
  own.kind = "own";
  own.schedule = own_sched(in);
  own.cost_usd = own.schedule.total_cash_usd;
  own.pv_cost_usd = present_value(own.schedule, in.discount_rate);
  const double hours = served_hours(own.schedule);
  own.effective_usd_per_device_hour = hours > 0 ? own.cost_usd / hours : 0.0;
  own.usd_per_device_hour = own.effective_usd_per_device_hour;
  own.energy_mwh = own.schedule.total_energy_kwh / 1000.0;
  double util = 0;
  for (const MonthCost& c : own.schedule.months) util += c.utilisation;
  res.owned_utilisation_mean = util / own.schedule.months.size();
  res.options.push_back(own);

  const auto ks = knobs();
  for (const RentOption& opt : in.rent_options) {
    OptionResult o;
    o.label = opt.label;
    o.kind = "rent";
    o.tier = opt.tier;
    o.derived = opt.derived;
    o.price_source = opt.price_source;
    o.usd_per_device_hour = opt.usd_per_device_hour;
    o.schedule = rent_sched(in, opt);
    o.cost_usd = o.schedule.total_cash_usd;
    o.pv_cost_usd = present_value(o.schedule, in.discount_rate);
    o.effective_usd_per_device_hour = hours > 0 ? o.cost_usd / hours : 0.0;
    o.yearly_savings_usd = yearly_savings(res.options[0].schedule, o.schedule);
    o.npv_usd = npv(o.yearly_savings_usd, in.discount_rate);
    o.irr = irr(o.yearly_savings_usd);
    o.payback_years = payback(res.options[0].schedule, o.schedule);
    break_even(in, opt, o);
    for (const Knob& k : ks) {
      SensitivityItem item;
      item.input = k.name;
      for (double f : {0.8, 1.2}) {
        BuyVsRentInputs v = in;
        RentOption vo = opt;
        k.scale(v, vo, f);
        const double value = buy_npv(v, vo);
        (f < 1 ? item.npv_low_usd : item.npv_high_usd) = value;
      }
      item.swing_usd = std::abs(item.npv_high_usd - item.npv_low_usd);
      o.sensitivity.push_back(item);
    }
    std::stable_sort(o.sensitivity.begin(), o.sensitivity.end(),
                     [](const SensitivityItem& a, const SensitivityItem& b) { return a.swing_usd > b.swing_usd; });
    if (in.monte_carlo.samples > 0) {
      const MonteCarloSpec& mc = in.monte_carlo;
      SplitMix rng{mc.seed};
      std::vector<double> values;
      values.reserve(mc.samples);
      for (int i = 0; i < mc.samples; ++i) {
        BuyVsRentInputs v = in;
        v.rental_trend_per_year = rng.uniform(mc.trend_low, mc.trend_high);
        v.demand.device_hours_per_month *= rng.uniform(mc.demand_scale_low, mc.demand_scale_high);
        v.failures_per_device_year = rng.uniform(mc.failure_rate_low, mc.failure_rate_high);
        values.push_back(buy_npv(v, opt));
      }
      o.npv_p10_usd = quantile(values, 0.10);
      o.npv_p50_usd = quantile(values, 0.50);
      o.npv_p90_usd = quantile(values, 0.90);
    }
    res.options.push_back(std::move(o));
  }
  for (OptionResult& o : res.options) {
    if (in.run_device_hours > 0) {
      o.cost_per_run_usd = in.run_device_hours * o.effective_usd_per_device_hour;
      if (in.run_tokens > 0) o.usd_per_million_tokens = *o.cost_per_run_usd / in.run_tokens * 1e6;
    }
  }
  if (res.failure_loss > 0)
    res.notes.push_back("owned capacity reduced by failures: " + std::to_string(res.failure_loss * 100) +
                        " % of device-hours lost");
  return res;
}

}  // namespace flopcast::models
