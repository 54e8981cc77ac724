// `flopcast import hf config.json`: a Hugging Face config.json -> the workload section of a
// scenario (JSON on stdout). A key that cannot be mapped is a one-line error naming the file, the
// key's JSON pointer and what was expected (exit 2).
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/hf_import.h"

namespace flopcast::cli {

void register_import(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("import", "Import a model definition from another tool");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* hf = cmd->add_subcommand(
      "hf", "Hugging Face config.json (llama, mistral, mixtral, qwen2, gpt2, bert, electra, t5, vit) -> workload JSON");
  hf->add_option("FILE", *file, "config.json")->required();
  hf->callback([file] {
    const auto r = scenarios::import_hf_file(*file);
    if (!r.ok) {
      std::cerr << "flopcast import hf: " << r.error << "\n";
      set_exit_code(kExitBadInput);
      return;
    }
    nlohmann::ordered_json out;
    out["workload"] = r.workload;
    std::cout << out.dump(2) << "\n";
    set_exit_code(kExitOk);
  });
}

}  // namespace flopcast::cli
