# Python's child processes (subprocess, os.system, os.popen, asyncio), each run printing
# deterministic lines: output captured through pipes, input through cat, cwd= and env=, a
# missing program, a failing one, signals sent to a child, a child in a session of its own.
import asyncio
import os
import signal
import subprocess
import sys

# A safety net: a test that hangs ends the program (stderr tells which).
def on_alarm(sig, frame):
    print("watchdog: a test did not finish in time", file=sys.stderr, flush=True)
    os._exit(3)

signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(30)
T = 10  # each subprocess call's own timeout

r = subprocess.run(["echo", "hi"], capture_output=True, timeout=T)
print("run echo:", r.returncode, r.stdout, r.stderr)

out = subprocess.check_output(["cat"], input=b"through cat\n", timeout=T)
print("check_output cat:", out)

out = subprocess.check_output(["cat"], input="text mode\n", text=True, timeout=T)
print("check_output cat, text:", repr(out))

cwd_before = os.getcwd()
r = subprocess.run(["pwd"], cwd="/usr/share", capture_output=True, text=True, timeout=T)
print("run pwd, cwd=/usr/share:", r.returncode, repr(r.stdout))
print("the parent's cwd unchanged:", os.getcwd() == cwd_before)
r = subprocess.run(["./true"], cwd="/bin", timeout=T)
print("a relative program, relative to cwd=:", r.returncode)

r = subprocess.run(["/usr/bin/env"], env={"A": "1", "B": "two"}, capture_output=True, text=True, timeout=T)
print("run env, env={A, B}:", r.returncode, repr(r.stdout))

r = subprocess.run("echo $COCOON_SPAWN_VAR", shell=True, env={"COCOON_SPAWN_VAR": "from env="},
                   capture_output=True, text=True, timeout=T)
print("shell=True with env=:", r.returncode, repr(r.stdout))

try:
    subprocess.run(["/nonexistent-cocoon-dir/missing"], timeout=T)
    print("missing program: no error")
except FileNotFoundError as e:
    print("missing program: FileNotFoundError", e.errno, e.filename)

try:
    subprocess.run(["nonexistent-cocoon-program"], timeout=T)
    print("missing program on PATH: no error")
except FileNotFoundError as e:
    print("missing program on PATH: FileNotFoundError", e.errno, e.filename)

try:
    subprocess.run(["false"], check=True, timeout=T)
    print("false: no error")
except subprocess.CalledProcessError as e:
    print("false: CalledProcessError", e.returncode, e.cmd)

r = subprocess.run(["sh", "-c", "echo to stderr >&2; exit 9"], capture_output=True, timeout=T)
print("sh exit 9:", r.returncode, r.stdout, r.stderr)

r = subprocess.run(["sh", "-c", "echo out; echo err >&2"], stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True, timeout=T)
print("stderr=STDOUT:", repr(r.stdout))

# A pipe the parent already wrote into (in Cocoon the pipe lives in the enclave until a child
# inherits it): the child reads what was buffered, with the write end closed first, or kept.
rfd, wfd = os.pipe()
os.write(wfd, b"buffered before the child\n")
os.close(wfd)
r = subprocess.run(["cat"], stdin=rfd, capture_output=True, timeout=T)
os.close(rfd)
print("child reads a pipe written before it started:", r.returncode, r.stdout)
rfd, wfd = os.pipe()
os.write(wfd, b"first\n")
p = subprocess.Popen(["cat"], stdin=rfd, stdout=subprocess.PIPE)
os.close(rfd)
os.write(wfd, b"second\n")
os.close(wfd)
print("and one written before and after:", p.communicate(timeout=T)[0], p.returncode)

# A pipe watched by epoll before its other end goes to a child (asyncio's connect_read_pipe):
# epoll still reports it once the child wrote.
import select
rfd, wfd = os.pipe()
ep = select.epoll()
ep.register(rfd, select.EPOLLIN)
p = subprocess.Popen([sys.executable, "-c", "import os, sys; os.write(int(sys.argv[1]), b'ping')", str(wfd)],
                     pass_fds={wfd})
p.wait(timeout=T)
os.close(wfd)
print("epoll sees the child's write:", [ev for _, ev in ep.poll(T)] == [select.EPOLLIN | select.EPOLLHUP],
      os.read(rfd, 100))
ep.close()
os.close(rfd)

print("os.system('exit 3') >> 8:", os.system("exit 3") >> 8)

f = os.popen("echo p")
print("os.popen('echo p'):", repr(f.read()), f.close())
f = os.popen("exit 2")
print("os.popen('exit 2') close:", f.read() == "", f.close())

p = subprocess.Popen(["sleep", "30"])
print("sleep 30 running, poll:", p.poll())
p.send_signal(signal.SIGTERM)
print("send_signal(SIGTERM), returncode:", p.wait(timeout=T))

p = subprocess.Popen(["sleep", "30"])
p.terminate()
print("terminate, returncode:", p.wait(timeout=T))

p = subprocess.Popen(["sleep", "30"])
p.kill()
print("kill, returncode:", p.wait(timeout=T))

p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(b"communicate\n", timeout=T)
print("Popen cat communicate:", out, p.returncode)

# The child reports whether it leads a session of its own and whether it shares the parent's.
probe = ("import os; print(os.getsid(0) == os.getpid(), os.getpgid(0) == os.getpid(), "
         "os.getsid(0) == int(os.environ['PARENT_SID']))")
env = dict(os.environ, PARENT_SID=str(os.getsid(0)))
r = subprocess.run([sys.executable, "-c", probe], start_new_session=True, env=env,
                   capture_output=True, text=True, timeout=T)
print("start_new_session=True (leader, group leader, parent's session):", r.returncode, r.stdout.strip())
r = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=T)
print("without it:", r.returncode, r.stdout.strip())

async def run_async():
    proc = await asyncio.create_subprocess_exec("echo", "async", stdout=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), T)
    print("asyncio echo:", out, err, proc.returncode)
    proc = await asyncio.create_subprocess_exec("cat", stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(proc.communicate(b"async cat\n"), T)
    print("asyncio cat:", out, proc.returncode)
    proc = await asyncio.create_subprocess_shell("exit 6")
    print("asyncio shell exit 6:", await asyncio.wait_for(proc.wait(), T))

asyncio.run(run_async())

try:
    os.waitpid(-1, os.WNOHANG)
    print("no child left: waitpid did not fail")
except ChildProcessError:
    print("no child left: ChildProcessError")
signal.alarm(0)
