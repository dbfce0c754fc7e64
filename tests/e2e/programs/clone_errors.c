// clone with arguments the shim refuses: each call must fail with an errno (never crash the
// enclave, never create anything). Prints one line per case. Inside Cocoon only (natively
// some of these would create a process or a thread that crashes).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char* name(long r) {
  if (r >= 0) return "SUCCEEDED";
  switch (errno) {
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EFAULT: return "EFAULT";
    case EPERM: return "EPERM";
    default: return strerror(errno);
  }
}

int main(void) {
  const unsigned long thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                               CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
  static char stack[4096] __attribute__((aligned(16)));
  int tid = 0;
  printf("fork-like: %s\n", name(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)));
  printf("vfork without CLONE_VM: %s\n", name(syscall(SYS_clone, CLONE_VFORK | SIGCHLD, 0, 0, 0, 0)));
  printf("thread without sighand: %s\n", name(syscall(SYS_clone, CLONE_VM | CLONE_THREAD, stack + 4096, 0, 0, 0)));
  printf("sighand without vm: %s\n", name(syscall(SYS_clone, CLONE_SIGHAND, stack + 4096, 0, 0, 0)));
  printf("thread, no stack: %s\n", name(syscall(SYS_clone, thread, 0, &tid, &tid, 0)));
  printf("thread, unmapped stack: %s\n", name(syscall(SYS_clone, thread, (void*)0x10000, &tid, &tid, 0)));
  printf("thread, bad tid pointer: %s\n", name(syscall(SYS_clone, thread, stack + 4096, (void*)0x10, &tid, 0)));
  printf("thread, bad tls: %s\n", name(syscall(SYS_clone, thread, stack + 4096, &tid, &tid, ~0ul)));
  printf("thread with another flag: %s\n", name(syscall(SYS_clone, thread | CLONE_PTRACE, stack + 4096, &tid, &tid, 0)));
  printf("clone3: %s\n", name(syscall(SYS_clone3, 0, 0)));
  printf("tid untouched: %d\n", tid);
  return 0;
}
