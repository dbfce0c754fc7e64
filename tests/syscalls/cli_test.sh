#!/bin/sh
# End-to-end test of `cocoon syscalls`: the default output is docs/syscalls.md byte for byte,
# --route keeps only that route, --json parses and lists every row, and a bad --route gives
# one `cocoon syscalls: …` line on stderr and a non-zero exit status.
# Usage: cli_test.sh COCOON_BINARY SOURCE_DIR
set -eu
cocoon=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cocoon" syscalls > "$work/all.md"
cmp "$work/all.md" "$src/docs/syscalls.md" ||
  fail "'cocoon syscalls' differs from docs/syscalls.md; regenerate: build/cocoon syscalls > docs/syscalls.md"

"$cocoon" syscalls --route refuse > "$work/refuse.md"
grep -q '^| 322 | `execveat` | refuse: ENOSYS |' "$work/refuse.md" || fail "execveat missing from --route refuse"
rows=$(grep -cE '^\| [0-9]+ \| `' "$work/refuse.md")
refused=$(grep -cE '^\| [0-9]+ \| `[a-z0-9_]+` \| refuse: E[A-Z]+ \|' "$work/refuse.md")
[ "$rows" -gt 100 ] || fail "--route refuse lists only $rows rows"
[ "$rows" -eq "$refused" ] || fail "--route refuse lists $((rows - refused)) rows that are not refused"

"$cocoon" syscalls --json > "$work/all.json"
python3 - "$work/all.json" <<'PY' || fail "--json output"
import json, sys
j = json.load(open(sys.argv[1]))
rows = j["syscalls"]
assert len(rows) == 383, len(rows)
assert rows[0]["name"] == "read" and rows[0]["route"] == "forward", rows[0]
assert rows[-1]["nr"] == j["max_nr"] == 469, rows[-1]
PY

set +e
"$cocoon" syscalls --route sideways > "$work/out.txt" 2> "$work/err.txt"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a bad --route exited 0"
[ ! -s "$work/out.txt" ] || fail "a bad --route printed a table"
[ "$(wc -l < "$work/err.txt")" -eq 1 ] || fail "a bad --route must give one line on stderr"
grep -qx "cocoon syscalls: unknown route 'sideways' for --route (expected shim, forward or refuse)" \
  "$work/err.txt" || fail "unexpected error text: $(cat "$work/err.txt")"
echo "cocoon syscalls CLI: ok"
