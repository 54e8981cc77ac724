// Shared by `flopcast roi` and `flopcast capacity` (defined in cmd_roi.cpp): reading the scenario, a progress bar on
// stderr (only when stderr is a terminal), and printing a result (table or JSON, --out FILE).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.h"

namespace flopcast::cli {

struct CostCommandOptions {
  std::string scenario;
  std::string format = "table";
  std::string out;
  bool quiet = false;  // no progress bar
};

using CostRunner = std::function<scenarios::RunResult(const scenarios::RunRequest&, const scenarios::ProgressFn&,
                                                      const std::atomic<bool>&)>;
using CostTable = std::function<std::string(const nlohmann::ordered_json&, bool unicode)>;

void run_cost_command(const CostCommandOptions& o, const CostRunner& runner, const CostTable& table);

}  // namespace flopcast::cli
