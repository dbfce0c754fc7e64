#!/usr/bin/env bash
# Where a `cocoon run` start goes, from kernel scheduler and syscall tracepoints (perf): the
# launcher (cocoon's exec to the enclave process's exec), the enclave (its exec to the
# program's exit_group) and the end (that exit_group to cocoon's exit), medians of RUNS runs,
# each column on its own. Tracepoints cost a few microseconds per event, not per syscall:
# the phases add up to within a few percent of an untraced run.
# Usage: bench/start_phases.sh [BUILD_DIR] [RUNS] -- COCOON_RUN_ARGS…
#   e.g. bench/start_phases.sh build 21 -- APP.toml
#        bench/start_phases.sh build 21 -- -- /usr/bin/python3 -c pass
# Needs perf (apt-get install linux-perf) and the right to trace (root, or
# kernel.perf_event_paranoid <= -1).
set -euo pipefail
B=build
RUNS=21
[ $# -gt 0 ] && [ "$1" != "--" ] && { B=$1; shift; }
[ $# -gt 0 ] && [ "$1" != "--" ] && { RUNS=$1; shift; }
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [BUILD_DIR] [RUNS] -- COCOON_RUN_ARGS…" >&2; exit 2; }
C=$(realpath "$B/cocoon")
[ -x "$C" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v perf >/dev/null || { echo "needs perf: apt-get install linux-perf" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$C" run "$@" >/dev/null 2>&1 || true  # warm the caches
for _ in $(seq "$RUNS"); do
  perf record -q -o "$W/p.data" -e sched:sched_process_exec,sched:sched_process_exit,syscalls:sys_enter_exit_group \
    -- "$C" run "$@" >/dev/null 2>&1 || true
  perf script -i "$W/p.data" -F comm,time,event 2>/dev/null | awk '
    { t = $2; sub(":", "", t); t *= 1000 }
    /sched_process_exec/ && !start { start = t }
    /sched_process_exec/ && $1 ~ /^memfd:cocoon/ && !enclave { enclave = t }
    /sys_enter_exit_group/ && $1 ~ /^memfd:cocoon/ && !ended { ended = t }
    /sched_process_exit/ && $1 == "cocoon" { done = t }
    END { if (start && enclave && ended && done)
            printf "%.3f %.3f %.3f %.3f\n", enclave - start, ended - enclave, done - ended, done - start }' >>"$W/phases"
done
[ -s "$W/phases" ] || { echo "no complete trace (is the program an enclave run?)" >&2; exit 1; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-10s %-10s %-10s %-10s (ms, medians of %d runs)\n' launcher enclave end total "$(wc -l <"$W/phases")"
for k in 1 2 3 4; do awk -v k="$k" '{ print $k }' "$W/phases" | median; done | paste -sd' ' |
  awk '{ printf "%-10s %-10s %-10s %-10s\n", $1, $2, $3, $4 }'
