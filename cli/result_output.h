// The end of every runner-backed command: one error line for a failed run, or the result JSON
// written atomically to --out (when given) and printed as JSON or as the command's table.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.h"

namespace flopcast::cli {

// Prints "flopcast: <first diagnostic> (and N more problems)" and sets the run's exit code.
void report_failure(const scenarios::RunResult& res);

// Writes res.result to out_path (if not empty) through scenarios' atomic writer, then prints it
// (format "json") or render_table(result, unicode); sets the exit code.
void emit_result(const scenarios::RunResult& res, const std::string& format, const std::string& out_path,
                 const std::function<std::string(const nlohmann::ordered_json&, bool)>& render_table);

}  // namespace flopcast::cli
