#!/usr/bin/env bash
# Runs a shell snippet twice — natively, and with its programs inside Cocoon — and checks
# that stdout, stderr and the exit status are byte-for-byte the same.
# The snippet names the program prefix as $R: natively R is empty, in the enclave it is
# "cocoon run --". Usage: compare_native.sh COCOON SNIPPET [WORKDIR]
set -u
cocoon=$1
snippet=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "${3:-$work}"

bash -c "R=; $snippet" >"$work/native.out" 2>"$work/native.err" </dev/null
native_rc=$?
bash -c "R='$cocoon run --'; $snippet" >"$work/cocoon.out" 2>"$work/cocoon.err" </dev/null
cocoon_rc=$?

fail=0
if ! cmp -s "$work/native.out" "$work/cocoon.out"; then
  echo "stdout differs for: $snippet"
  diff <(head -c 4000 "$work/native.out") <(head -c 4000 "$work/cocoon.out") | head -40
  fail=1
fi
if ! cmp -s "$work/native.err" "$work/cocoon.err"; then
  echo "stderr differs for: $snippet"
  diff "$work/native.err" "$work/cocoon.err" | head -40
  fail=1
fi
if [ "$native_rc" != "$cocoon_rc" ]; then
  echo "exit status differs for: $snippet (native $native_rc, cocoon $cocoon_rc)"
  fail=1
fi
if [ $fail = 0 ]; then
  echo "same stdout ($(wc -c <"$work/native.out") bytes), stderr and exit status ($native_rc): $snippet"
fi
exit $fail
