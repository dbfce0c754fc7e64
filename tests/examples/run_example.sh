#!/usr/bin/env bash
# Runs examples/NAME/run.sh and checks that it succeeds and prints what the example promises.
# Usage: run_example.sh SOURCE_DIR BUILD_DIR NAME REGEX
set -u
out=$("$1/examples/$3/run.sh" "$2" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc = 0 ] || { echo "FAIL: examples/$3/run.sh exited with $rc"; exit 1; }
printf '%s\n' "$out" | grep -Eq -- "$4" || { echo "FAIL: the output does not match /$4/"; exit 1; }
echo "ok   examples/$3"
