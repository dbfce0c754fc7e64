// Per-thread shim data. It lives in the thread's TLS page inside the enclave image and is
// reached through %gs (the program owns %fs). The first field points to itself so that
// `mov %gs:0, reg` yields the struct.
#pragma once

#include <cstdint>

#include "proxy/channel.hpp"

namespace cocoon::shim {

// What a queued signal carries to the program's siginfo (one per pending signal, as Linux
// keeps for standard signals).
struct PendingSignal {
  std::int32_t code;      // si_code
  std::int32_t pad;
  std::uint64_t sender;   // si_pid | si_uid << 32
  std::uint64_t value;    // sigval (timers, sigqueue)
};

struct ShimThread {
  ShimThread* self;                 // offset 0
  std::uint64_t stack_top;          // offset 8: shim stack (entry switches to it)
  std::uint64_t saved_program_rsp;  // offset 16
  std::uint64_t in_shim;            // offset 24: nonzero while the shim serves this thread
  std::uint8_t dispatch_selector;   // offset 32: Syscall User Dispatch selector byte
  std::uint8_t deliverable;         // offset 33: a pending signal the program must take now
  std::uint8_t mixed_wait;          // waits in the proxy on fds that include in-enclave ones
  std::uint8_t local_wakeup;        // an in-enclave pipe or eventfd changed meanwhile
  std::uint8_t pad0[4];
  std::uint32_t index;              // thread slot == channel index
  std::int32_t tid;                 // host tid
  channel::Channel* channel;
  std::uint64_t altstack_base;
  std::uint64_t altstack_size;
  std::uint64_t sigmask;            // the program's signal mask for this thread
  std::uint64_t clear_child_tid;    // set_tid_address
  std::uint64_t robust_list;
  std::uint64_t robust_list_len;
  std::uint64_t program_fs;
  std::uint64_t prog_altstack_sp;   // sigaltstack as the program set it
  std::uint64_t prog_altstack_size;
  std::int32_t prog_altstack_flags;
  char name[16];                    // prctl(PR_SET_NAME)
  // Thread slots (shim/sys_thread.cpp). `claimed` changes under the thread table's lock;
  // host_alive is the host clone's PARENT_SETTID/CHILD_CLEARTID word: nonzero from before
  // the host thread exists until the kernel has finished with it (then its shim stack,
  // altstack and this page may be reused).
  std::uint32_t claimed;
  std::int32_t host_alive;
  // What a new thread starts with (written by its creator before the host clone).
  std::uint64_t start_regs[13];     // CloneFrame: rax rdi rsi rdx r10 r8 r9 rbx rbp r12..r15
  std::uint64_t start_rsp;          // where the child resumes the program's return path
  std::uint64_t start_host_mask;    // the creator's host signal mask
  std::uint64_t start_flags;        // the program's clone flags
  std::uint64_t start_ptid, start_ctid;
  std::uint32_t start_go;           // set by the creator once the program's ptid holds the tid
  void* path_scratch;               // this slot's policy::Resolved (shim/path_calls.cpp), kept
  void* vfork_child;                // a vfork child's own state (shim/vfork.hpp), else null
  // Signals (shim/signals.cpp): pending for this thread, with what each carries; the mask
  // to restore once a handler ran after sigsuspend.
  std::uint64_t pending;
  std::uint64_t saved_mask;
  std::uint32_t has_saved_mask;
  std::uint32_t pad1;
  PendingSignal pending_info[64];
  // Forwarded calls (by number) whose last answer came only after the spin (shim/forward.cpp):
  // the next one spins briefly, then sleeps.
  std::uint64_t slow_calls[8];
  // TSC until which this thread waits for a worker on its own CPU by sleeping, not yielding
  // (shim/forward.cpp: the CPU is contended).
  std::uint64_t contended_until;
  // Deferred calls (shim/deferred_calls.cpp) that this thread's request in flight carries:
  // each as op << 32 | fd, to read the proxy's results against; and whether the request is a
  // forwarded epoll wait, counted among the waiters.
  std::uint64_t carried[channel::kMaxDeferred];
  std::uint32_t carried_count;
  std::uint32_t counted_epoll_wait;
};
static_assert(sizeof(ShimThread) <= 4096, "ShimThread lives in the thread's TLS page");
static_assert(__builtin_offsetof(ShimThread, stack_top) == 8);
static_assert(__builtin_offsetof(ShimThread, saved_program_rsp) == 16);
static_assert(__builtin_offsetof(ShimThread, in_shim) == 24);
static_assert(__builtin_offsetof(ShimThread, dispatch_selector) == 32);
static_assert(__builtin_offsetof(ShimThread, deliverable) == 33);

// The frame shim_syscall_entry builds for clone (56): the syscall frame, then the callee-saved
// registers the child must resume with.
struct CloneFrame {
  long nr;
  long a[6];
  std::uint64_t rbx, rbp, r12, r13, r14, r15;
};
static_assert(sizeof(CloneFrame) == 13 * 8);

inline ShimThread* current_thread() {
  ShimThread* t;
  asm volatile("mov %%gs:0, %0" : "=r"(t));
  return t;
}

}  // namespace cocoon::shim
