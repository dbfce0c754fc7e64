# /proc/<the program's own pid> is the program's, as /proc/self is (compared with a native run):
# Cocoon's getpid is its supervisor's pid, whose /proc entry would otherwise describe Cocoon.
import os

p = f"/proc/{os.getpid()}"
print("cmdline", open(f"{p}/cmdline", "rb").read() == open("/proc/self/cmdline", "rb").read())
print("exe", os.readlink(f"{p}/exe") == os.readlink("/proc/self/exe"),
      os.path.basename(os.readlink(f"{p}/exe")).startswith("python3"))
r, w = os.pipe()
fds = sorted(os.listdir(f"{p}/fd"))
print("fd", fds == sorted(os.listdir("/proc/self/fd")), str(r) in fds, str(w) in fds)
print("maps", open(f"{p}/maps").readline() == open("/proc/self/maps").readline())
print("stat", open(f"{p}/stat").read().split()[1] == open("/proc/self/stat").read().split()[1])
print("not a prefix of another pid", not os.path.exists(f"{p}0/cmdline") or os.path.exists(f"/proc/{os.getpid()}0"))
# Executing /proc/<own pid>/exe starts the program again (the host's entry is Cocoon itself).
import subprocess
print("exec", subprocess.run([f"{p}/exe", "-c", "print('again')"], capture_output=True, text=True).stdout.strip())
