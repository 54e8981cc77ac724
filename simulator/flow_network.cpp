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

FlowId FlowNetwork::start_flow(const std::vector<LinkId>& route, double bytes, Callback on_done) {
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
  fl.route = route;
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

void FlowNetwork::schedule_done(FlowId f) {
  Flow& fl = flows_[f];
  if (fl.done.valid()) engine_.cancel(fl.done);
  const double secs = fl.remaining / fl.rate;
  const double ticks = std::ceil(secs * static_cast<double>(kTicksPerSecond));
  fl.done = engine_.schedule_in(static_cast<SimTime>(ticks), [this, f] {
    flows_[f].done = EventHandle{};
    finish(f);
  });
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
  stack_.clear();
  for (LinkId l : seeds)
    if (links_[l].mark != epoch_) links_[l].mark = epoch_, stack_.push_back(l);
  // Connected component of links <-> active flows.
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
  if (comp_flows_.empty()) return;
  // Deterministic order regardless of discovery order.
  std::sort(comp_flows_.begin(), comp_flows_.end());
  std::sort(comp_links_.begin(), comp_links_.end());
  std::vector<double>& old_rate = old_rate_;
  old_rate.clear();
  for (FlowId f : comp_flows_) {
    settle(flows_[f]);
    old_rate.push_back(flows_[f].rate);
    flows_[f].fixed = false;
  }
  for (LinkId l : comp_links_) {
    Link& lk = links_[l];
    lk.residual = lk.capacity;
    lk.unfixed = static_cast<int>(lk.flows.size());
  }
  // Progressive filling, smallest fair share first from a heap. A link's share never falls as flows
  // are fixed (fixing flows at share s ≤ s_l on link l leaves (R − s)/(u − 1) ≥ R/u), so a heap
  // entry's key is a lower bound of its link's share: a popped entry whose link's share has grown
  // goes back in with the new share, and one that still holds is the smallest. Ties go to the lower
  // link id, so the order is deterministic.
  using Entry = std::pair<double, LinkId>;
  auto later = [](const Entry& a, const Entry& b) { return a > b; };
  auto share_of = [](const Link& lk) { return std::max(0.0, lk.residual) / lk.unfixed; };
  heap_.clear();
  for (LinkId l : comp_links_)
    if (links_[l].unfixed > 0) heap_.emplace_back(share_of(links_[l]), l);
  std::make_heap(heap_.begin(), heap_.end(), later);
  std::size_t left = comp_flows_.size();
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
      fl.rate = best;
      --left;
      for (LinkId l2 : fl.route) {
        links_[l2].residual -= best;
        --links_[l2].unfixed;
      }
    }
  }
  for (std::size_t i = 0; i < comp_flows_.size(); ++i) {
    const FlowId f = comp_flows_[i];
    const Flow& fl = flows_[f];
    if (!fl.done.valid() || fl.rate != old_rate[i]) schedule_done(f);
  }
}

}  // namespace flopcast::simulator
