// Auto layout: the fastest DP × TP × PP × CP × EP × micro-batch × recompute × ZeRO layout that
// fits in device memory, and the next four with why they lose.
//
// Method: exhaustive enumeration over a pruned grid, each candidate costed by estimate_fixed()
//   (the same analytic path as a fixed layout) and checked with memory_per_device() (memory.h).
//   tp ∈ powers of two that divide n_heads, ≤ the scale-up domain (TP crosses no NIC) and ≤ 8;
//   pp ∈ divisors of the device count ≤ n_layers (≤ 64); cp ∈ {1, 2, 4, 8} when seq_len ≥ 8192;
//   ep ∈ divisors of n_experts that divide dp·cp·tp (MoE only); micro-batch ∈ {1, 2, …, 64} (powers of two:
//   small models leave the host-bound regime only at large micro-batches, as llm.c's 64 or BERT's 256);
//   recompute ∈ {none, selective, full} when not fixed; sharding ∈ {zero1, zero3 (tp = pp = 1)}
//   (none when dp·cp = 1); pipeline: 1F1B, and beside it interleaved with the largest v ≤ 4 whose
//   virtual stages split the layers evenly — counting the embedding and the loss as one layer each
//   when that makes them even (Megatron-Core account_for_embedding/loss_in_pipeline_split: 126
//   layers as 128) — when the micro-batch count allows; sequence parallelism on whenever tp > 1.
//   The candidate with the highest tokens/s/device among those that fit wins (capacity unknown: the
//   fastest of all); when none fits, the leanest (least memory per device, the one closest to
//   fitting) is returned with a note saying how much it needs, or the fastest when the caller says
//   the run is known to fit (EstimateInput::infeasible_shows_fastest: published records).
// Assumptions: the estimate's own assumptions; layouts outside the grid (tp 16, odd cp) are not
//   tried. Ignores: tie-breaking by memory headroom or by cost.
#pragma once

#include "models/estimate.h"

namespace flopcast::models {

// Search the layout; in.layout / in.training.recompute are starting values, in.fixed constrains.
EstimateResult search_layout(const EstimateInput& in);

}  // namespace flopcast::models
