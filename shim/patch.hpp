// Call-site rewriting: after the first trap at a `mov $NR,%eax; syscall` site, the 5-byte
// `mov` becomes a `jmp` to a per-site stub that loads %eax and calls the shim's entry
// directly, so later calls from that site cost a function call instead of a signal.
// The `syscall` bytes stay in place: a thread that had already executed the `mov` when the
// site changed still traps and is served correctly.
#pragma once

#include <cstdint>

namespace cocoon::shim::patch {

// The two ways into shim_syscall_entry leave these many bytes between the program's stack
// pointer at its `syscall` and the entry's return address (clone copies them for the child,
// shim/sys_thread.cpp): a rewritten site's stub skips the red zone and calls; the trap path
// (shim/signals.cpp) pushes the resume address below the red zone, then shim_trap_stub calls.
inline constexpr std::uint64_t kRedZone = 128;
inline constexpr std::uint64_t kStubPathBytes = kRedZone + 8;
inline constexpr std::uint64_t kTrapPathBytes = kRedZone + 8 + 8;

// `site` is the address of the trapped `syscall` instruction, `nr` the value of %rax.
void try_rewrite(std::uint64_t site, std::uint64_t nr);
bool is_being_patched(std::uint64_t addr);
// Number of live program threads (rewrites are only done atomically when > 1).
void set_thread_count(int n);

}  // namespace cocoon::shim::patch
