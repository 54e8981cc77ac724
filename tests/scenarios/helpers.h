// Shared helpers of the scenarios tests.
#pragma once

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>

#include "scenarios/runner.h"

namespace flopcast::scenarios::test {

inline std::string source_path(const std::string& rel) { return std::string(FLOPCAST_SOURCE_DIR) + "/" + rel; }

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline RunResult run_text(const std::string& text, const std::string& origin, Job job = Job::estimate) {
  RunRequest req;
  req.job = job;
  req.scenario_text = text;
  req.origin = origin;
  const std::atomic<bool> cancel{false};
  return run(req, {}, cancel);
}

inline RunResult run_file(const std::string& rel, Job job = Job::estimate) {
  return run_text(slurp(source_path(rel)), rel, job);
}

}  // namespace flopcast::scenarios::test
