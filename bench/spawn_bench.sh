#!/usr/bin/env bash
# Child processes: what one costs, natively and in Cocoon, side by side (medians of N
# interleaved runs): Python's subprocess.run(["/bin/true"]) K times; the per-child time is
# the run minus the same program run with K = 0, divided by K. In Cocoon each child is a
# new enclave (zero-config, so its /bin/true is an allowed file).
# Usage: bench/spawn_bench.sh [BUILD_DIR] [RUNS] [K]
set -euo pipefail
B=${1:-build}
RUNS=${2:-7}
K=${3:-20}
C=$(realpath "$B/cocoon")
[ -x "$C" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3
cat > "$W/spawn_py.py" <<'PYEOF'
import subprocess, sys
for _ in range(int(sys.argv[1])):
    subprocess.run(["/bin/true"], check=True)
PYEOF

source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
n0=(); nk=(); c0=(); ck=()
"$C" run -- "$PY" "$W/spawn_py.py" 0 >/dev/null  # warm the zero-config cache (per command line)
"$C" run -- "$PY" "$W/spawn_py.py" "$K" >/dev/null
for _ in $(seq "$RUNS"); do
  n0+=("$(time_one "$PY" "$W/spawn_py.py" 0)")
  nk+=("$(time_one "$PY" "$W/spawn_py.py" "$K")")
  c0+=("$(time_one "$C" run -- "$PY" "$W/spawn_py.py" 0)")
  ck+=("$(time_one "$C" run -- "$PY" "$W/spawn_py.py" "$K")")
done
med() { printf '%s\n' "$@" | median; }
per() { awk -v a="$1" -v b="$2" -v k="$K" 'BEGIN { printf "%.0f", (a - b) / k }'; }
native=$(per "$(med "${nk[@]}")" "$(med "${n0[@]}")")
cocoon=$(per "$(med "${ck[@]}")" "$(med "${c0[@]}")")
printf '%-52s %9s %9s %7s\n' "one child (python subprocess.run /bin/true)" native cocoon ratio
printf '%-52s %6s us %6s us %6.1fx\n' "per child, median of $RUNS runs of $K children" "$native" "$cocoon" \
  "$(awk -v a="$cocoon" -v b="$native" 'BEGIN { print a / b }')"
