#!/usr/bin/env bash
# Installs everything Cocoon needs to build, run and test, from Debian 12 packages only.
# Safe to run again; it skips apt when every package is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build clang pkg-config git
  # libraries (see README "Dependencies")
  libelf-dev libseccomp-dev libssl-dev openssl libunwind-dev libzstd-dev zlib1g-dev libarchive-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  # programs the end-to-end tests and examples run inside enclaves
  busybox-static coreutils findutils grep sed gzip python3 curl
  # Java: the JVM runs in the suite; the JDK (javac, jar) builds the example's jar
  openjdk-17-jdk-headless
  # building and running OCI images in the wrap-image tests (podman with runc; see
  # shared/notes/testing-infra.md)
  podman buildah skopeo umoci runc conmon catatonit containernetworking-plugins uidmap
  golang-github-containers-common fuse-overlayfs
)
# Kubernetes YAML validation uses npm (kubernetes-models, tests/k8s). Machines that already
# have a Node.js with npm (e.g. from another repository) keep it: Debian's npm package would
# conflict with it.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

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

# Node packages for the offline Kubernetes schema validation (tests/k8s/package-lock.json).
if [ ! -d tests/k8s/node_modules ] && command -v npm >/dev/null 2>&1; then
  (cd tests/k8s && npm ci --no-audit --no-fund --loglevel=error)
fi
