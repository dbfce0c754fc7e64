// The untrusted proxy: a separate process that performs the syscalls the shim forwards.
// It shares nothing with the enclave but the window, and runs under its own seccomp
// allowlist (proxy_seccomp.cpp) without CAP_SYS_PTRACE.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "proxy/channel.hpp"
#include "proxy/spawner.hpp"

namespace cocoon::proxy {

// Test-only misbehaviour, to prove the shim trusts nothing the proxy says (Iago attacks).
enum class Hostile {
  None,
  ReadTooLong,   // read of a "cocoon-hostile…" file claims more bytes than were asked for
  NegativeFd,    // openat of a "cocoon-hostile…" file returns a value outside the errno range
  ReusedFd,      // openat of a "cocoon-hostile…" file returns an fd already open (1)
  StatSize,      // newfstatat/statx of a "cocoon-hostile…" file report a size of -1
  BadErrno,      // every call returns -100000
  Peek,          // at the first request, try to read enclave memory (ptrace, process_vm_readv,
                 // /proc/<pid>/mem) and report each result on stderr
  FailDeferred,  // every deferred call (shim/deferred_calls.hpp) is reported as failed (EIO)
  ChangedReread, // a pread of a "cocoon-hostile…" file at offset 0 of 16 KiB (the loader's
                 // look at an ELF's headers) returns byte 10 changed: other reads of it do not
  FakeExit,      // at every request, write "exited with status 0" into the window's exit
                 // fields and send SIGCHLD to the supervisor (the exit notice's signal)
};
Hostile parse_hostile(const std::string& name);  // throws std::invalid_argument

struct ProxyOptions {
  channel::WindowHeader* window = nullptr;
  std::uint32_t nchannels = 0;
  Hostile hostile = Hostile::None;
  bool verbose = false;
  pid_t enclave_pid = 0;  // filled in after the enclave process starts (read from the window)
  SpawnEntry spawn_entry = nullptr;  // starts a child process's enclave (null: no children)
  pid_t supervisor_pid = 0;          // the process that forked the proxy (its death ends it)
};

// Runs in the forked child; never returns.
[[noreturn]] void run_proxy(const ProxyOptions& opts);

// Executes one request against the data area (exposed for unit tests). Returns the result
// or -errno; out-of-bounds pointer arguments give -EFAULT without touching anything.
long execute_request(const channel::Request& rq, std::uint8_t* data, std::uint64_t data_size);

// Makes the deferred calls that travel with the channel's request (channel::DeferredCall), in
// their order among all channels, or waits until those the request must follow are made.
void make_deferred_calls(channel::Channel* ch, channel::WindowHeader* window, Hostile hostile);

// The attestation operations (channel::kOpQeTargetInfo, kOpQuote) with their pointer
// arguments already translated and bounds-checked against `extent`. Problems (no AESM socket,
// a rejected report) are printed once each on stderr and return -errno.
long attestation_op(std::uint64_t op, const long args[6], const std::uint64_t extent[6]);

// Whether the proxy executes this operation at all (forwarded rows of the syscall table and
// the few calls the shim forwards on its own behalf).
bool operation_allowed(std::uint64_t op);

// Installs the proxy's seccomp allowlist (compiled when Cocoon is built: seccomp/). Throws
// std::runtime_error.
void install_proxy_seccomp();

// Drops CAP_SYS_PTRACE from every capability set (so root cannot read the non-dumpable
// enclave through /proc/<pid>/mem either). Returns false on failure.
bool drop_ptrace_capability();

}  // namespace cocoon::proxy
