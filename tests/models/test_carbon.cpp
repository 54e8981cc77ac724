#include <catch2/catch.hpp>

#include "models/carbon.h"

using namespace flopcast::models;

TEST_CASE("carbon: tCO2e = MWh × g/kWh / 1000", "[carbon]") {
  // BLOOM-176B: ~433 MWh; at France's 56 g/kWh that is 24.2 t.
  CHECK(tco2e(433, 56) == Approx(24.248));
  CHECK(tco2e(0, 481) == 0);
  CHECK_THROWS(tco2e(-1, 100));
  CHECK_THROWS(tco2e(1, -1));
  const auto us = find_grid_intensity("us");
  REQUIRE(us);
  CHECK(us->g_co2e_per_kwh == 367);
  CHECK_FALSE(us->source.empty());
  CHECK(find_grid_intensity("cn")->g_co2e_per_kwh == 582);
  CHECK_FALSE(find_grid_intensity("atlantis"));
  for (const auto& g : grid_intensities()) {
    CHECK(g.g_co2e_per_kwh > 0);
    CHECK_FALSE(g.source.empty());
  }
}
