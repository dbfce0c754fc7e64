// Call-site rewriting: after the first trap at a `syscall`, the instructions just before it
// (up to 24 bytes of simple, position-independent ones: register moves, loads and stores
// relative to %rsp or %rbp, mov of an immediate, xor; the first at least 5 bytes long, e.g.
// `mov $NR,%eax` or glibc syscall()'s `mov 0x8(%rsp),%r9`) are copied into a per-site stub
// that then calls the shim's entry directly, and the first of them becomes a 5-byte `jmp` to
// the stub: later calls from that site cost a function call instead of a signal. Everything
// after the first instruction stays in place, `syscall` included: a thread already past the
// first instruction when the site changed, or code that jumps to a later one, still traps and
// is served correctly.
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
