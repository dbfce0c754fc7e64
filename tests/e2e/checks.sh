#!/usr/bin/env bash
# Checks of Cocoon's own guarantees when running programs (issue 2): exit statuses and
# signals, bad input, the enclave range limit, syscalls from the program's own code, the
# seccomp backstop, the untrusted proxy's isolation and the shim's checks of its answers.
# Usage: checks.sh COCOON PROGRAMS_DIR
set -u
C=$1
P=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pass=0
fail=0

# run NAME EXPECTED_STATUS STDOUT_REGEX STDERR_REGEX -- COMMAND…
run() {
  local name=$1 want_rc=$2 out_re=$3 err_re=$4
  shift 5
  "$@" >out.txt 2>err.txt </dev/null
  local rc=$?
  local ok=1
  [ "$rc" = "$want_rc" ] || { echo "FAIL $name: exit status $rc, expected $want_rc"; ok=0; }
  if [ -n "$out_re" ] && ! grep -Eq -- "$out_re" out.txt; then echo "FAIL $name: stdout does not match /$out_re/"; ok=0; fi
  if [ -n "$err_re" ] && ! grep -Eq -- "$err_re" err.txt; then echo "FAIL $name: stderr does not match /$err_re/"; ok=0; fi
  if [ $ok = 1 ]; then
    echo "ok   $name"
    pass=$((pass + 1))
  else
    echo "---- stdout:"; head -c 2000 out.txt; echo "---- stderr:"; head -c 2000 err.txt
    fail=$((fail + 1))
  fi
}

# Exit status and signals, as a shell would see them natively (128+N), with a reason.
run exit_status 42 "" "" -- "$C" run -- "$P/e2e_crash" exit42
run sigsegv 139 "" "program killed by SIGSEGV" -- "$C" run -- "$P/e2e_crash" segv
run sigabrt 134 "" "program killed by SIGABRT" -- "$C" run -- "$P/e2e_crash" abort
run sigterm_self 143 "" "program killed by SIGTERM" -- "$C" run -- "$P/e2e_crash" term
run sigterm_ignored 0 "survived an ignored SIGTERM" "" -- "$C" run -- "$P/e2e_crash" ignored
# The exit status comes with the enclave's exit notice (before its memory is freed), and only
# from there: a proxy that fills the window's exit fields with "status 0" and sends the
# notice's signal (SIGCHLD) at every request changes nothing.
run exit_notice 5 "" "the program exited with status 5 \(exit notice" -- "$C" run -v -- /bin/sh -c 'exit 5'
run exit_notice_not_forged 42 "^done$" "" -- "$C" run --test-hostile-proxy fake-exit -- /usr/bin/python3 -c '
import os, time
for _ in range(50): os.stat("/")
time.sleep(0.2)
print("done", flush=True)
raise SystemExit(42)'
# Started with fd 0 or 1 closed: the program finds it closed, as natively (cat's stdin was the
# untrusted window's memfd before, and echo wrote into cocoon's own files), and its first
# open takes the number.
run std_in_closed 1 "" "cat: -: Bad file descriptor" -- bash -c 'exec "$0" run -- /bin/cat <&-' "$C"
if grep -q CCOW out.txt; then echo "FAIL std_in_closed: the program read the untrusted window"; fail=$((fail+1)); fi
run std_out_closed 1 "" "echo: write error: Bad file descriptor" -- bash -c 'exec "$0" run -- /bin/echo hi >&-' "$C"
run std_in_closed_first_open 0 "^0$" "" -- \
  bash -c 'exec "$0" run -- /usr/bin/python3 -c "import os; print(os.open(\"/etc/hostname\", 0))" <&-' "$C"

# Started with SIGCHLD ignored (inherited across exec: the kernel would then reap the enclave
# process unseen, and cocoon hung) or blocked: the program's status all the same.
for how in "signal.signal(signal.SIGCHLD, signal.SIG_IGN)" "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])"; do
  run "sigchld_$(echo "$how" | grep -q SIG_IGN && echo ignored || echo blocked)_by_parent" 5 "" "" -- timeout 60 /usr/bin/python3 -c "
import os, signal, sys
$how
os.execv(sys.argv[1], [sys.argv[1], 'run', '--', '/bin/sh', '-c', 'exit 5'])" "$C"
done

# A syscall instruction in the program's own code reaches the shim. Rewritten sites stop
# trapping (the last column of --stats): a `mov $39,%eax; syscall` site, one whose number is
# in %rax at run time (getppid: never trapped), a `mov $-1,%edi; xor %eax,%eax` site (read),
# and a site entered at its second instruction, which traps each time it is entered there.
run raw_syscall 3 "^raw syscall ok$" "13 syscalls: 10 served in the shim, 3 forwarded" -- \
  "$C" run --stats -- "$P/e2e_raw_syscall"
run raw_syscall_rewrite_dynamic 3 "" "getppid +2 +0 +0 +0$" -- "$C" run --stats -- "$P/e2e_raw_syscall"
run raw_syscall_rewrite_getpid 3 "" "getpid +7 +0 +0 +4$" -- "$C" run --stats -- "$P/e2e_raw_syscall"
run raw_syscall_rewrite_xor 3 "" "read +0 +2 +0 +1$" -- "$C" run --stats -- "$P/e2e_raw_syscall"
run no_patch_all_trap 3 "" "0 call sites rewritten after 13 traps" -- "$C" run --stats --no-patch -- "$P/e2e_raw_syscall"

# Defence in depth: with Syscall User Dispatch off (test mode), the program's first syscall
# meets the enclave's seccomp filter and the process is killed.
run seccomp_backstop 159 "" "stopped by the enclave's seccomp filter" -- "$C" run --test-no-dispatch -- /bin/true

# The enclave range bounds the program's memory: malloc fails cleanly past it.
run enclave_memory_limit 0 "^malloc failed cleanly after [0-9]+ MiB$" "" -- \
  "$C" run --enclave-size 256M -- "$P/e2e_alloc_past_enclave"
mib=$(grep -Eo '[0-9]+' out.txt | head -1)
if [ -n "$mib" ] && [ "$mib" -lt 256 ] && [ "$mib" -gt 100 ]; then echo "ok   enclave_memory_limit_amount ($mib MiB)"; pass=$((pass+1)); else echo "FAIL enclave_memory_limit_amount: $mib"; fail=$((fail+1)); fi

# --stats: peak EPC and counts per syscall and path.
run stats 0 "" "peak EPC in use [0-9.]+ MiB.*openat +0 +[1-9]" -- bash -c "\"$C\" run --stats -- /bin/ls / 2>&1 >/dev/null | tr '\n' ' ' >&2"
# libc (about 2 MiB) is read into enclave memory as one 2 MiB host page: placed at a 2 MiB
# boundary and populated whole (shim/memory.cpp). ld.so's mapping of it then takes those pages
# instead of a copy (shim/trusted_files.cpp, lend_for_mapping): 1.8 MiB of libc.
run stats_huge_copies 0 "" "[1-9] 2 MiB regions filled as huge host pages" -- "$C" run --stats -- /bin/true
# A program of several MiB (python3.11: 6.8 MB) is populated by the populator thread while
# the loader copies it in (shim/populator.hpp).
run stats_populated_ahead 0 "" "; [1-9][0-9]*\.[0-9] MiB populated ahead of copies" -- "$C" run --stats -- /usr/bin/python3 -c 'import time; time.sleep(0.3)'
run stats_lent_pages 0 "" "; ([1-9]|[1-9][0-9]+)\.[0-9] MiB of verified files moved into their mappings uncopied" -- "$C" run --stats -- /bin/true
# Answers kept in the enclave: N calls cost at most a few round trips to the proxy more than
# none. trips PYTHON_CODE N -> the round trips of running it with {N} replaced by N.
trips() {
  "$C" run --stats -- /usr/bin/python3 -c "${1//\{N\}/$2}" 2>&1 >/dev/null | sed -nE 's/.* ([0-9]+) round trips to the proxy.*/\1/p'
}
# few_trips NAME PYTHON_CODE: 1,000 calls against none.
few_trips() {
  local t0 t1
  t0=$(trips "$2" 0); t1=$(trips "$2" 1000)
  if [ -n "$t0" ] && [ -n "$t1" ] && [ $((t1 - t0)) -le 5 ]; then echo "ok   $1 ($t0 and $t1 round trips)"; pass=$((pass+1)); else echo "FAIL $1: $t0 and $t1 round trips"; fail=$((fail+1)); fi
}
# F_GETFL of a socket only this process holds (tests/e2e/programs/fd_flags.c checks the
# answers against native).
few_trips getfl_in_enclave "import socket, fcntl; s = socket.socket(); [fcntl.fcntl(s, fcntl.F_GETFL) for _ in range({N})]"
# getsockname and getpeername of an accepted socket (tests/e2e/programs/sock_names.c).
few_trips sock_names_in_enclave "
import socket
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(); c = socket.create_connection(l.getsockname()); a, _ = l.accept()
[(a.getsockname(), a.getpeername()) for _ in range({N})]"
# An accepted socket's addresses and file status flags come with accept itself: asking for
# them on each of 200 connections costs no round trip more than not asking.
accepts="
import socket, fcntl
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
for _ in range(200):
    c = socket.create_connection(l.getsockname()); a = socket.socket(fileno=l._accept()[0])
    ASK
    a.close(); c.close()"
t0=$(trips "${accepts/ASK/pass}" 0)
t1=$(trips "${accepts/ASK/a.getsockname(); a.getpeername(); fcntl.fcntl(a, fcntl.F_GETFL)}" 0)
if [ -n "$t0" ] && [ -n "$t1" ] && [ $((t1 - t0)) -le 5 ]; then echo "ok   accept_answers_in_enclave ($t0 and $t1 round trips)"; pass=$((pass+1)); else echo "FAIL accept_answers_in_enclave: $t0 and $t1 round trips"; fail=$((fail+1)); fi

# Calls deferred to a later round trip (tests/e2e/programs/deferred_calls.c checks their
# effects against native): they are deferred at all.
n=$("$C" run --stats -- "$P/e2e_deferred_calls" 2>&1 >/dev/null | sed -nE 's/.*; ([0-9]+) calls deferred.*/\1/p')
if [ -n "$n" ] && [ "$n" -ge 10 ]; then echo "ok   calls_deferred ($n)"; pass=$((pass+1)); else echo "FAIL calls_deferred: '$n'"; fail=$((fail+1)); fi

# Memory shared between processes (/dev/shm: POSIX shared memory and semaphores) is refused,
# honestly, rather than emulated by a copy (shim/shared_maps.hpp covers other files).
run dev_shm_refused 0 "^refused: \[Errno 19\]" "writable MAP_SHARED of /dev/shm .* \(ENODEV\)" -- \
  "$C" run -v -- /usr/bin/python3 -c "
import multiprocessing as mp
try:
    mp.Lock()
except OSError as e:
    print('refused:', e)"

# Credentials are fixed: changing them is refused, even where the host would allow it.
run setuid_change_refused 0 "^refused$" "" -- "$C" run -- /usr/bin/python3 -c "
import os
try:
    os.setuid(os.getuid() + 4242)
except PermissionError:
    print('refused')"

# --verbose names a refused syscall once.
run verbose_refused_once 0 "" "^1$" -- bash -c "\"$C\" run -v -- /bin/ls / 2>&1 >/dev/null | grep -c 'syscall rseq (334) refused' >&2"

# Bad input: a clear error naming the file, non-zero status.
run missing_program 127 "" "/nonexistent/prog: no such file" -- "$C" run -- /nonexistent/prog
run unknown_command 127 "" "no-such-command-xyz: command not found" -- "$C" run -- no-such-command-xyz
printf 'just text\n' > text.bin && chmod +x text.bin
run not_elf 127 "" "text.bin: not an ELF program or a script" -- "$C" run -- ./text.bin
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000' > elf32.bin && head -c 200 /dev/zero >> elf32.bin && chmod +x elf32.bin
run elf32 127 "" "elf32.bin: 32-bit ELF" -- "$C" run -- ./elf32.bin
printf '#!\n' > noint.sh && chmod +x noint.sh
run script_without_interpreter 127 "" "noint.sh: script with a bad #! line" -- "$C" run -- ./noint.sh
printf '#!/nonexistent/interp\necho\n' > badint.sh && chmod +x badint.sh
run script_missing_interpreter 127 "" "badint.sh: its interpreter /nonexistent/interp does not exist" -- "$C" run -- ./badint.sh
run directory 127 "" "/usr: is a directory" -- "$C" run -- /usr
printf '#!/bin/sh\necho script ran "$@"\n' > ok.sh && chmod +x ok.sh
run script_runs 0 "^script ran a b$" "" -- "$C" run -- ./ok.sh a b

# The shim trusts nothing the proxy says: hostile answers end in an error for the program.
echo secret > cocoon-hostile-target
run iago_read_too_long 1 "" "impossible value for read.*Input/output error|Input/output error" -- \
  "$C" run --test-hostile-proxy read-too-long -- /usr/bin/sha256sum cocoon-hostile-target
run iago_negative_fd 1 "" "impossible value for openat" -- \
  "$C" run --test-hostile-proxy negative-fd -- /bin/cat cocoon-hostile-target
run iago_reused_fd 1 "" "impossible value for openat \(new fd: 1\)" -- \
  "$C" run --test-hostile-proxy reused-fd -- /bin/cat cocoon-hostile-target
run iago_stat_size 2 "" "impossible value for (newfstatat|statx|fstat)" -- \
  "$C" run --test-hostile-proxy stat-size -- /bin/ls -l cocoon-hostile-target
run iago_bad_errno 70 "" "enclave stopped" -- "$C" run --test-hostile-proxy bad-errno -- /bin/true
# The program is verified after it is loaded (one copy of it, shim/trusted_files.hpp): bytes the
# host serves differently to two reads are refused, whichever of them the hash took: python's
# first segment reaches past the 16 KiB of headers the loader parsed, true's does not.
cp /usr/bin/python3.11 cocoon-hostile-python
run iago_changed_reread 70 "" "trusted file [^ ]*/cocoon-hostile-python: bytes 0\.\.16384 differ between two reads; refused" -- \
  "$C" run --test-hostile-proxy changed-reread -- ./cocoon-hostile-python -c 'print("ran")'
cp /bin/true cocoon-hostile-true
run iago_changed_reread_headers 70 "" "trusted file [^ ]*/cocoon-hostile-true: bytes 0\.\.[0-9]+ differ between two reads; refused" -- \
  "$C" run --test-hostile-proxy changed-reread -- ./cocoon-hostile-true
rm -f cocoon-hostile-python cocoon-hostile-true
# A call the shim deferred (it told the program it succeeded) that the host then fails.
run iago_deferred_failed 70 "" "the host failed a deferred setsockopt\(TCP_NODELAY\) on fd [0-9]+ \(result -5\)" -- \
  "$C" run --test-hostile-proxy fail-deferred -- "$P/e2e_deferred_calls"
# The proxy cannot read enclave memory: ptrace, process_vm_readv and /proc/<pid>/mem fail.
run proxy_cannot_peek 0 "" "ptrace\(PTRACE_ATTACH, [0-9]+\): Operation not permitted" -- \
  "$C" run --test-hostile-proxy peek -- /bin/true
if grep -q SUCCEEDED err.txt; then echo "FAIL proxy_cannot_peek: an attempt succeeded"; cat err.txt; fail=$((fail+1)); else
  for what in process_vm_readv "open\(/proc/[0-9]+/mem\)"; do
    if grep -Eq "$what.*: (Operation not permitted|Permission denied)" err.txt; then echo "ok   proxy_cannot_peek_$what" | tr -d '\\()[]+'; pass=$((pass+1));
    else echo "FAIL proxy_cannot_peek: no refused $what"; cat err.txt; fail=$((fail+1)); fi
  done
fi

# A user other than root: programs run (the proxy has no capability to drop), and the proxy
# can read neither the enclave's memory nor write the supervisor's (both are non-dumpable).
if [ "$(id -u)" = 0 ]; then as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups); else as_user=(); fi
U=$(mktemp -d)
chmod 755 "$U"
cp "$C" "$U/cocoon"
mkdir "$U/home"
[ "$(id -u)" = 0 ] && chown nobody "$U/home"
run non_root_user 0 "^$(id -un nobody 2>/dev/null || id -un)\$" "" -- \
  "${as_user[@]}" env -C "$U" HOME="$U/home" "$U/cocoon" run -- /usr/bin/id -un
run non_root_proxy_cannot_peek 0 "" "open\(/proc/[0-9]+/mem, O_RDWR\) of the supervisor: Permission denied" -- \
  "${as_user[@]}" env -C "$U" HOME="$U/home" "$U/cocoon" run --test-hostile-proxy peek -- /bin/true
if grep -q SUCCEEDED err.txt; then echo "FAIL non_root_proxy_cannot_peek: an attempt succeeded"; cat err.txt; fail=$((fail+1)); fi
# A home that cannot be written (a read-only root filesystem, nobody's /nonexistent): a
# zero-config run signs with a temporary key and says so, rather than not running.
run zero_config_unwritable_home 0 "^$(id -un nobody 2>/dev/null || id -un)\$" \
  "cannot keep a development signing key \(/nonexistent/.local/share/cocoon: cannot create .*temporary key" -- \
  "${as_user[@]}" env -C "$U" -u XDG_DATA_HOME -u XDG_CACHE_HOME HOME=/nonexistent "$U/cocoon" run -- /usr/bin/id -un
rm -rf "$U"
# First zero-config runs at once, with no development key yet: each makes one, one is kept,
# all run.
K=$(mktemp -d)
for i in 1 2 3 4 5 6; do XDG_DATA_HOME="$K/data" XDG_CACHE_HOME="$K/cache" "$C" run -- /bin/echo "first run $i" >"$K/out$i" 2>&1 & done
wait
if [ "$(cat "$K"/out* | grep -c '^first run [1-6]$')" = 6 ] && [ "$(ls "$K/data/cocoon")" = dev-signer.pem ]; then
  echo "ok   zero_config_first_runs_at_once"; pass=$((pass+1))
else echo "FAIL zero_config_first_runs_at_once:"; cat "$K"/out*; ls -la "$K/data/cocoon"; fail=$((fail+1)); fi
rm -rf "$K"

# The zero-config cache follows the files: a program replaced on disk runs as the new one.
cp /bin/true prog
run zero_config_first 0 "" "" -- "$C" run -- ./prog
cp /bin/false prog
run zero_config_after_change 1 "" "" -- "$C" run -- ./prog
run zero_config_verbose_says_cached 1 "" "zero-config run: a cached manifest" -- "$C" run -v -- ./prog

# /proc and /sys entries runtimes size themselves with describe the enclave, not the host.
run proc_meminfo_is_the_enclave 0 "^MemTotal: +10[0-9]{5} kB$" "" -- "$C" run --enclave-size 1G -- /bin/cat /proc/meminfo
run proc_self_exe_is_the_program 0 "^/usr/bin/readlink$" "" -- "$C" run -- /usr/bin/readlink /proc/self/exe
run proc_self_exe_is_a_link 0 "^symbolic link$" "" -- "$C" run -- /usr/bin/stat -c %F /proc/self/exe
run sys_cpu_online 0 "^0(-$(($(nproc) - 1)))?$" "" -- "$C" run -- /bin/cat /sys/devices/system/cpu/online
run nproc_in_the_enclave 0 "^$(nproc)$" "" -- "$C" run -- /usr/bin/nproc --all
run proc_self_exe_reads_the_program 0 "^$(sha256sum /usr/bin/sha256sum | cut -d' ' -f1)  /proc/self/exe$" "" -- "$C" run -- /usr/bin/sha256sum /proc/self/exe
run proc_self_exe_stat_follows 0 "^$(stat -L -c %s /usr/bin/stat) regular file$" "" -- "$C" run -- /usr/bin/stat -L -c '%s %F' /proc/self/exe
run proc_self_exe_after_exec 0 "^/usr/bin/readlink$" "" -- "$C" run -- /bin/sh -c 'exec /usr/bin/readlink /proc/self/exe'
run proc_self_maps_is_the_enclave 0 "^[0-9a-f]{8,}-[0-9a-f]{8,} rw-p 00000000 00:00 0 +\[stack\]$" "" -- "$C" run -- /bin/cat /proc/self/maps
"$C" run -- /bin/cat /proc/self/maps >maps.txt 2>&1
if grep -q cocoon maps.txt; then echo "FAIL proc_self_maps_shows_no_host_process"; fail=$((fail + 1)); else echo "ok   proc_self_maps_shows_no_host_process"; pass=$((pass + 1)); fi
run proc_other_entries_unchanged 0 "^[0-9]+ [0-9]+" "" -- "$C" run -- /bin/cat /proc/self/statm

# A pipe's data stays in the enclave: 200 writes and reads through os.pipe, none forwarded.
run pipe_data_stays_in_the_enclave 0 "" "stats: write +20[0-9] +[0-9] " -- bash -c "\"$C\" run --stats -- /usr/bin/python3 -c 'import os; r, w = os.pipe(); [(os.write(w, b\"x\" * 100), os.read(r, 100)) for _ in range(200)]' 2>&1 >/dev/null | tr '\n' ' ' >&2"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
