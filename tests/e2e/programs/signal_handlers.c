// Signal delivery to the program's own handlers, compared line by line with a native run:
// faults (with siginfo and a context the handler rewrites, as the JVM does), masks, pending
// sets, alternate stacks, FPU state across a handler, waits that signals end (sigsuspend,
// sigtimedwait, pause, nanosleep, sem_wait), signals between threads and to a thread that
// never makes a syscall.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"


static void on(int sig, void (*fn)(int, siginfo_t*, void*), int flags, int also_block) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  if (also_block) sigaddset(&sa.sa_mask, also_block);
  if (sigaction(sig, &sa, NULL) != 0) perror("sigaction");
}

static sigset_t current_mask(void) {
  sigset_t s;
  sigprocmask(SIG_BLOCK, NULL, &s);
  return s;
}

// ---- faults -------------------------------------------------------------------------------

static volatile sig_atomic_t seen_sig, seen_code;
static void* volatile seen_addr;
static char* guarded_page;

static void fix_protection(int sig, siginfo_t* si, void* ctx) {
  (void)ctx;
  seen_sig = sig;
  seen_code = si->si_code;
  seen_addr = si->si_addr;
  mprotect(guarded_page, 4096, PROT_READ | PROT_WRITE);
}

static void resume_at_rbx(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = ctx;
  seen_sig = sig;
  seen_code = si->si_code;
  seen_addr = si->si_addr;
  uc->uc_mcontext.gregs[REG_RIP] = uc->uc_mcontext.gregs[REG_RBX];  // a recovery stub's address
  uc->uc_mcontext.gregs[REG_RAX] = 77;
}

static void skip_two_bytes(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = ctx;
  seen_sig = sig;
  seen_code = si->si_code;
  uc->uc_mcontext.gregs[REG_RIP] += 2;  // ud2
}

static void note_trap(int sig, siginfo_t* si, void* ctx) {
  (void)si, (void)ctx;
  seen_sig = sig;  // int3: %rip is already past it
}

static sigjmp_buf jump_back;
static void jump_out(int sig, siginfo_t* si, void* ctx) {
  (void)ctx;
  seen_sig = sig;
  seen_code = si->si_code;
  siglongjmp(jump_back, 1);
}

static void test_faults(void) {
  guarded_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  on(SIGSEGV, fix_protection, 0, 0);
  guarded_page[100] = 42;  // faults once; the handler makes the page writable; the store is retried
  CHECK(seen_sig == SIGSEGV && seen_code == SEGV_ACCERR && seen_addr == guarded_page + 100 && guarded_page[100] == 42,
        "SIGSEGV handler fixes the protection and the faulting store is retried");

  on(SIGSEGV, resume_at_rbx, 0, 0);
  long rax;
  __asm__ volatile(
      "lea 1f(%%rip), %%rbx\n\t"
      "mov $0x10, %%rax\n\t"
      "mov (%%rax), %%rax\n\t"
      "mov $5, %%rax\n\t"  // skipped: the handler resumes at 1:
      "1:\n\t"
      : "=a"(rax)
      :
      : "rbx", "memory");
  CHECK(rax == 77 && seen_code == SEGV_MAPERR && seen_addr == (void*)0x10,
        "SIGSEGV handler rewrites %%rip and %%rax in the context (null check, JVM style)");

  on(SIGILL, skip_two_bytes, 0, 0);
  __asm__ volatile("ud2");
  CHECK(seen_sig == SIGILL && seen_code == ILL_ILLOPN, "SIGILL (ud2) handler skips the instruction");

  on(SIGTRAP, note_trap, 0, 0);
  seen_sig = 0;
  __asm__ volatile("int3");
  CHECK(seen_sig == SIGTRAP, "SIGTRAP (int3) handler runs and execution continues");

  on(SIGFPE, jump_out, 0, 0);
  volatile int zero = 0, ten = 10;
  if (sigsetjmp(jump_back, 1) == 0) {
    volatile int q = ten / zero;
    (void)q;
    CHECK(0, "division by zero did not trap");
  } else {
    CHECK(seen_sig == SIGFPE && seen_code == FPE_INTDIV, "SIGFPE (integer division) handler leaves by siglongjmp");
  }
  sigset_t m = current_mask();
  CHECK(!sigismember(&m, SIGFPE), "siglongjmp restored the mask (SIGFPE unblocked again)");
  signal(SIGSEGV, SIG_DFL);
  signal(SIGILL, SIG_DFL);
  signal(SIGTRAP, SIG_DFL);
  signal(SIGFPE, SIG_DFL);
}

// ---- masks, pending, flags ----------------------------------------------------------------

static volatile sig_atomic_t usr1_count, usr1_had_usr1_blocked, usr1_had_usr2_blocked, uc_mask_had_usr2;
static void count_usr1(int sig, siginfo_t* si, void* ctx) {
  (void)si;
  usr1_count++;
  sigset_t m = current_mask();
  usr1_had_usr1_blocked = sigismember(&m, sig);
  usr1_had_usr2_blocked = sigismember(&m, SIGUSR2);
  uc_mask_had_usr2 = sigismember(&((ucontext_t*)ctx)->uc_sigmask, SIGUSR2);
}

static volatile sig_atomic_t queued_value, queued_code, queued_pid_ok;
static void note_queued(int sig, siginfo_t* si, void* ctx) {
  (void)sig, (void)ctx;
  queued_value = si->si_value.sival_int;
  queued_code = si->si_code;
  queued_pid_ok = si->si_pid == getpid() && si->si_uid == getuid();
}

static void test_masks(void) {
  on(SIGUSR1, count_usr1, 0, SIGUSR2);
  raise(SIGUSR1);
  CHECK(usr1_count == 1, "raise runs the handler before it returns");
  CHECK(usr1_had_usr1_blocked && usr1_had_usr2_blocked, "in the handler: the signal and sa_mask are blocked");
  sigset_t m = current_mask();
  CHECK(!sigismember(&m, SIGUSR1) && !sigismember(&m, SIGUSR2), "after the handler the mask is back");

  on(SIGUSR1, count_usr1, SA_NODEFER, 0);
  raise(SIGUSR1);
  CHECK(usr1_count == 2 && !usr1_had_usr1_blocked, "SA_NODEFER: the signal stays unblocked in its handler");

  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, NULL);
  raise(SIGUSR1);
  raise(SIGUSR1);  // standard signals do not queue twice
  sigset_t pend;
  sigpending(&pend);
  CHECK(usr1_count == 2 && sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2),
        "blocked: the signal waits in sigpending");
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  CHECK(usr1_count == 3, "unblocking delivers it once, before sigprocmask returns");
  CHECK(!uc_mask_had_usr2, "the context's uc_sigmask is the mask of the interrupted code");
  sigpending(&pend);
  CHECK(!sigismember(&pend, SIGUSR1), "nothing pending afterwards");

  on(SIGUSR1, count_usr1, SA_RESETHAND, 0);
  raise(SIGUSR1);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  CHECK(usr1_count == 4 && now.sa_handler == SIG_DFL, "SA_RESETHAND: the handler runs once, then SIG_DFL");

  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  CHECK(1, "an ignored signal is discarded");
  signal(SIGUSR2, SIG_DFL);

  on(SIGRTMIN + 3, note_queued, 0, 0);
  sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = 42});
  CHECK(queued_value == 42 && queued_code == SI_QUEUE && queued_pid_ok, "sigqueue: si_value, SI_QUEUE, si_pid and si_uid");
}

// ---- alternate stack, stack overflow --------------------------------------------------------

static char* alt_base;
static size_t alt_size = 64 * 1024;
static volatile sig_atomic_t on_alt, altstack_flag_onstack;
static void check_stack(int sig, siginfo_t* si, void* ctx) {
  (void)sig, (void)si, (void)ctx;
  char here;
  on_alt = &here > alt_base && &here < alt_base + alt_size;
  stack_t now;
  sigaltstack(NULL, &now);
  altstack_flag_onstack = (now.ss_flags & SS_ONSTACK) != 0;
}

static sigjmp_buf overflow_back;
static void overflow_handler(int sig, siginfo_t* si, void* ctx) {
  (void)si, (void)ctx;
  seen_sig = sig;
  siglongjmp(overflow_back, 1);
}

static int recurse(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  return recurse(n + 1) + pad[0];
}

static void* overflow_thread(void* arg) {
  (void)arg;
  char* alt = malloc(64 * 1024);
  stack_t ss = {.ss_sp = alt, .ss_size = 64 * 1024, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  on(SIGSEGV, overflow_handler, SA_ONSTACK, 0);
  seen_sig = 0;
  if (sigsetjmp(overflow_back, 1) == 0) recurse(0);
  return (void*)(intptr_t)(seen_sig == SIGSEGV);
}

static void test_altstack(void) {
  alt_base = malloc(alt_size);
  stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  on(SIGUSR1, check_stack, SA_ONSTACK, 0);
  raise(SIGUSR1);
  CHECK(on_alt && altstack_flag_onstack, "SA_ONSTACK: the handler runs on the alternate stack (SS_ONSTACK)");
  on(SIGUSR1, check_stack, 0, 0);
  raise(SIGUSR1);
  CHECK(!on_alt, "without SA_ONSTACK: on the thread's stack");
  signal(SIGUSR1, SIG_DFL);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t th;
  void* ok = NULL;
  pthread_create(&th, &attr, overflow_thread, NULL);
  pthread_join(th, &ok);
  CHECK(ok != NULL, "stack overflow in a thread: SIGSEGV handler on its alternate stack, out by siglongjmp");
  signal(SIGSEGV, SIG_DFL);
}

// ---- FPU state ----------------------------------------------------------------------------

static volatile unsigned handler_mxcsr;
static void clobber_fpu(int sig, siginfo_t* si, void* ctx) {
  (void)sig, (void)si;
  unsigned m;
  __asm__ volatile("stmxcsr %0" : "=m"(m));
  handler_mxcsr = m & 0xffc0;  // control bits only
  double junk[2] = {1e300, -1e300};
  __asm__ volatile("movupd %0, %%xmm0\n\tmovupd %0, %%xmm7\n\tmovupd %0, %%xmm15" ::"m"(junk) : "xmm0", "xmm7", "xmm15");
  volatile double d = 3.0;
  for (int i = 0; i < 10; ++i) d = d * 1.5 + 0.25;
  ((ucontext_t*)ctx)->uc_mcontext.gregs[REG_RIP] += 2;
}

static void test_fpu(void) {
  on(SIGILL, clobber_fpu, 0, 0);
  double in[3][2] = {{1.25, 2.5}, {3.75, 4.0}, {-5.5, 6.125}}, out[3][2];
  unsigned mode = 0x1f80 | 0x6000, after;  // round toward zero
  __asm__ volatile(
      "ldmxcsr %[mode]\n\t"
      "movupd 0(%[in]), %%xmm0\n\t"
      "movupd 16(%[in]), %%xmm7\n\t"
      "movupd 32(%[in]), %%xmm15\n\t"
      "ud2\n\t"
      "movupd %%xmm0, 0(%[out])\n\t"
      "movupd %%xmm7, 16(%[out])\n\t"
      "movupd %%xmm15, 32(%[out])\n\t"
      "stmxcsr %[after]\n\t"
      : [after] "=m"(after)
      : [mode] "m"(mode), [in] "r"(in), [out] "r"(out)
      : "xmm0", "xmm7", "xmm15", "memory");
  unsigned def = 0x1f80;
  __asm__ volatile("ldmxcsr %0" ::"m"(def));
  CHECK(memcmp(in, out, sizeof in) == 0, "vector registers survive a handler that overwrites them");
  CHECK((after & 0xffc0) == (mode & 0xffc0), "the interrupted code's MXCSR rounding mode is back after the handler");
  CHECK(handler_mxcsr == 0x1f80, "the handler starts with the default MXCSR");
  signal(SIGILL, SIG_DFL);
}

// ---- waits ended by signals, signals between threads ---------------------------------------

static pid_t main_tid;
static volatile sig_atomic_t got_usr1;
static void note_usr1(int sig) { (void)sig; got_usr1++; }

struct sender {
  int sig;
  int delay_ms;
  int to_process;
};
static void* send_later(void* arg) {
  struct sender* s = arg;
  struct timespec d = {0, s->delay_ms * 1000000L};
  nanosleep(&d, NULL);
  if (s->to_process) kill(getpid(), s->sig);
  else syscall(SYS_tgkill, getpid(), main_tid, s->sig);
  return NULL;
}
static pthread_t start_sender(int sig, int delay_ms, int to_process) {
  static struct sender s;
  s = (struct sender){sig, delay_ms, to_process};
  pthread_t th;
  pthread_create(&th, NULL, send_later, &s);
  return th;
}

static int pipe_fds[2];
static void* signal_then_write(void* arg) {
  (void)arg;
  struct timespec d = {0, 50000000};
  nanosleep(&d, NULL);
  syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
  nanosleep(&d, NULL);
  if (write(pipe_fds[1], "x", 1) != 1) perror("write");
  return NULL;
}

static void test_blocked_in_proxy(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = note_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  if (pipe(pipe_fds) != 0) perror("pipe");
  got_usr1 = 0;
  pthread_t th = start_sender(SIGUSR1, 50, 0);
  char c = 0;
  ssize_t r = read(pipe_fds[0], &c, 1);
  int e = errno;
  pthread_join(th, NULL);
  CHECK(r == -1 && e == EINTR && got_usr1 == 1, "a read blocked on a pipe ends with EINTR after the handler");

  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  got_usr1 = 0;
  pthread_create(&th, NULL, signal_then_write, NULL);
  r = read(pipe_fds[0], &c, 1);
  pthread_join(th, NULL);
  CHECK(r == 1 && c == 'x' && got_usr1 == 1, "SA_RESTART: the read is made again after the handler and gets the data");

  got_usr1 = 0;
  th = start_sender(SIGUSR1, 50, 0);
  struct pollfd pfd = {pipe_fds[0], POLLIN, 0};
  int n = poll(&pfd, 1, 5000);
  e = errno;
  pthread_join(th, NULL);
  CHECK(n == -1 && e == EINTR && got_usr1 == 1, "poll ends with EINTR even with SA_RESTART (as on Linux)");
  // Waits with a signal mask (ppoll, pselect, epoll_pwait): the mask holds only while waiting.
  sa.sa_flags = 0;
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t block, none;
  sigemptyset(&block);
  sigemptyset(&none);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, NULL);
  struct timespec five = {5, 0};
  for (int which = 0; which < 3; ++which) {
    static const char* const names[] = {"ppoll", "pselect", "epoll_pwait"};
    got_usr1 = 0;
    th = start_sender(SIGUSR1, 50, 0);
    if (which == 0) {
      n = ppoll(&pfd, 1, &five, &none);
    } else if (which == 1) {
      fd_set rd;
      FD_ZERO(&rd);
      FD_SET(pipe_fds[0], &rd);
      n = pselect(pipe_fds[0] + 1, &rd, NULL, NULL, &five, &none);
    } else {
      int ep = epoll_create1(0);
      struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1};
      epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fds[0], &ev);
      n = epoll_pwait(ep, &ev, 1, 5000, &none);
      e = errno;
      close(ep);
      errno = e;
    }
    e = errno;
    pthread_join(th, NULL);
    sigset_t m = current_mask();
    CHECK(n == -1 && e == EINTR && got_usr1 == 1 && sigismember(&m, SIGUSR1),
          "%s: the signal its mask lets through runs the handler, EINTR, the mask is back", names[which]);
  }
  got_usr1 = 0;
  raise(SIGUSR1);  // pending, blocked
  n = ppoll(&pfd, 1, &five, &none);
  e = errno;
  CHECK(n == -1 && e == EINTR && got_usr1 == 1, "ppoll with a pending signal its mask unblocks: EINTR at once");
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  signal(SIGUSR1, SIG_DFL);
}

static volatile int spin_flag;
static void set_spin_flag(int sig) { (void)sig; spin_flag = 1; }
static void* spin_until_signal(void* arg) {
  (void)arg;
  while (!spin_flag) __asm__ volatile("pause");  // no syscall at all
  return NULL;
}

static void test_waits(void) {
  main_tid = (pid_t)syscall(SYS_gettid);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = note_usr1;  // no SA_RESTART
  sigaction(SIGUSR1, &sa, NULL);

  sigset_t block, old, none;
  sigemptyset(&block);
  sigemptyset(&none);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  pthread_t th = start_sender(SIGUSR1, 50, 0);
  int r = sigsuspend(&none);
  int e = errno;
  pthread_join(th, NULL);
  sigset_t m = current_mask();
  CHECK(r == -1 && e == EINTR && got_usr1 == 1 && sigismember(&m, SIGUSR1),
        "sigsuspend: the handler runs, EINTR, and the mask from before is back");
  sigprocmask(SIG_SETMASK, &old, NULL);

  sigset_t wait_set;
  sigemptyset(&wait_set);
  sigaddset(&wait_set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &wait_set, NULL);
  th = start_sender(SIGUSR2, 30, 1);
  siginfo_t si;
  int sig = sigwaitinfo(&wait_set, &si);
  pthread_join(th, NULL);
  CHECK(sig == SIGUSR2 && si.si_signo == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid(),
        "sigwaitinfo takes a signal sent by another thread with kill (SI_USER, si_pid)");
  struct timespec ten_ms = {0, 10000000};
  sig = sigtimedwait(&wait_set, &si, &ten_ms);
  CHECK(sig == -1 && errno == EAGAIN, "sigtimedwait times out with EAGAIN");
  sigprocmask(SIG_UNBLOCK, &wait_set, NULL);

  got_usr1 = 0;
  th = start_sender(SIGUSR1, 50, 0);
  r = pause();
  e = errno;
  pthread_join(th, NULL);
  CHECK(r == -1 && e == EINTR && got_usr1 == 1, "pause returns EINTR after the handler");

  got_usr1 = 0;
  th = start_sender(SIGUSR1, 50, 0);
  struct timespec two_s = {2, 0}, rem = {0, 0};
  r = nanosleep(&two_s, &rem);
  e = errno;
  pthread_join(th, NULL);
  CHECK(r == -1 && e == EINTR && got_usr1 == 1 && rem.tv_sec >= 1, "nanosleep ends with EINTR and the time left");

  got_usr1 = 0;
  sem_t sem;
  sem_init(&sem, 0, 0);
  th = start_sender(SIGUSR1, 50, 0);
  r = sem_wait(&sem);
  e = errno;
  pthread_join(th, NULL);
  CHECK(r == -1 && e == EINTR && got_usr1 == 1, "sem_wait (a futex wait) ends with EINTR");

  signal(SIGUSR2, set_spin_flag);
  pthread_t spinner;
  pthread_create(&spinner, NULL, spin_until_signal, NULL);
  struct timespec d = {0, 20000000};
  nanosleep(&d, NULL);
  pthread_kill(spinner, SIGUSR2);
  pthread_join(spinner, NULL);
  CHECK(spin_flag == 1, "pthread_kill reaches a thread that never makes a syscall");
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_faults();
  test_masks();
  test_altstack();
  test_fpu();
  test_waits();
  test_blocked_in_proxy();
  return checks_summary();
}
