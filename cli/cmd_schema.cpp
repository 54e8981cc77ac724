// `flopcast schema [--keys-markdown] [--out FILE]`: the scenario format's JSON Schema, generated
// from the same key table the validator uses (scenarios/key_table.h).
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/atomic_file.h"
#include "scenarios/key_table.h"

namespace flopcast::cli {

void register_schema(CLI::App& app) {
  struct Options {
    bool markdown = false;
    std::string out;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("schema", "Print the JSON Schema of scenario files");
  cmd->add_flag("--keys-markdown", opts->markdown,
                "Print the key reference table of docs/scenario-format.md instead");
  cmd->add_option("--out", opts->out, "Write to FILE (atomically) instead of standard output");
  cmd->callback([opts] {
    const std::string text = opts->markdown ? scenarios::key_reference_markdown()
                                            : scenarios::scenario_json_schema_text();
    if (opts->out.empty()) {
      std::cout << text;
      std::cout.flush();
      set_exit_code(kExitOk);
      return;
    }
    const std::string err = scenarios::write_file_atomic(opts->out, text);
    if (!err.empty()) {
      std::cerr << "flopcast: " << err << "\n";
      set_exit_code(kExitFailure);
      return;
    }
    set_exit_code(kExitOk);
  });
}

}  // namespace flopcast::cli
