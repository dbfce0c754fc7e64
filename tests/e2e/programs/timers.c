// Timers that raise signals, compared line by line with a native run: alarm, setitimer
// (one shot and periodic), getitimer, POSIX timers (SIGEV_SIGNAL with a sigval, TIMER_ABSTIME
// on CLOCK_REALTIME, overruns of a blocked periodic timer, glibc's SIGEV_THREAD, delete).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"


static volatile sig_atomic_t alarms, last_code, last_value;
static void on_alarm(int sig, siginfo_t* si, void* ctx) {
  (void)sig, (void)ctx;
  alarms++;
  last_code = si->si_code;
  last_value = si->si_value.sival_int;
}

static void handle(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_alarm;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void wait_for(volatile sig_atomic_t* counter, int n) {
  sigset_t none;
  sigemptyset(&none);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigaddset(&block, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &block, &old);
  while (*counter < n) sigsuspend(&none);
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile int thread_callbacks;
static void on_thread_timer(union sigval v) { __atomic_add_fetch(&thread_callbacks, v.sival_int, __ATOMIC_SEQ_CST); }

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  handle(SIGALRM);

  CHECK(alarm(10) == 0, "alarm: nothing was armed before");
  unsigned left = alarm(0);
  CHECK(left == 10, "alarm(0) disarms and returns the seconds left (%u)", left);

  struct itimerval once = {{0, 0}, {0, 50000}};
  setitimer(ITIMER_REAL, &once, NULL);
  int r = pause();
  CHECK(r == -1 && errno == EINTR && alarms == 1 && last_code == SI_KERNEL, "setitimer one shot: SIGALRM (SI_KERNEL) ends pause");

  struct itimerval periodic = {{0, 20000}, {0, 20000}};
  setitimer(ITIMER_REAL, &periodic, NULL);
  wait_for(&alarms, 6);
  struct itimerval off = {{0, 0}, {0, 0}}, was;
  setitimer(ITIMER_REAL, &off, &was);
  CHECK(alarms >= 6 && was.it_interval.tv_usec == 20000, "setitimer periodic: repeated SIGALRM, the old interval reported");
  struct itimerval now;
  getitimer(ITIMER_REAL, &now);
  CHECK(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0, "getitimer after disarming: zero");
  struct itimerval long_one = {{0, 0}, {5, 0}};
  setitimer(ITIMER_REAL, &long_one, NULL);
  getitimer(ITIMER_REAL, &now);
  CHECK(now.it_value.tv_sec >= 4 && now.it_value.tv_sec <= 5, "getitimer: the time left of an armed timer");
  setitimer(ITIMER_REAL, &off, NULL);

  // CPU-time clocks of a thread and of the process (the JVM's thread CPU time).
  clockid_t thread_clock, process_clock;
  CHECK(pthread_getcpuclockid(pthread_self(), &thread_clock) == 0, "pthread_getcpuclockid");
  CHECK(clock_getcpuclockid(0, &process_clock) == 0, "clock_getcpuclockid(0)");
  struct timespec c1, c2, res;
  CHECK(clock_gettime(thread_clock, &c1) == 0 && clock_gettime(thread_clock, &c2) == 0 &&
            (c2.tv_sec > c1.tv_sec || (c2.tv_sec == c1.tv_sec && c2.tv_nsec >= c1.tv_nsec)),
        "clock_gettime on the thread's CPU clock: it runs forward");
  CHECK(clock_getres(thread_clock, &res) == 0, "clock_getres on the thread's CPU clock");
  CHECK(clock_gettime(process_clock, &c1) == 0 && c1.tv_sec + c1.tv_nsec > 0, "clock_gettime on the process's CPU clock");
  CHECK(clock_gettime((clockid_t)((~(unsigned)99999 << 3) | 6), &c1) == -1 && errno == EINVAL,
        "a thread CPU clock of no thread of the process: EINVAL");

  // CPU-time itimers: they run only while the process computes.
  handle(SIGVTALRM);
  handle(SIGPROF);
  alarms = 0;
  struct itimerval cpu = {{0, 20000}, {0, 20000}};
  setitimer(ITIMER_VIRTUAL, &cpu, NULL);
  for (volatile unsigned long spin = 0; alarms < 3; ++spin) {
  }
  setitimer(ITIMER_VIRTUAL, &off, NULL);
  CHECK(alarms >= 3, "ITIMER_VIRTUAL: SIGVTALRM while the process computes");
  alarms = 0;
  setitimer(ITIMER_PROF, &cpu, NULL);
  for (volatile unsigned long spin = 0; alarms < 3; ++spin) {
  }
  struct itimerval idle_before, idle_after;
  getitimer(ITIMER_PROF, &idle_before);
  struct timespec tenth = {0, 100000000};
  nanosleep(&tenth, NULL);  // sleeping uses no CPU: the timer does not move (much)
  getitimer(ITIMER_PROF, &idle_after);
  setitimer(ITIMER_PROF, &off, NULL);
  long moved = (idle_before.it_value.tv_sec - idle_after.it_value.tv_sec) * 1000000L +
               (idle_before.it_value.tv_usec - idle_after.it_value.tv_usec);
  CHECK(alarms >= 3 && moved < 15000, "ITIMER_PROF: SIGPROF while computing, still while sleeping");

  handle(SIGRTMIN);
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGRTMIN;
  ev.sigev_value.sival_int = 7;
  timer_t t;
  CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0, "timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL)");
  struct itimerspec in50 = {{0, 0}, {0, 50000000}};
  alarms = 0;
  timer_settime(t, 0, &in50, NULL);
  struct itimerspec cur;
  timer_gettime(t, &cur);
  CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50000000, "timer_gettime: time left");
  wait_for(&alarms, 1);
  CHECK(last_code == SI_TIMER && last_value == 7, "the timer's signal carries SI_TIMER and its sigval");

  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  wall.tv_nsec += 50000000;
  if (wall.tv_nsec >= 1000000000) wall.tv_sec++, wall.tv_nsec -= 1000000000;
  timer_t rt;
  timer_create(CLOCK_REALTIME, &ev, &rt);
  struct itimerspec at = {{0, 0}, wall};
  alarms = 0;
  timer_settime(rt, TIMER_ABSTIME, &at, NULL);
  wait_for(&alarms, 1);
  CHECK(alarms == 1, "TIMER_ABSTIME on CLOCK_REALTIME expires at that time");
  timer_delete(rt);

  sigset_t rtmin;
  sigemptyset(&rtmin);
  sigaddset(&rtmin, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &rtmin, NULL);
  struct itimerspec every10 = {{0, 10000000}, {0, 10000000}};
  timer_settime(t, 0, &every10, NULL);
  struct timespec d = {0, 120000000};
  nanosleep(&d, NULL);
  siginfo_t si;
  int sig = sigwaitinfo(&rtmin, &si);
  int overrun = timer_getoverrun(t);
  struct itimerspec stop = {{0, 0}, {0, 0}};
  timer_settime(t, 0, &stop, NULL);
  CHECK(sig == SIGRTMIN && si.si_code == SI_TIMER && si.si_overrun >= 3 && overrun == si.si_overrun,
        "a blocked periodic timer: one signal, the missed expirations counted as overruns");
  sigprocmask(SIG_UNBLOCK, &rtmin, NULL);
  CHECK(timer_delete(t) == 0, "timer_delete");
  CHECK(timer_settime(t, 0, &in50, NULL) == -1 && errno == EINVAL, "a deleted timer: EINVAL");

  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = on_thread_timer;
  ev.sigev_value.sival_int = 1;
  timer_t th;
  CHECK(timer_create(CLOCK_MONOTONIC, &ev, &th) == 0, "timer_create(SIGEV_THREAD)");
  struct itimerspec in20 = {{0, 0}, {0, 20000000}};
  timer_settime(th, 0, &in20, NULL);
  for (int i = 0; i < 200 && !__atomic_load_n(&thread_callbacks, __ATOMIC_SEQ_CST); ++i) {
    struct timespec ms = {0, 5000000};
    nanosleep(&ms, NULL);
  }
  CHECK(thread_callbacks == 1, "SIGEV_THREAD: glibc runs the callback in its thread");
  timer_delete(th);

  return checks_summary();
}
