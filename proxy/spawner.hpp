// The spawner: a process the proxy forks before it confines itself. It starts the program's
// child processes (vfork or posix_spawn, then execve) as children of the proxy, through
// clone(CLONE_PARENT), so that the program's wait4 and kill reach them through the proxy,
// and outside the proxy's seccomp filter, since a new enclave needs calls the proxy may not
// make. It only ever starts a new Cocoon enclave (or a process that exits at once).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cocoon::proxy {

struct SpawnedProgram {
  std::string path;
  std::vector<std::string> argv, env;
  std::vector<int> fds;       // program fds the new process holds, at the same numbers
  std::int64_t parent_pid = 0;
  std::uint64_t ignored = 0;  // bit sig-1: signals that stay ignored
};

// Runs in the new process, with its fds, cwd, session and umask already in place; returns
// its exit status.
using SpawnEntry = int (*)(const SpawnedProgram&);

// Forks the spawner. Returns the proxy's end of its socket, or -1.
int start_spawner(SpawnEntry entry);

// In the fork of a proxy worker that served a vfork child (channel::kOpSpawn): hands the
// request, the fds it names that are not close-on-exec, and the cwd to the spawner. Returns
// the new process's pid, or -errno. Does not allocate (the fork comes from a threaded process).
long request_spawn(int spawner_sock, const std::uint8_t* request, std::uint64_t size);

}  // namespace cocoon::proxy
