// Each `flopcast` subcommand registers itself on the CLI11 app from its own file cmd_<name>.cpp.
#pragma once

#include <CLI/CLI.hpp>

namespace flopcast::cli {

// The exit code of the subcommand that ran (callbacks cannot return one): 0 ok, 1 failure,
// 2 bad input. Set by each command's callback.
void set_exit_code(int code);
int command_exit_code();

void register_estimate(CLI::App& app);
void register_schema(CLI::App& app);
void register_hw(CLI::App& app);
void register_predict(CLI::App& app);
void register_validate(CLI::App& app);
void register_sweep(CLI::App& app);
void register_roi(CLI::App& app);       // cmd_roi.cpp: buy vs rent
void register_capacity(CLI::App& app);  // cmd_capacity.cpp: fleet capacity simulation
void register_simulate(CLI::App& app);  // cmd_simulate.cpp: iteration and run simulation
void register_models(CLI::App& app);    // cmd_models.cpp: model presets and library
void register_import(CLI::App& app);    // cmd_import.cpp: import hf config.json

}  // namespace flopcast::cli
