#!/usr/bin/env bash
# README command (b): install what is needed, build everything (release preset) and run the whole
# test suite with CTest. Works headless: Qt tests use the offscreen platform.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
export QT_QPA_PLATFORM=offscreen
cmake --preset release
cmake --build --preset release
ctest --preset release -j2
