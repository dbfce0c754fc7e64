// Every syscall handler of the shim, by name and number. The list is checked against the
// syscall table at compile time (shim/dispatch.cpp): a syscall the table routes to the shim
// must have a handler here, and a handler here must be routed to the shim by the table.
#pragma once

#include "shim/dispatch.hpp"

// X(name, number)
#define COCOON_SHIM_HANDLERS(X)                                                                      \
  /* fd table (shim/sys_fd.cpp) */                                                                   \
  X(close, 3) X(dup, 32) X(dup2, 33) X(dup3, 292) X(close_range, 436)                                \
  /* forwarded through dedicated marshallers (shim/sys_fd.cpp, shim/sys_poll.cpp, shim/sys_net.cpp) */ \
  X(ioctl, 16) X(fcntl, 72) X(sendfile, 40) X(splice, 275) X(tee, 276) X(getdents64, 217) X(poll, 7) X(ppoll, 271) X(select, 23) X(pselect6, 270)  \
  X(epoll_pwait, 281) X(epoll_pwait2, 441) X(epoll_wait, 232) X(epoll_ctl, 233)                     \
  /* pipes and eventfds in the enclave (shim/local_files.cpp) */                                     \
  X(pipe, 22) X(pipe2, 293) X(eventfd, 284) X(eventfd2, 290)                                         \
  X(sendmsg, 46) X(recvmsg, 47) X(getsockname, 51) X(getpeername, 52) X(getsockopt, 55) X(setsockopt, 54) X(bind, 49) X(listen, 50)                           \
  /* memory (shim/sys_memory.cpp) */                                                                 \
  X(mmap, 9) X(mprotect, 10) X(munmap, 11) X(brk, 12) X(mremap, 25) X(msync, 26) X(mincore, 27)      \
  X(madvise, 28) X(mlock, 149) X(munlock, 150) X(mlockall, 151) X(munlockall, 152) X(mlock2, 325)    \
  /* signals (shim/sys_signal.cpp) */                                                                \
  X(rt_sigaction, 13) X(rt_sigprocmask, 14) X(rt_sigreturn, 15) X(rt_sigpending, 127)                \
  X(sigaltstack, 131) X(kill, 62) X(tkill, 200) X(tgkill, 234) X(rt_sigsuspend, 130) X(pause, 34)    \
  X(rt_sigtimedwait, 128) X(rt_sigqueueinfo, 129) X(rt_tgsigqueueinfo, 297)                          \
  X(pidfd_send_signal, 424)                                                                          \
  /* timers that raise signals (shim/timers.cpp) */                                                  \
  X(alarm, 37) X(setitimer, 38) X(getitimer, 36) X(timer_create, 222) X(timer_settime, 223)           \
  X(timer_gettime, 224) X(timer_getoverrun, 225) X(timer_delete, 226)                                \
  /* identity, limits, scheduling (shim/sys_identity.cpp) */                                         \
  X(getpid, 39) X(getppid, 110) X(gettid, 186) X(getuid, 102) X(getgid, 104) X(geteuid, 107)         \
  X(getegid, 108) X(getgroups, 115) X(getresuid, 118) X(getresgid, 120) X(getpgrp, 111)              \
  X(getpgid, 121) X(getsid, 124) X(uname, 63) X(umask, 95) X(personality, 135) X(sysinfo, 99)        \
  X(getrlimit, 97) X(setrlimit, 160) X(prlimit64, 302) X(getrusage, 98) X(times, 100)                \
  X(sched_yield, 24) X(sched_getaffinity, 204) X(sched_setaffinity, 203) X(getcpu, 309)              \
  X(prctl, 157) X(setuid, 105) X(setgid, 106) X(setreuid, 113) X(setregid, 114) X(setresuid, 117)   \
  X(setresgid, 119) X(getpriority, 140) X(setpriority, 141)                                          \
  /* time and randomness (shim/sys_time.cpp) */                                                      \
  X(clock_gettime, 228) X(clock_getres, 229) X(gettimeofday, 96) X(time, 201) X(nanosleep, 35)       \
  X(clock_nanosleep, 230) X(getrandom, 318)                                                          \
  /* threads and process end (shim/sys_thread.cpp) */                                                \
  X(arch_prctl, 158) X(set_tid_address, 218) X(set_robust_list, 273) X(get_robust_list, 274)         \
  X(futex, 202) X(clone, 56) X(exit, 60) X(exit_group, 231)                                                      \
  /* programs (shim/sys_process.cpp) and child processes (shim/sys_spawn.cpp) */                      \
  X(execve, 59) X(vfork, 58) X(wait4, 61) X(waitid, 247) X(setsid, 112)                              \
  /* files the shim checks before forwarding (shim/sys_fd.cpp) */                                    \
  X(mknod, 133) X(mknodat, 259)

namespace cocoon::shim {
#define COCOON_DECLARE_HANDLER(name, nr) long sys_##name(SyscallFrame& f);
COCOON_SHIM_HANDLERS(COCOON_DECLARE_HANDLER)
#undef COCOON_DECLARE_HANDLER

namespace children {
// kill(2) of a pid other than the program's own (shim/sys_spawn.cpp): its children only.
long kill_other(long pid, long sig);
}  // namespace children
}  // namespace cocoon::shim
