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
#pragma once

namespace cocoon::shim::proc {

void init();
// The program now running in the enclave (canonical path), for /proc/self/exe.
void set_exe(const char* path);
// That path ("" before set_exe). execve of /proc/self/exe runs it again, not Cocoon.
const char* exe();

}  // namespace cocoon::shim::proc
