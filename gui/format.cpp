#include "gui/format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace flopcast::gui {

namespace {

std::string with_separators(const std::string& digits) {
  // digits: optional '-', integer part, optional fraction.
  const bool negative = !digits.empty() && digits[0] == '-';
  const std::size_t begin = negative ? 1 : 0;
  std::size_t dot = digits.find('.');
  if (dot == std::string::npos) dot = digits.size();
  std::string out;
  out.reserve(digits.size() + digits.size() / 3 + 1);
  if (negative) out.push_back('-');
  for (std::size_t i = begin; i < dot; ++i) {
    out.push_back(digits[i]);
    const std::size_t left = dot - 1 - i;
    if (left > 0 && left % 3 == 0) out.push_back(',');
  }
  out.append(digits, dot, std::string::npos);
  return out;
}

}  // namespace

QString format_number(double value, int significant) {
  if (!std::isfinite(value)) return QStringLiteral("-");
  if (value == 0) return QStringLiteral("0");
  if (significant < 1) significant = 1;
  const double magnitude = std::floor(std::log10(std::fabs(value)));
  const int decimals = std::max(0, significant - 1 - static_cast<int>(magnitude));
  // Round to the significant figures first, so 1234567 shows as 1,230,000.
  const double scale = std::pow(10.0, magnitude - significant + 1);
  const double rounded = decimals > 0 ? value : std::round(value / scale) * scale;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, rounded);
  return QString::fromStdString(with_separators(buf));
}

QString format_count(double value) {
  if (!std::isfinite(value)) return QStringLiteral("-");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::round(value));
  return QString::fromStdString(with_separators(buf));
}

QString format_hours(double hours) {
  if (!std::isfinite(hours)) return QStringLiteral("-");
  if (std::fabs(hours) < 1.0) return format_number(hours * 60.0) + QStringLiteral(" min");
  if (std::fabs(hours) < 72.0) return format_number(hours) + QStringLiteral(" h");
  return format_number(hours / 24.0) + QStringLiteral(" days");
}

QString format_usd(double usd) {
  if (!std::isfinite(usd)) return QStringLiteral("-");
  const double a = std::fabs(usd);
  if (a >= 1e9) return QStringLiteral("$") + format_number(usd / 1e9) + QStringLiteral(" B");
  if (a >= 1e6) return QStringLiteral("$") + format_number(usd / 1e6) + QStringLiteral(" M");
  return QStringLiteral("$") + format_number(usd);
}

QString format_energy_mwh(double mwh) {
  if (!std::isfinite(mwh)) return QStringLiteral("-");
  const double a = std::fabs(mwh);
  if (a >= 1e3) return format_number(mwh / 1e3) + QStringLiteral(" GWh");
  if (a >= 1.0) return format_number(mwh) + QStringLiteral(" MWh");
  return format_number(mwh * 1e3) + QStringLiteral(" kWh");
}

QString exact_number_text(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return QString::fromLatin1(buf, static_cast<int>(res.ptr - buf));
}

}  // namespace flopcast::gui
