// `flopcast predict FILE [--format json|table] [--params FILE]`: predicted metrics with P10/P90
// bands for every run record of FILE (the ground-truth format, measured values optional).
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/groundtruth.h"

namespace flopcast::cli {
namespace {

struct PredictArgs {
  std::string file;
  std::string format = "table";
  std::string params;
  bool print_params = false;
};

int run_predict(const PredictArgs& a) {
  scenarios::PredictOptions opt;
  if (!a.params.empty()) {
    nlohmann::json pj;
    if (auto err = scenarios::read_json_file(a.params, pj); !err.empty()) {
      std::cerr << "flopcast predict: " << err << "\n";
      return kExitBadInput;
    }
    if (auto err = scenarios::apply_params_json(pj, opt); !err.empty()) {
      std::cerr << "flopcast predict: " << a.params << ": " << err << "\n";
      return kExitBadInput;
    }
  }
  if (a.print_params) {
    std::cout << scenarios::params_to_json(opt).dump(2) << "\n";
    return kExitOk;
  }
  if (a.file.empty()) {
    std::cerr << "flopcast predict: a records FILE is required\n";
    return kExitBadInput;
  }
  nlohmann::json records;
  if (auto err = scenarios::read_json_file(a.file, records); !err.empty()) {
    std::cerr << "flopcast predict: " << err << "\n";
    return kExitBadInput;
  }
  std::string error;
  const auto out = scenarios::predict_all(records, scenarios::builtin_device_lookup(), opt, &error);
  if (!error.empty()) {
    std::cerr << "flopcast predict: " << a.file << ": " << error << "\n";
    return kExitBadInput;
  }
  if (a.format == "json") {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  // Throughput per device in tokens, or in images where a sample is an image (CNN, ViT: no tokens).
  Table t({"id", "throughput/GPU", "P10", "P90", "step s", "GPU-hours", "wall h", "MWh", "mem GiB",
           "layout"});
  for (int c = 1; c <= 8; ++c) t.right_align(c);
  auto cell = [](const nlohmann::ordered_json& o, const char* k) {
    return o.contains(k) && o[k].is_number() ? format_number(o[k].get<double>()) : std::string("-");
  };
  for (const auto& r : out) {
    const auto& p = r["predicted"];
    const bool images =
        !p["tokens_per_s_per_gpu"].is_number() && p["samples_per_s_per_gpu"].is_number();
    const char* rate = images ? "samples_per_s_per_gpu" : "tokens_per_s_per_gpu";
    const std::string unit = images ? " img/s" : " tok/s";
    std::string layout = r.contains("layout") ? r["layout"].get<std::string>() : std::string("-");
    if (!r.contains("layout") && r["why_null"].contains(rate))
      layout = r["why_null"][rate].get<std::string>();
    const std::string value = cell(p, rate);
    t.add_row({r["id"].is_string() ? r["id"].get<std::string>() : "?",
               value == "-" ? value : value + unit, cell(r["p10"], rate), cell(r["p90"], rate),
               cell(p, "step_time_s"), cell(p, "gpu_hours"), cell(p, "wall_time_h"),
               cell(p, "energy_mwh"), cell(p, "peak_memory_gib_per_gpu"), layout});
  }
  std::cout << t.render(fancy_output());
  return kExitOk;
}

}  // namespace

void register_predict(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* sub = app.add_subcommand("predict", "Predict every metric of published-run records (ground-truth format)");
  sub->add_option("file", args->file, "JSON array of run records"); 
  sub->add_flag("--print-params", args->print_params,
                "print the model parameters in use (the fitted defaults, or --params applied) as JSON and exit");
  sub->add_option("--format", args->format, "table | json")->check(CLI::IsMember({"table", "json"}));
  sub->add_option("--params", args->params,
                  "JSON {\"efficiency\": {...}, \"uncertainty\": {...}} overriding the fitted model parameters");
  sub->callback([args] { set_exit_code(run_predict(*args)); });
}

}  // namespace flopcast::cli
