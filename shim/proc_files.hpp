// The /proc and /sys entries language runtimes read to size themselves, answered for the
// enclave rather than the host (shim/pseudo_files.*):
//   /proc/self/exe                  link to the program running in the enclave (the Java
//                                   launcher finds libjli.so through it), not to Cocoon;
//                                   opening or stat-ing it reaches the program's file under
//                                   the manifest's rules (a trusted program opens verified)
//   /proc/self/maps                 the program's mappings in the enclave (glibc's
//                                   pthread_getattr_np reads it to find the main thread's stack)
//   /proc/meminfo                   MemTotal = the enclave's memory, MemFree/MemAvailable = what
//                                   is left of it (sysinfo() says the same)
//   /sys/devices/system/cpu/online  the CPUs the enclave may run on ("0-N"), also …/possible
// Other /proc and /sys paths are ordinary paths, subject to the manifest.
// /proc/<the program's pid> is /proc/self: the pid the program sees is its supervisor's, whose
// own /proc entry (fds, maps, cmdline, exe) would describe Cocoon, not the program.
#pragma once

#include <cstddef>

namespace cocoon::shim::proc {

// Rewrites path (len bytes and a NUL, in a buffer of cap bytes) from /proc/<pid> to
// /proc/self when pid is the program's own; returns the length after.
std::size_t alias_own_pid(char* path, std::size_t len, std::size_t cap);

void init();
// The program now running in the enclave (canonical path), for /proc/self/exe.
void set_exe(const char* path);
// That path ("" before set_exe). execve of /proc/self/exe runs it again, not Cocoon.
const char* exe();

}  // namespace cocoon::shim::proc
