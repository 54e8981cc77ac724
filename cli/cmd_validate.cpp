// `flopcast validate FILE [--format table|markdown|json] [--params FILE] [--metric M]`: predicted
// vs measured for every record and metric, MAPE and bias per family, source group and kind.
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/groundtruth.h"

namespace flopcast::cli {
namespace {

struct ValidateArgs {
  std::string file;
  std::string format = "table";
  std::string params;
  bool print_params = false;
  std::string metric = "tokens_per_s_per_gpu";
};

std::string pct(double x, bool sign = false) {
  char b[32];
  std::snprintf(b, sizeof b, sign ? "%+.1f%%" : "%.1f%%", 100 * x);
  return b;
}

int run_validate(const ValidateArgs& a) {
  scenarios::PredictOptions opt;
  if (!a.params.empty()) {
    nlohmann::json pj;
    if (auto err = scenarios::read_json_file(a.params, pj); !err.empty()) {
      std::cerr << "flopcast validate: " << err << "\n";
      return kExitBadInput;
    }
    if (auto err = scenarios::apply_params_json(pj, opt); !err.empty()) {
      std::cerr << "flopcast validate: " << a.params << ": " << err << "\n";
      return kExitBadInput;
    }
  }
  if (a.print_params) {
    std::cout << scenarios::params_to_json(opt).dump(2) << "\n";
    return kExitOk;
  }
  if (a.file.empty()) {
    std::cerr << "flopcast validate: a records FILE is required\n";
    return kExitBadInput;
  }
  nlohmann::json records;
  if (auto err = scenarios::read_json_file(a.file, records); !err.empty()) {
    std::cerr << "flopcast validate: " << err << "\n";
    return kExitBadInput;
  }
  if (!records.is_array()) {
    std::cerr << "flopcast validate: " << a.file << ": " << scenarios::not_records_message(records)
              << "\n";
    return kExitBadInput;
  }
  const auto rep = scenarios::validate_records(records, scenarios::builtin_device_lookup(), opt);
  if (a.format == "json") {
    std::cout << scenarios::validation_json(rep).dump(2) << "\n";
    return kExitOk;
  }
  if (a.format == "markdown") {
    std::cout << scenarios::validation_markdown(rep, "flopcast validate " + a.file + " --format markdown");
    return kExitOk;
  }
  // Table: per record rows for the chosen metric, then the per-family summary of every metric.
  Table t({"id", "metric", "predicted", "measured", "error", "in P10-P90"});
  for (int c = 2; c <= 4; ++c) t.right_align(c);
  for (const auto& row : rep.rows) {
    if (!a.metric.empty() && a.metric != "all" && row.metric != a.metric) continue;
    t.add_row({row.id + (row.low_confidence ? " (low-confidence)" : ""), row.metric, format_number(row.predicted),
               format_number(row.measured), pct(row.error, true), row.in_band ? "yes" : "no"});
  }
  std::cout << t.render(fancy_output()) << "\n";
  for (const auto& metric : scenarios::metric_names()) {
    auto fams = scenarios::aggregate(rep, metric, [](const scenarios::ValidationRow& x) { return x.family; });
    if (fams.empty()) continue;
    Table s({"family", "records", "MAPE", "bias", "in band"});
    for (int c = 1; c <= 4; ++c) s.right_align(c);
    double mean = 0;
    for (const auto& f : fams) {
      s.add_row({f.key, std::to_string(f.n), pct(f.mape), pct(f.bias, true), pct(f.in_band)});
      mean += f.mape;
    }
    auto kinds = scenarios::aggregate(rep, metric, [](const scenarios::ValidationRow& x) { return x.kind; });
    for (const auto& k : kinds)
      s.add_row({"kind: " + k.key, std::to_string(k.n), pct(k.mape), pct(k.bias, true), pct(k.in_band)});
    std::cout << metric << ": mean of per-family MAPEs " << pct(mean / fams.size()) << "\n"
              << s.render(fancy_output()) << "\n";
  }
  if (!rep.not_predicted.empty()) {
    std::cout << "measured but not predicted:\n";
    for (const auto& [id, why] : rep.not_predicted) std::cout << "  " << id << ": " << why << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_validate(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  auto* sub = app.add_subcommand("validate", "Compare predictions with the measured values of run records");
  sub->add_option("file", args->file, "JSON array of run records with `measured`"); 
  sub->add_flag("--print-params", args->print_params,
                "print the model parameters in use (the fitted defaults, or --params applied) as JSON and exit");
  sub->add_option("--format", args->format, "table | markdown | json")
      ->check(CLI::IsMember({"table", "markdown", "json"}));
  sub->add_option("--params", args->params, "JSON overriding the fitted model parameters");
  sub->add_option("--metric", args->metric, "metric of the per-record table (or 'all')");
  sub->callback([args] { set_exit_code(run_validate(*args)); });
}

}  // namespace flopcast::cli
