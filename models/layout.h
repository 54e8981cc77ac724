// Parallel layout: how the devices are split among data, tensor, pipeline, context and expert
// parallelism, plus sharding and the pipeline schedule.
#pragma once

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

}  // namespace flopcast::models
