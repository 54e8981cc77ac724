// TCO: hand-computed depreciation (straight-line, declining balance), a monthly schedule, refresh
// and financing.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "models/cloud_prices.h"
#include "models/tco.h"

using namespace flopcast::models;

TEST_CASE("straight-line depreciation, hand-computed", "[tco]") {
  // 100,000 over 5 years to a 10 % residual: 18,000 per year.
  DepreciationInputs in{100000, 5, 0.10, DepreciationMethod::straight_line, 2};
  const auto d = depreciation_by_year(in);
  REQUIRE(d.size() == 5);
  for (double v : d) CHECK(v == Approx(18000));
  CHECK(book_value_after(in, 2.5) == Approx(100000 - 2.5 * 18000));
  CHECK(book_value_after(in, 9) == Approx(10000));
}

TEST_CASE("double-declining balance, hand-computed", "[tco]") {
  // rate 2/5 = 40 %: 40,000; 24,000; 14,400; 8,640; last year writes 12,960 down to 10,000.
  DepreciationInputs in{100000, 5, 0.10, DepreciationMethod::declining_balance, 2};
  const auto d = depreciation_by_year(in);
  REQUIRE(d.size() == 5);
  CHECK(d[0] == Approx(40000));
  CHECK(d[1] == Approx(24000));
  CHECK(d[2] == Approx(14400));
  CHECK(d[3] == Approx(8640));
  CHECK(d[4] == Approx(2960));
  CHECK(std::accumulate(d.begin(), d.end(), 0.0) == Approx(90000));
  CHECK(book_value_after(in, 2) == Approx(36000));
  // A high residual stops the decline early: never below the residual.
  DepreciationInputs high{100000, 4, 0.5, DepreciationMethod::declining_balance, 2};
  const auto h = depreciation_by_year(high);
  CHECK(h[0] == Approx(50000));
  CHECK(h[1] == Approx(0));
}

TEST_CASE("bad depreciation input is an error", "[tco]") {
  CHECK_THROWS_AS(depreciation_by_year({1000, 0, 0, DepreciationMethod::straight_line, 2}), std::invalid_argument);
  CHECK_THROWS_AS(depreciation_by_year({1000, 3, 1.0, DepreciationMethod::straight_line, 2}), std::invalid_argument);
}

TEST_CASE("owned schedule: a hand-computed month", "[tco]") {
  OwnedInputs o;
  o.devices = 8;
  o.device_price_usd = 25000;
  o.server_usd_per_device = 8750;   // (25,000 + 8,750) × 8 = 270,000
  o.network_share = 0.10;           // / 0.9 = 300,000
  o.installation_usd = 10000;       // capex 310,000
  o.life_years = 5;
  o.residual_fraction = 0.0;
  o.power_kw_per_device = 1.0;
  o.pue = 1.25;
  o.tariff_usd_per_kwh = 0.08;
  o.colo_usd_per_kw_month = 150;
  o.provisioned_kw_per_device = 1.3;
  o.staff_usd_per_year = 12000;
  o.maintenance_fraction_per_year = 0.06;
  CHECK(o.capex_usd() == Approx(310000));
  DemandInputs d{4 * kHoursPerMonth, 0.0};  // half the fleet busy
  const Schedule s = owned_schedule(o, d, 60, 2.0, 0.0);
  REQUIRE(s.months.size() == 60);
  const MonthCost& m1 = s.months[1];
  CHECK(m1.utilisation == Approx(0.5));
  CHECK(m1.depreciation_usd == Approx(310000 / 60.0));
  CHECK(m1.energy_kwh == Approx(4 * 730 * 1.0 * 1.25));
  CHECK(m1.energy_usd == Approx(4 * 730 * 1.25 * 0.08));
  CHECK(m1.colo_usd == Approx(8 * 1.3 * 150));
  CHECK(m1.staff_usd == Approx(1000));
  CHECK(m1.maintenance_usd == Approx(310000 * 0.06 / 12));
  CHECK(m1.rent_usd == 0);
  CHECK(m1.cash_usd == Approx(m1.energy_usd + m1.colo_usd + m1.staff_usd + m1.maintenance_usd));
  CHECK(s.months[0].cash_usd == Approx(310000 + m1.cash_usd));
  CHECK(s.upfront_usd == Approx(310000));
  CHECK(s.residual_value_usd == Approx(0).margin(1e-6));
  // Expense view over the full life = capex + opex.
  CHECK(s.total_expense_usd == Approx(310000 + 60 * m1.cash_usd));
}

TEST_CASE("owned schedule: overflow is rented at the trended burst price", "[tco]") {
  OwnedInputs o;
  o.devices = 2;
  o.device_price_usd = 1000;
  o.life_years = 3;
  DemandInputs d{3 * kHoursPerMonth, 0.0};
  const Schedule s = owned_schedule(o, d, 24, 4.0, -0.5);
  CHECK(s.months[0].rented_device_hours == Approx(730));
  CHECK(s.months[0].rent_usd == Approx(730 * 4.0));
  CHECK(s.months[12].rent_usd == Approx(730 * 2.0));  // halved after a year
  // Demand growth: +100 %/yr doubles demand after 12 months.
  DemandInputs g{kHoursPerMonth, 1.0};
  CHECK(g.at_month(12) == Approx(2 * kHoursPerMonth));
}

TEST_CASE("owned schedule: financing and refresh", "[tco]") {
  OwnedInputs o;
  o.devices = 1;
  o.device_price_usd = 12000;
  o.life_years = 2;
  o.financed_fraction = 1.0;
  o.interest_rate_per_year = 0.12;
  DemandInputs d{0, 0};
  Schedule s = owned_schedule(o, d, 24, 0, 0);
  // Nothing down; first month's interest = 12,000 × 1 %.
  CHECK(s.upfront_usd == Approx(0));
  CHECK(s.months[0].interest_usd == Approx(120));
  double principal = 0;
  for (const auto& m : s.months) principal += m.principal_usd;
  CHECK(principal == Approx(12000).epsilon(1e-9));
  // Annuity payment 12,000 × 0.01 / (1 − 1.01^−24).
  const double pay = 12000 * 0.01 / (1 - std::pow(1.01, -24));
  CHECK(s.months[5].interest_usd + s.months[5].principal_usd == Approx(pay));

  OwnedInputs r;
  r.devices = 1;
  r.device_price_usd = 10000;
  r.life_years = 4;
  r.refresh_after_years = 2;
  r.hardware_price_trend_per_year = -0.5;
  Schedule t = owned_schedule(r, d, 36, 0, 0);
  // At month 24 the old unit (book 5,000) is sold and a new one bought at 10,000 × 0.25.
  CHECK(t.months[24].sale_usd == Approx(5000));
  CHECK(t.months[24].capex_usd == Approx(2500));
  CHECK(t.months[24].cash_usd == Approx(2500 - 5000));
  CHECK(t.residual_value_usd == Approx(2500 * 0.75));
}

TEST_CASE("cloud prices: the §1.2 rule derives missing reserved tiers and labels them", "[tco]") {
  std::vector<PriceRow> table(2);
  table[0].device = "h100";
  table[0].provider = "lambda";
  table[0].tier = PriceTier::on_demand;
  table[0].usd_per_device_hour = 2.99;
  table[0].date = "2025";
  table[1] = table[0];
  table[1].usd_per_device_hour = 3.49;
  table[1].date = "2024-01-29";
  auto od = find_price(table, "h100", "lambda", PriceTier::on_demand);
  REQUIRE(od);
  CHECK(od->usd_per_device_hour == 2.99);  // the newest
  CHECK_FALSE(od->derived);
  auto r3 = find_price(table, "h100", "lambda", PriceTier::reserved_3y);
  REQUIRE(r3);
  CHECK(r3->derived);
  CHECK(r3->usd_per_device_hour == Approx(2.99 * 0.44));
  CHECK_FALSE(r3->derivation.empty());
  CHECK_FALSE(find_price(table, "h100", "lambda", PriceTier::spot));  // spot is never derived
  table[0].provider = table[1].provider = "tencent";
  CHECK_FALSE(find_price(table, "h100", "tencent", PriceTier::reserved_1y));  // no rule
  CHECK(to_usd(34.74, 7.1614) == Approx(4.851).epsilon(1e-3));
  CHECK_THROWS(to_usd(1, 0));
  CHECK(trended_price(10, -0.5, 24) == Approx(2.5));
  CHECK(price_tier_from_string("reserved_1y") == PriceTier::reserved_1y);
  CHECK_FALSE(price_tier_from_string("weekly"));
}
