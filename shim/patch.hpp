// Call-site rewriting: after the first trap at a `mov $NR,%eax; syscall` site, the 5-byte
// `mov` becomes a `jmp` to a per-site stub that loads %eax and calls the shim's entry
// directly, so later calls from that site cost a function call instead of a signal.
// The `syscall` bytes stay in place: a thread that had already executed the `mov` when the
// site changed still traps and is served correctly.
#pragma once

#include <cstdint>

namespace cocoon::shim::patch {

// `site` is the address of the trapped `syscall` instruction, `nr` the value of %rax.
void try_rewrite(std::uint64_t site, std::uint64_t nr);
bool is_being_patched(std::uint64_t addr);
// Number of live program threads (rewrites are only done atomically when > 1).
void set_thread_count(int n);

}  // namespace cocoon::shim::patch
