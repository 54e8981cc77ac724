#!/bin/sh
# Writes docs/screenshot.png: the desktop window on the shipped default scenario, headless.
#   tools/screenshot.sh [BUILD_DIR] [OUT.png]      (default: build/release, docs/screenshot.png)
# Needs a built flopcast-gui (cmake --build BUILD_DIR --target flopcast-gui). No display needed:
# Qt's offscreen platform renders the window and QWidget::grab() writes it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build/release}
OUT=${2:-$ROOT/docs/screenshot.png}
GUI=$BUILD/gui/flopcast-gui
if [ ! -x "$GUI" ]; then
  echo "screenshot.sh: $GUI not found; build it first: cmake --build $BUILD --target flopcast-gui" >&2
  exit 2
fi
RUNTIME=$(mktemp -d)
chmod 700 "$RUNTIME"
trap 'rm -rf "$RUNTIME"' EXIT
# A fresh settings folder, so recent files from this machine do not show.
XDG_RUNTIME_DIR=$RUNTIME XDG_CONFIG_HOME=$RUNTIME QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1 \
  "$GUI" --screenshot "$OUT" --size 1360x820 "$ROOT/scenarios/examples/default.json"
echo "wrote $OUT"
