#!/usr/bin/env bash
# Issue 4: `java -version` start to exit, natively and in Cocoon, side by side (medians of N
# interleaved runs): signed with the whole JDK as trusted files (the java-http-server example's
# template), zero-config (the launcher and its libraries trusted, the rest allowed) and
# --no-manifest.
# Usage: bench/java_startup_bench.sh [BUILD_DIR] [RUNS]
set -euo pipefail
B=${1:-build}
RUNS=${2:-11}
C=$(realpath "$B/cocoon")
[ -x "$C" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v java >/dev/null || { echo "needs Java: apt-get install openjdk-17-jre-headless" >&2; exit 1; }
JAVA=$(readlink -f "$(command -v java)")
here=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$C" keygen --out "$W/k.pem" >/dev/null
"$C" manifest -q -o "$W/java.toml" --template "$here/examples/java-http-server/java.toml.in" -- "$JAVA" -version 2>/dev/null
"$C" sign --key "$W/k.pem" "$W/java.toml" >/dev/null
"$C" run "$W/java.toml" 2>/dev/null; "$C" run -- "$JAVA" -version 2>/dev/null  # warm the caches

source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
nat=(); sig=(); zc=(); bare=()
for _ in $(seq "$RUNS"); do
  nat+=("$(time_one "$JAVA" -version)")
  sig+=("$(time_one "$C" run "$W/java.toml")")
  zc+=("$(time_one "$C" run -- "$JAVA" -version)")
  bare+=("$(time_one "$C" run --no-manifest -- "$JAVA" -version)")
done
n=$(printf '%s\n' "${nat[@]}" | median)
row() { printf '%-44s %8s us %8s us %6.2fx\n' "$1" "$n" "$2" "$(awk -v a="$2" -v b="$n" 'BEGIN { print a / b }')"; }
printf '%-44s %11s %11s %7s\n' "java -version" native cocoon ratio
row "JDK trusted ($(grep -c 'sha256 = ' "$W/java.toml") files, signed)" "$(printf '%s\n' "${sig[@]}" | median)"
row "zero-config" "$(printf '%s\n' "${zc[@]}" | median)"
row "--no-manifest" "$(printf '%s\n' "${bare[@]}" | median)"
