#!/usr/bin/env bash
# More threads than the enclave has slots: pthread_create fails with EAGAIN (the program
# reports it and exits normally), --verbose says why in one line, nothing hangs or crashes;
# in a signed enclave the bound is the manifest's enclave.max_threads.
# clone with arguments the shim refuses fails with an errno, nothing is created.
# Threads opening files at once in a signed enclave each get their own policy decision.
# Usage: thread_checks.sh COCOON THREADS_LIMIT_PROGRAM CLONE_ERRORS_PROGRAM OPEN_POLICY_PROGRAM
set -u
cocoon=$1
prog=$2
errors_prog=$3
policy_prog=$4
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL $1: expected [$2], got [$3]"
    fail=1
  else
    echo "ok   $1"
  fi
}

# 4 slots: the main thread and 3 more; the 4th pthread_create gets EAGAIN.
out=$(timeout 60 "$cocoon" run --max-threads 4 -v -- "$prog" 10 2>"$work/err")
rc=$?
check "exit status at the limit" 0 "$rc"
check "output at the limit" "created 3 of 10 threads; then pthread_create: Resource temporarily unavailable
joined 3 threads, sum 3" "$out"
lines=$(grep -c "enclave threads are in use" "$work/err")
check "one verbose line names the limit" 1 "$lines"

# Within the limit everything is created (and the output matches the native run).
native=$("$prog" 5)
out=$(timeout 60 "$cocoon" run --max-threads 8 -- "$prog" 5)
check "exit status within the limit" 0 "$?"
check "output within the limit" "$native" "$out"

# A single-slot enclave: no thread at all can be created, the program still ends normally.
out=$(timeout 60 "$cocoon" run --max-threads 1 -- "$prog" 2)
check "exit status with one slot" 0 "$?"
check "output with one slot" "created 0 of 2 threads; then pthread_create: Resource temporarily unavailable
joined 0 threads, sum 0" "$out"
out=$(timeout 60 "$cocoon" run -- "$errors_prog" 2>"$work/err")
check "exit status, refused clones" 0 "$?"
check "refused clones" "fork-like: ENOSYS
vfork without CLONE_VM: ENOSYS
thread without sighand: EINVAL
sighand without vm: EINVAL
thread, no stack: EINVAL
thread, unmapped stack: EFAULT
thread, bad tid pointer: EFAULT
thread, bad tls: EPERM
thread with another flag: ENOSYS
clone3: ENOSYS
tid untouched: 0" "$out"

# A signed enclave: the measured enclave.max_threads is the bound.
cd "$work"
cp "$prog" limit
"$cocoon" keygen --out signer.pem >/dev/null 2>&1
"$cocoon" manifest --output app.toml -- "$work/limit" 6 >/dev/null 2>&1
sed -i 's/^max_threads = .*/max_threads = 3/' app.toml
"$cocoon" sign --key signer.pem app.toml >/dev/null 2>&1
out=$(timeout 60 "$cocoon" run app.toml 2>"$work/err")
check "exit status, signed enclave with max_threads = 3" 0 "$?"
check "output, signed enclave with max_threads = 3" "created 2 of 6 threads; then pthread_create: Resource temporarily unavailable
joined 2 threads, sum 1" "$out"

# Concurrent opens of an allowed and an unlisted file in a signed enclave.
cp "$policy_prog" opener
echo allowed > allowed.txt
echo hidden > hidden.txt
"$cocoon" manifest --output open.toml --allowed "$work/allowed.txt" -- "$work/opener" "$work/allowed.txt" "$work/hidden.txt" >/dev/null 2>&1
"$cocoon" sign --key signer.pem open.toml >/dev/null 2>&1
out=$(timeout 60 "$cocoon" run open.toml 2>"$work/err")
check "exit status, concurrent opens under a manifest" 0 "$?"
check "concurrent opens under a manifest" "allowed file: 0 wrong answers; unlisted file: 0 wrong answers" "$out"
exit $fail
