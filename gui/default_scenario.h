// Where the shipped default scenario (scenarios/examples/default.json) is on this machine.
#pragma once

#include <QString>

namespace flopcast::gui {

// Looks, in order, in the folders above `app_dir` (a build tree inside the source tree, e.g.
// build/release/gui/), in `app_dir`/../share/flopcast/ (an install), and in the source tree this
// binary was built from. Returns "" when none exists.
QString find_default_scenario(const QString& app_dir);

}  // namespace flopcast::gui
