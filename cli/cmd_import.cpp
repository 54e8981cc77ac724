// `flopcast import hf config.json`: a Hugging Face config.json -> the workload section of a
// scenario (JSON on stdout). A key that cannot be mapped is a one-line error naming the file, the
// key's JSON pointer and what was expected (exit 2). With `--into SCENARIO` the imported model
// replaces that scenario's (scenarios::merge_imported_model, as the desktop app's File > Import)
// and the whole scenario is written (stdout, or atomically to --out); the validator's messages
// about keys that no longer apply to the new model go to stderr (exit 2: the file is written, fix
// them before estimating).
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/hf_import.h"
#include "scenarios/scenario.h"
#include "scenarios/strict_json.h"

namespace flopcast::cli {
namespace {

struct ImportOptions {
  std::string file;
  std::string into;
  std::string out;
};

void run_import(const ImportOptions& o) {
  const auto r = scenarios::import_hf_file(o.file);
  if (!r.ok) {
    std::cerr << "flopcast import hf: " << r.error << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  if (o.into.empty()) {
    nlohmann::ordered_json out;
    out["workload"] = r.workload;
    std::cout << out.dump(2) << "\n";
    set_exit_code(kExitOk);
    return;
  }
  std::ifstream in(o.into, std::ios::binary);
  if (!in) {
    std::cerr << "flopcast import hf: " << o.into << ": cannot open file\n";
    set_exit_code(kExitBadInput);
    return;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = scenarios::parse_strict(ss.str(), o.into);
  if (!parsed.ok) {
    std::cerr << "flopcast import hf: " << parsed.error.to_string() << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  nlohmann::ordered_json doc = std::move(parsed.doc);
  scenarios::merge_imported_model(doc, r);
  const std::string origin = o.out.empty() ? std::string("(merged scenario)") : o.out;
  if (o.out.empty()) {
    std::cout << scenarios::save_scenario_text(doc);
  } else if (const std::string failure = scenarios::save_scenario_file(o.out, doc);
             !failure.empty()) {
    std::cerr << "flopcast import hf: " << failure << "\n";
    set_exit_code(kExitFailure);
    return;
  }
  const auto check = scenarios::load_scenario_document(doc, origin);
  if (!check.ok) {
    std::cerr << "flopcast import hf: the model was imported; the scenario needs these changes "
                 "before it runs:\n";
    for (const auto& d : check.diagnostics) std::cerr << "  " << d.to_string() << "\n";
    set_exit_code(kExitBadInput);
    return;
  }
  set_exit_code(kExitOk);
}

}  // namespace

void register_import(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("import", "Import a model definition from another tool");
  cmd->require_subcommand(1);
  auto o = std::make_shared<ImportOptions>();
  CLI::App* hf = cmd->add_subcommand(
      "hf",
      "Hugging Face config.json (llama, llama4, mistral, mixtral, qwen2/3 and their MoE, gpt_oss, "
      "phi3, gemma, gemma2, deepseek_v2/v3, gpt_neox, "
      "gpt2, bert, electra, roberta, t5, vit) -> workload JSON, or into a scenario");
  hf->add_option("FILE", o->file, "config.json")->required();
  hf->add_option(
      "--into", o->into,
      "scenario whose model the import replaces (the whole scenario is written; the desktop app's "
      "File > Import)");
  hf->add_option("--out", o->out,
                 "with --into: write the scenario here (atomically) instead of stdout");
  hf->callback([o] {
    if (!o->out.empty() && o->into.empty()) {
      std::cerr << "flopcast import hf: --out needs --into SCENARIO\n";
      set_exit_code(kExitBadInput);
      return;
    }
    run_import(*o);
  });
}

}  // namespace flopcast::cli
