#!/usr/bin/env bash
# README command 2: install dependencies, build Cocoon twice (release, and host code with
# -fsanitize=address,undefined), and run the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
JOBS=$(nproc)

echo "== build (release)"
BUILD_DIR=build scripts/build.sh
echo "== build (address,undefined sanitizers on host code)"
BUILD_DIR=build-asan scripts/build.sh -DCOCOON_SANITIZE=ON -DCOCOON_BUILD_BENCH=OFF

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== tests (release)"
ctest --test-dir build --output-on-failure -j"$JOBS" --timeout 600
echo "== tests (sanitizers)"
ctest --test-dir build-asan --output-on-failure -j"$JOBS" --timeout 600 -LE e2e
