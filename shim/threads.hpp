// Enclave threads: slots (shim stack, altstack, TLS page, channel), creation by clone and
// exit (shim/sys_thread.cpp).
#pragma once

#include <cstdint>

#include "shim/thread.hpp"

namespace cocoon::shim::threads {

// After thread 0 is set up: how many slots the enclave has (the measured max_threads,
// bounded by the window's channels).
void init();
// True once the program has created a second thread (from then on shared state is
// contended; statistics use atomic increments).
bool multithreaded();
// Threads of the program that have not exited.
int live_count();
// True when tid is a thread of the program that has not exited.
bool tid_alive(long tid);
// The live thread with this tid, or null.
ShimThread* live_thread(long tid);

// Bytes of the return path (shim entry's return address up to the program's stack pointer at
// the syscall) on the calling thread's program stack, from its saved_program_rsp.
std::uint64_t return_path_bytes(const ShimThread* t);
// A vfork child's thread (shim/vfork.hpp): resumes the program with cf's registers at newsp.
// Returns its tid or -errno.
long start_vfork_thread(CloneFrame& cf, std::uint64_t newsp, void* child);
// Ends the calling vfork child's thread (no exit status: the process goes on).
[[noreturn]] void end_vfork_thread();

// Slots: index < slot_count(); slot_at is null for a slot never used yet (its pages are not
// committed). A slot is live while claimed with a tid.
std::uint32_t slot_count();
ShimThread* slot_at(std::uint32_t index);
inline bool is_live(const ShimThread* t) {
  return t && __atomic_load_n(&t->claimed, __ATOMIC_ACQUIRE) && __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE) > 0;
}
template <typename F>
void for_each_live(F&& f) {
  for (std::uint32_t i = 0, n = slot_count(); i < n; ++i)
    if (ShimThread* t = slot_at(i); is_live(t)) f(t);
}

}  // namespace cocoon::shim::threads
