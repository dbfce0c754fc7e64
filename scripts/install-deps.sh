#!/usr/bin/env bash
# Installs everything Cocoon needs to build, run and test, from Debian 12 packages only.
# Safe to run again; it skips apt when every package is already installed.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build clang pkg-config git
  # libraries (see README "Dependencies")
  libelf-dev libseccomp-dev libssl-dev openssl libunwind-dev libzstd-dev libarchive-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  # programs the end-to-end tests and examples run inside enclaves
  busybox-static coreutils findutils grep sed gzip python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
