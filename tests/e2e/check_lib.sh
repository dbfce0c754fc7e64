# Sourced by the e2e check scripts: `check NAME CONDITION-COMMAND…` runs the condition and
# prints "ok   NAME" or "FAIL NAME" with out.txt and err.txt of the last run; `has FILE REGEX`;
# `summary` prints the counts and returns non-zero if anything failed.
pass=0
fail=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok   $name"
    pass=$((pass + 1))
  else
    echo "FAIL $name"
    echo "---- out:"; cat out.txt 2>/dev/null
    echo "---- err:"; cat err.txt 2>/dev/null
    fail=$((fail + 1))
  fi
}
has() { grep -Eq -- "$2" "$1"; }
summary() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
