// NPV / IRR against the oracle values of /work/shared/research/test-vectors.md, and the
// buy-vs-rent analysis on small hand-checkable cases.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/roi.h"

using namespace flopcast::models;

namespace {
struct Vector {
  std::vector<double> flows;
  double irr;
  double npv8;
};
}  // namespace

TEST_CASE("NPV at 8% and the unique IRR match the oracle values", "[roi]") {
  const std::vector<Vector> vectors = {
      {{-100, 30, 40, 50, 20}, 0.1532213788, 16.4635},
      {{-300000, 90000, 90000, 90000, 90000, 60000}, 0.1303829853, 38926.4074},
      {{-1000, 0, 0, 1500}, 0.1447142426, 190.7484},
      {{-10000, 3000, 4200, 6800}, 0.1634056007, 1776.6601},
      {{-2400000, -150000, 700000, 750000, 800000, 850000}, 0.0575836869, -176857.9342},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.flows);
    CHECK(std::abs(npv(v.flows, 0.08) - v.npv8) < 1e-4);
    const IrrResult r = irr(v.flows);
    REQUIRE(r.status == IrrStatus::unique);
    REQUIRE(r.roots.size() == 1);
    CHECK(std::abs(r.roots[0] - v.irr) < 1e-6);
    CHECK(std::abs(npv(v.flows, r.roots[0])) < 1e-6 * std::abs(v.flows[0]));
  }
  CHECK(std::abs(irr({-1000, 0, 0, 1500}).roots[0] - (std::cbrt(1.5) - 1)) < 1e-9);
}

TEST_CASE("IRR without a sign change is undefined, never a number", "[roi]") {
  const std::vector<double> flows = {100, 50};
  CHECK(std::abs(npv(flows, 0.08) - 146.2963) < 1e-4);
  const IrrResult r = irr(flows);
  CHECK(r.status == IrrStatus::undefined);
  CHECK(r.roots.empty());
  CHECK_FALSE(r.note.empty());
  CHECK(irr({-5, -1}).status == IrrStatus::undefined);
  CHECK(irr({0, 0}).status == IrrStatus::undefined);
}

TEST_CASE("IRR with two sign changes reports both roots", "[roi]") {
  const std::vector<double> flows = {-100, 230, -132};
  CHECK(std::abs(npv(flows, 0.08) - (-0.2058)) < 1e-4);
  CHECK(sign_changes(flows) == 2);
  const IrrResult r = irr(flows);
  REQUIRE(r.status == IrrStatus::multiple);
  REQUIRE(r.roots.size() == 2);
  CHECK(std::abs(r.roots[0] - 0.10) < 1e-6);
  CHECK(std::abs(r.roots[1] - 0.20) < 1e-6);
  CHECK_FALSE(r.note.empty());
}

namespace {
BuyVsRentInputs simple_case() {
  BuyVsRentInputs in;
  in.owned.devices = 8;
  in.owned.device_price_usd = 30000;
  in.owned.life_years = 4;
  in.owned.power_kw_per_device = 1.0;
  in.owned.pue = 1.0;
  in.owned.tariff_usd_per_kwh = 0.10;
  in.demand.device_hours_per_month = 8 * kHoursPerMonth;  // fully used
  in.horizon_months = 48;
  in.discount_rate = 0.0;
  in.rental_trend_per_year = 0.0;
  in.burst_usd_per_device_hour = 3.0;
  RentOption od;
  od.label = "on-demand";
  od.usd_per_device_hour = 3.0;
  in.rent_options = {od};
  return in;
}
}  // namespace

TEST_CASE("buy vs rent: hand-computed flows, payback and break-even", "[roi]") {
  BuyVsRentInputs in = simple_case();
  const BuyVsRentResult r = analyse_buy_vs_rent(in);
  REQUIRE(r.options.size() == 2);
  const OptionResult& own = r.options[0];
  const OptionResult& rent = r.options[1];
  // Own: 240,000 capex + 8 × 8760 × 4 × 0.1 energy = 240,000 + 28,032.
  CHECK(own.cost_usd == Approx(240000 + 8 * 8760 * 4 * 0.1).epsilon(1e-12));
  // Rent: 8 × 8760 × 4 h × 3 USD.
  CHECK(rent.cost_usd == Approx(8 * 8760 * 4 * 3.0).epsilon(1e-12));
  // Yearly savings: year 0 −240,000, then 8·8760·(3 − 0.1) = 203,232 per year.
  REQUIRE(rent.yearly_savings_usd.size() == 5);
  CHECK(rent.yearly_savings_usd[0] == Approx(-240000));
  for (int y = 1; y <= 4; ++y) CHECK(rent.yearly_savings_usd[y] == Approx(8 * 8760 * 2.9));
  CHECK(*rent.npv_usd == Approx(-240000 + 4 * 8 * 8760 * 2.9));
  // Payback: 240,000 / (8 · 730 · 2.9 per month) months.
  REQUIRE(rent.payback_years);
  CHECK(*rent.payback_years == Approx(240000.0 / (8 * 730 * 2.9) / 12.0).epsilon(1e-9));
  // Break-even at r = 0: fixed 60,000/yr over margin 8·8760·(3 − 0.1).
  REQUIRE(rent.break_even_utilisation);
  CHECK(*rent.break_even_utilisation == Approx(60000.0 / (8 * 8760 * 2.9)).epsilon(1e-9));
  REQUIRE(rent.irr.status == IrrStatus::unique);
  CHECK(std::abs(npv(rent.yearly_savings_usd, rent.irr.roots[0])) < 1e-3);
  // The owned utilisation is 1 and the tornado is ranked.
  CHECK(r.owned_utilisation_mean == Approx(1.0));
  for (std::size_t i = 1; i < rent.sensitivity.size(); ++i)
    CHECK(rent.sensitivity[i - 1].swing_usd >= rent.sensitivity[i].swing_usd);
  CHECK(rent.sensitivity.front().input == "rental_usd_per_device_hour");
}

TEST_CASE("break-even utilisation: owning never cheaper is a flag, not a number", "[roi]") {
  BuyVsRentInputs in = simple_case();
  in.rent_options[0].usd_per_device_hour = 0.5;  // 4,380/yr per device < 7,500 fixed
  const BuyVsRentResult r = analyse_buy_vs_rent(in);
  CHECK_FALSE(r.options[1].break_even_utilisation);
  CHECK_FALSE(r.options[1].break_even_note.empty());
  CHECK(*r.options[1].npv_usd < 0);
}

TEST_CASE("break-even: at u* owning and renting cost the same per year", "[roi]") {
  BuyVsRentInputs in = simple_case();
  in.discount_rate = 0.08;
  in.owned.staff_usd_per_year = 20000;
  const BuyVsRentResult r = analyse_buy_vs_rent(in);
  const double u = *r.options[1].break_even_utilisation;
  const double capex = 240000;
  const double fixed = capex * capital_recovery_factor(0.08, 4) + 20000;
  const double own_cost = fixed + 8 * 8760 * u * 1.0 * 0.10;
  const double rent_cost = 8 * 8760 * u * 3.0;
  CHECK(own_cost == Approx(rent_cost).epsilon(1e-9));
}

TEST_CASE("Monte Carlo P10/P90 is seeded and ordered", "[roi]") {
  BuyVsRentInputs in = simple_case();
  in.discount_rate = 0.1;
  in.monte_carlo = {500, 42, -0.3, 0.0, 0.5, 1.0, 0.0, 0.3};
  in.device_hours_lost_per_failure = 24;
  const auto a = analyse_buy_vs_rent(in);
  const auto b = analyse_buy_vs_rent(in);
  const OptionResult& o = a.options[1];
  REQUIRE(o.npv_p10_usd);
  CHECK(*o.npv_p10_usd <= *o.npv_p50_usd);
  CHECK(*o.npv_p50_usd <= *o.npv_p90_usd);
  CHECK(*o.npv_p10_usd < *o.npv_p90_usd);
  CHECK(*o.npv_p10_usd == *b.options[1].npv_p10_usd);  // same seed, same answer
  in.monte_carlo.seed = 43;
  CHECK(*analyse_buy_vs_rent(in).options[1].npv_p10_usd != *o.npv_p10_usd);
}

TEST_CASE("spot loss and reserved commitments change the rent bill as documented", "[roi]") {
  BuyVsRentInputs in = simple_case();
  RentOption spot;
  spot.label = "spot";
  spot.tier = PriceTier::spot;
  spot.usd_per_device_hour = 1.0;
  spot.preemptions_per_hour = 0.05;
  spot.hours_lost_per_preemption = 2;  // 10 % of paid hours lost
  RentOption res;
  res.label = "1y";
  res.tier = PriceTier::reserved_1y;
  res.usd_per_device_hour = 2.0;
  res.committed_devices = 4;
  res.term_months = 12;
  in.rent_options = {spot, res};
  const auto r = analyse_buy_vs_rent(in);
  const double hours = 8 * 8760 * 4;
  CHECK(r.options[1].cost_usd == Approx(hours / 0.9 * 1.0));
  CHECK(r.options[2].cost_usd == Approx(hours / 2 * 2.0 + hours / 2 * 3.0));
}
