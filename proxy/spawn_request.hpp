// Child processes: what the shim sends the proxy when a vfork child (vfork, or posix_spawn's
// clone(CLONE_VM|CLONE_VFORK)) calls execve or exits. Freestanding (shim, proxy, supervisor).
//
// The vfork child's forwarded calls are served by a fork of the proxy worker (kOpForkProxy),
// so its dup2, close, chdir and fcntl change that fork's fd table and cwd, not the parent's.
// kOpSpawn then hands that fd table to the spawner, which starts the new process as a child
// of the proxy (so the program's wait4 and kill reach it through the proxy), and the fork ends.
#pragma once

#include <cstdint>

namespace cocoon::spawn {

inline constexpr std::uint32_t kMagic = 0x4e574153;  // "SAWN"
inline constexpr std::uint32_t kMaxFds = 1024;       // fds a request may name
inline constexpr std::uint32_t kMaxStrings = 200 * 1024;

enum Kind : std::uint32_t {
  kExec = 1,  // run path with argv/envp in a new enclave
  kExit = 2,  // the child exited before any exec: a process that ends with exit_status
};

enum Flags : std::uint32_t {
  kSetsid = 1u << 0,  // the child called setsid()
};

// Followed by std::int32_t fds[nfds] (program fds open in the child; the proxy passes those
// without FD_CLOEXEC), then strings_size bytes: path\0 argv[0]\0 … envp[0]\0 …
struct Request {
  std::uint32_t magic;
  std::uint32_t kind;
  std::int32_t exit_status;
  std::uint32_t nfds;
  std::int64_t parent_pid;   // the program's pid: the child's getppid()
  std::uint64_t ignored;     // signals the child ignores (bit sig-1): they stay ignored across exec
  std::uint32_t flags;
  std::uint32_t umask;
  std::uint32_t argc, envc;
  std::uint32_t strings_size;
  std::uint32_t pad;
};
static_assert(sizeof(Request) == 56);

}  // namespace cocoon::spawn
