// Discrete-event simulation engine: the kernel every simulation in flopcast runs on.
//
// Model: a single clock `now()` in integer ticks (SimTime, 1 tick = 1 ns). Events are callbacks
// scheduled at an absolute time; they run in order of (time, sequence number), the sequence
// number being the order in which they were scheduled, so two runs that schedule the same events
// in the same order produce byte-identical results (no dependence on addresses or hash order).
// Event ordering by (time, uid) follows ns-3 (src/core/model/simulator.h).
//
// Queue: an implicit 4-ary min-heap of 24-byte entries (time, seq, slot, generation). Callbacks live in a
// slot array reused through a free list, so the heap moves only small keys. A 4-ary heap halves
// the depth of a binary heap and keeps the four children of a node in one cache line.
//
// Cancellation: by handle (slot, generation). A cancelled event stays in the heap and is dropped
// when it reaches the top (lazy deletion); pending() excludes it at once.
//
// Ignores: wall-clock time, threads (one engine = one thread; run many engines for many seeds).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace flopcast::simulator {

using SimTime = std::int64_t;  // ns
inline constexpr SimTime kTicksPerSecond = 1'000'000'000;
inline constexpr SimTime kSimTimeMax = std::numeric_limits<SimTime>::max();

// Seconds -> ticks, rounded to the nearest ns; negative or non-finite input is an error.
SimTime from_seconds(double seconds);
inline double to_seconds(SimTime t) { return static_cast<double>(t) / kTicksPerSecond; }

// A small move-only callable `void()` with 48 bytes of inline storage (bigger captures go to the
// heap). Move-only so callbacks may own resources (unique_ptr captures).
class Callback {
 public:
  Callback() = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Callback>>>
  Callback(F&& f) {  // NOLINT(google-explicit-constructor): implicit from lambdas by design
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<Fn>) {
      ::new (static_cast<void*>(buf_)) Fn(std::forward<F>(f));
      ops_ = &inline_ops<Fn>;
    } else {
      *reinterpret_cast<Fn**>(buf_) = new Fn(std::forward<F>(f));
      ops_ = &heap_ops<Fn>;
    }
  }
  Callback(Callback&& o) noexcept : ops_(o.ops_) {
    if (ops_) ops_->move(buf_, o.buf_), o.ops_ = nullptr;
  }
  Callback& operator=(Callback&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      if (ops_) ops_->move(buf_, o.buf_), o.ops_ = nullptr;
    }
    return *this;
  }
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;
  ~Callback() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  void operator()() { ops_->call(buf_); }
  void reset() {
    if (ops_) ops_->destroy(buf_), ops_ = nullptr;
  }

 private:
  static constexpr std::size_t kInline = 48;
  struct Ops {
    void (*call)(void*);
    void (*move)(void* dst, void* src);  // move-construct into dst, destroy src
    void (*destroy)(void*);
  };
  template <class Fn>
  static constexpr Ops inline_ops = {
      [](void* p) { (*static_cast<Fn*>(p))(); },
      [](void* d, void* s) {
        ::new (d) Fn(std::move(*static_cast<Fn*>(s)));
        static_cast<Fn*>(s)->~Fn();
      },
      [](void* p) { static_cast<Fn*>(p)->~Fn(); }};
  template <class Fn>
  static constexpr Ops heap_ops = {
      [](void* p) { (**static_cast<Fn**>(p))(); },
      [](void* d, void* s) { std::memcpy(d, s, sizeof(Fn*)); },
      [](void* p) { delete *static_cast<Fn**>(p); }};

  alignas(std::max_align_t) unsigned char buf_[kInline];
  const Ops* ops_ = nullptr;
};

// A generic 4-ary min-heap over a totally ordered key type (exposed for the benchmark).
template <class T, class Less = std::less<T>>
class QuadHeap {
 public:
  bool empty() const { return v_.empty(); }
  std::size_t size() const { return v_.size(); }
  const T& top() const { return v_.front(); }
  void reserve(std::size_t n) { v_.reserve(n); }
  void clear() { v_.clear(); }
  void push(const T& x) {
    std::size_t i = v_.size();
    v_.push_back(x);
    while (i > 0) {
      const std::size_t parent = (i - 1) >> 2;
      if (!less_(x, v_[parent])) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = x;
  }
  void pop() {
    const T last = v_.back();
    v_.pop_back();
    const std::size_t n = v_.size();
    if (n == 0) return;
    std::size_t i = 0;
    for (;;) {
      const std::size_t c = 4 * i + 1;
      if (c >= n) break;
      std::size_t best = c;
      const std::size_t end = c + 4 < n ? c + 4 : n;
      for (std::size_t k = c + 1; k < end; ++k)
        if (less_(v_[k], v_[best])) best = k;
      if (!less_(v_[best], last)) break;
      v_[i] = v_[best];
      i = best;
    }
    v_[i] = last;
  }

 private:
  std::vector<T> v_;
  [[no_unique_address]] Less less_;
};

// Identifies one scheduled event; stale after it ran or was cancelled (generation check).
struct EventHandle {
  std::uint32_t slot = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t generation = 0;
  bool valid() const { return slot != std::numeric_limits<std::uint32_t>::max(); }
};

class Engine {
 public:
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Schedule `cb` at absolute time t (t >= now(), else std::invalid_argument).
  EventHandle schedule_at(SimTime t, Callback cb);
  // Schedule `cb` dt ticks from now (dt >= 0).
  EventHandle schedule_in(SimTime dt, Callback cb) { return schedule_at(now_ + dt, std::move(cb)); }
  // Cancel a pending event; false when it already ran, was cancelled, or the handle is empty.
  bool cancel(EventHandle h);
  bool is_pending(EventHandle h) const;

  SimTime now() const { return now_; }
  std::uint64_t events_processed() const { return processed_; }  // callbacks run so far
  std::uint64_t events_scheduled() const { return next_seq_; }
  std::size_t pending() const { return live_; }  // scheduled, not yet run, not cancelled
  bool empty() const { return live_ == 0; }
  SimTime next_time() const;  // kSimTimeMax when nothing is pending

  // Run the next event; false when none is pending.
  bool step();
  // Run until no event is pending, stop() is called, or the cancel flag is set. Returns events run.
  std::uint64_t run();
  // Run every event with time <= t, then set now() to t (when not stopped earlier). Returns events run.
  std::uint64_t run_until(SimTime t);
  // Ask run()/run_until() to return after the current event.
  void stop() { stop_ = true; }
  bool stopped() const { return stop_; }
  // Polled every 4096 events; when it reads true, run()/run_until() return (cancelled() is true).
  void set_cancel_flag(const std::atomic<bool>* flag) { cancel_flag_ = flag; }
  bool cancelled() const { return cancelled_; }

  void reserve(std::size_t events);

 private:
  // Heap entry: ordered by (time, seq); slot + generation locate the callback.
  struct Entry {
    SimTime time;
    std::uint64_t seq;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct EntryLess {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.time < b.time || (a.time == b.time && a.seq < b.seq);
    }
  };
  struct Slot {
    Callback cb;
    std::uint32_t generation = 0;
    bool live = false;
  };

  void drop_dead_top();
  bool poll_cancel();

  QuadHeap<Entry, EntryLess> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  SimTime now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t processed_ = 0;
  std::size_t live_ = 0;
  bool stop_ = false;
  bool cancelled_ = false;
  const std::atomic<bool>* cancel_flag_ = nullptr;
};

}  // namespace flopcast::simulator
