#!/usr/bin/env bash
# Child processes end to end: each child program runs in an enclave of its own (verbose
# lines of both supervisors), under the parent's manifest (a signed enclave starts only
# children it trusts, and names the file it refused), with the parent's ignored signals, and
# reports the pid its parent got. Usage: spawn_checks.sh COCOON PROGRAMS_DIR
set -u
. "$(dirname "$0")/check_lib.sh"
C=$1
P=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$P/e2e_spawn_run" spawn_run

# Zero-config: the child is a new enclave.
timeout 60 "$C" run -v -- ./spawn_run /bin/echo hi >out.txt 2>err.txt
check zero_config_output test "$(cat out.txt)" = "hi
exit 0"
check child_announced has err.txt 'execve in a vfork child: /bin/echo in a new enclave'
check child_has_its_own_enclave test "$(grep -c 'in a simulated enclave' err.txt)" = 2
check child_enclave_runs_echo has err.txt 'running /bin/echo in a simulated enclave'

# Identity: the child's pid is the one posix_spawn returned, its parent the program.
timeout 60 "$C" run -- ./spawn_run --pids >out.txt 2>err.txt
check pids test "$(cat out.txt)" = "child's pid is posix_spawn's: yes
child's parent is this program: yes
exit 0"

# An ignored signal stays ignored in the child; a handled one is reset.
timeout 60 "$C" run -- ./spawn_run --ignore-term /bin/sh -c 'kill -TERM $$; echo survived' >out.txt 2>err.txt
check ignored_signal_inherited test "$(cat out.txt)" = "survived
exit 0"
timeout 60 "$C" run -- ./spawn_run /bin/sh -c 'kill -TERM $$; echo survived' >out.txt 2>err.txt
check child_dies_by_its_signal test "$(cat out.txt)" = "signal 15"
check no_message_for_a_childs_signal test ! -s err.txt

# The spawner gone (killed from outside): each spawn fails with an error, the program goes on
# (the proxy worker's fork serving the vfork child stays until the child is done; once it
# left after the first failure and the next spawn hung).
"$C" run -- /usr/bin/python3 -c '
import os, subprocess, time
while not os.path.exists("go"): time.sleep(0.02)
for i in range(3):
    try:
        subprocess.run(["/bin/true"], timeout=10)
        print("ran")
    except OSError as e:
        print("error")
print("done")' >out.txt 2>err.txt &
sup=$!
spawner=
for _ in $(seq 200); do
  proxy=$(pgrep -P "$sup" -x cocoon-proxy)
  [ -n "$proxy" ] && spawner=$(pgrep -P "$proxy" -x cocoon-spawner)
  [ -n "$spawner" ] && break
  sleep 0.05
done
check spawner_found test -n "$spawner"
kill -9 $spawner 2>/dev/null
touch go
( sleep 30; kill -9 "$sup" 2>/dev/null ) &
guard=$!
wait "$sup"
rc=$?
kill "$guard" 2>/dev/null
check spawner_gone_exit_status test "$rc" = 0
check spawner_gone_each_spawn_fails test "$(cat out.txt)" = "error
error
error
done"

# A signed enclave: its children run under the same manifest, so only trusted programs start.
"$C" keygen --out key.pem >/dev/null 2>&1
"$C" manifest --output strict.toml -- "$work/spawn_run" /bin/echo hi >/dev/null 2>&1
"$C" sign --key key.pem strict.toml >/dev/null 2>&1
timeout 60 "$C" run strict.toml >out.txt 2>err.txt
check untrusted_child_refused test "$(cat out.txt)" = "spawn: No such file or directory"
check refusal_names_the_file has err.txt '/bin/echo: not a trusted file in the manifest'
"$C" manifest --output trusting.toml --trusted /bin/echo -- "$work/spawn_run" /bin/echo hi >/dev/null 2>&1
"$C" sign --key key.pem trusting.toml >/dev/null 2>&1
timeout 60 "$C" run trusting.toml >out.txt 2>err.txt
check trusted_child_runs test "$(cat out.txt)" = "hi
exit 0"
summary
