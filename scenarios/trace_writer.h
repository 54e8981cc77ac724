// Chrome-trace / Perfetto JSON of a simulated iteration: a track per device (its forward,
// backward, gradient-bucket, optimizer and parameter-gather spans) and a track per link (the
// flows that crossed it). Opens in https://ui.perfetto.dev and chrome://tracing.
//
// Format: the Trace Event Format's JSON object form {"traceEvents": [...]}, complete events
// ("ph": "X", ts/dur in microseconds) plus "M" metadata naming processes and threads
// (process 1 "devices", one thread per GPU; process 2 "links", one thread per link).
// The simulator keeps the timeline in memory; this file is the only place it is written.
#pragma once

#include <cstddef>
#include <string>

#include "simulator/iteration.h"

namespace flopcast::scenarios {

struct TraceOptions {
  std::size_t max_events = 4'000'000;  // events beyond this are left out (a note says how many)
};

// The trace JSON text (deterministic: same result, same bytes).
std::string chrome_trace_json(const simulator::IterationResult& result, const TraceOptions& options = {});

// Writes chrome_trace_json() atomically. Returns "" or a one-line error naming the path.
std::string write_chrome_trace(const std::string& path, const simulator::IterationResult& result,
                               const TraceOptions& options = {});

}  // namespace flopcast::scenarios
