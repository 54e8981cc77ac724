// Parallel layouts: which ones are valid, the pipeline bubble, and the shape of the work each
// device does under data (DP), tensor (TP, with optional sequence parallelism SP), pipeline (PP:
// GPipe, 1F1B, interleaved with v virtual stages), context (CP) and expert (EP) parallelism.
//
// Formulas (Narayanan et al. SC21 §2.2; Korthikanti et al. 2022; test-vectors.md):
//   m = micro-batches per step per pipeline = global_batch_sequences / (dp · micro_batch_size)
//   bubble fraction of the step:  GPipe and 1F1B (p−1)/(m+p−1); interleaved (p−1)/(v·m+p−1)
//   step (schedule part) = (m + p − 1)·t_mb (GPipe, 1F1B);  (v·m + p − 1)·t_mb / v (interleaved)
//   where t_mb = forward + backward of one micro-batch on the slowest stage, including its TP/CP/EP
//   collectives and its pipeline sends.
//   Per device: layers/stage = ⌈l/p⌉; tokens per micro-batch = b·s/cp; matmul widths ÷ tp; experts ÷ ep.
// Constraints checked: dp·tp·pp·cp = devices; tp divides n_heads and n_kv_heads (or n_kv_heads
//   divides tp: replicated KV heads); pp ≤ n_layers; v·p ≤ n_layers; cp divides seq_len; ep divides
//   n_experts and dp·cp·tp; interleaving needs m a multiple of p; global batch divisible by dp·b.
// Ignores: uneven stage balance beyond the first/last stage's embedding and LM head, schedule
//   variants (zero-bubble, DualPipe).
#pragma once

#include <string>

#include "models/layout.h"
#include "models/workload.h"

namespace flopcast::models {

// "" when valid; otherwise one sentence naming the violated constraint.
std::string validate_layout(const TransformerShape& m, const TrainingSpec& t, const Layout& l, int devices);

// Micro-batches per step per pipeline (≥ 1, rounded down).
int microbatches(const TrainingSpec& t, int seq_len, const Layout& l);

// Fraction of the step spent idle in the pipeline fill and drain.
double bubble_fraction(PipelineSchedule s, int p, int m, int v);

// Number of micro-batch "slots" of t_mb in one step: (m+p−1) or (v·m+p−1)/v.
double schedule_slots(PipelineSchedule s, int p, int m, int v);

// Expert tensor-parallel width of a layout: 1. Experts are not split by tensor parallelism; the EP
// group is ep consecutive ranks of the dp·cp·tp pool (Megatron-Core --expert-tensor-parallel-size 1,
// the setting of its MoE recipes for DeepSeek-V3, Qwen3 and Mixtral: fine-grained experts are narrow
// GEMMs that tensor parallelism would make narrower, and TP-split experts double the all-to-all).
int expert_tp(const Layout& l);

}  // namespace flopcast::models
