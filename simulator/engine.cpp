#include "simulator/engine.h"

#include <cmath>
#include <string>

namespace flopcast::simulator {

SimTime from_seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    throw std::invalid_argument("simulator: duration must be finite and >= 0 s, got " +
                                std::to_string(seconds));
  const double ticks = std::round(seconds * static_cast<double>(kTicksPerSecond));
  if (ticks >= 9.2e18) throw std::invalid_argument("simulator: duration beyond 292 years");
  return static_cast<SimTime>(ticks);
}

void Engine::reserve(std::size_t events) {
  heap_.reserve(events);
  slots_.reserve(events);
  free_.reserve(events);
}

EventHandle Engine::schedule_at(SimTime t, Callback cb) {
  if (t < now_)
    throw std::invalid_argument("simulator: event scheduled in the past (t=" + std::to_string(t) +
                                " ns < now=" + std::to_string(now_) + " ns)");
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.cb = std::move(cb);
  s.live = true;
  heap_.push(Entry{t, next_seq_++, slot, s.generation});
  ++live_;
  return EventHandle{slot, s.generation};
}

bool Engine::is_pending(EventHandle h) const {
  return h.valid() && h.slot < slots_.size() && slots_[h.slot].live &&
         slots_[h.slot].generation == h.generation;
}

bool Engine::cancel(EventHandle h) {
  if (!is_pending(h)) return false;
  Slot& s = slots_[h.slot];
  s.live = false;
  s.cb.reset();
  // The slot is freed when its heap entry surfaces (lazy deletion), so the generation in the
  // heap entry still identifies it.
  --live_;
  return true;
}

void Engine::drop_dead_top() {
  while (!heap_.empty()) {
    const Entry& e = heap_.top();
    Slot& s = slots_[e.slot];
    if (s.live && s.generation == e.generation) return;
    // dead entry: recycle its slot
    ++s.generation;
    free_.push_back(e.slot);
    heap_.pop();
  }
}

SimTime Engine::next_time() const {
  const_cast<Engine*>(this)->drop_dead_top();
  return heap_.empty() ? kSimTimeMax : heap_.top().time;
}

bool Engine::step() {
  drop_dead_top();
  if (heap_.empty()) return false;
  const Entry e = heap_.top();
  heap_.pop();
  Slot& s = slots_[e.slot];
  Callback cb = std::move(s.cb);
  s.live = false;
  ++s.generation;
  free_.push_back(e.slot);
  --live_;
  now_ = e.time;
  ++processed_;
  cb();
  return true;
}

bool Engine::poll_cancel() {
  if (cancel_flag_ && (processed_ & 4095) == 0 && cancel_flag_->load(std::memory_order_relaxed)) {
    cancelled_ = true;
    return true;
  }
  return false;
}

std::uint64_t Engine::run() {
  stop_ = false;
  const std::uint64_t start = processed_;
  while (!stop_ && !poll_cancel() && step()) {
  }
  return processed_ - start;
}

std::uint64_t Engine::run_until(SimTime t) {
  stop_ = false;
  const std::uint64_t start = processed_;
  while (!stop_ && !poll_cancel()) {
    drop_dead_top();
    if (heap_.empty() || heap_.top().time > t) break;
    step();
  }
  if (!stop_ && !cancelled_ && t > now_) now_ = t;
  return processed_ - start;
}

}  // namespace flopcast::simulator
