// `cocoon run`'s supervisor: builds the launch configuration and the untrusted window,
// starts the proxy and the enclave process, forwards signals, and turns the enclave's end
// into an exit status the way a shell would see the program's own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shim/launch_config.hpp"

namespace cocoon::run {

struct RunOptions {
  std::string program;                 // as given (resolved through PATH)
  std::vector<std::string> argv;       // argv[0] included
  std::vector<std::string> env;        // "NAME=value"
  std::vector<std::uint8_t> manifest;  // compiled manifest blob (may be empty)
  std::uint64_t enclave_size = 4ull << 30;
  std::uint32_t max_threads = 64;
  bool verbose = false;
  bool stats = false;
  bool test_no_dispatch = false;       // TEST ONLY: leave Syscall User Dispatch off
  bool no_patch = false;               // never rewrite call sites (every syscall traps)
  std::string hostile_proxy;           // TEST ONLY: proxy misbehaviour (see proxy.hpp)
  std::optional<launch::SimAttestation> sim_attestation;  // signed enclaves: /dev/attestation
  // A child process of a program in an enclave (vfork or posix_spawn, then execve): its
  // supervisor is the child the parent's wait4 sees, and dies as its program does.
  bool spawned = false;
  std::vector<int> inherited_fds;      // spawned: open program fds (sorted), kept for the proxy
  std::vector<int> std_fds = {0, 1, 2};  // not spawned: which of 0-2 the program has (reserve_std_fds)
  std::uint64_t ignored_signals = 0;   // spawned: bit sig-1, signals that stay ignored
  std::int64_t parent_pid = 0;         // spawned: the parent program's pid (the child's getppid)
};

// Which of fds 0, 1 and 2 `cocoon run` was started with. Each closed one gets /dev/null, so
// that no fd of cocoon's own (a memfd: the untrusted window, the launch config) takes its
// number; the program finds it closed all the same, as natively. Call before opening anything.
std::vector<int> reserve_std_fds();

// Runs the program in a simulated enclave. Returns the exit status for `cocoon run`:
// the program's own status, 128+N when it died by signal N, or 70–75 for Cocoon's own
// failures (with a message on stderr).
int run_in_enclave(const RunOptions& opts);

}  // namespace cocoon::run
