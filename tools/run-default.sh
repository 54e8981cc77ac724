#!/usr/bin/env bash
# README command (a): install what is needed, build, and run Flopcast on the shipped default
# scenario. Prints the answer as a table and writes out/default.result.json atomically. Opens the
# desktop window too when a display is set and stdin is a terminal (pass --no-gui to turn that off).
set -euo pipefail
cd "$(dirname "$0")/.."

gui=auto
for arg in "$@"; do
  case "$arg" in
    --no-gui) gui=no ;;
    -h|--help) echo "usage: tools/run-default.sh [--no-gui]"; exit 0 ;;
    *) echo "run-default: unknown option '$arg' (expected --no-gui)" >&2; exit 2 ;;
  esac
done
if [ "$gui" = auto ]; then
  if { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } && [ -t 0 ]; then gui=yes; else gui=no; fi
fi

bash tools/install-deps.sh
cmake --preset release >/dev/null
targets=(--target flopcast)
[ "$gui" = yes ] && targets+=(flopcast-gui)
echo "building flopcast (release preset; log: build/release/build.log) ..."
if ! cmake --build --preset release "${targets[@]}" > build/release/build.log 2>&1; then
  tail -n 40 build/release/build.log >&2
  echo "run-default: build failed (full log: build/release/build.log)" >&2
  exit 1
fi

mkdir -p out
build/release/cli/flopcast estimate scenarios/examples/default.json --out out/default.result.json

if [ "$gui" = yes ]; then
  exec build/release/gui/flopcast-gui scenarios/examples/default.json
fi
