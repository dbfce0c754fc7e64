// vfork children: vfork, and posix_spawn's clone(CLONE_VM|CLONE_VFORK), run the child as a
// new enclave thread on the parent's memory while the calling thread waits, as Linux has the
// parent wait until the child calls execve or exits. What the child changes that is the
// process's own stays the child's: its fd table (the shim's copy here, and the proxy's: the
// child's calls are served by a fork of the proxy worker), signal dispositions, umask and
// session. At execve the child becomes a new process in a new enclave (proxy/spawner.hpp);
// its exit before any execve becomes a process that exits with that status. See
// shim/sys_spawn.cpp.
#pragma once

#include <cstdint>

#include "shim/linux_abi.hpp"
#include "shim/thread.hpp"

namespace cocoon::shim::vfork {

inline constexpr unsigned long kCloneVfork = 0x4000;

struct Child {
  std::uint32_t done;      // futex word: the parent may go on
  std::uint32_t flags;     // spawn::Flags (setsid)
  std::uint32_t proxy_forked;  // the proxy worker's fork serves this child's channel
  long result;             // the new process's pid, or -errno
  std::uint8_t* fd_open;   // this child's fd table (shim/fdtable.cpp), fd::kMaxFds entries
  void** local_files;      // its in-enclave pipes and eventfds (shim/local_files.cpp)
  std::uint32_t umask;
  abi::KernelSigaction actions[abi::kNSig + 1];
};

inline Child* current() { return static_cast<Child*>(current_thread()->vfork_child); }

// vfork (newsp: the program's stack pointer at the call) or clone(CLONE_VM|CLONE_VFORK):
// runs the child, waits until it called execve or exited; returns its pid or -errno.
long start(CloneFrame& cf, std::uint64_t newsp);
// In the child: execve (a new process in a new enclave; returns only on failure) and exit.
long exec_child(std::uint64_t path, std::uint64_t argv, std::uint64_t envp);
[[noreturn]] void exit_child(int status);
// Ends the child's thread; the parent's call returns `result`.
[[noreturn]] void finish_child(long result);

}  // namespace cocoon::shim::vfork
