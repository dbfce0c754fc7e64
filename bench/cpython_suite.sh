#!/usr/bin/env bash
# Issue 4: CPython's own test suite (Debian's libpython3.11-testsuite) natively and inside
# Cocoon, side by side. For each module: tests run, passed (run - failures - errors - skipped)
# and skipped, natively and in the enclave, then the tests that pass natively but not in the
# enclave (with the error's last line), so each gap can be traced to a syscall.
# Usage: bench/cpython_suite.sh [BUILD_DIR] [MODULE…]     (default: the modules of issue 4)
# Needs: apt-get install libpython3.11-testsuite. Zero-config runs (a generated manifest; the
# stdlib and tests are allowed files). Child processes run (vfork/posix_spawn + exec); tests
# needing fork without exec fail in the enclave; they are listed, not hidden.
set -uo pipefail
B=${1:-build}
shift || true
C=$(realpath "$B/cocoon")
[ -x "$C" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
PY=/usr/bin/python3
[ -f /usr/lib/python3.11/test/test_json/__init__.py ] ||
  { echo "needs Debian's libpython3.11-testsuite (apt-get install libpython3.11-testsuite)" >&2; exit 1; }
MODULES=("$@")
[ ${#MODULES[@]} -gt 0 ] || MODULES=(test_os test_threading test_socket test_select test_selectors test_signal
  test_time test_json test_hashlib test_mmap test_fcntl test_poll test_epoll test_tempfile test_shutil
  test_pathlib test_logging test_asyncio test_subprocess)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
TIMEOUT=${TIMEOUT:-900}

# counts LOG -> "run passed skipped" from unittest's summary ("Ran N tests", "FAILED (…)"/"OK (…)").
counts() {
  awk '
    /^Ran [0-9]+ tests? in/ { run += $2 }
    /^(OK|FAILED)/ {
      s = $0; gsub(/[(),]/, " ", s); n = split(s, f, " ")
      for (i = 1; i <= n; i++) {
        split(f[i], kv, "=")
        if (kv[1] == "failures" || kv[1] == "errors" || kv[1] == "unexpected successes") bad += kv[2]
        if (kv[1] == "skipped") skip += kv[2]
      }
    }
    END { if (run == "") print "- - -"; else print run, run - bad - skip, skip + 0 }' "$1"
}
# passing LOG -> the ids of tests reported "... ok"
passing() { sed -nE 's/^test[^ ]* \(([^)]*)\).* \.\.\. ok$/\1/p' "$1" | sort -u; }

printf '%-16s %22s %22s\n' module "native run/pass/skip" "cocoon run/pass/skip"
total_n=0; total_c=0
for m in "${MODULES[@]}"; do
  (cd "$W" && timeout "$TIMEOUT" "$PY" -m test -v "$m" >"$W/$m.native" 2>&1)
  (cd "$W" && timeout "$TIMEOUT" "$C" run -- "$PY" -m test -v "$m" >"$W/$m.cocoon" 2>&1)
  read -r nr np ns <<<"$(counts "$W/$m.native")"
  read -r cr cp cs <<<"$(counts "$W/$m.cocoon")"
  printf '%-16s %22s %22s\n' "$m" "$nr/$np/$ns" "$cr/$cp/$cs"
  [ "$np" != - ] && total_n=$((total_n + np))
  [ "$cp" != - ] && total_c=$((total_c + cp))
  comm -23 <(passing "$W/$m.native") <(passing "$W/$m.cocoon") >"$W/$m.gap"
  if [ -s "$W/$m.gap" ]; then
    echo "  passing natively, not in the enclave ($(wc -l <"$W/$m.gap")):"
    head -20 "$W/$m.gap" | sed 's/^/    /'
    [ "$(wc -l <"$W/$m.gap")" -gt 20 ] && echo "    …"
  fi
done
printf '%-16s %22s %22s\n' total "$total_n passed" "$total_c passed"
