// flopcast: the headless twin of every desktop action.
#include <CLI/CLI.hpp>

#include <clocale>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "flopcast/version.h"

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  std::setlocale(LC_NUMERIC, "C");  // JSON and tables always use '.' decimals
  CLI::App app{"flopcast: how long, on what, at what cost, with how much energy, and how sure"};
  app.set_version_flag("--version", std::string("flopcast ") + flopcast::kVersion + " (" +
                                        flopcast::kGitSha + ")");
  app.require_subcommand(1);
  flopcast::cli::register_estimate(app);
  flopcast::cli::register_schema(app);
  flopcast::cli::register_hw(app);
  flopcast::cli::register_predict(app);
  flopcast::cli::register_validate(app);
  flopcast::cli::register_sweep(app);
  flopcast::cli::register_roi(app);
  flopcast::cli::register_capacity(app);
  flopcast::cli::register_simulate(app);
  flopcast::cli::register_models(app);
  flopcast::cli::register_import(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : flopcast::cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "flopcast: internal error: " << e.what() << "\n";
    return flopcast::cli::kExitFailure;
  }
  return app.get_subcommands().empty() ? 0 : flopcast::cli::command_exit_code();
}
