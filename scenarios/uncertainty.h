// How sure an answer is: the P10–P90 band every prediction and estimate carries.
//
// Formula: the error of a predicted metric is log-normal around the prediction,
//   ln(measured / predicted) ~ N(0, σ²),   P10/P90 = P50 · exp(∓1.2816 · σ)
// with σ built in quadrature from what the answer rests on (decoders and MoE decoders):
//   throughput, step time, MFU:  σ² = σ0² + n_other·σd² + n_searched·σsearch² + [MoE]·σmoe²
//   wall time, GPU-hours, cost:  the above + σrun²     (goodput, restarts, evaluation, token counts)
//   energy:                      the above + σrun² + σenergy²   (power draw, PUE)
//   peak memory:                 σ² = σmem² + n_defaults·σd²
// and for the model-library workloads (encoders, encoder-decoders, ViTs, CNNs: ZooParams):
//   throughput σ² = σlog² + n_defaults·σd²;  whole runs + σrun,zoo²;  energy + σenergy² as well.
// Every σ is fitted from leave-one-source-out cross-validation residuals on the published runs
// (decoders: tools/fit_params.py on tests/data/groundtruth/public.json; zoo: the leave-one-family-out
// test on public-zoo.json), so the band is what held-out runs achieved, not a guess: docs/parameters.md
// lists the values, docs/validation.md the coverage they reach.
// Assumptions: errors are log-symmetric and independent of the size of the run; a scenario file
//   states its inputs (n_defaults = 0), a record leaves some null (each widens the band by σd,
//   which the fit sets from the held-out residuals: at present 0, they do not grow with defaults).
// Ignores: correlation between the terms; calibrated device profiles (which would narrow σ0).
#pragma once

#include <cmath>

#include "models/zoo_estimate.h"

namespace flopcast::scenarios {

inline constexpr double kZ90 = 1.2815515655446004;  // standard normal quantile of 0.9

// Spread of the log-error (σ of ln(pred/measured)), fitted from CV residuals: docs/parameters.md.
struct UncertaintyParams {
  double sigma_base = 0.153;   // a record with every input given
  double sigma_default = 0.0;  // added (in quadrature) per defaulted input: the fit finds none (the
                               // held-out residuals of records with defaults are no larger)
  double sigma_search = 0.000;   // instead, per searched layout part (layout, micro-batch, recompute, ...)
  double sigma_moe = 0.199;      // added for mixture-of-experts models (routing, dispatch, grouped GEMMs)
  double sigma_run = 0.292;      // whole-run metrics: goodput, restarts, evaluation
  double sigma_memory = 0.08;    // peak memory
  double sigma_energy = 0.20;    // energy: power draw and PUE
};

// Which σ a metric takes.
enum class Spread { throughput, whole_run, energy, memory };

// What the answer rests on.
struct SpreadBasis {
  bool moe = false;    // a mixture-of-experts decoder
  int n_defaults = 0;  // inputs filled with a default (records); a scenario states its inputs: 0
  int n_searched = 0;  // of those, layout parts the auto layout searched
};

// σ of a decoder metric.
double band_sigma(const UncertaintyParams& u, Spread s, const SpreadBasis& b);
// σ of a model-library (zoo) metric: ZooParams' σlog / σrun with the decoders' σd and σenergy.
double zoo_band_sigma(const models::ZooParams& zp, const UncertaintyParams& u, Spread s, int n_defaults);

// Whether the band's MoE term applies: a model with routed experts (a record without expert sizes
// runs as its dense equivalent, so it does not count).
inline bool is_moe(const models::TransformerShape& m) { return m.moe && m.moe->n_experts > 0; }

// σ of a metric of a scenario's estimate, with the default parameters (a scenario states its
// inputs: no default widens it): zoo_band_sigma for model-library presets, else band_sigma.
double scenario_band_sigma(Spread s, bool zoo, bool moe);

struct Band {
  double p10 = 0;
  double p90 = 0;
};
inline Band band(double p50, double sigma) { return {p50 * std::exp(-kZ90 * sigma), p50 * std::exp(kZ90 * sigma)}; }

}  // namespace flopcast::scenarios
