#!/usr/bin/env bash
# Installs exactly what Flopcast's build and tests need from Debian 12 packages.
# Idempotent: quiet and quick when everything is already there. Never installs CUDA
# (Debian's is a non-free 11.8; Flopcast uses the toolkit already on the machine, if any).
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache git ca-certificates make pkg-config
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev libxkbcommon-dev
  qt6-qpa-plugins fonts-dejavu-core
  libeigen3-dev libboost-graph-dev nlohmann-json3-dev catch2 libcli11-dev libfmt-dev
  xvfb xauth python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
