#!/usr/bin/env bash
# Signals sent from outside to `cocoon run` reach the program's handlers, also while its only
# thread is blocked in a call forwarded to the proxy (a read of stdin that never returns):
# Python's SIGTERM/SIGHUP/SIGUSR1 handlers and its SIGINT (KeyboardInterrupt), an ignored
# signal, a blocked signal taken with sigwait. Each run must end well before its stdin would.
# Usage: signal_checks.sh COCOON PROGRAMS_DIR
set -u
cocoon=$1
programs=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'exec 3>&-; rm -rf "$work"' EXIT
cd "$work"
source "$here/check_lib.sh"
mkfifo stdin.fifo
exec 3<>stdin.fifo  # read and write end held open: a read of it blocks, and never sees EOF

# start MODE: runs signal_wait.py in the enclave in the background; sets $pid.
start() {
  rm -f out.txt err.txt
  "$cocoon" run -- /usr/bin/python3 "$programs/signal_wait.py" "$1" <&3 >out.txt 2>err.txt &
  pid=$!
  for _ in $(seq 200); do has out.txt ready 2>/dev/null && return; sleep 0.05; done
}
# finish: waits for the run (at most 20 s: the signal must end it, not its stdin), sets $rc.
finish() {
  for _ in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "still running 20 s after the signal: killed" >>err.txt
    kill -KILL "$pid"
  fi
  rc=0
  wait "$pid" || rc=$?
}

for sig in TERM HUP USR1; do
  start handle
  sleep 0.2
  kill -"$sig" "$pid"
  finish
  check "SIG$sig reaches the program's handler while it is blocked in a forwarded read" \
    eval "has out.txt 'handler: SIG$sig' && [ $rc = 5 ]"
done

start handle
sleep 0.2
kill -INT "$pid"
finish
check "SIGINT becomes Python's KeyboardInterrupt" eval "has out.txt KeyboardInterrupt && [ $rc = 6 ]"

start ignore-usr1
sleep 0.2
kill -USR1 "$pid"
sleep 0.5
check "an ignored signal leaves the program running" kill -0 "$pid"
kill -TERM "$pid"
finish
check "then SIGTERM's default action ends it (status 143)" test "$rc" = 143

start sigwait
sleep 0.2
kill -USR2 "$pid"
finish
check "a signal every thread blocks waits for sigwait, which takes it" \
  eval "has out.txt 'sigwait: SIGUSR2' && [ $rc = 0 ]"

# A timer's signal with its default action: SIGALRM ends the program as natively (142).
rc=0
"$cocoon" run -- /usr/bin/python3 -c 'import signal, time; signal.alarm(1); time.sleep(20)' >out.txt 2>err.txt || rc=$?
check "alarm's SIGALRM with the default action ends the program (status 142, named)" \
  eval "[ $rc = 142 ] && has err.txt SIGALRM"

summary
