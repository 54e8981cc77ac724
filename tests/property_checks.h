// Shared by the property tests of the decoder estimate (tests/models/test_record_properties.cpp)
// and of the zoo time model (tests/scenarios/test_zoo_properties.cpp): cases with everything but
// the property under test pinned, and a check that a change never makes their step slower.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace flopcast::test {

template <class Input>
struct PinnedCase {
  std::string name;
  Input in;
  double step_s = 0;  // step time of `in`
};

// The cases where `change` makes the step slower than `tolerance` allows ("name: a -> b s"), or
// where it stops being estimated ("name: error"). `run(in)` returns {ok, step time, error}.
template <class Input, class Run>
std::vector<std::string> slower_after(const std::vector<PinnedCase<Input>>& cases, Run run,
                                      const std::function<void(Input&)>& change,
                                      double tolerance = 1e-9) {
  std::vector<std::string> bad;
  for (const auto& c : cases) {
    Input in = c.in;
    change(in);
    const auto r = run(in);
    if (!r.ok) {
      bad.push_back(c.name + ": " + r.error);
    } else if (r.step_time_s > c.step_s * (1 + tolerance)) {
      std::ostringstream s;
      s << c.name << ": " << c.step_s << " -> " << r.step_time_s << " s";
      bad.push_back(s.str());
    }
  }
  return bad;
}

// Fails when `bad` is not empty, printing at most its first 10 entries.
inline void expect_none(const std::vector<std::string>& bad) {
  for (std::size_t i = 0; i < bad.size() && i < 10; ++i) UNSCOPED_INFO(bad[i]);
  CHECK(bad.size() == 0);
}

inline void scale(std::optional<double>& v, double k) {
  if (v) *v *= k;
}

}  // namespace flopcast::test
