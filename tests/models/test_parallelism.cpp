#include <catch2/catch.hpp>

#include "models/parallelism.h"
#include "test_helpers.h"

using namespace flopcast::models;
using namespace flopcast::models::testing;

TEST_CASE("pipeline bubble: test-vectors.md values", "[parallelism]") {
  // p = 8, m = 32: 1F1B bubble = (p−1)/(m+p−1) = 7/39 = 17.9 % of the step ((p−1)/m = 21.9 % of ideal).
  CHECK(bubble_fraction(PipelineSchedule::one_f_one_b, 8, 32, 1) == Approx(7.0 / 39.0));
  CHECK(bubble_fraction(PipelineSchedule::one_f_one_b, 8, 32, 1) == Approx(0.179).margin(0.0005));
  CHECK(bubble_fraction(PipelineSchedule::gpipe, 8, 32, 1) == Approx(7.0 / 39.0));
  // Interleaved, v = 4: (p−1)/(v·m+p−1) of the step; of ideal time (p−1)/(v·m) = 5.5 %.
  const double f = bubble_fraction(PipelineSchedule::interleaved, 8, 32, 4);
  CHECK(f == Approx(7.0 / 135.0));
  CHECK(f / (1 - f) == Approx(7.0 / 128.0));
  CHECK(f / (1 - f) == Approx(0.055).margin(0.0005));
  CHECK(bubble_fraction(PipelineSchedule::one_f_one_b, 1, 32, 1) == 0.0);
  CHECK(schedule_slots(PipelineSchedule::one_f_one_b, 8, 32, 1) == 39.0);
  CHECK(schedule_slots(PipelineSchedule::interleaved, 8, 32, 4) == Approx(135.0 / 4));
}

TEST_CASE("invalid layouts are rejected with a message naming the constraint", "[parallelism]") {
  TransformerShape m = gpt(24, 2048, 16);
  TrainingSpec t;
  t.global_batch_tokens = 256.0 * 2048;
  Layout l;
  l.dp = 2;
  l.tp = 3;  // does not divide 16 heads
  l.pp = 1;
  CHECK_THAT(validate_layout(m, t, l, 6), Catch::Contains("tp = 3 must divide n_heads = 16"));
  l.tp = 2;
  l.pp = 32;  // more stages than layers
  l.dp = 1;
  CHECK_THAT(validate_layout(m, t, l, 64), Catch::Contains("pp = 32 must not exceed n_layers = 24"));
  l.pp = 2;
  l.dp = 3;  // 3·2·2 = 12 ≠ 16
  CHECK_THAT(validate_layout(m, t, l, 16), Catch::Contains("dp*tp*pp*cp = 3*2*2*1 = 12 must equal the device count 16"));
  l.dp = 4;
  CHECK(validate_layout(m, t, l, 16).empty());
  l.ep = 2;  // dense model
  CHECK_THAT(validate_layout(m, t, l, 16), Catch::Contains("ep = 2 needs a mixture-of-experts"));
  l.ep = 1;
  l.cp = 3;
  l.dp = 1;
  CHECK_THAT(validate_layout(m, t, l, 12), Catch::Contains("cp = 3 must divide seq_len = 2048"));
  l.cp = 1;
  l.dp = 512;  // batch of 256 sequences < dp·b
  CHECK_THAT(validate_layout(m, t, l, 2048), Catch::Contains("smaller than dp*micro_batch_size"));
}

TEST_CASE("micro-batches per step", "[parallelism]") {
  TrainingSpec t;
  t.global_batch_tokens = 1536.0 * 2048;
  Layout l;
  l.dp = 16;
  l.micro_batch_size = 2;
  CHECK(microbatches(t, 2048, l) == 48);
}
