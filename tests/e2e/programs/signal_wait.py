# Waits in a forwarded read of stdin (or in sigwait) for a signal from outside the enclave.
# Usage: signal_wait.py handle|ignore-usr1|sigwait
import signal
import sys

mode = sys.argv[1]


def on_signal(sig, frame):
    print("handler:", signal.Signals(sig).name, flush=True)
    sys.exit(5)


if mode == "handle":
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(s, on_signal)
elif mode == "ignore-usr1":
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
elif mode == "sigwait":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    print("ready", flush=True)
    print("sigwait:", signal.sigwait({signal.SIGUSR2}).name, flush=True)
    sys.exit(0)
print("ready", flush=True)
try:
    sys.stdin.read()
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(6)
print("stdin closed", flush=True)
