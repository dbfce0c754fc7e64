#!/usr/bin/env bash
# Issue 4: `python3 -c pass` start to exit, natively and in Cocoon, side by side (medians of N
# interleaved runs): with the whole standard library as trusted files (a signed manifest, the
# issue's target: <= 2x native), zero-config (program and libraries trusted, the rest allowed)
# and --no-manifest. Reference (issue 4): Gramine's direct mode measured 2.8x with unverified
# files and about 300x (4-5 s) with the stdlib and system libraries trusted.
# Usage: bench/python_startup_bench.sh [BUILD_DIR] [RUNS]
set -euo pipefail
B=${1:-build}
RUNS=${2:-21}
C=$(realpath "$B/cocoon")
[ -x "$C" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$C" keygen --out "$W/k.pem" >/dev/null
stdlib=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
"$C" manifest -q -o "$W/py.toml" --trusted "$stdlib" -- "$PY" -c pass 2>/dev/null
"$C" sign --key "$W/k.pem" "$W/py.toml" >/dev/null
"$C" run "$W/py.toml"; "$C" run -- "$PY" -c pass  # warm the caches

source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
nat=(); sig=(); zc=(); bare=()
for _ in $(seq "$RUNS"); do
  nat+=("$(time_one "$PY" -c pass)")
  sig+=("$(time_one "$C" run "$W/py.toml")")
  zc+=("$(time_one "$C" run -- "$PY" -c pass)")
  bare+=("$(time_one "$C" run --no-manifest -- "$PY" -c pass)")
done
n=$(printf '%s\n' "${nat[@]}" | median)
row() { printf '%-44s %8s us %8s us %6.2fx\n' "$1" "$n" "$2" "$(awk -v a="$2" -v b="$n" 'BEGIN { print a / b }')"; }
printf '%-44s %11s %11s %7s\n' "python3 -c pass" native cocoon ratio
row "stdlib trusted ($(grep -c 'sha256 = ' "$W/py.toml") files, signed; goal <= 2x)" "$(printf '%s\n' "${sig[@]}" | median)"
row "zero-config" "$(printf '%s\n' "${zc[@]}" | median)"
row "--no-manifest" "$(printf '%s\n' "${bare[@]}" | median)"
