// What the supervisor hands to the enclave process when it starts it (the simulation's
// equivalent of the uRTS arguments + the ECALL that enters the enclave).
//
// Freestanding-safe. The supervisor writes one LaunchConfig followed by its variable parts
// into a memfd that the enclave process gets as fd kLaunchFd. Everything in it is UNTRUSTED
// for the shim (it comes from the host): the shim copies and validates what it uses, and once
// a manifest is signed, the program, argv and environment come from the measured manifest.
#pragma once

#include <cstdint>

#include "attest/sim_keys.hpp"

namespace cocoon::launch {

inline constexpr int kLaunchFd = 3;   // this config (memfd)
inline constexpr int kWindowFd = 4;   // the untrusted window (memfd, shared with the proxy)
inline constexpr int kShimFd = 5;     // the cocoon-shim ELF (memfd, also what was exec'ed)
inline constexpr int kLogFd = 2;      // the supervisor's stderr, for the shim's log lines
inline constexpr int kExitFd = 6;     // the exit notice (memfd, shared with the supervisor only)

inline constexpr char kMagic[8] = {'C', 'O', 'C', 'O', 'O', 'N', 'L', 'C'};
inline constexpr std::uint32_t kVersion = 4;

enum Flags : std::uint32_t {
  kVerbose = 1u << 0,         // name each refused syscall once, log decisions
  kStats = 1u << 1,           // keep statistics (always cheap; printed by the supervisor)
  kTestNoDispatch = 1u << 2,  // TEST ONLY: do not enable Syscall User Dispatch, so a raw
                              // syscall of the program meets the seccomp filter
  kNoPatch = 1u << 3,         // never rewrite call sites (every syscall traps; for tests)
  kSpawned = 1u << 4,         // a child process (vfork/posix_spawn + execve of a program in an
                              // enclave): program, argv, envp and cwd are the execve's, and
                              // the fds in inherited_fds are open
};

// The program's end, told to the supervisor before the enclave process's memory is freed
// (which takes the kernel about a millisecond for a python3): the shim writes the status,
// then the magic, into the page on kExitFd and sends kExitNoticeSignal to the supervisor,
// then exits. Only the supervisor and the enclave process map that page (it is made after
// the proxy is forked, and both processes are non-dumpable), so the proxy cannot forge an
// exit status; the signal itself only wakes the supervisor, which believes the page. It is
// SIGCHLD, which the supervisor never forwards to the program (a child changed state).
inline constexpr std::uint32_t kExitNoticeMagic = 0x54495845;  // "EXIT"
inline constexpr int kExitNoticeSignal = 17;                   // SIGCHLD
struct ExitNotice {
  std::uint32_t magic;  // written last (release)
  std::int32_t status;  // the program's exit status, 0..255
};

// SIMULATION ONLY: what SGX hardware knows and the enclave cannot — the processor's key
// material (the per-host simulated CPU, attest/sim_keys.hpp, NOT hardware-protected) and the
// SECS identity EINIT established (MRENCLAVE measured by the supervisor, MRSIGNER, attributes
// and ISV ids from the verified SIGSTRUCT). The shim's EREPORT/EGETKEY use it for
// /dev/attestation. On hardware this blob does not exist: the instructions know both.
struct SimAttestation {
  attest::SimCpu cpu;
  attest::EnclaveIdentity self;
};

// A (offset, size) pair inside the launch memfd.
struct Blob {
  std::uint64_t offset;
  std::uint64_t size;
};

struct LaunchConfig {
  char magic[8];
  std::uint32_t version;
  std::uint32_t flags;
  std::uint64_t enclave_base;      // ELRANGE base (aligned to max(size, 4 GiB))
  std::uint64_t enclave_size;
  std::uint32_t max_threads;
  std::uint32_t nchannels;         // channels in the window (== max_threads)
  std::uint64_t window_size;
  std::uint64_t config_size;       // total bytes of the memfd
  Blob shim_elf;                   // not used: the shim ELF comes from kShimFd
  Blob manifest;                   // compiled manifest blob measured into the enclave
  Blob seccomp_allowlist;          // struct sock_filter[] (libseccomp export)
  Blob seccomp_ip_filter;          // struct sock_filter[]: host syscalls only from shim text
  Blob program;                    // path of the program to run (NUL-terminated)
  Blob argv;                       // NUL-separated strings
  Blob envp;                       // NUL-separated strings
  Blob cwd;                        // working directory (NUL-terminated)
  Blob sim_attestation;            // one SimAttestation, or size 0: no /dev/attestation
  std::uint32_t argc;
  std::uint32_t envc;
  std::int64_t host_pid;           // the enclave process's pid as the supervisor saw it
  std::int64_t host_ppid;
  std::uint32_t uid, gid;
  std::uint64_t rlimit_nofile;
  std::uint64_t rlimit_stack;
  char host_release[65];           // uname -r of the host (reported by uname())
  char host_nodename[65];
  char pad[6];
  Blob inherited_fds;              // std::int32_t[] of the program's open fds
  std::uint64_t ignored_signals;   // kSpawned: bit sig-1 for each signal that stays ignored
  std::int64_t program_pid;        // kSpawned: the supervisor's pid, which the program reports
  std::int64_t supervisor_pid;     // where kExitNoticeSignal goes
};

}  // namespace cocoon::launch
