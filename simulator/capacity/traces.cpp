#include "simulator/capacity/traces.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "hwprofiles/json_syntax_error.h"

namespace flopcast::simulator::capacity {

std::optional<TraceFormat> trace_format_from_string(std::string_view s) {
  if (s == "alibaba_gpu2023") return TraceFormat::alibaba_gpu2023;
  if (s == "alibaba_pai2020") return TraceFormat::alibaba_pai2020;
  if (s == "helios") return TraceFormat::helios;
  if (s == "philly") return TraceFormat::philly;
  return std::nullopt;
}

namespace {

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = line.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, p - start));
    start = p + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view l : split(text, '\n')) {
    l = trim(l);
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

double number(std::string_view s, std::size_t line, const char* what) {
  s = trim(s);
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
    throw std::invalid_argument("line " + std::to_string(line) + ": " + what + ": expected a number, got '" +
                                std::string(s) + "'");
  return v;
}

int column(const std::vector<std::string_view>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (trim(header[i]) == name) return static_cast<int>(i);
  throw std::invalid_argument("line 1: header lacks column '" + std::string(name) + "'");
}

void finish(TraceImport& t) {
  if (t.jobs.empty()) return;
  double t0 = t.jobs[0].arrival_s;
  for (const JobSpec& j : t.jobs) t0 = std::min(t0, j.arrival_s);
  for (JobSpec& j : t.jobs) j.arrival_s -= t0;
}

}  // namespace

double parse_datetime_s(std::string_view text) {
  text = trim(text);
  int y, mo, d, h = 0, mi = 0, s = 0;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) return false;
    const auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && p == text.data() + pos + len;
  };
  if (!(num(0, 4, y) && text[4] == '-' && num(5, 2, mo) && text[7] == '-' && num(8, 2, d)))
    throw std::invalid_argument("expected a date-time YYYY-MM-DD HH:MM:SS, got '" + std::string(text) + "'");
  if (text.size() >= 19 && !(num(11, 2, h) && num(14, 2, mi) && num(17, 2, s)))
    throw std::invalid_argument("expected a date-time YYYY-MM-DD HH:MM:SS, got '" + std::string(text) + "'");
  // Days from civil (H. Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const double days = era * 146097.0 + doe - 719468.0;
  return days * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

TraceImport parse_alibaba_gpu2023(std::string_view csv) {
  TraceImport t;
  const auto ls = lines(csv);
  if (ls.empty()) throw std::invalid_argument("line 1: expected the openb_pod_list header");
  const auto header = split(ls[0], ',');
  const int c_gpu = column(header, "num_gpu"), c_milli = column(header, "gpu_milli"),
            c_qos = column(header, "qos"), c_create = column(header, "creation_time"),
            c_delete = column(header, "deletion_time"), c_sched = column(header, "scheduled_time");
  std::int64_t pending = 0, cpu_only = 0, shared = 0;
  for (std::size_t i = 1; i < ls.size(); ++i) {
    const auto f = split(ls[i], ',');
    if (f.size() != header.size())
      throw std::invalid_argument("line " + std::to_string(i + 1) + ": expected " + std::to_string(header.size()) +
                                  " columns, got " + std::to_string(f.size()));
    ++t.rows;
    const int gpus = static_cast<int>(number(f[c_gpu], i + 1, "num_gpu"));
    if (trim(f[c_sched]).empty()) {
      ++pending, ++t.skipped;
      continue;
    }
    if (gpus <= 0) {
      ++cpu_only, ++t.skipped;
      continue;
    }
    if (number(f[c_milli], i + 1, "gpu_milli") < 1000) ++shared;
    JobSpec j;
    j.id = static_cast<std::int64_t>(i);
    const double created = number(f[c_create], i + 1, "creation_time");
    const double sched = number(f[c_sched], i + 1, "scheduled_time");
    const double deleted = number(f[c_delete], i + 1, "deletion_time");
    j.arrival_s = created;
    j.service_s = std::max(0.0, deleted - sched);
    j.devices = gpus;
    const std::string_view qos = trim(f[c_qos]);
    j.priority = (qos == "LS" || qos == "Guaranteed") ? 1 : 0;
    t.jobs.push_back(j);
    t.observed_queue_s.push_back(std::max(0.0, sched - created));
  }
  t.notes.push_back(std::to_string(pending) + " pending pods (no scheduled_time) skipped");
  t.notes.push_back(std::to_string(cpu_only) + " CPU-only pods (num_gpu 0) skipped");
  t.notes.push_back(std::to_string(shared) + " GPU-sharing pods rounded up to one whole GPU");
  finish(t);
  return t;
}

TraceImport parse_helios(std::string_view csv) {
  TraceImport t;
  const auto ls = lines(csv);
  if (ls.empty()) throw std::invalid_argument("line 1: expected the cluster_log header");
  const auto header = split(ls[0], ',');
  const int c_id = column(header, "job_id"), c_gpu = column(header, "gpu_num"), c_submit = column(header, "submit_time"),
            c_dur = column(header, "duration"), c_queue = column(header, "queue");
  std::int64_t cpu = 0;
  for (std::size_t i = 1; i < ls.size(); ++i) {
    const auto f = split(ls[i], ',');
    if (f.size() != header.size())
      throw std::invalid_argument("line " + std::to_string(i + 1) + ": expected " + std::to_string(header.size()) +
                                  " columns, got " + std::to_string(f.size()));
    ++t.rows;
    const int gpus = static_cast<int>(number(f[c_gpu], i + 1, "gpu_num"));
    if (gpus <= 0) {
      ++cpu, ++t.skipped;
      continue;
    }
    JobSpec j;
    j.id = static_cast<std::int64_t>(number(f[c_id], i + 1, "job_id"));
    try {
      j.arrival_s = parse_datetime_s(f[c_submit]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("line " + std::to_string(i + 1) + ": submit_time: " + e.what());
    }
    j.service_s = std::max(0.0, number(f[c_dur], i + 1, "duration"));
    j.devices = gpus;
    t.jobs.push_back(j);
    t.observed_queue_s.push_back(std::max(0.0, number(f[c_queue], i + 1, "queue")));
  }
  t.notes.push_back(std::to_string(cpu) + " CPU jobs (gpu_num 0) skipped");
  finish(t);
  return t;
}

TraceImport parse_philly(std::string_view text) {
  TraceImport t;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const hwprofiles::JsonSyntaxError err = hwprofiles::describe_parse_error(text, e);
    throw std::invalid_argument("line " + std::to_string(err.line) + ", column " +
                                std::to_string(err.column) + ": " + err.message +
                                " (a Philly trace is a JSON array of jobs)");
  }
  if (!doc.is_array()) throw std::invalid_argument("philly: expected a JSON array of jobs at the top level");
  std::int64_t skipped_no_time = 0;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& job = doc[i];
    ++t.rows;
    auto str = [](const nlohmann::json& o, const char* k) -> std::string {
      return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
    };
    const std::string submitted = str(job, "submitted_time");
    if (!job.is_object() || !job.contains("attempts") || !job["attempts"].is_array() || job["attempts"].empty() ||
        submitted.empty()) {
      ++skipped_no_time, ++t.skipped;
      continue;
    }
    const auto& attempts = job["attempts"];
    const std::string first_start = str(attempts.front(), "start_time");
    const std::string last_end = str(attempts.back(), "end_time");
    if (first_start.empty() || last_end.empty() || first_start == "None" || last_end == "None") {
      ++skipped_no_time, ++t.skipped;
      continue;
    }
    int gpus = 0;
    if (attempts.front().contains("detail") && attempts.front()["detail"].is_array())
      for (const auto& d : attempts.front()["detail"])
        if (d.contains("gpus") && d["gpus"].is_array()) gpus += static_cast<int>(d["gpus"].size());
    if (gpus <= 0) {
      ++t.skipped;
      continue;
    }
    JobSpec j;
    j.id = static_cast<std::int64_t>(i);
    try {
      j.arrival_s = parse_datetime_s(submitted);
      const double s = parse_datetime_s(first_start), e = parse_datetime_s(last_end);
      j.service_s = std::max(0.0, e - s);
      t.observed_queue_s.push_back(std::max(0.0, s - j.arrival_s));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("philly: /" + std::to_string(i) + ": " + e.what());
    }
    j.devices = gpus;
    t.jobs.push_back(j);
  }
  t.notes.push_back(std::to_string(skipped_no_time) + " jobs without attempts or times skipped");
  finish(t);
  return t;
}

TraceImport parse_pai2020(std::string_view job_csv, std::string_view task_csv) {
  TraceImport t;
  struct Agg {
    double submit = -1, start = 1e300, end = -1, gpus = 0;
    bool unfinished = false;
    std::size_t order = 0;
  };
  std::map<std::string, Agg> jobs;
  const auto jl = lines(job_csv);
  for (std::size_t i = 0; i < jl.size(); ++i) {
    const auto f = split(jl[i], ',');  // job_name,inst_id,user,status,start_time,end_time
    if (f.size() != 6)
      throw std::invalid_argument("pai_job_table line " + std::to_string(i + 1) + ": expected 6 columns, got " +
                                  std::to_string(f.size()));
    Agg& a = jobs[std::string(trim(f[0]))];
    a.submit = number(f[4], i + 1, "start_time (submission)");
    a.order = i;
    ++t.rows;
  }
  const auto tl = lines(task_csv);
  for (std::size_t i = 0; i < tl.size(); ++i) {
    // job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type
    const auto f = split(tl[i], ',');
    if (f.size() != 10)
      throw std::invalid_argument("pai_task_table line " + std::to_string(i + 1) + ": expected 10 columns, got " +
                                  std::to_string(f.size()));
    auto it = jobs.find(std::string(trim(f[0])));
    if (it == jobs.end()) continue;
    Agg& a = it->second;
    if (trim(f[4]).empty() || trim(f[5]).empty()) {
      a.unfinished = true;
      continue;
    }
    a.start = std::min(a.start, number(f[4], i + 1, "start_time"));
    a.end = std::max(a.end, number(f[5], i + 1, "end_time"));
    if (!trim(f[8]).empty()) a.gpus += number(f[8], i + 1, "plan_gpu") / 100.0 * number(f[2], i + 1, "inst_num");
  }
  std::vector<std::pair<std::size_t, const Agg*>> ordered;
  for (const auto& [name, a] : jobs) ordered.push_back({a.order, &a});
  std::sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::int64_t unfinished = 0, no_gpu = 0;
  for (const auto& [order, a] : ordered) {
    if (a->unfinished || a->end < 0) {
      ++unfinished, ++t.skipped;
      continue;
    }
    if (a->gpus <= 0) {
      ++no_gpu, ++t.skipped;
      continue;
    }
    JobSpec j;
    j.id = static_cast<std::int64_t>(order);
    j.arrival_s = a->submit;
    j.service_s = std::max(0.0, a->end - a->start);
    j.devices = static_cast<int>(std::ceil(a->gpus - 1e-9));
    t.jobs.push_back(j);
    t.observed_queue_s.push_back(std::max(0.0, a->start - a->submit));
  }
  t.notes.push_back(std::to_string(unfinished) + " jobs without finished tasks skipped");
  t.notes.push_back(std::to_string(no_gpu) + " jobs without a GPU request skipped");
  finish(t);
  return t;
}

Summary summarise(std::vector<double> v) {
  Summary s;
  s.jobs = static_cast<std::int64_t>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / v.size();
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  s.p95 = v[static_cast<std::size_t>(std::floor(0.95 * (v.size() - 1) + 0.5))];
  s.max = v.back();
  return s;
}

}  // namespace flopcast::simulator::capacity
