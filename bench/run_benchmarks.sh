#!/usr/bin/env bash
# Issue 2 benchmarks, measured side by side with native in one run (medians; the machines
# are shared and noisy, so read the ratios):
#   (a) a syscall the shim serves itself (getppid; clock_gettime too)
#   (b) a forwarded syscall (pread of 4 KiB from the page cache)
#   (c) start-to-exit time of /bin/true
# Usage: bench/run_benchmarks.sh [BUILD_DIR]
set -euo pipefail
B=${1:-build}
C=$B/cocoon
L=$B/bench/syscall_latency
[ -x "$C" ] && [ -x "$L" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }

field() { sed -E "s/.*$1=([0-9.]+).*/\1/"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

printf '%-34s %12s %12s %8s %s\n' benchmark native cocoon ratio target
for what in getppid clock_gettime pread4k; do
  n=$("$L" "$what" 200000 11 | field median_ns)
  c=$("$C" run -- "$L" "$what" 200000 11 | field median_ns)
  case $what in
    getppid|clock_gettime) target="(a) <= 100 ns in the enclave" ;;
    pread4k) target="(b) <= 2500 ns in the enclave" ;;
  esac
  printf '%-34s %9s ns %9s ns %8s %s\n' "$what (per call)" "$n" "$c" "$(ratio "$c" "$n")" "$target"
done

# (c) start-to-exit of /bin/true: median of 21 runs each, interleaved.
source "$(dirname "${BASH_SOURCE[0]}")/timing.sh"
# Zero-config (a generated, signed manifest: cached after the first run) and --no-manifest.
nat=(); coc=(); bare=()
"$C" run -- /bin/true  # fills the zero-config cache
for i in $(seq 21); do
  nat+=("$(time_one /bin/true)")
  coc+=("$(time_one "$C" run -- /bin/true)")
  bare+=("$(time_one "$C" run --no-manifest -- /bin/true)")
done
n=$(printf '%s\n' "${nat[@]}" | median)
c=$(printf '%s\n' "${coc[@]}" | median)
b=$(printf '%s\n' "${bare[@]}" | median)
printf '%-34s %9s us %9s us %8s %s\n' "/bin/true start to exit" "$n" "$c" "$(ratio "$c" "$n")" "(c) <= 10000 us in the enclave"
printf '%-34s %9s us %9s us %8s %s\n' "  the same, --no-manifest" "$n" "$b" "$(ratio "$b" "$n")" ""
