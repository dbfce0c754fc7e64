// Host calls: the only way the shim reaches the outside world besides the untrusted window.
//
// Simulation backend: a raw `syscall` instruction issued from the shim's own text (the
// enclave process's seccomp filter allows host syscalls only from there, and only the short
// list in tools/enclave_seccomp.cpp). The SGX backend will implement the same functions as
// OCALLs; nothing above this header knows which backend it runs on.
#pragma once

#include <cstdint>

namespace cocoon::host {

inline long syscall6(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
                     long a5 = 0) {
  long ret;
  register long r10 asm("r10") = a3;
  register long r8 asm("r8") = a4;
  register long r9 asm("r9") = a5;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}

template <typename... T>
inline long call(long nr, T... args) {
  return syscall6(nr, (long)args...);  // integers and pointers alike
}

[[noreturn]] void exit_group(int status);
// The program's own end (exit_group, or its last thread's exit): the status also goes to the
// supervisor at once (launch::ExitNotice), so that it need not wait for the memory to be freed.
[[noreturn]] void exit_program(int status);
[[noreturn]] void die_by_signal(int sig);  // default action of a fatal signal
long futex_wait(std::uint32_t* word, std::uint32_t expected, long timeout_ns = -1);
long futex_wake(std::uint32_t* word, int count);
void write_log(const char* s, std::uint64_t n);  // the supervisor's stderr
// Before the shim's own state exists (no globals, no window): "cocoon: <who>: <what>" on
// stderr, then exit status 71. Usable before relocation (no pointers from data).
[[noreturn]] void die_early(const char* who, const char* what);

inline std::uint64_t rdtsc() {
  std::uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}
inline void cpu_relax() { asm volatile("pause" ::: "memory"); }
// The CPU this thread runs on now (Linux keeps it in TSC_AUX), or -1.
int current_cpu();

}  // namespace cocoon::host
