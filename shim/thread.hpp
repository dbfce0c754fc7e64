// Per-thread shim data. It lives in the thread's TLS page inside the enclave image and is
// reached through %gs (the program owns %fs). The first field points to itself so that
// `mov %gs:0, reg` yields the struct.
#pragma once

#include <cstdint>

#include "proxy/channel.hpp"

namespace cocoon::shim {

struct ShimThread {
  ShimThread* self;                 // offset 0
  std::uint64_t stack_top;          // offset 8: shim stack (entry switches to it)
  std::uint64_t saved_program_rsp;  // offset 16
  std::uint64_t in_shim;            // offset 24: nonzero while the shim serves this thread
  std::uint8_t dispatch_selector;   // offset 32: Syscall User Dispatch selector byte
  std::uint8_t pad0[7];
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
};
static_assert(__builtin_offsetof(ShimThread, stack_top) == 8);
static_assert(__builtin_offsetof(ShimThread, saved_program_rsp) == 16);
static_assert(__builtin_offsetof(ShimThread, in_shim) == 24);
static_assert(__builtin_offsetof(ShimThread, dispatch_selector) == 32);

inline ShimThread* current_thread() {
  ShimThread* t;
  asm volatile("mov %%gs:0, %0" : "=r"(t));
  return t;
}

}  // namespace cocoon::shim
