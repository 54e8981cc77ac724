// Public GPU-cluster traces in their own layouts, turned into capacity-simulation jobs.
//
// Text in, jobs out (no file I/O here; scenarios/ reads the files). Layouts and the meaning of each
// column: /work/shared/research/traces/README.md (copied with the Alibaba 2023 excerpt into
// tests/data/traces/). Per format:
//   alibaba_gpu2023 (openb_pod_list, CSV with header): arrival = creation_time, service =
//     deletion_time − scheduled_time, devices = num_gpu (a GPU-sharing pod, gpu_milli < 1000, takes
//     one whole GPU), priority 1 for qos LS/Guaranteed, 0 for BE/Burstable; observed queue =
//     scheduled_time − creation_time. Pending pods (no scheduled_time) and CPU-only pods are skipped
//     and counted.
//   alibaba_pai2020 (pai_job_table + pai_task_table, headerless CSV): arrival = job start_time
//     (submission), devices = ceil(Σ plan_gpu/100 × inst_num), service = max task end − min task
//     start, observed queue = min task start − submission. Unfinished (no end time) jobs skipped.
//   helios (cluster_log.csv, header): arrival = submit_time, service = duration, devices = gpu_num,
//     observed queue = queue. CPU jobs (gpu_num 0) skipped.
//   philly (cluster_job_log, JSON array): arrival = submitted_time, devices = Σ len(gpus) of the
//     first attempt, service = last attempt end − first attempt start, observed queue = first
//     attempt start − submitted_time. Jobs without attempts or times skipped.
// Times are made relative to the first arrival. Ignores: GPU types (one device kind), task
// structure inside a job, failed/cancelled status (a job runs for its recorded time either way).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/capacity/capacity.h"

namespace flopcast::simulator::capacity {

enum class TraceFormat { alibaba_gpu2023, alibaba_pai2020, helios, philly };
std::optional<TraceFormat> trace_format_from_string(std::string_view s);

struct TraceImport {
  std::vector<JobSpec> jobs;
  std::vector<double> observed_queue_s;  // per imported job, as recorded in the trace
  std::int64_t rows = 0;
  std::int64_t skipped = 0;
  std::vector<std::string> notes;  // why rows were skipped (counts)
};

// Throws std::invalid_argument with "line N: what was expected" on malformed input.
TraceImport parse_alibaba_gpu2023(std::string_view csv);
TraceImport parse_helios(std::string_view csv);
TraceImport parse_philly(std::string_view json);
TraceImport parse_pai2020(std::string_view job_table_csv, std::string_view task_table_csv);

// Seconds since 1970-01-01 of "YYYY-MM-DD HH:MM:SS" (no zone; only differences are used).
double parse_datetime_s(std::string_view text);

struct Summary {
  std::int64_t jobs = 0;
  double mean = 0, median = 0, p95 = 0, max = 0;
};
Summary summarise(std::vector<double> values);

}  // namespace flopcast::simulator::capacity
