// `flopcast models list | show NAME | seeds FILE`: the model presets (decoders from
// scenarios/presets.h, encoders / encoder-decoders / ViTs / CNNs from scenarios/model_library.h)
// with computed and published parameter counts, and the seeds' worked example
// (scenarios/examples/bert-large-seed.json) set beside Flopcast's answer.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "models/flops.h"
#include "scenarios/groundtruth.h"
#include "scenarios/model_library.h"
#include "scenarios/presets.h"

namespace flopcast::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string ascii(const std::string& s) {
  if (fancy_output()) return s;
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) out += char(c);
    else if ((c & 0xC0) != 0x80) out += '?';
  }
  return out;
}
void print(const std::string& s) { std::cout << ascii(s); }

std::string fmt(const char* f, double v) {
  char b[512];
  std::snprintf(b, sizeof b, f, v);
  return b;
}
std::string millions(double p) { return p > 0 ? fmt(p >= 1e9 ? "%.2f B" : "%.1f M", p >= 1e9 ? p / 1e9 : p / 1e6) : "-"; }

struct Row {
  std::string name, kind, input;
  double params = 0, published = 0, gflops = 0;  // forward GFLOP per token or per sample
  std::string per;
};

std::vector<Row> all_rows() {
  std::vector<Row> rows;
  for (const auto& p : scenarios::model_presets()) {
    Row r;
    r.name = p.name;
    r.kind = "decoder";
    r.params = models::count_params(p.shape).total;
    r.published = p.shape.params_hint.value_or(0);
    models::TrainingSpec t;
    r.gflops = models::flops_per_token(p.shape, t).forward_matmul / 1e9;
    r.per = "token";
    r.input = "seq " + std::to_string(p.shape.seq_len);
    rows.push_back(r);
  }
  for (const auto& m : scenarios::model_library()) {
    Row r;
    r.name = m.name;
    r.kind = scenarios::kind_name(m.kind);
    r.params = scenarios::library_params(m);
    r.published = m.published_params.value_or(0);
    const auto in = scenarios::default_input(m.entry);
    std::string err;
    auto L = scenarios::build_layers(m.entry, json::object(), in, models::Phase::pretrain, &err);
    r.gflops = L ? L->forward_flops_per_sample() / 1e9 : 0;
    r.per = "sample";
    if (in.image_size > 0) r.input = std::to_string(in.image_size) + " px";
    else if (in.seq_len_enc > 0) r.input = "seq " + std::to_string(in.seq_len_enc) + "/" + std::to_string(in.seq_len_dec);
    else r.input = "seq " + std::to_string(in.seq_len);
    if (m.entry.contains("mem_len") && m.entry["mem_len"].is_number_integer())  // Transformer-XL memory
      r.input += " + mem " + std::to_string(m.entry["mem_len"].get<int>());
    rows.push_back(r);
  }
  return rows;
}

int run_list(Format f) {
  const auto rows = all_rows();
  if (f == Format::json) {
    ordered_json arr = ordered_json::array();
    for (const auto& r : rows) {
      ordered_json j;
      j["name"] = r.name;
      j["kind"] = r.kind;
      j["params"] = static_cast<long long>(std::llround(r.params));
      j["published_params"] = r.published > 0 ? json(r.published) : json(nullptr);
      j["forward_flops_per_" + r.per] = r.gflops * 1e9;
      j["input"] = r.input;
      arr.push_back(j);
    }
    std::cout << arr.dump(2) << "\n";
    return kExitOk;
  }
  Table t({"name", "kind", "params", "published", "diff", "fwd GFLOP", "per", "input"});
  for (int c : {2, 3, 4, 5}) t.right_align(c);
  for (const auto& r : rows) {
    const std::string diff = r.published > 0 ? fmt("%+.2f%%", 100 * (r.params / r.published - 1)) : "-";
    t.add_row({r.name, r.kind, millions(r.params), millions(r.published), diff, fmt("%.3g", r.gflops), r.per, r.input});
  }
  print(t.render(fancy_output()));
  print(std::to_string(rows.size()) + " models; params computed from the shape / layer list, published as cited "
                                      "(flopcast models show NAME for sources)\n");
  return kExitOk;
}

int run_show(const std::string& name, Format f) {
  ordered_json j;
  // An exact name first, then an alias or a spelling of one (scenarios::match_named).
  const auto* p = scenarios::find_preset(name);
  const auto* m = p ? nullptr : scenarios::find_library_model(name);
  if (!p && !m) p = scenarios::match_preset(name);
  if (!p && !m) m = scenarios::match_library_model(name);
  if (p) {
    const auto& s = p->shape;
    j["name"] = p->name;
    j["aliases"] = p->aliases;
    j["kind"] = "decoder";
    j["n_layers"] = s.n_layers;
    j["d_model"] = s.d_model;
    j["n_heads"] = s.n_heads;
    j["n_kv_heads"] = s.n_kv_heads;
    j["ffn_dim"] = s.ffn_dim;
    j["ffn_gated"] = s.ffn_gated;
    j["vocab_size"] = s.vocab_size;
    j["seq_len"] = s.seq_len;
    j["params"] = static_cast<long long>(std::llround(models::count_params(s).total));
    j["published_params"] = s.params_hint ? json(*s.params_hint) : json(nullptr);
    j["source"] = p->source;
    j["source_url"] = p->source_url;
  } else if (m) {
    for (auto it = m->entry.begin(); it != m->entry.end(); ++it) j[it.key()] = it.value();
    j["params"] = static_cast<long long>(std::llround(scenarios::library_params(*m)));
    const auto in = scenarios::default_input(m->entry);
    std::string err;
    auto L = scenarios::build_layers(m->entry, json::object(), in, models::Phase::pretrain, &err);
    if (L) {
      j["forward_flops_per_sample"] = L->forward_flops_per_sample();
      j["activation_elements_per_sample"] = L->saved_elems_per_sample();
      j["layer_ops"] = L->ops.size();
    }
  } else {
    std::cerr << "flopcast models show: unknown model '" << name << "' (flopcast models list shows the names)\n";
    return kExitBadInput;
  }
  if (f == Format::json) {
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  Table t({"field", "value"});
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string v = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    t.add_row({it.key(), v});
  }
  print(t.render(fancy_output()));
  return kExitOk;
}

// ---- the seeds' example -------------------------------------------------------------------------

std::string hours(double s) {
  if (s < 1) return fmt("%.3g s", s);
  return format_duration_s(s);
}

int run_seeds(const std::string& file, Format f) {
  json doc;
  if (auto err = scenarios::read_json_file(file, doc); !err.empty()) {
    std::cerr << "flopcast models seeds: " << err << "\n";
    return kExitBadInput;
  }
  const json* cases = doc.is_object() && doc.contains("seeds") && doc["seeds"].contains("cases") ? &doc["seeds"]["cases"] : nullptr;
  const json* runs = doc.is_object() && doc.contains("runs") ? &doc["runs"] : nullptr;
  if (!cases || !cases->is_array() || cases->size() != 2 || !runs || !runs->is_array() || runs->empty()) {
    std::cerr << "flopcast models seeds: " << file
              << ": /seeds/cases: expected two seed cases and a non-empty /runs array\n";
    return kExitBadInput;
  }
  ordered_json out;
  // 1. The seeds' formula, evaluated as written.
  std::vector<double> seed_T;
  ordered_json seeds = ordered_json::array();
  for (size_t i = 0; i < cases->size(); ++i) {
    const json& c = (*cases)[i];
    const double n = c.value("n", 0.0), d = c.value("d", 0.0), v = c.value("v_flops_per_s", 0.0);
    if (!(n > 0 && d > 0 && v > 0)) {
      std::cerr << "flopcast models seeds: " << file << ": /seeds/cases/" << i
                << ": expected positive n, d and v_flops_per_s\n";
      return kExitBadInput;
    }
    seed_T.push_back(n / (d * v));
    seeds.push_back({{"label", c.value("label", "")}, {"n", n}, {"d", d}, {"v_flops_per_s", v},
                     {"T_s", n / (d * v)}, {"claimed", c.value("claimed", "")}});
  }
  out["seeds"] = seeds;
  out["seeds_ratio"] = seed_T[0] / seed_T[1];

  // 2. Flopcast's answer, run by run.
  const auto lookup = scenarios::builtin_device_lookup();
  const scenarios::PredictOptions opt;
  std::map<int, double> wall_by_gpus, work_by_gpus;
  ordered_json rr = ordered_json::array();
  for (size_t i = 0; i < runs->size(); ++i) {
    const json& rec = (*runs)[i];
    const auto p = scenarios::predict_zoo_record(rec, lookup, opt);
    if (!p.ok) {
      std::cerr << "flopcast models seeds: " << file << ": /runs/" << i << ": "
                << p.out["why_null"].value("samples_per_s_per_gpu", std::string("cannot predict")) << "\n";
      return kExitBadInput;
    }
    const json& m = rec["model"];
    const auto* lm = scenarios::find_library_model(m.value("preset", ""));
    scenarios::SampleInput in = lm ? scenarios::default_input(lm->entry) : scenarios::SampleInput{};
    if (m.contains("input") && m["input"].contains("seq_len")) in.seq_len = m["input"]["seq_len"].get<int>();
    std::string err;
    auto L = scenarios::build_layers(lm ? lm->entry : json::object(), json::object(), in, models::Phase::pretrain, &err);
    const double flops_sample = L ? 3 * L->forward_flops_per_sample() : 0;
    const double samples = rec["training"].value("training_samples", 0.0);
    const int gpus = rec["system"].value("gpu_count", 1);
    const auto& pr = p.out["predicted"];
    const double sps = pr["samples_per_s_per_gpu"].get<double>();
    const double wall_h = pr["wall_time_h"].is_number() ? pr["wall_time_h"].get<double>() : 0;
    const auto dev = lookup(rec["system"].value("device", ""));
    const std::string prec = p.out.value("precision", std::string("fp16"));
    const double peak = dev ? dev->peak(*models::precision_from_string(prec)).value_or(0) : 0;
    wall_by_gpus[gpus] += wall_h;
    work_by_gpus[gpus] += flops_sample * samples;
    ordered_json j;
    j["label"] = rec.value("label", "");
    j["gpus"] = gpus;
    j["seq_len"] = in.seq_len;
    j["training_samples"] = samples;
    j["flops_per_sample"] = flops_sample;
    j["flops_per_token"] = in.seq_len > 0 ? flops_sample / in.seq_len : 0;
    j["six_n_per_token"] = 6 * p.result.params;
    j["work_flops"] = flops_sample * samples;
    j["precision"] = prec;
    j["peak_flops_per_s"] = peak;
    j["achieved_flops_per_s_per_gpu"] = sps * flops_sample;
    j["mfu"] = peak > 0 ? sps * flops_sample / peak : 0;
    j["samples_per_s_per_gpu"] = sps;
    j["layout"] = p.out.value("layout", "");
    j["wall_time_h"] = wall_h;
    j["p10_wall_time_h"] = p.out["p10"]["wall_time_h"];
    j["p90_wall_time_h"] = p.out["p90"]["wall_time_h"];
    rr.push_back(j);
  }
  out["runs"] = rr;
  ordered_json totals = ordered_json::object();
  for (const auto& [g, w] : wall_by_gpus) totals[std::to_string(g)] = {{"wall_time_h", w}, {"work_flops", work_by_gpus[g]}};
  out["totals_by_gpu_count"] = totals;
  double speedup = 0;
  if (wall_by_gpus.size() == 2) speedup = wall_by_gpus.begin()->second / wall_by_gpus.rbegin()->second;
  out["flopcast_speedup"] = speedup;
  if (f == Format::json) {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }

  std::string s;
  s += "The seeds' formula T = n / (d * v), evaluated as written:\n";
  Table ts({"case", "n (params)", "d (GPUs)", "v (FLOP/s)", "T = n/(d*v)", "the seeds claim"});
  for (int c : {1, 2, 3, 4}) ts.right_align(c);
  for (const auto& c : seeds)
    ts.add_row({c["label"].get<std::string>(), fmt("%.3g", c["n"].get<double>()), fmt("%.0f", c["d"].get<double>()),
                format_si(c["v_flops_per_s"].get<double>(), "FLOP/s"), hours(c["T_s"].get<double>()),
                c["claimed"].get<std::string>()});
  s += ts.render(fancy_output());
  s += fmt("Their two cases differ by %.1fx in T, not the 5x they state; and 3.4e8 / (8 * 2e9) is 0.02 s, not "
           "about 3,000 hours.\nThe formula divides a parameter count by a speed: its units are not time. "
           "Nothing below is tuned to reproduce 3,000 h.\n\n",
           out["seeds_ratio"].get<double>());
  s += "Flopcast's answer (BERT-large pre-training as Devlin et al. ran it: 90% of steps at seq 128, 10% at 512):\n";
  Table tr({"run", "GPUs", "FLOP/sample", "6N*seq", "work W", "precision", "peak", "achieved/GPU", "MFU",
            "samples/s/GPU", "wall time", "P10-P90"});
  for (int c : {1, 2, 3, 4, 6, 7, 8, 9, 10}) tr.right_align(c);
  for (const auto& j : rr) {
    tr.add_row({j["label"].get<std::string>(), std::to_string(j["gpus"].get<int>()),
                fmt("%.3g", j["flops_per_sample"].get<double>()),
                fmt("%.3g", j["six_n_per_token"].get<double>() * j["seq_len"].get<int>()),
                fmt("%.3g", j["work_flops"].get<double>()), j["precision"].get<std::string>(),
                format_si(j["peak_flops_per_s"].get<double>(), "FLOP/s"),
                format_si(j["achieved_flops_per_s_per_gpu"].get<double>(), "FLOP/s"),
                fmt("%.0f%%", 100 * j["mfu"].get<double>()), fmt("%.1f", j["samples_per_s_per_gpu"].get<double>()),
                format_duration_s(j["wall_time_h"].get<double>() * 3600),
                j["p10_wall_time_h"].is_number()
                    ? format_duration_s(j["p10_wall_time_h"].get<double>() * 3600) + " - " +
                          format_duration_s(j["p90_wall_time_h"].get<double>() * 3600)
                    : "-"});
  }
  s += tr.render(fancy_output());
  for (const auto& [g, w] : wall_by_gpus)
    s += fmt("  %.0f GPUs: ", g) + format_duration_s(w * 3600) + fmt(" for W = %.3g FLOPs\n", work_by_gpus[g]);
  s += fmt("  more GPUs: %.2fx faster (not 2x: the gradient all-reduce crosses nodes), ", speedup) +
       fmt("not the %.1fx of the seeds' formula nor their stated 5x.\n\n", out["seeds_ratio"].get<double>());
  // The factors, from the runs above (first run = the first phase on the smaller GPU count).
  const auto& r0 = rr.front();
  double total_tokens = 0, params = 0;
  for (const auto& j : rr)
    if (j["gpus"] == r0["gpus"]) total_tokens += j["training_samples"].get<double>() * j["seq_len"].get<int>();
  params = r0["six_n_per_token"].get<double>() / 6;
  const double work = work_by_gpus.begin()->second;
  const auto dev = lookup((*runs)[0]["system"].value("device", ""));
  const double fp32 = dev ? dev->peak(models::Precision::fp32).value_or(0) : 0;
  const double p16 = r0["peak_flops_per_s"].get<double>();
  s += "What separates the seeds' T from Flopcast's:\n";
  s += fmt("  1. Work is FLOPs, not parameters: W = FLOPs per sample x samples = (6N + attention) x tokens\n"
           "     = %.3g FLOPs for ", work) + fmt("%.3g tokens", total_tokens) +
       fmt(", not n = %.3g: a factor of ", (*cases)[0].value("n", 0.0)) +
       fmt("%.2g.\n", work / (*cases)[0].value("n", 1.0));
  s += "  2. Speed is the achieved FLOP/s of the precision used (fp16 tensor cores): the datasheet peak (" +
       format_si(p16, "FLOP/s") + ") times the roofline efficiency of each GEMM and memory-bound op = " +
       format_si(r0["achieved_flops_per_s_per_gpu"].get<double>(), "FLOP/s") + fmt(" (MFU %.0f%%),", 100 * r0["mfu"].get<double>()) +
       "\n     not a nominal v = " + format_si((*cases)[0].value("v_flops_per_s", 0.0), "FLOP/s") +
       fmt(" (%.2g x slower than that achieved speed).\n", r0["achieved_flops_per_s_per_gpu"].get<double>() /
                                                               (*cases)[0].value("v_flops_per_s", 1.0));
  s += fmt("  3. Communication: every step all-reduces 4 bytes per parameter (%.2f GB) across the data-parallel\n"
           "     group; inside one node it hides behind the backward pass, across nodes it does not fully, so\n",
           4 * params / 1e9) +
       fmt("     doubling d gives %.2fx, not 2x.\n", speedup);
  if (fp32 > 0)
    s += fmt("  4. Precision: in fp32 this device's peak is %.3g x lower than in fp16 ", p16 / fp32) + "(" +
         format_si(fp32, "FLOP/s") + " vs " + format_si(p16, "FLOP/s") + ").\n";
  if (rr.size() >= 2 && rr[1]["gpus"] == r0["gpus"]) {
    const auto& r1 = rr[1];
    s += fmt("  5. Sequence length: a seq-%.0f sample costs ", double(r1["seq_len"].get<int>())) +
         fmt("%.2fx the FLOPs of a seq-128 one", r1["flops_per_sample"].get<double>() / r0["flops_per_sample"].get<double>()) +
         fmt(" (attention grows with seq^2), so its %.0f%% of the steps take ",
             100 * r1["training_samples"].get<double>() / (r0["training_samples"].get<double>() + r1["training_samples"].get<double>())) +
         fmt("%.0f%% of the time.\n", 100 * r1["wall_time_h"].get<double>() / wall_by_gpus.begin()->second);
  }
  print(s);
  return kExitOk;
}

}  // namespace

void register_models(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("models", "Model presets: decoders, encoders, encoder-decoders, ViTs, CNNs");
  cmd->require_subcommand(1);
  auto format = std::make_shared<std::string>("table");
  auto name = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto add_format = [&](CLI::App* c) {
    c->add_option("--format", *format, "table (for people) or json (for machines)")
        ->check(CLI::IsMember({"table", "json"}));
  };
  auto to_format = [](const std::string& s) { return s == "json" ? Format::json : Format::table; };
  CLI::App* list = cmd->add_subcommand("list", "Every preset with computed and published parameter counts");
  add_format(list);
  list->callback([format, to_format] { set_exit_code(run_list(to_format(*format))); });
  CLI::App* show = cmd->add_subcommand("show", "Shape, counts and sources of one preset");
  show->add_option("NAME", *name, "preset name (see flopcast models list)")->required();
  add_format(show);
  show->callback([format, name, to_format] { set_exit_code(run_show(*name, to_format(*format))); });
  CLI::App* seeds = cmd->add_subcommand("seeds", "The seeds' T = n/(d*v) beside Flopcast's answer "
                                                 "(scenarios/examples/bert-large-seed.json)");
  seeds->add_option("FILE", *file, "the seeds example file")->required();
  add_format(seeds);
  seeds->callback([format, file, to_format] { set_exit_code(run_seeds(*file, to_format(*format))); });
}

}  // namespace flopcast::cli
