#!/usr/bin/env bash
# A source tree without .git (a release tarball) reports the git sha as "unknown".
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tree"
cmake -DSRC="$tmp/tree" -DOUT="$tmp/version.h" -DVERSION=9.9.9 -P "$src/cmake/write_version.cmake" || exit 1
grep -q 'kGitSha = "unknown"' "$tmp/version.h" || { cat "$tmp/version.h"; echo "expected sha unknown"; exit 1; }
grep -q 'kVersion = "9.9.9"' "$tmp/version.h" || { cat "$tmp/version.h"; exit 1; }
echo "version without git: ok"
