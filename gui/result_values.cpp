#include "gui/result_values.h"

#include <cmath>
#include <limits>

namespace flopcast::gui {

using nlohmann::ordered_json;

namespace {

const ordered_json* find(const ordered_json& doc, const char* pointer) {
  try {
    const ordered_json::json_pointer p(pointer);
    if (doc.contains(p)) return &doc.at(p);
  } catch (const std::exception&) {
  }
  return nullptr;
}

bool number_at(const ordered_json& doc, const char* pointer, double* out) {
  const ordered_json* v = find(doc, pointer);
  if (!v || !v->is_number()) return false;
  *out = v->get<double>();
  return std::isfinite(*out);
}

std::string string_at(const ordered_json& doc, const char* pointer) {
  const ordered_json* v = find(doc, pointer);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

std::optional<Kpis> kpis_from_result(const ordered_json& result, std::string* error) {
  Kpis k;
  const struct {
    const char* pointer;
    double* out;
  } needs[] = {{"/metrics/wall_time_h", &k.wall_time_h},
               {"/metrics/gpu_hours", &k.gpu_hours},
               {"/hardware/device_count", &k.gpus}};
  for (const auto& n : needs)
    if (!number_at(result, n.pointer, n.out)) {
      if (error) *error = std::string("no number at ") + n.pointer;
      return std::nullopt;
    }
  double v = 0;
  if (number_at(result, "/metrics/cost_usd", &v)) k.cost_usd = v;  // null: not priced
  if (number_at(result, "/metrics/energy_mwh", &v)) k.energy_mwh = v;  // null: device power unknown
  if (number_at(result, "/metrics/mfu", &v)) k.mfu = v;
  if (number_at(result, "/metrics/tokens_per_s_per_gpu", &v)) k.tokens_per_s_per_gpu = v;
  if (number_at(result, "/metrics/samples_per_s_per_gpu", &v)) k.samples_per_s_per_gpu = v;
  const auto band = [&](const char* lo_ptr, const char* hi_ptr, std::optional<double>& lo, std::optional<double>& hi) {
    double a = 0, b = 0;
    if (number_at(result, lo_ptr, &a) && number_at(result, hi_ptr, &b)) {
      lo = a;
      hi = b;
    }
  };
  band("/bands/p10/wall_time_h", "/bands/p90/wall_time_h", k.wall_time_p10_h, k.wall_time_p90_h);
  band("/bands/p10/gpu_hours", "/bands/p90/gpu_hours", k.gpu_hours_p10, k.gpu_hours_p90);
  band("/bands/p10/cost_usd", "/bands/p90/cost_usd", k.cost_p10_usd, k.cost_p90_usd);
  band("/bands/p10/energy_mwh", "/bands/p90/energy_mwh", k.energy_p10_mwh, k.energy_p90_mwh);
  k.memory_fit = string_at(result, "/memory/fits");
  if (number_at(result, "/memory/total_gib", &v)) k.memory_gib = v;
  if (number_at(result, "/memory/capacity_gib", &v)) k.capacity_gib = v;
  k.device = string_at(result, "/hardware/device_name");
  if (k.device.empty()) k.device = string_at(result, "/hardware/device");
  if (const ordered_json* lay = find(result, "/layout"); lay && lay->is_object()) {
    std::string text;
    for (const char* axis : {"dp", "tp", "pp", "vp", "cp", "ep"}) {  // vp > 1: interleaved pipeline
      const auto it = lay->find(axis);
      if (it == lay->end() || !it->is_number_integer()) continue;
      const long long n = it->get<long long>();
      if (n > 1 || std::string(axis) == "dp")
        text += (text.empty() ? "" : " ") + std::string(axis) + "=" + std::to_string(n);
    }
    const std::string mode = string_at(*lay, "/mode");
    if (!text.empty() && !mode.empty()) text += " (" + mode + ")";
    k.layout = text;
  }
  return k;
}

std::vector<SweepPoint> sweep_from_result(const ordered_json& result, std::string* error) {
  std::vector<SweepPoint> points;
  const ordered_json* rows = find(result, "/sweep/points");
  if (!rows || !rows->is_array()) {
    if (error) *error = "the result has no /sweep/points array";
    return points;
  }
  for (const auto& row : *rows) {
    SweepPoint p;
    if (!number_at(row, "/device_count", &p.gpus) || !number_at(row, "/wall_time_h", &p.time_h))
      continue;
    double lo = 0, hi = 0;
    if (number_at(row, "/wall_time_p10_h", &lo) && number_at(row, "/wall_time_p90_h", &hi)) {
      p.time_p10_h = lo;
      p.time_p90_h = hi;
    }
    double cost = 0;
    p.cost_usd =
        number_at(row, "/cost_usd", &cost) ? cost : std::numeric_limits<double>::quiet_NaN();
    p.fits = string_at(row, "/memory_fit") != "no";  // "not checked" (capacity unknown) is drawn
    points.push_back(p);
  }
  if (points.empty() && error) *error = "no GPU count in the sweep gives a valid run";
  return points;
}

}  // namespace flopcast::gui
