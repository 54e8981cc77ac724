#include "models/layout_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "models/flops.h"
#include "models/memory.h"
#include "models/parallelism.h"

namespace flopcast::models {
namespace {

std::vector<int> divisors(int n, int cap) {
  std::vector<int> v;
  for (int i = 1; i <= n && i <= cap; ++i)
    if (n % i == 0) v.push_back(i);
  return v;
}

std::string pct(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100 * x);
  return buf;
}

std::string why(const EstimateResult& r) {
  const auto& b = r.breakdown;
  const double st = r.step_time_s;
  const double slots = st > 0 ? (st - b.dp_comm_exposed_s - b.optimizer_s) : 0;
  std::string s = "bubble " + pct(r.pipeline_bubble_fraction);
  const double t_mb = b.forward_s + b.backward_s + b.tp_comm_forward_s + b.tp_comm_backward_s + b.cp_comm_s +
                      b.ep_comm_s;
  if (t_mb > 0 && st > 0) {
    const double comm = (b.tp_comm_forward_s + b.tp_comm_backward_s + b.cp_comm_s + b.ep_comm_s) / t_mb * slots / st;
    s += ", tp/cp/ep comm " + pct(comm);
    const double rec = r.hardware_flops_per_token > 0
                           ? (r.hardware_flops_per_token - r.model_flops_per_token) / r.hardware_flops_per_token
                           : 0;
    if (rec > 0) s += ", recompute " + pct(rec) + " of FLOPs";
  }
  s += ", exposed dp " + pct(st > 0 ? b.dp_comm_exposed_s / st : 0);
  s += ", optimizer " + pct(st > 0 ? b.optimizer_s / st : 0);
  s += ", memory " + std::to_string(int(std::lround(r.memory.total_bytes / (1024.0 * 1024 * 1024)))) + " GiB";
  return s;
}

}  // namespace

EstimateResult search_layout(const EstimateInput& in) {
  const auto& m = in.model;
  const auto& fx = in.fixed;
  const int n = in.device_count;
  EstimateResult fail;
  if (!shape_complete(m)) {
    fail.error = "model shape incomplete: auto layout needs n_layers, d_model, n_heads, seq_len, vocab_size, ffn_dim";
    return fail;
  }
  const int domain = std::max(1, in.device.scale_up_domain_size.value_or(8));
  const int tp_cap = std::min({8, domain, in.max_tp > 0 ? in.max_tp : 8});

  std::vector<int> tps, pps, cps, mbs, eps;
  if (fx.tp) tps = {*fx.tp};
  else
    for (int t = 1; t <= tp_cap; t *= 2)
      if (n % t == 0 && m.n_heads % t == 0) tps.push_back(t);
  if (fx.pp) pps = {*fx.pp};
  else pps = divisors(n, std::min({m.n_layers, 64, in.max_pp > 0 ? in.max_pp : 64}));
  if (fx.cp) cps = {*fx.cp};
  else {
    // Context parallelism splits the activations of long sequences; Megatron/NeMo use cp = 2 from
    // 8K tokens on (e.g. Llama 3.1 405B at 8192), so it is searched from there on.
    cps = {1};
    if (m.seq_len >= 8192)
      for (int c : {2, 4, 8})
        if (m.seq_len % c == 0) cps.push_back(c);
  }
  if (fx.micro_batch_size) mbs = {*fx.micro_batch_size};
  else mbs = {1, 2, 4, 8, 16, 32, 64};
  std::vector<Recompute> rcs;
  if (in.fixed_recompute) rcs = {in.training.recompute};
  else rcs = {Recompute::none, Recompute::selective, Recompute::full};

  struct Scored {
    EstimateResult r;
    bool fits;
  };
  std::vector<Scored> all;
  int evaluated = 0;
  EstimateInput ci = in;
  ci.auto_layout = false;
  std::string last_error;

  for (int tp : tps) {
    if (tp < 1 || n % tp) continue;
    for (int pp : pps) {
      if (pp < 1 || n % (tp * pp) || pp > m.n_layers) continue;
      for (int cp : cps) {
        if (cp < 1 || n % (tp * pp * cp)) continue;
        const int dp = n / (tp * pp * cp);
        if (fx.dp && *fx.dp != dp) continue;
        eps.clear();
        if (fx.ep) eps = {*fx.ep};
        else if (m.moe) {
          for (int e : divisors(m.moe->n_experts, dp * cp * tp))
            if ((long(dp) * cp * tp) % e == 0) eps.push_back(e);
          // keep the search small: powers of two and the largest
          std::vector<int> keep;
          for (int e : eps)
            if ((e & (e - 1)) == 0 || e == eps.back()) keep.push_back(e);
          eps = keep;
        } else eps = {1};
        std::vector<Sharding> shs;
        if (fx.sharding) shs = {*fx.sharding};
        else if (dp * cp == 1) shs = {Sharding::none};
        else if (tp == 1 && pp == 1) shs = {Sharding::zero1, Sharding::zero3};
        else shs = {Sharding::zero1};
        // Pipeline schedules to try: 1F1B, and interleaved with the largest v <= 4 whose virtual
        // stages split the layers evenly, counting the embedding and the loss as one layer each
        // when that makes them even (Megatron-Core account_for_embedding/loss_in_pipeline_split:
        // Llama 3.1 405B's 126 layers as 128 = 16 stages x 4 x 2). Both are costed: more virtual
        // stages shrink the bubble but add point-to-point traffic and in-flight activations.
        std::vector<int> vs = {1};
        if (pp > 1) {
          const int per_stage = m.n_layers / pp;
          if (fx.vp)
            vs = {*fx.vp};
          else
            for (int cand : {4, 3, 2})
              if ((m.n_layers % (pp * cand) == 0 || (m.n_layers + 2) % (pp * cand) == 0) &&
                  per_stage >= cand) {
                vs = {cand, 1};
                break;
              }
        }
        for (int ep : eps)
          for (int mb : mbs)
            for (Sharding sh : shs)
              for (Recompute rc : rcs)
                for (int v : vs) {
                  Layout l;
                  l.dp = dp;
                  l.tp = tp;
                  l.pp = pp;
                  l.cp = cp;
                  l.ep = ep;
                  l.micro_batch_size = mb;
                  l.sharding = sh;
                  l.sequence_parallel = fx.sequence_parallel.value_or(tp > 1);
                  l.schedule = PipelineSchedule::one_f_one_b;
                  l.vp = 1;
                  if (v > 1) {
                    l.schedule = PipelineSchedule::interleaved;
                    l.vp = v;
                    ci.layout = l;
                    ci.training.recompute = rc;
                    if (!validate_layout(m, ci.training, l, n).empty()) {
                      if (vs.size() > 1) continue;  // the 1F1B candidate follows
                      l.schedule = PipelineSchedule::one_f_one_b;
                      l.vp = 1;
                    }
                  }
                  ci.layout = l;
                  ci.training.recompute = rc;
                  ci.training.micro_batch_size = mb;
                  EstimateResult r = estimate_fixed(ci);
                  ++evaluated;
                  if (!r.ok) {
                    last_error = r.error;
                    continue;
                  }
                  const bool fits = !r.memory.checked || r.memory.fits;
                  all.push_back({std::move(r), fits});
                  // Recompute searched: also the block recompute of the fewest layers per stage
                  // that fits (Megatron-Core --recompute-method block --recompute-num-layers k).
                  if (rc == Recompute::full && !in.fixed_recompute && fits &&
                      all.back().r.memory.checked) {
                    const int per_stage = (m.n_layers + pp - 1) / pp;
                    auto fits_with = [&](int k) {
                      TrainingSpec tk = ci.training;
                      tk.recompute_layers = k;
                      return memory_per_device(m, tk, l, in.device).fits;
                    };
                    if (per_stage > 1 && fits_with(per_stage - 1)) {
                      int lo = 1, hi = per_stage - 1;  // smallest k that fits lies in [lo, hi]
                      while (lo < hi) {
                        const int mid = (lo + hi) / 2;
                        if (fits_with(mid))
                          hi = mid;
                        else
                          lo = mid + 1;
                      }
                      EstimateInput bi = ci;
                      bi.training.recompute_layers = lo;
                      EstimateResult rb = estimate_fixed(bi);
                      ++evaluated;
                      const bool fits_b = !rb.memory.checked || rb.memory.fits;
                      if (rb.ok) all.push_back({std::move(rb), fits_b});
                    }
                  }
                }
      }
    }
  }
  if (all.empty()) {
    fail.error = "auto layout: no valid layout for " + std::to_string(n) + " devices" +
                 (last_error.empty() ? "" : " (last: " + last_error + ")");
    fail.layouts_evaluated = evaluated;
    return fail;
  }
  const bool any_fits = std::any_of(all.begin(), all.end(), [](const Scored& s) { return s.fits; });
  std::vector<const Scored*> pool;
  for (const auto& s : all)
    if (s.fits || !any_fits) pool.push_back(&s);
  // Fastest first (among those that fit); when none fits, the leanest first unless asked otherwise
  // (EstimateInput::infeasible_shows_fastest): the layout and memory shown are then the ones the
  // "the leanest needs X GiB" note is about, not a micro-batch-64 layout needing thousands of GiB.
  const bool leanest_first = !any_fits && !in.infeasible_shows_fastest;
  std::sort(pool.begin(), pool.end(), [leanest_first](const Scored* a, const Scored* b) {
    if (leanest_first && a->r.memory.total_bytes != b->r.memory.total_bytes)
      return a->r.memory.total_bytes < b->r.memory.total_bytes;
    if (a->r.tokens_per_s_per_gpu != b->r.tokens_per_s_per_gpu)
      return a->r.tokens_per_s_per_gpu > b->r.tokens_per_s_per_gpu;
    return a->r.memory.total_bytes < b->r.memory.total_bytes;
  });
  EstimateResult best = pool.front()->r;
  best.layouts_evaluated = evaluated;
  // Least memory first; among equals the fastest.
  const Scored& leanest =
      *std::min_element(all.begin(), all.end(), [](const Scored& a, const Scored& b) {
        if (a.r.memory.total_bytes != b.r.memory.total_bytes)
          return a.r.memory.total_bytes < b.r.memory.total_bytes;
        return a.r.tokens_per_s_per_gpu > b.r.tokens_per_s_per_gpu;
      });
  best.leanest_memory_bytes = leanest.r.memory.total_bytes;
  auto candidate = [](const EstimateResult& r) {
    LayoutCandidate c;
    c.layout = r.layout;
    c.recompute = r.recompute;
    c.recompute_layers = r.recompute_layers;
    c.step_time_s = r.step_time_s;
    c.tokens_per_s_per_gpu = r.tokens_per_s_per_gpu;
    c.memory_gib = r.memory.total_bytes / (1024.0 * 1024 * 1024);
    c.why = why(r);
    return c;
  };
  for (size_t i = 0; i < pool.size() && i < 5; ++i)
    best.alternatives.push_back(candidate(pool[i]->r));
  std::string none_fits;
  if (!any_fits) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "the leanest needs %.3g GiB per device of %.3g GiB",
                  best.leanest_memory_bytes / 1073741824.0, best.memory.capacity_bytes.value_or(0) / 1073741824.0);
    none_fits = buf;
    best.notes.push_back("auto layout: no candidate fits in device memory (" + none_fits + ")");
  }
  // More devices than sequences in the global batch: data parallelism alone cannot use them all,
  // so every layout splits the model at least n / sequences ways, needed or not. Say so, and where
  // the utilisation is low, that the remedy is the user's (fewer devices or a larger batch).
  const double sequences = m.seq_len > 0 ? in.training.global_batch_tokens / m.seq_len : 0;
  if (sequences >= 1 && sequences < n) {
    char buf[360];
    std::snprintf(
        buf, sizeof buf,
        "the global batch holds %.0f sequences for %d devices: at most %.0f data-parallel "
        "replicas, so every layout splits the model at least %.0f ways (here tp x pp x cp = %d, "
        "MFU %.1f %%)%s",
        sequences, n, sequences, std::ceil(n / sequences),
        best.layout.tp * best.layout.pp * best.layout.cp, 100.0 * best.mfu,
        best.mfu < 0.2 ? "; fewer devices or a larger global batch would use them better" : "");
    best.notes.push_back(buf);
  }
  best.layout_note = "auto layout: best of " + std::to_string(evaluated) + " candidates" +
                     (any_fits ? ""
                               : "; none fits in memory (" + none_fits + "): " +
                                     (leanest_first ? "the leanest shown" : "the fastest shown"));
  return best;
}

}  // namespace flopcast::models
