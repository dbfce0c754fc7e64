#!/usr/bin/env bash
# README command 1: install dependencies, build Cocoon, and run a real program in a
# simulated enclave, next to the same program run natively.
set -euo pipefail
# (sed -n 1,5p rather than head: it reads all of its input, so that the listing never ends
# by SIGPIPE, which pipefail would turn into a failure of this script)
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
echo "== native:  /bin/ls -la /usr/share | sed -n 1,5p"
/bin/ls -la /usr/share | sed -n 1,5p
echo "== cocoon:  build/cocoon run -- /bin/ls -la /usr/share | sed -n 1,5p"
build/cocoon run -- /bin/ls -la /usr/share | sed -n 1,5p
echo "== cocoon:  printf abc | build/cocoon run --stats -- /usr/bin/sha256sum"
printf abc | build/cocoon run --stats -- /usr/bin/sha256sum
