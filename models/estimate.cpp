// The analytic time path: per-kernel costs of one micro-batch on the slowest pipeline stage,
// the collectives of the layout, the pipeline schedule, data-parallel sync and the optimizer.
// Formulas: flops.h (work), efficiency.h (kernel speed), collectives.h (communication),
// parallelism.h (schedule), memory.h (fit), energy.h (energy); the composition is documented at
// step_time_from_breakdown() in estimate.h.
#include "models/estimate.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/collectives.h"
#include "models/energy.h"
#include "models/flops.h"
#include "models/layout_search.h"
#include "models/memory.h"
#include "models/parallelism.h"

namespace flopcast::models {
namespace {

// Number of memory-bound kernels per layer forward (norms, residual adds, rotary, activation,
// bias/dropout, router/permute) and per LM head (loss); backward runs about twice as many.
constexpr int kElementwiseKernelsPerLayer = 12;
constexpr int kElementwiseKernelsHead = 4;
// Extra framework ops of a MoE layer forward: router softmax/top-k, aux loss, token sort,
// permute/unpermute, histogram, gather/scatter of probabilities (Megatron-Core MoE token
// dispatcher); backward about twice as many.
constexpr int kMoeExtraOpsPerLayer = 16;
// FlashAttention backward reaches lower utilisation than forward (FA2 paper: ~ 0.8×).
constexpr double kAttentionBackwardEfficiencyRatio = 0.8;
// NVFP4 training keeps about 15 % of the linear layers in bf16 (NVIDIA, "Pretraining Large Language
// Models with NVFP4", arXiv 2509.25149, Sec. 4: the last blocks, where fp4 wgrad errors are largest).
constexpr double kFp4HighPrecisionLayerFraction = 0.15;

// Bytes of one stored activation element: 16-bit for bf16/fp16/fp8/fp4 training, 4 for fp32/tf32.
double activation_bytes(Precision p) {
  return (p == Precision::fp32 || p == Precision::tf32 || p == Precision::fp64) ? 4.0 : 2.0;
}

// Bytes each data-parallel rank reduces per gradient element: fp32 reduction for bf16/fp8/fp4
// (Megatron --accumulate-allreduce-grads-in-fp32 is on for bf16), 16-bit for fp16 AMP, 4 for fp32.
double gradient_reduce_bytes(Precision p) { return p == Precision::fp16 ? 2.0 : 4.0; }

struct LayerTimes {
  double fwd = 0;       // compute, one micro-batch
  double bwd = 0;       // compute incl. recompute
  double tp_fwd = 0;    // TP/SP collectives
  double tp_bwd = 0;
  double cp = 0;        // exposed CP exchange (fwd + bwd)
  double ep = 0;        // expert all-to-all (fwd + bwd)
};

struct Ctx {
  const EstimateInput* in;
  const EfficiencyParams* p;  // in->efficiency, with the fp32 (CUDA-core) ceiling where it applies
  const TransformerShape* m;
  const TrainingSpec* t;
  const Layout* l;
  LayerDims d;
  Topology topo;
  double peak_gemm = 0;
  double peak_attn = 0;
  double hbm = 0;
  double bpe_gemm = 2;
  double act_b = 2;
  double T = 0;  // tokens per micro-batch per device (b·s/cp)
  int etp = 1;
  bool flash = true;  // fused attention kernel (models/memory.h fused_attention)
  bool graph_compiled = false;  // whole-step compiled execution: no per-op host dispatch
  int n_mb = 1;                 // micro-batches per optimizer step (per pipeline)
};

// Forward + backward time of a GEMM M×N×K with its dgrad (M×K×N) and wgrad (K×N×M) when needed.
struct OpCount {
  int fwd = 0;
  int bwd = 0;
};

void gemm_fb(const Ctx& c, double M, double N, double K, bool needs_bwd, bool weight_grad, double& f, double& b,
             double count = 1, OpCount* ops = nullptr) {
  const auto& p = *c.p;
  if (M <= 0 || N <= 0 || K <= 0 || count <= 0) return;
  // `count` identical GEMMs (the local experts of a MoE layer, the adapter matrices of LoRA) run as
  // `count` separate kernels, each dispatched by the host: Transformer Engine's GroupedLinear (the
  // Megatron-Core grouped-GEMM path) splits the routed tokens per expert and issues one cuBLAS GEMM
  // per local expert (multi-stream), and PEFT one per adapter. So each pays its own t_kernel and
  // its own host dispatch, which is what makes many small local experts slow.
  const int n_kernels = std::max(1, int(std::lround(count)));
  if (ops) {
    ops->fwd += n_kernels;
    if (needs_bwd) ops->bwd += (weight_grad ? 2 : 1) * n_kernels;
  }
  auto g = [&](double a, double bb, double cc) {
    return count * gemm_time_s(a, bb, cc, c.peak_gemm, c.hbm, c.bpe_gemm, p);
  };
  f += g(M, N, K);
  if (needs_bwd) {
    b += g(M, K, N);
    if (weight_grad) b += g(K, N, M);
  }
}

// One expert dispatch (or combine) of `tokens` tokens of `token_bytes` each, every token routed to
// k experts spread uniformly over an EP group of n ranks `stride` apart (balanced routing).
// Inside one scale-up domain it is a plain all-to-all of k copies per token. When the group spans
// domains the dispatch is hierarchical (DeepEP / HybridEP, the dispatchers Megatron-Core uses for
// cross-node EP): a token crosses the network once per distinct remote domain that holds one of
// its experts — N_remote = (N−1)·(1 − (1 − 1/N)^k) for N domains — and is then forwarded over the
// scale-up links to the expert's rank. Network and scale-up transfers overlap.
double expert_all_to_all_s(double tokens, double token_bytes, int k, int n, int stride, const Topology& t) {
  if (n <= 1 || tokens <= 0 || k <= 0) return 0;
  const int r = ranks_per_domain(n, stride, t.domain_size);
  if (r >= n) return all_to_all_s(tokens * k * token_bytes, n, stride, t);
  const double N = double(n) / r;
  const double remote_domains = (N - 1) * (1 - std::pow(1 - 1 / N, k));
  const double t_out = tokens * token_bytes * remote_domains / t.scale_out_bytes_per_s;
  const double local_copies = double(k) * (r - 1) / n;                          // to peers in the domain
  const double forwarded = double(k) * (n - r) / n * double(r - 1) / r;          // arrivals passed on
  const double t_in = tokens * token_bytes * (local_copies + forwarded) / t.scale_up_bytes_per_s;
  return std::max(t_in, t_out) + (1 + std::ceil(std::log2(double(n)))) * t.latency_s;
}

LayerTimes layer_times(const Ctx& c, bool moe_layer, bool needs_bwd, const ParamCount& pc) {
  const auto& p = *c.p;
  const auto& m = *c.m;
  const auto& tr = *c.t;
  const auto& l = *c.l;
  const double tp = l.tp, T = c.T, h = c.d.h, s = m.seq_len;
  const bool lora = tr.lora.has_value();
  const bool wgrad = !lora;
  LayerTimes r;
  double f = 0, b = 0;
  OpCount ops;
  double f_pre_sync = -1;  // MoE forward: GPU time and ops queued before the host sync (-1: no sync)
  int ops_pre_sync = 0;

  // Attention projections: fused QKV (or MLA down/up projections) and the output projection.
  const double attn_params = pc.per_layer_attention - 2 * h;
  const double out_params = c.d.v_dim * h;
  const double in_width = std::max(0.0, (attn_params - out_params) / h);  // QKV output width
  gemm_fb(c, T, in_width / tp, h, needs_bwd, wgrad, f, b, 1, &ops);
  gemm_fb(c, T, h, c.d.v_dim / tp, needs_bwd, wgrad, f, b, 1, &ops);

  // LoRA adapters: two thin GEMMs per target (x·A, (xA)·B), rank r.
  if (lora) {
    const double ad = lora_params(m, *tr.lora) / std::max(1, m.n_layers);  // r·Σ(in+out)
    const double r_ = std::max(1, tr.lora->rank);
    const double width = ad / r_;  // Σ(in+out) over targets
    gemm_fb(c, T, r_, width / 2 / tp, true, true, f, b, 2.0 * double(tr.lora->targets.size()), &ops);
  }

  // Attention core. Fused (FlashAttention, causal): half of the model-convention FLOPs executed.
  // Unfused (devices without FlashAttention, fp32): QKᵀ and AV as batched GEMMs over the full s×s
  // scores of each local head, softmax as memory traffic over them (read + write forward; read
  // probabilities and gradient, write gradient backward), all in 16-bit (4 bytes in fp32).
  const double att_flops = T * 2.0 * s * (m.n_heads / tp) * (c.d.qk_head_dim + c.d.v_head_dim) * 0.5;
  const double s_q = s / l.cp;
  double t_att = 0, att_b = 0;
  if (c.flash) {
    t_att = attention_time_s(att_flops, s_q, c.peak_attn, p);
    ops.fwd += 1;
    if (needs_bwd) {
      EfficiencyParams pb = p;
      pb.attn_eff_max *= kAttentionBackwardEfficiencyRatio;
      att_b = attention_time_s(2 * att_flops, s_q, c.peak_attn, pb);
      ops.bwd += 1;
    }
  } else {
    const double heads = double(l.micro_batch_size) * m.n_heads / tp;  // (sequence, head) pairs
    const double sq = s_q, sk = s;                                       // query rows, key columns
    const double pk = c.act_b >= 4 ? c.peak_gemm : c.peak_attn;         // fp32/tf32 training: its own peak
    auto batched = [&](double M, double N, double K) {                  // one batched-GEMM kernel
      return heads * (gemm_time_s(M, N, K, pk, c.hbm, c.act_b, p) - p.kernel_overhead_s) +
             p.kernel_overhead_s;
    };
    const double score_bytes = heads * sq * sk * c.act_b;
    // attention dropout: read the probabilities, write them dropped and the 1-byte mask (and back)
    const double dropout_bytes = tr.attention_dropout ? heads * sq * sk * (2 * c.act_b + 1) : 0;
    t_att = batched(sq, sk, c.d.qk_head_dim) + batched(sq, c.d.v_head_dim, sk) +
            memory_time_s(2 * score_bytes, c.hbm, 1, p) +
            (tr.attention_dropout ? memory_time_s(dropout_bytes, c.hbm, 1, p) : 0);
    ops.fwd += tr.attention_dropout ? 4 : 3;
    if (needs_bwd) {
      // dP = dO·Vᵀ, dV = Pᵀ·dO, dQ = dS·K, dK = dSᵀ·Q; softmax backward over the scores.
      att_b = batched(sq, sk, c.d.v_head_dim) + batched(sk, c.d.v_head_dim, sq) +
              batched(sq, c.d.qk_head_dim, sk) + batched(sk, c.d.qk_head_dim, sq) +
              memory_time_s(3 * score_bytes, c.hbm, 1, p) +
              (tr.attention_dropout ? memory_time_s(dropout_bytes, c.hbm, 1, p) : 0);
      ops.bwd += tr.attention_dropout ? 6 : 5;
    }
  }
  f += t_att;
  b += att_b;

  // FFN: dense, or router + routed experts (grouped GEMM) + shared experts.
  double ffn_width_local = 0;  // for elementwise traffic
  const double up_mats = c.d.ffn_mats - 1;
  if (!moe_layer) {
    const double fdim = m.ffn_dim;
    gemm_fb(c, T, up_mats * fdim / tp, h, needs_bwd, wgrad, f, b, 1, &ops);
    gemm_fb(c, T, h, fdim / tp, needs_bwd, wgrad, f, b, 1, &ops);
    ffn_width_local = fdim / tp;
  } else {
    const auto& e = *m.moe;
    gemm_fb(c, T, e.n_experts, h, needs_bwd, wgrad, f, b, 1, &ops);  // router
    // The dispatcher needs the per-expert token counts on the host (all-to-all split sizes,
    // Transformer Engine GroupedLinear's m_splits): a device-to-host sync in every MoE layer's
    // forward. Work queued before it must finish before the host can enqueue the experts.
    f_pre_sync = f;
    ops_pre_sync = ops.fwd;
    const double local_experts = double(e.n_experts) / l.ep;
    // Balanced routing: each rank's experts receive T·k tokens from the EP group; when experts are
    // not tensor-parallel (etp 1) but tp > 1, sequence parallelism leaves each rank T·etp/tp.
    const double tok_div = double(l.tp) / c.etp;
    const double tokens_per_expert = T * e.experts_per_token * l.ep / double(e.n_experts) / tok_div;
    const double fe = e.expert_ffn_dim / c.etp;
    gemm_fb(c, tokens_per_expert, up_mats * fe, h, needs_bwd, wgrad, f, b, local_experts, &ops);
    gemm_fb(c, tokens_per_expert, h, fe, needs_bwd, wgrad, f, b, local_experts, &ops);
    if (e.shared_ffn_dim > 0) {
      gemm_fb(c, T, up_mats * e.shared_ffn_dim / tp, h, needs_bwd, wgrad, f, b, 1, &ops);
      gemm_fb(c, T, h, e.shared_ffn_dim / tp, needs_bwd, wgrad, f, b, 1, &ops);
    }
    ffn_width_local = (e.experts_per_token * e.expert_ffn_dim + e.shared_ffn_dim) / tp;
    ops.fwd += kMoeExtraOpsPerLayer;
    if (needs_bwd) ops.bwd += 2 * kMoeExtraOpsPerLayer;
    // Expert all-to-all: dispatch + combine forward, the same backward.
    const int ep_stride = c.etp;
    const double one = expert_all_to_all_s(T / tok_div, h * c.act_b, e.experts_per_token, l.ep, ep_stride, c.topo);
    r.ep = 2 * one + (needs_bwd ? 2 * one : 0);
  }

  // Memory-bound elementwise work (norms, residuals, rotary, activation function); sequence
  // parallelism splits the norm/residual part by tp.
  const double sp_div = l.sequence_parallel ? tp : 1.0;
  double elems = T * (10.0 * h / sp_div + 2.0 * (c.d.q_dim + c.d.kv_dim) / tp +
                      (c.d.ffn_mats == 3 ? 3.0 : 2.0) * ffn_width_local);
  double bytes = elems * c.act_b;
  // MoE token permute + unpermute (read and write every routed copy of a token, dispatch and combine).
  if (moe_layer) bytes += 4.0 * T * m.moe->experts_per_token * h * c.act_b * c.etp / l.tp;
  // fp8/fp4: quantize each GEMM input every micro-batch (read 16-bit, write 8-bit). The weights are
  // quantized once per optimizer step (Transformer Engine caches the fp8 weight and its transpose
  // across the micro-batches of a step: Megatron passes is_first_microbatch): read 16-bit, write
  // two 8-bit copies, 4 bytes per local weight, amortized over the step's micro-batches.
  double t_weight_quant = 0;
  if (c.bpe_gemm < 2) {
    const double gemm_inputs = T * (2.0 * h + c.d.v_dim / tp + ffn_width_local);
    const double w_local = (attn_params + (moe_layer ? pc.per_moe_layer_ffn_total / l.ep : pc.per_dense_layer_ffn)) / tp;
    bytes += 3.0 * gemm_inputs;
    t_weight_quant = memory_time_s(4.0 * w_local / std::max(1, c.n_mb), c.hbm, 0, p);
  }
  const double t_elem = memory_time_s(bytes, c.hbm, kElementwiseKernelsPerLayer, p);
  f += t_elem + t_weight_quant;
  ops.fwd += kElementwiseKernelsPerLayer;
  if (needs_bwd) {
    b += 2 * t_elem;
    ops.bwd += 2 * kElementwiseKernelsPerLayer;
  }
  if (l.tp > 1) {
    ops.fwd += 2;
    if (needs_bwd) ops.bwd += 2;
  }

  // Tensor (+ sequence) parallel collectives: two all-reduces (or all-gather + reduce-scatter
  // pairs) of the layer's activations forward, two backward.
  double tp_f = 0, tp_b = 0;
  if (l.tp > 1) {
    const double bytes_ar = T * h * c.act_b;
    const double one = l.sequence_parallel ? reduce_scatter_s(bytes_ar, l.tp, 1, c.topo) +
                                                 all_gather_s(bytes_ar, l.tp, 1, c.topo)
                                           : all_reduce_s(bytes_ar, l.tp, 1, c.topo);
    tp_f = 2 * one;
    tp_b = needs_bwd ? 2 * one : 0;
  }

  // Host-bound passes: the GPU cannot run faster than the framework dispatches ops. Graph-compiled
  // accelerators (TPU/XLA, Trainium/Neuron, Gaudi graph mode, FPGA dataflow) run a whole compiled
  // step without per-op host dispatch. The TP collectives run in the compute stream between the
  // layer's kernels, so the GPU timeline of a pass is compute + collectives, and a host-bound pass
  // hides them in its idle gaps: pass = (G^k + H^k)^(1/k) with G = compute + collectives and
  // H = n_ops·t_host (efficiency.h dispatch_bound_time_s; max(G, H) as k → ∞); the collectives
  // are reported apart (tp_fwd/tp_bwd), the compute fields hold the rest.
  const double host = c.graph_compiled ? 0.0 : p.host_overhead_s;
  // A host sync splits the forward into two segments that cannot overlap each other's dispatch:
  // the pass is the sum of each segment's combination of GPU and host time.
  auto pass = [&p](double gpu, double host_s) { return dispatch_bound_time_s(gpu, host_s, p); };
  const double f_pass = (f_pre_sync >= 0 && host > 0)
                            ? pass(f_pre_sync + tp_f / 2, ops_pre_sync * host) +
                                  pass(f - f_pre_sync + tp_f / 2, (ops.fwd - ops_pre_sync) * host) -
                                  tp_f
                            : pass(f + tp_f, ops.fwd * host) - tp_f;
  double b_pass = needs_bwd ? pass(b + tp_b, ops.bwd * host) - tp_b : 0.0;
  // Recompute: full re-runs the forward; selective re-runs the attention core.
  if (needs_bwd) {
    if (tr.recompute == Recompute::full) b_pass += f_pass;
    else if (tr.recompute == Recompute::selective) b_pass += t_att;
  }
  r.fwd = f_pass;
  r.bwd = b_pass;
  r.tp_fwd = tp_f;
  r.tp_bwd = tp_b + (needs_bwd && tr.recompute == Recompute::full ? tp_f : 0.0);
  // Context parallel: ring exchange of K and V, overlapped with the attention kernels.
  if (l.cp > 1) {
    const double kv_bytes = T * 2.0 * (m.mla ? c.d.kv_dim : c.d.kv_dim) / tp * c.act_b;
    const double ring = all_gather_s(kv_bytes * l.cp, l.cp, l.tp, c.topo);
    r.cp = std::max(0.0, ring - t_att) + (needs_bwd ? std::max(0.0, 2 * ring - att_b) : 0.0);
  }
  return r;
}

}  // namespace

double step_time_from_breakdown(const EstimateResult::StepBreakdown& b, const Layout& l) {
  const int v = l.schedule == PipelineSchedule::interleaved ? std::max(1, l.vp) : 1;
  const double t_mb = b.forward_s + b.backward_s + b.tp_comm_forward_s + b.tp_comm_backward_s + b.cp_comm_s +
                      b.ep_comm_s + (l.pp > 1 ? 2.0 * v * b.pp_p2p_s : 0.0);
  return schedule_slots(l.schedule, l.pp, b.num_microbatches, v) * t_mb + b.dp_comm_exposed_s + b.optimizer_s;
}

EstimateResult estimate_fixed(const EstimateInput& in) {
  EstimateResult r;
  const auto& m = in.model;
  const auto& tr = in.training;
  const auto& dev = in.device;
  // fp32 GEMMs run on the CUDA cores, with their own ceiling (efficiency.h).
  EfficiencyParams p = in.efficiency;
  if (tr.precision == Precision::fp32 && p.simt_gemm_eff_max > 0) p.gemm_eff_max = p.simt_gemm_eff_max;
  Layout l = in.layout;
  if (l.schedule != PipelineSchedule::interleaved) l.vp = 1;
  if (l.pp == 1) l.vp = 1;
  r.layout = l;
  r.recompute = tr.recompute;

  if (m.kind != ModelKind::decoder) {
    r.error = "model kind not supported yet by the analytic time path (decoder only)";
    return r;
  }
  if (!shape_complete(m)) {
    r.error = "model shape incomplete: need n_layers, d_model, n_heads, seq_len, vocab_size and ffn_dim (or the MoE spec)";
    return r;
  }
  if (in.device_count < 1) {
    r.error = "device_count must be >= 1";
    return r;
  }
  if (!(tr.global_batch_tokens > 0)) {
    r.error = "global_batch_tokens must be > 0";
    return r;
  }
  if (auto err = validate_layout(m, tr, l, in.device_count); !err.empty()) {
    r.error = err;
    return r;
  }
  const auto peak = dev.peak(tr.precision);
  if (!peak || *peak <= 0) {
    r.error = "unknown for " + dev.id + ": peak_flops_" + std::string(to_string(tr.precision));
    return r;
  }
  if (!dev.memory_bandwidth_bytes_per_s) {
    r.error = "unknown for " + dev.id + ": memory_bandwidth_bytes_per_s";
    return r;
  }

  Ctx c;
  c.in = &in;
  c.p = &p;
  c.m = &m;
  c.t = &tr;
  c.l = &l;
  c.d = layer_dims(m);
  bool def_net = false;
  c.topo = make_topology(dev, p, &def_net);
  if (def_net) r.notes.push_back("scale-out or scale-up bandwidth unknown for " + dev.id + ": used the documented default");
  c.peak_gemm = effective_gemm_peak(dev, tr.precision, p);
  c.peak_attn = peak16(dev, tr.precision);
  c.hbm = *dev.memory_bandwidth_bytes_per_s;
  c.bpe_gemm = bytes_per_element(tr.precision);
  c.act_b = activation_bytes(tr.precision);
  c.flash = tr.fused_attention.value_or(fused_attention(dev, tr.precision));
  c.graph_compiled = dev.device_type == "tpu" || dev.device_type == "asic" || dev.device_type == "fpga";
  if (!c.flash)
    r.notes.push_back(tr.fused_attention ? std::string("attention unfused (as given): s×s scores materialised")
                                         : "attention unfused (no FlashAttention for " + std::string(to_string(tr.precision)) +
                                               " on " + dev.id + "): s×s scores materialised");
  c.T = double(l.micro_batch_size) * m.seq_len / l.cp;
  c.n_mb = microbatches(tr, m.seq_len, l);
  c.etp = m.moe ? expert_tp(l) : 1;

  const ParamCount pc = count_params(m);
  bool hint = false;
  const FlopsPerToken fl = flops_per_token(m, tr, &hint);
  r.params = pc.total;
  r.params_active = pc.active;
  r.model_flops_per_token = fl.model;
  r.hardware_flops_per_token = fl.hardware;
  if (tr.recompute == Recompute::full)
    r.hardware_flops_per_token = fl.model + fl.recompute * recompute_layer_fraction(m, tr, l);
  r.recompute_layers = tr.recompute == Recompute::full ? tr.recompute_layers : 0;

  // Per-layer times (dense and MoE layers), then the slowest stage: ⌈l/p⌉ layers of the average
  // kind plus the LM head (last stage) — the first stage's embedding lookup is small.
  const int L = m.n_layers;
  const int n_moe = pc.n_moe_layers, n_dense = L - n_moe;
  auto needs_bwd_share = [&](bool) {
    int cnt = 0;
    for (int i = 0; i < L; ++i) cnt += layer_needs_backward(m, tr, i) ? 1 : 0;
    return double(cnt) / L;
  };
  const double bwd_share = needs_bwd_share(true);
  // a ← w·a + (1 − w)·b over every field.
  auto blend = [](LayerTimes& a, const LayerTimes& b, double w) {
    for (double LayerTimes::*f : {&LayerTimes::fwd, &LayerTimes::bwd, &LayerTimes::tp_fwd, &LayerTimes::tp_bwd,
                                  &LayerTimes::cp, &LayerTimes::ep})
      a.*f = w * (a.*f) + (1 - w) * (b.*f);
  };
  // Block recompute: k of the stage's layers re-run their forward, the others keep activations.
  const double rc_frac = recompute_layer_fraction(m, tr, l);
  TrainingSpec t_none = tr;
  t_none.recompute = Recompute::none;
  auto times = [&](const Ctx& cx, bool moe_layer, bool needs_bwd) {
    LayerTimes t = layer_times(cx, moe_layer, needs_bwd, pc);
    if (needs_bwd && tr.recompute == Recompute::full && rc_frac < 1.0) {
      Ctx cn = cx;
      cn.t = &t_none;
      blend(t, layer_times(cn, moe_layer, true, pc), rc_frac);
    }
    return t;
  };
  LayerTimes dense_t{}, moe_t{}, dense_nb{}, moe_nb{};
  if (n_dense > 0) {
    dense_t = times(c, false, true);
    dense_nb = times(c, false, false);
  }
  if (n_moe > 0) {
    moe_t = times(c, true, true);
    moe_nb = times(c, true, false);
  }
  // 4-bit training keeps the most sensitive linear layers in bf16 (NVIDIA's NVFP4 recipe, arXiv
  // 2509.25149: about 15 % of the network, mostly the last blocks): those layers' GEMMs run at the
  // 16-bit peak without quantization.
  if (tr.precision == Precision::fp4) {
    Ctx ch = c;
    ch.peak_gemm = effective_gemm_peak(dev, Precision::bf16, p);
    ch.bpe_gemm = 2;
    const double w = 1.0 - kFp4HighPrecisionLayerFraction;
    if (n_dense > 0) {
      blend(dense_t, times(ch, false, true), w);
      blend(dense_nb, times(ch, false, false), w);
    }
    if (n_moe > 0) {
      blend(moe_t, times(ch, true, true), w);
      blend(moe_nb, times(ch, true, false), w);
    }
  }
  auto avg = [&](double LayerTimes::*f) {
    const double with_b = (n_dense * (dense_t.*f) + n_moe * (moe_t.*f)) / L;
    const double without = (n_dense * (dense_nb.*f) + n_moe * (moe_nb.*f)) / L;
    return bwd_share * with_b + (1 - bwd_share) * without;
  };
  const int layers_per_stage = (L + l.pp - 1) / l.pp;
  const double ls = layers_per_stage;

  // LM head + loss (last stage): GEMM T×(V/tp)×h, cross-entropy over fp32 logits.
  double head_f = 0, head_b = 0;
  {
    const double V = m.vocab_size;
    const bool lora = tr.lora.has_value();
    // The output layer runs in 16 bits under fp8/fp4 training (Megatron's output layer is outside
    // Transformer Engine's low-precision autocast; the NVFP4 recipe keeps the head in bf16 too).
    Ctx chead = c;
    if (c.bpe_gemm < 2) {
      chead.peak_gemm = c.peak_attn;
      chead.bpe_gemm = 2;
    }
    gemm_fb(chead, c.T, V / l.tp, c.d.h, true, !lora, head_f, head_b);
    const double logits_bytes = c.T * V / l.tp * (c.act_b + 4.0 * 2);
    const double t_loss = memory_time_s(logits_bytes, c.hbm, kElementwiseKernelsHead, p);
    head_f += t_loss;
    head_b += t_loss;
    // embedding lookup and its gradient scatter (first stage; charged here when pp == 1)
    if (l.pp == 1) {
      const double emb = memory_time_s(c.T * c.d.h * c.act_b * 2, c.hbm, 1, p);
      head_f += emb;
      head_b += emb;
    }
  }

  auto& b = r.breakdown;
  b.num_microbatches = microbatches(tr, m.seq_len, l);
  b.forward_s = ls * avg(&LayerTimes::fwd) + head_f;
  b.backward_s = ls * avg(&LayerTimes::bwd) + head_b;
  b.tp_comm_forward_s = ls * avg(&LayerTimes::tp_fwd);
  b.tp_comm_backward_s = ls * avg(&LayerTimes::tp_bwd);
  if (l.tp > 1) {  // LM-head logits all-reduce for the vocab-parallel loss is tiny; the SP gather before it is not
    const double bytes = c.T * c.d.h * c.act_b;
    b.tp_comm_forward_s += all_gather_s(bytes, l.tp, 1, c.topo);
    b.tp_comm_backward_s += reduce_scatter_s(bytes, l.tp, 1, c.topo);
  }
  b.cp_comm_s = ls * avg(&LayerTimes::cp);
  b.ep_comm_s = ls * avg(&LayerTimes::ep);
  if (l.pp > 1) {
    const double bytes = c.T * c.d.h * c.act_b / (l.sequence_parallel ? l.tp : 1);
    const long stage_stride = long(l.tp) * l.cp * l.dp;
    b.pp_p2p_s = p2p_s(bytes, stage_stride * 2 <= c.topo.domain_size, c.topo);
  }

  // Data-parallel gradient sync and parameter gathers. Parameters held per device:
  //   non-expert / (tp · pp), experts / (etp · ep · pp); trainable share for LoRA / frozen layers.
  const double expert_total = n_moe > 0 ? double(n_moe) * m.moe->n_experts * c.d.ffn_mats * c.d.h * m.moe->expert_ffn_dim : 0;
  const double dense_total = pc.total - expert_total;
  const double local_dense = dense_total / (double(l.tp) * l.pp);
  const double local_expert = expert_total / (double(c.etp) * l.ep * l.pp);
  double trainable_share = 1.0;
  if (tr.lora) trainable_share = lora_params(m, *tr.lora) / std::max(1.0, pc.total);
  else if (tr.frozen_layers > 0) trainable_share = std::max(0.0, 1.0 - double(tr.frozen_layers) / L);
  const double gbytes = gradient_reduce_bytes(tr.precision);
  const int dp_dense = l.dp * l.cp;
  const int dp_expert = std::max(1, int(long(l.dp) * l.cp * l.tp / (long(l.ep) * c.etp)));
  const int stride_dense = l.tp;
  const int stride_expert = l.ep * c.etp;
  const double g_dense = local_dense * trainable_share * gbytes;
  const double g_expert = local_expert * trainable_share * gbytes;
  b.dp_gradient_bytes = g_dense + g_expert;
  b.dp_expert_share =
      local_dense + local_expert > 0 ? local_expert / (local_dense + local_expert) : 0;
  const double wbytes = c.act_b;  // 16-bit parameter copies gathered after the optimizer
  const double overlap = tr.overlap_grad_reduce ? p.dp_overlap : 0.0;
  const double fwd_window = b.forward_s * overlap;
  const double bwd_window = b.backward_s * overlap;
  if (l.sharding == Sharding::zero3) {
    // FSDP: every micro-batch gathers the weights forward and backward and reduce-scatters grads.
    const double ag = all_gather_s(local_dense * wbytes, dp_dense, stride_dense, c.topo) +
                      all_gather_s(local_expert * wbytes, dp_expert, stride_expert, c.topo);
    const double rs = reduce_scatter_s(g_dense, dp_dense, stride_dense, c.topo) +
                      reduce_scatter_s(g_expert, dp_expert, stride_expert, c.topo);
    const double per_mb = ag + ag + rs;
    const double exposed = std::max(0.0, ag - fwd_window) + std::max(0.0, ag + rs - bwd_window);
    b.dp_comm_s = per_mb * b.num_microbatches;
    b.dp_comm_exposed_s = exposed * b.num_microbatches;
    b.dp_reduce_s = rs;
    b.dp_gather_s = ag;
    b.dp_param_bytes = (local_dense + local_expert) * wbytes;
  } else if (l.sharding == Sharding::zero1 || l.sharding == Sharding::zero2) {
    const double rs = reduce_scatter_s(g_dense, dp_dense, stride_dense, c.topo) +
                      reduce_scatter_s(g_expert, dp_expert, stride_expert, c.topo);
    const double ag = all_gather_s(local_dense * trainable_share * wbytes, dp_dense, stride_dense, c.topo) +
                      all_gather_s(local_expert * trainable_share * wbytes, dp_expert, stride_expert, c.topo);
    b.dp_comm_s = rs + ag;
    b.dp_comm_exposed_s = std::max(0.0, rs - bwd_window) + std::max(0.0, ag - fwd_window);
    b.dp_reduce_s = rs;
    b.dp_gather_s = ag;
    b.dp_param_bytes = (local_dense + local_expert) * trainable_share * wbytes;
  } else {
    const double ar = all_reduce_s(g_dense, dp_dense, stride_dense, c.topo) +
                      all_reduce_s(g_expert, dp_expert, stride_expert, c.topo);
    b.dp_comm_s = ar;
    b.dp_comm_exposed_s = std::max(0.0, ar - bwd_window);
    b.dp_reduce_s = ar;
  }

  // Optimizer (Adam, mixed precision): per trainable local parameter read/write fp32 master,
  // m, v (24 B), read the fp32 gradient (4 B), write the 16-bit copy (2 B), plus the loss-scaler's
  // overflow check / unscale pass over the gradients (4 B read; fp16 adds an unscale write, 4 B).
  {
    double per_param = 30 + 4 + (tr.precision == Precision::fp16 ? 4 : 0);
    if (tr.precision == Precision::fp32 || tr.precision == Precision::tf32) per_param = 28;
    double local = (local_dense + local_expert) * trainable_share;
    if (l.sharding != Sharding::none) local /= std::max(1, dp_dense);
    b.optimizer_s = memory_time_s(local * per_param, c.hbm, 4, p);
  }

  r.step_time_s = step_time_from_breakdown(b, l);
  r.pipeline_bubble_fraction = bubble_fraction(l.schedule, l.pp, b.num_microbatches, l.vp);
  r.exposed_comm_s_per_step = b.dp_comm_exposed_s +
                              schedule_slots(l.schedule, l.pp, b.num_microbatches, l.vp) *
                                  (b.tp_comm_forward_s + b.tp_comm_backward_s + b.cp_comm_s + b.ep_comm_s);
  const double d = in.device_count;
  const double tokens_per_step = double(b.num_microbatches) * l.micro_batch_size * l.dp * m.seq_len;
  r.tokens_per_s_per_gpu = tokens_per_step / r.step_time_s / d;
  r.mfu = r.tokens_per_s_per_gpu * r.model_flops_per_token / *peak;
  r.achieved_flops_per_s_per_device = r.tokens_per_s_per_gpu * r.hardware_flops_per_token;
  const double compute_s = double(b.num_microbatches) * (b.forward_s + b.backward_s);
  r.parallel_efficiency = std::clamp(compute_s / r.step_time_s, 0.0, 1.0);

  const double goodput = in.goodput > 0 ? std::min(1.0, in.goodput) : 1.0;
  if (tr.training_tokens > 0) {
    r.training_time_s = tr.training_tokens / (r.tokens_per_s_per_gpu * d) / goodput;
    r.wall_time_h = r.training_time_s / 3600;
    r.gpu_hours = r.wall_time_h * d;
    const double busy = busy_fraction(r.parallel_efficiency, goodput);
    EnergyOptions eo;
    eo.pue = in.costs.pue > 0 ? in.costs.pue : 1.0;
    const EnergyResult er = training_energy(dev, in.device_count, r.training_time_s, busy, eo);
    r.energy_known = er.ok;
    if (er.ok) r.energy_mwh = er.energy_mwh;
    else {
      r.energy_why_unknown = er.error;
      r.notes.push_back("energy: " + er.error);
    }
    r.cost_usd = r.gpu_hours * in.costs.usd_per_gpu_hour + er.energy_kwh * in.costs.electricity_usd_per_kwh;
  }

  r.memory = memory_per_device(m, tr, l, dev);
  if (hint) r.notes.push_back("FLOPs from the published parameter count (6N rule): shape incomplete");
  r.ok = std::isfinite(r.step_time_s) && r.step_time_s > 0;
  if (!r.ok) r.error = "step time is not finite (internal)";
  return r;
}

EstimateResult estimate(const EstimateInput& in) {
  if (in.auto_layout) return search_layout(in);
  return estimate_fixed(in);
}

}  // namespace flopcast::models
