// Flows on a network of links, bandwidth shared max-min fairly, driven by the Engine.
//
// Model (the fluid model of SimGrid's LMM solver, simgrid/src/kernel/lmm/System.hpp, restricted to
// unit weights): each directed link has a capacity C_l in bytes/s; an active flow f crosses the
// links of its route and gets rate r_f. Rates are the max-min fair allocation, computed by
// progressive filling: repeatedly take the link with the smallest fair share
//   s_l = (C_l − Σ rates already fixed on l) / (number of unfixed flows on l),
// fix every unfixed flow on it at s_l, subtract, and continue until all flows are fixed (the links
// wait in a heap ordered by share, so one recomputation over L links and F flows of R hops costs
// O((L + F·R) log L)).
// Rates are recomputed when flows start or end, over the connected components of flows that share
// links with them (flows elsewhere keep their rates: max-min allocations of disjoint components are
// independent, so each component is filled on its own, with a heap of its own links), once per
// instant: every start and end at one simulated time (a collective starts all its flows at once,
// and symmetric ones end together) is gathered into one recomputation, which runs after the events
// already queued for that time. No time passes in between, so no byte moves at a rate that is not
// the max-min allocation of the flows active then. Between recomputations rates are constant, so
// each flow's end time is exact up to the 1 ns tick (rounded up). The flows of one recomputation
// that end at the same tick share one engine event and finish in flow-id order, as separate events
// with consecutive sequence numbers would; a flow whose end moves goes stale in its old batch.
//
// A flow's latency (Σ link latencies of its route) is added once, before its bytes start to
// move (store-and-forward of the first packet; pipelining inside a flow is not modelled).
// Ignores: packet-level effects (congestion control, incast, head-of-line blocking), link
// failures, protocol overheads (put them into the effective capacities).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>

#include "simulator/engine.h"

namespace flopcast::simulator {

using LinkId = std::uint32_t;
using FlowId = std::uint32_t;

class FlowNetwork {
 public:
  explicit FlowNetwork(Engine& engine) : engine_(engine) {}

  // A directed link; capacity > 0 (bytes/s), latency >= 0.
  LinkId add_link(double capacity_bytes_per_s, SimTime latency = 0);
  std::size_t link_count() const { return links_.size(); }
  double capacity(LinkId l) const { return links_[l].capacity; }

  // Start moving `bytes` along `route` (link ids in order); `on_done` runs when the last byte
  // arrives. An empty route or 0 bytes completes after the route latency only.
  FlowId start_flow(std::span<const LinkId> route, double bytes, Callback on_done);
  FlowId start_flow(std::initializer_list<LinkId> route, double bytes, Callback on_done) {
    return start_flow(std::span<const LinkId>(route.begin(), route.size()), bytes,
                      std::move(on_done));
  }

  // Current rate of an active flow (bytes/s); 0 when it is not moving (yet). A flow started at the
  // current time has its rate once the engine has run that instant's events (e.g. run_until(now)).
  double rate(FlowId f) const { return flows_[f].rate; }
  std::size_t active_flows() const { return active_; }
  std::uint64_t flows_started() const { return started_; }
  std::uint64_t rate_recomputations() const { return recomputes_; }

  // Bytes carried by a link so far (flows count when they complete, plus the settled part of
  // active flows at the last recomputation).
  double bytes_carried(LinkId l) const { return links_[l].bytes_carried; }
  // Time-integral of "link has at least one active flow", for utilisation.
  SimTime busy_time(LinkId l) const { return links_[l].busy_ticks; }

 private:
  struct Link {
    double capacity = 0;
    SimTime latency = 0;
    std::vector<FlowId> flows;  // active flows crossing the link
    double bytes_carried = 0;
    SimTime busy_ticks = 0;
    SimTime busy_since = 0;
    // scratch for progressive filling
    double residual = 0;
    int unfixed = 0;
    std::uint32_t mark = 0;
  };
  struct Flow {
    std::vector<LinkId> route;
    double remaining = 0;
    double rate = 0;
    double new_rate = 0;  // scratch: the rate being computed
    SimTime last_update = 0;
    bool done_pending = false;   // a completion is scheduled (in a batch)
    std::uint32_t done_ver = 0;  // bumped when that completion is replaced or runs
    Callback on_done;
    bool active = false;
    bool fixed = false;
    std::uint32_t mark = 0;
  };

  void activate(FlowId f);
  void finish(FlowId f);
  void recompute_from(const std::vector<LinkId>& seeds);
  void settle(Flow& fl);
  void run_batch(std::uint32_t b);
  void request_recompute();  // one recomputation over dirty_ at the current time

  Engine& engine_;
  std::vector<Link> links_;
  std::vector<Flow> flows_;
  std::vector<FlowId> free_flows_;
  std::size_t active_ = 0;
  std::uint64_t started_ = 0;
  std::uint64_t recomputes_ = 0;
  std::uint32_t epoch_ = 0;
  // scratch
  std::vector<FlowId> comp_flows_;
  std::vector<LinkId> comp_links_;
  std::vector<LinkId> stack_;
  std::vector<LinkId> seeds_;
  std::vector<std::pair<std::size_t, std::size_t>>
      comp_bounds_;                              // (first link, first flow) of each component
  std::vector<std::pair<double, LinkId>> heap_;  // (share when pushed, link)
  // Completions: the flows of one recomputation that end at the same tick share one engine event
  // (a batch), finished in flow-id order, as their separate events would have run (consecutive
  // sequence numbers, nothing between them). A replaced completion stays in its batch, stale.
  std::vector<std::vector<std::pair<FlowId, std::uint32_t>>> batches_;
  std::vector<std::uint32_t> free_batches_;
  std::vector<std::pair<SimTime, FlowId>> ends_;  // scratch: (end tick, flow) of one recomputation
  std::vector<LinkId> dirty_;  // links of flows started or ended since the last recomputation
  bool recompute_pending_ = false;
};

}  // namespace flopcast::simulator
