// Human formatting for the desktop app: durations, money, energy and plain numbers.
//
// Formatting only: every value shown comes from the runner's result JSON; nothing here computes a
// model quantity. ASCII-safe output (no thin spaces), '.' decimals whatever the locale.
#pragma once

#include <QString>

namespace flopcast::gui {

// 3 significant figures, thousands separators: 1234567 -> "1,230,000", 0.01234 -> "0.0123".
QString format_number(double value, int significant = 3);
// A count with thousands separators: 8 -> "8", 16384 -> "16,384" (rounded to an integer).
QString format_count(double value);
// Hours in the largest readable unit: 0.5 -> "30.0 min", 5 -> "5.00 h", 300 -> "12.5 days".
QString format_hours(double hours);
// US dollars: 1234 -> "$1,230", 2.5e6 -> "$2.50 M", 3e9 -> "$3.00 B".
QString format_usd(double usd);
// Energy given in MWh: 0.0123 -> "12.3 kWh", 12.3 -> "12.3 MWh", 4560 -> "4.56 GWh".
QString format_energy_mwh(double mwh);

// The shortest text that parses back to exactly `value` ("1.5e+13", "0.1", "64").
QString exact_number_text(double value);

}  // namespace flopcast::gui
