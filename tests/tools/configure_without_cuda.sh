#!/usr/bin/env bash
# CUDA is optional: configuring with the CUDA compiler hidden must succeed and say so exactly once.
# (Hiding nvcc from PATH is not enough on machines with wrapper scripts: CUDACXX points at nothing.)
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(CUDACXX=/nonexistent/nvcc cmake -S "$src" -B "$tmp/b" -G Ninja -DFLOPCAST_WITH_GUI=OFF -DBUILD_TESTING=OFF 2>&1)
rc=$?
if [ $rc -ne 0 ]; then echo "$out"; echo "configure without CUDA failed (exit $rc)"; exit 1; fi
n=$(printf '%s\n' "$out" | grep -c "no CUDA compiler found")
if [ "$n" -ne 1 ]; then echo "$out"; echo "expected the no-CUDA message exactly once, saw $n"; exit 1; fi
echo "configure without CUDA: ok"
