#include <catch2/catch.hpp>

#include <memory>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "simulator/engine.h"

using namespace flopcast::simulator;

TEST_CASE("engine orders events by time, then by scheduling order", "[engine]") {
  Engine e;
  std::vector<int> order;
  e.schedule_at(30, [&] { order.push_back(3); });
  e.schedule_at(10, [&] { order.push_back(1); });
  e.schedule_at(20, [&] { order.push_back(2); });
  e.schedule_at(10, [&] { order.push_back(11); });  // same time: after the first one at 10
  CHECK(e.pending() == 4);
  CHECK(e.run() == 4);
  CHECK(order == std::vector<int>{1, 11, 2, 3});
  CHECK(e.now() == 30);
  CHECK(e.events_processed() == 4);
  CHECK(e.empty());
}

TEST_CASE("engine callbacks schedule further events relative to now", "[engine]") {
  Engine e;
  std::vector<SimTime> seen;
  std::function<void()> tick;
  int left = 5;
  tick = [&] {
    seen.push_back(e.now());
    if (--left > 0) e.schedule_in(7, [&] { tick(); });
  };
  e.schedule_at(3, [&] { tick(); });
  e.run();
  CHECK(seen == std::vector<SimTime>{3, 10, 17, 24, 31});
}

TEST_CASE("engine cancels by handle, including stale handles", "[engine]") {
  Engine e;
  int ran = 0;
  auto a = e.schedule_at(5, [&] { ran += 1; });
  auto b = e.schedule_at(6, [&] { ran += 10; });
  CHECK(e.is_pending(a));
  CHECK(e.cancel(a));
  CHECK_FALSE(e.cancel(a));  // twice: no
  CHECK_FALSE(e.is_pending(a));
  CHECK(e.pending() == 1);
  CHECK(e.next_time() == 6);
  e.run();
  CHECK(ran == 10);
  CHECK_FALSE(e.cancel(b));  // already ran
  // The freed slot is reused; the old handle must not cancel the new event.
  auto c = e.schedule_at(9, [&] { ran += 100; });
  CHECK_FALSE(e.cancel(a));
  CHECK_FALSE(e.cancel(b));
  CHECK(e.is_pending(c));
  e.run();
  CHECK(ran == 110);
  CHECK_FALSE(e.cancel(EventHandle{}));
}

TEST_CASE("engine run_until stops at the horizon and advances the clock", "[engine]") {
  Engine e;
  int ran = 0;
  e.schedule_at(10, [&] { ++ran; });
  e.schedule_at(20, [&] { ++ran; });
  e.schedule_at(21, [&] { ++ran; });
  CHECK(e.run_until(20) == 2);
  CHECK(e.now() == 20);
  CHECK(e.pending() == 1);
  CHECK(e.run_until(100) == 1);
  CHECK(e.now() == 100);
  CHECK_THROWS_AS(e.schedule_at(99, [] {}), std::invalid_argument);
}

TEST_CASE("engine stop() and the cancel flag end a run cleanly", "[engine]") {
  Engine e;
  int ran = 0;
  for (int i = 0; i < 10; ++i) e.schedule_at(i, [&] {
      if (++ran == 3) e.stop();
    });
  e.run();
  CHECK(ran == 3);
  e.run();
  CHECK(ran == 10);

  Engine f;
  std::atomic<bool> flag{false};
  f.set_cancel_flag(&flag);
  std::uint64_t n = 0;
  std::function<void()> forever = [&] {
    if (++n == 10000) flag = true;
    f.schedule_in(1, [&] { forever(); });
  };
  f.schedule_at(0, [&] { forever(); });
  f.run();
  CHECK(f.cancelled());
  CHECK(n >= 10000);
  CHECK(n < 10000 + 4097);
}

TEST_CASE("engine callbacks may be move-only and large", "[engine]") {
  Engine e;
  int out = 0;
  auto p = std::make_unique<int>(42);
  e.schedule_at(1, [q = std::move(p), &out] { out = *q; });
  std::array<double, 32> big{};
  big[31] = 7;
  e.schedule_at(2, [big, &out] { out += static_cast<int>(big[31]); });
  e.run();
  CHECK(out == 49);
}

TEST_CASE("engine matches std::priority_queue on a random hold model", "[engine]") {
  // Same random stream into both: the engine must pop the same (time, seq) sequence.
  std::mt19937_64 rng_a(7), rng_b(7);
  std::exponential_distribution<double> exp_a(1.0), exp_b(1.0);
  Engine e;
  std::vector<SimTime> engine_times, ref_times;
  std::function<void()> hold = [&] {
    engine_times.push_back(e.now());
    if (engine_times.size() < 20000)
      e.schedule_in(static_cast<SimTime>(exp_a(rng_a) * 1000), [&] { hold(); });
  };
  for (int i = 0; i < 100; ++i) e.schedule_at(static_cast<SimTime>(exp_a(rng_a) * 1000), [&] { hold(); });
  e.run_until(kSimTimeMax - 1);

  using P = std::pair<SimTime, std::uint64_t>;
  std::priority_queue<P, std::vector<P>, std::greater<P>> pq;
  std::uint64_t seq = 0;
  for (int i = 0; i < 100; ++i) pq.push({static_cast<SimTime>(exp_b(rng_b) * 1000), seq++});
  while (!pq.empty()) {
    auto [t, s] = pq.top();
    pq.pop();
    ref_times.push_back(t);
    if (ref_times.size() < 20000) pq.push({t + static_cast<SimTime>(exp_b(rng_b) * 1000), seq++});
  }
  REQUIRE(engine_times.size() == ref_times.size());
  CHECK(engine_times == ref_times);
}

TEST_CASE("from_seconds rounds to ns and rejects bad input", "[engine]") {
  CHECK(from_seconds(1.5) == 1'500'000'000);
  CHECK(from_seconds(0) == 0);
  CHECK(to_seconds(2'500'000'000) == Approx(2.5));
  CHECK_THROWS_AS(from_seconds(-1), std::invalid_argument);
  CHECK_THROWS_AS(from_seconds(std::nan("")), std::invalid_argument);
}
