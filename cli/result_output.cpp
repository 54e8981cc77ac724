#include "cli/result_output.h"

#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "scenarios/atomic_file.h"

namespace flopcast::cli {

void report_failure(const scenarios::RunResult& res) {
  std::string line = res.diagnostics.empty() ? std::string("failed") : res.diagnostics.front().to_string();
  if (res.diagnostics.size() > 1)
    line += " (and " + std::to_string(res.diagnostics.size() - 1) + " more problem" +
            (res.diagnostics.size() > 2 ? "s" : "") + ")";
  std::cerr << "flopcast: " << line << "\n";
  set_exit_code(res.exit_code == 0 ? kExitFailure : res.exit_code);
}

void emit_result(const scenarios::RunResult& res, const std::string& format, const std::string& out_path,
                 const std::function<std::string(const nlohmann::ordered_json&, bool)>& render_table) {
  const std::string json_text = res.result.dump(2) + "\n";
  if (!out_path.empty()) {
    if (std::string err = scenarios::write_file_atomic(out_path, json_text); !err.empty()) {
      std::cerr << "flopcast: " << err << "\n";
      set_exit_code(kExitFailure);
      return;
    }
  }
  if (format == "json") {
    std::cout << json_text;
  } else {
    std::cout << render_table(res.result, fancy_output());
    if (!out_path.empty()) std::cout << "result JSON written to " << out_path << "\n";
  }
  std::cout.flush();
  set_exit_code(kExitOk);
}

}  // namespace flopcast::cli
