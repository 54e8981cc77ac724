#include "simulator/flow_network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace flopcast::simulator {

LinkId FlowNetwork::add_link(double capacity_bytes_per_s, SimTime latency) {
  if (!(capacity_bytes_per_s > 0) || !std::isfinite(capacity_bytes_per_s))
    throw std::invalid_argument("simulator: link capacity must be a finite number > 0 bytes/s");
  if (latency < 0) throw std::invalid_argument("simulator: link latency must be >= 0");
  Link l;
  l.capacity = capacity_bytes_per_s;
  l.latency = latency;
  links_.push_back(std::move(l));
  return static_cast<LinkId>(links_.size() - 1);
}

FlowId FlowNetwork::start_flow(std::span<const LinkId> route, double bytes, Callback on_done) {
  if (!(bytes >= 0) || !std::isfinite(bytes))
    throw std::invalid_argument("simulator: flow size must be finite and >= 0 bytes");
  SimTime latency = 0;
  for (LinkId l : route) {
    if (l >= links_.size()) throw std::out_of_range("simulator: flow route names an unknown link");
    latency += links_[l].latency;
  }
  FlowId f;
  if (!free_flows_.empty()) {
    f = free_flows_.back();
    free_flows_.pop_back();
  } else {
    f = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
  }
  Flow& fl = flows_[f];
  fl.route.assign(route.begin(), route.end());
  fl.remaining = bytes;
  fl.rate = 0;
  fl.on_done = std::move(on_done);
  fl.active = false;
  ++started_;
  if (bytes == 0 || route.empty()) {
    engine_.schedule_in(latency, [this, f] {
      Callback cb = std::move(flows_[f].on_done);
      free_flows_.push_back(f);
      if (cb) cb();
    });
    return f;
  }
  if (latency > 0)
    engine_.schedule_in(latency, [this, f] { activate(f); });
  else
    activate(f);
  return f;
}

void FlowNetwork::activate(FlowId f) {
  Flow& fl = flows_[f];
  fl.active = true;
  fl.last_update = engine_.now();
  ++active_;
  for (LinkId l : fl.route) {
    Link& lk = links_[l];
    if (lk.flows.empty()) lk.busy_since = engine_.now();
    lk.flows.push_back(f);
  }
  dirty_.insert(dirty_.end(), fl.route.begin(), fl.route.end());
  request_recompute();
}

void FlowNetwork::request_recompute() {
  if (recompute_pending_) return;
  recompute_pending_ = true;
  engine_.schedule_in(0, [this] {
    recompute_pending_ = false;
    seeds_.swap(dirty_);
    dirty_.clear();
    recompute_from(seeds_);
  });
}

void FlowNetwork::settle(Flow& fl) {
  const SimTime now = engine_.now();
  if (now > fl.last_update && fl.rate > 0) {
    const double moved = std::min(fl.remaining, fl.rate * to_seconds(now - fl.last_update));
    fl.remaining -= moved;
    for (LinkId l : fl.route) links_[l].bytes_carried += moved;
  }
  fl.last_update = now;
}

void FlowNetwork::finish(FlowId f) {
  Flow& fl = flows_[f];
  settle(fl);
  // Whatever is left is below one tick of transfer: count it as carried.
  for (LinkId l : fl.route) links_[l].bytes_carried += fl.remaining;
  fl.remaining = 0;
  fl.active = false;
  fl.rate = 0;
  --active_;
  for (LinkId l : fl.route) {
    Link& lk = links_[l];
    auto it = std::find(lk.flows.begin(), lk.flows.end(), f);
    *it = lk.flows.back();
    lk.flows.pop_back();
    if (lk.flows.empty()) lk.busy_ticks += engine_.now() - lk.busy_since;
  }
  dirty_.insert(dirty_.end(), fl.route.begin(), fl.route.end());
  Callback cb = std::move(fl.on_done);
  free_flows_.push_back(f);
  request_recompute();
  if (cb) cb();
}

void FlowNetwork::run_batch(std::uint32_t b) {
  for (std::size_t i = 0; i < batches_[b].size(); ++i) {  // by index: a callback may start flows
    const auto [f, ver] = batches_[b][i];
    Flow& fl = flows_[f];
    if (!fl.done_pending || fl.done_ver != ver) continue;  // replaced by a later completion
    fl.done_pending = false;
    ++fl.done_ver;
    finish(f);
  }
  batches_[b].clear();
  free_batches_.push_back(b);
}

void FlowNetwork::recompute_from(const std::vector<LinkId>& seeds) {
  ++recomputes_;
  ++epoch_;
  if (epoch_ == 0) {  // wrapped: clear marks
    for (auto& l : links_) l.mark = 0;
    for (auto& fl : flows_) fl.mark = 0;
    epoch_ = 1;
  }
  comp_flows_.clear();
  comp_links_.clear();
  comp_bounds_.clear();
  // Connected components of links <-> active flows reached from the seeds, one after another:
  // comp_bounds_ holds where each one's links and flows begin (max-min allocations of disjoint
  // components are independent, so each is filled on its own, with a heap of its own links only).
  for (LinkId seed : seeds) {
    if (links_[seed].mark == epoch_) continue;
    links_[seed].mark = epoch_;
    comp_bounds_.push_back({comp_links_.size(), comp_flows_.size()});
    stack_.clear();
    stack_.push_back(seed);
    while (!stack_.empty()) {
      const LinkId l = stack_.back();
      stack_.pop_back();
      comp_links_.push_back(l);
      for (FlowId f : links_[l].flows) {
        Flow& fl = flows_[f];
        if (fl.mark == epoch_) continue;
        fl.mark = epoch_;
        comp_flows_.push_back(f);
        for (LinkId l2 : fl.route)
          if (links_[l2].mark != epoch_) links_[l2].mark = epoch_, stack_.push_back(l2);
      }
    }
  }
  if (comp_flows_.empty()) return;
  comp_bounds_.push_back({comp_links_.size(), comp_flows_.size()});
  for (FlowId f : comp_flows_) {
    settle(flows_[f]);
    flows_[f].fixed = false;
    flows_[f].new_rate = flows_[f].rate;
  }
  for (LinkId l : comp_links_) {
    Link& lk = links_[l];
    lk.residual = lk.capacity;
    lk.unfixed = static_cast<int>(lk.flows.size());
  }
  // Progressive filling of each component, smallest fair share first from a heap. A link's share
  // never falls as flows are fixed (fixing flows at share s ≤ s_l on link l leaves
  // (R − s)/(u − 1) ≥ R/u), so a heap entry's key is a lower bound of its link's share: a popped
  // entry whose link's share has grown goes back in with the new share, and one that still holds is
  // the smallest. Ties go to the lower link id, so the order is deterministic.
  using Entry = std::pair<double, LinkId>;
  auto later = [](const Entry& a, const Entry& b) { return a > b; };
  auto share_of = [](const Link& lk) { return std::max(0.0, lk.residual) / lk.unfixed; };
  for (std::size_t c = 0; c + 1 < comp_bounds_.size(); ++c) {
    const auto [link_begin, flow_begin] = comp_bounds_[c];
    const auto [link_end, flow_end] = comp_bounds_[c + 1];
    std::size_t left = flow_end - flow_begin;
    if (left == 0) continue;
    heap_.clear();
    for (std::size_t i = link_begin; i < link_end; ++i)
      if (links_[comp_links_[i]].unfixed > 0)
        heap_.emplace_back(share_of(links_[comp_links_[i]]), comp_links_[i]);
    std::make_heap(heap_.begin(), heap_.end(), later);
    while (left > 0 && !heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), later);
      const auto [key, best_link] = heap_.back();
      heap_.pop_back();
      const Link& bl = links_[best_link];
      if (bl.unfixed == 0) continue;
      const double best = share_of(bl);
      if (best > key) {
        heap_.emplace_back(best, best_link);
        std::push_heap(heap_.begin(), heap_.end(), later);
        continue;
      }
      for (FlowId f : bl.flows) {
        Flow& fl = flows_[f];
        if (fl.fixed) continue;
        fl.fixed = true;
        fl.new_rate = best;
        --left;
        for (LinkId l2 : fl.route) {
          links_[l2].residual -= best;
          --links_[l2].unfixed;
        }
      }
    }
  }
  // New end times, grouped by tick into one engine event each, in flow-id order within a tick
  // (whatever order the components were found in).
  std::sort(comp_flows_.begin(), comp_flows_.end());
  ends_.clear();
  for (FlowId f : comp_flows_) {
    Flow& fl = flows_[f];
    const bool changed = fl.new_rate != fl.rate;
    fl.rate = fl.new_rate;
    if (fl.done_pending && !changed) continue;
    if (fl.done_pending) ++fl.done_ver;  // the scheduled completion goes stale
    fl.done_pending = true;
    const double ticks = std::ceil(fl.remaining / fl.rate * static_cast<double>(kTicksPerSecond));
    ends_.emplace_back(engine_.now() + static_cast<SimTime>(ticks), f);
  }
  std::stable_sort(ends_.begin(), ends_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < ends_.size();) {
    std::uint32_t b;
    if (!free_batches_.empty()) {
      b = free_batches_.back();
      free_batches_.pop_back();
    } else {
      b = static_cast<std::uint32_t>(batches_.size());
      batches_.emplace_back();
    }
    const SimTime t = ends_[i].first;
    for (; i < ends_.size() && ends_[i].first == t; ++i)
      batches_[b].emplace_back(ends_[i].second, flows_[ends_[i].second].done_ver);
    engine_.schedule_at(t, [this, b] { run_batch(b); });
  }
}

}  // namespace flopcast::simulator
