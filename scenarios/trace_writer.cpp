#include "scenarios/trace_writer.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "scenarios/atomic_file.h"

namespace flopcast::scenarios {

namespace {

void append_us(std::string& out, simulator::SimTime ns) {
  // ns -> µs with 3 decimals, exact (integer arithmetic, no locale).
  char buf[40];
  const long long v = ns;
  std::snprintf(buf, sizeof buf, "%lld.%03lld", v / 1000, v % 1000);
  out += buf;
}

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o += c;
  }
  return o;
}

}  // namespace

std::string chrome_trace_json(const simulator::IterationResult& r, const TraceOptions& opt) {
  using simulator::OpKind;
  std::string out;
  out.reserve(1 << 20);
  out += "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  auto sep = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  std::size_t events = 0, dropped = 0;
  sep();
  out += R"({"ph":"M","pid":1,"name":"process_name","args":{"name":"devices"}})";
  sep();
  out += R"({"ph":"M","pid":2,"name":"process_name","args":{"name":"links"}})";
  const int tp = std::max(1, r.tp);
  const int workers = r.workers;
  const int dp = [&] {
    int m = 0;
    for (int d : r.worker_d) m = std::max(m, d + 1);
    return std::max(1, m);
  }();
  auto gpu_of = [&](int w, int t) { return t + tp * (r.worker_d[static_cast<std::size_t>(w)] + dp * r.worker_p[static_cast<std::size_t>(w)]); };
  for (int w = 0; w < workers; ++w)
    for (int t = 0; t < tp; ++t) {
      const int g = gpu_of(w, t);
      sep();
      out += "{\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(g) +
             ",\"name\":\"thread_name\",\"args\":{\"name\":\"gpu" + std::to_string(g) + " (d" +
             std::to_string(r.worker_d[static_cast<std::size_t>(w)]) + " p" +
             std::to_string(r.worker_p[static_cast<std::size_t>(w)]) + " t" + std::to_string(t) + ")\"}}";
    }
  static const char* names[] = {"F", "B", "dp-bucket", "optimizer", "param-gather", "p2p"};
  for (const auto& rec : r.records) {
    if (rec.worker < 0) continue;
    std::string name = names[static_cast<int>(rec.kind)];
    if (rec.kind == OpKind::forward || rec.kind == OpKind::backward)
      name += " mb" + std::to_string(rec.microbatch) + (rec.chunk ? " c" + std::to_string(rec.chunk) : "");
    else if (rec.kind == OpKind::dp_bucket)
      name += " " + std::to_string(rec.microbatch);
    for (int t = 0; t < tp; ++t) {
      if (events >= opt.max_events) {
        ++dropped;
        continue;
      }
      ++events;
      sep();
      out += "{\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(gpu_of(rec.worker, t)) + ",\"name\":\"" + name + "\",\"ts\":";
      append_us(out, rec.start);
      out += ",\"dur\":";
      append_us(out, rec.end - rec.start);
      out += "}";
    }
  }
  std::set<simulator::LinkId> used;
  for (const auto& f : r.flow_records)
    for (auto l : f.route) used.insert(l);
  for (auto l : used) {
    sep();
    const std::string nm = l < r.link_names.size() ? r.link_names[l] : "link" + std::to_string(l);
    out += "{\"ph\":\"M\",\"pid\":2,\"tid\":" + std::to_string(l) + ",\"name\":\"thread_name\",\"args\":{\"name\":\"" +
           escape(nm) + "\"}}";
  }
  for (std::size_t i = 0; i < r.flow_records.size(); ++i) {
    const auto& f = r.flow_records[i];
    for (auto l : f.route) {
      if (events >= opt.max_events) {
        ++dropped;
        continue;
      }
      ++events;
      sep();
      out += "{\"ph\":\"X\",\"pid\":2,\"tid\":" + std::to_string(l) + ",\"name\":\"flow " + std::to_string(i) + "\",\"ts\":";
      append_us(out, f.start);
      out += ",\"dur\":";
      append_us(out, f.end - f.start);
      out += "}";
    }
  }
  out += "\n],\"otherData\":{\"generator\":\"flopcast simulate\",\"events_left_out\":" + std::to_string(dropped) +
         ",\"flows_not_recorded\":" + std::to_string(r.flow_records_dropped) + "}}\n";
  return out;
}

std::string write_chrome_trace(const std::string& path, const simulator::IterationResult& result,
                               const TraceOptions& options) {
  return write_file_atomic(path, chrome_trace_json(result, options));
}

}  // namespace flopcast::scenarios
