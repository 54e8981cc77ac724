// Parallel layout: how the devices are split among data, tensor, pipeline, context and expert
// parallelism, plus sharding and the pipeline schedule.
#pragma once

#include <optional>
#include <string>

namespace flopcast::models {

enum class Sharding { none, zero1, zero2, zero3 };
enum class PipelineSchedule { gpipe, one_f_one_b, interleaved };

struct Layout {
  int dp = 1;
  int tp = 1;
  int pp = 1;
  int cp = 1;
  int ep = 1;  // experts split over ep ranks carved out of dp (Megatron convention)
  int vp = 1;  // virtual stages per pipeline rank (interleaved 1F1B)
  Sharding sharding = Sharding::none;
  PipelineSchedule schedule = PipelineSchedule::one_f_one_b;
  bool sequence_parallel = false;
  int micro_batch_size = 1;

  int devices() const { return dp * tp * pp * cp; }
};

// Auto layout: parts of the layout the caller fixed (a scenario or record that names tp but not
// pp, say). Unset parts are searched.
struct LayoutConstraints {
  std::optional<int> dp, tp, pp, cp, ep, vp, micro_batch_size;
  std::optional<Sharding> sharding;
  std::optional<bool> sequence_parallel;
};

}  // namespace flopcast::models
