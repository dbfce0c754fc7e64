// Signal frames on the program's stack, in Linux's x86-64 layout (struct rt_sigframe: the
// return address of the handler, ucontext, siginfo, and the XSAVE image 64-byte aligned
// below them), so that handlers, glibc's __restore_rt and runtimes that read or rewrite the
// context (the JVM's null checks and safepoints) see what they would see on Linux.
#pragma once

#include <cstdint>

#include "shim/linux_abi.hpp"
#include "shim/thread.hpp"

namespace cocoon::shim::sigframe {

// Runs the program's handler for `sig` next: pushes a frame holding the context in `uc`
// (registers, FPU state at uc->fpstate, the thread's mask) on the program's stack (or its
// alternate stack) and changes `uc` so that resuming it enters the handler with a fresh FPU
// state. Updates the thread's mask and altstack as the handler's flags say. A stack the
// frame cannot be written to ends the process by SIGSEGV, as on Linux.
void push(ShimThread* t, abi::UContext* uc, int sig, const abi::SigInfo& info, const abi::KernelSigaction& act);

// The program's stack pointer at the syscall instruction the shim is serving.
std::uint64_t program_sp_at_syscall(const ShimThread* t);

// rt_sigreturn: resumes the context of the frame at the program's stack pointer (restoring
// the program's mask and altstack), or the next pending signal's handler. Never returns.
[[noreturn]] void sigreturn(ShimThread* t);

}  // namespace cocoon::shim::sigframe
