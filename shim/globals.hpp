// Process-wide shim state (inside ELRANGE, in the shim's .bss).
#pragma once

#include <cstdint>

#include "manifest/enclave_layout.hpp"
#include "proxy/channel.hpp"
#include "shim/launch_config.hpp"

namespace cocoon::shim {

struct Globals {
  std::uint64_t base;                          // ELRANGE base
  std::uint64_t size;                          // ELRANGE size
  const layout::EnclaveDescriptor* desc;       // measured descriptor (inside ELRANGE)
  std::uint64_t image_base;                    // absolute address of the shim image
  std::uint64_t text_begin, text_end;          // absolute: the shim's executable range
  channel::WindowHeader* window;               // untrusted
  launch::ExitNotice* exit_notice;             // the supervisor's only (null: none)
  std::int64_t supervisor_pid;
  std::uint32_t flags;                         // launch::Flags
  std::uint32_t max_threads;
  std::int64_t pid, ppid;         // as the program sees them
  std::int64_t host_pid;          // the enclave process (host signals to its threads)
  std::uint32_t uid, gid;
  std::uint64_t rlimit_nofile, rlimit_stack;
  char release[65];
  char nodename[65];
  std::uint32_t umask;
  std::uint32_t threaded;                      // nonzero once a second thread was created
};

extern Globals g;

inline bool verbose() { return (g.flags & launch::kVerbose) != 0; }

// Statistics counters in the window: exact increments once several threads run (a plain
// increment before, where it cannot race).
inline void bump_stat(std::uint64_t& c) {
  if (__atomic_load_n(&g.threaded, __ATOMIC_RELAXED)) __atomic_fetch_add(&c, 1, __ATOMIC_RELAXED);
  else ++c;
}

// Leaves a one-line reason in the window for the supervisor (kind: 1 exit, 2 signal, 3 abort).
void record_exit_reason(int kind, int value, const char* reason);

// True when [p, p+n) lies inside the part of ELRANGE the program may use (not the image).
bool program_range_ok(std::uint64_t p, std::uint64_t n);

}  // namespace cocoon::shim
