#!/usr/bin/env bash
# README command 1: install dependencies, build Cocoon, and run a real program in a
# simulated enclave, next to the same program run natively.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
echo "== native:  /bin/ls -la /usr/share | head -5"
/bin/ls -la /usr/share | head -5
echo "== cocoon:  build/cocoon run -- /bin/ls -la /usr/share | head -5"
build/cocoon run -- /bin/ls -la /usr/share | head -5
echo "== cocoon:  printf abc | build/cocoon run --stats -- /usr/bin/sha256sum"
printf abc | build/cocoon run --stats -- /usr/bin/sha256sum
