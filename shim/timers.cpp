#include "shim/timers.hpp"

#include "shim/clock.hpp"
#include "shim/dispatch.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/signal_queue.hpp"
#include "shim/sync.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"

extern "C" long shim_host_clone(unsigned long flags, std::uint64_t stack_top, std::int32_t* ptid, std::int32_t* ctid,
                                std::uint64_t tls, void (*fn)(void*), void* arg);

namespace cocoon::shim::timers {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;
constexpr int kMaxTimers = 64;           // POSIX timers; then ITIMER_REAL, _VIRTUAL, _PROF
constexpr int kItimerSlot = kMaxTimers;  // + which
constexpr int kSlots = kMaxTimers + 3;
constexpr std::int64_t kCpuPoll = 5'000'000;  // CPU-time timers are checked every 5 ms
constexpr int kSiKernel = 0x80;
constexpr int kSigevSignal = 0, kSigevNone = 1, kSigevThread = 2, kSigevThreadId = 4;
constexpr long kTimerAbstime = 1;
constexpr long kItimerReal = 0, kItimerVirtual = 1, kItimerProf = 2;

struct Timer {
  bool in_use;
  bool signals;              // SIGEV_NONE: armed, but raises nothing
  int sig;
  std::int32_t target_tid;   // SIGEV_THREAD_ID, else 0 (the process)
  std::uint64_t value;       // sigval
  bool realtime;             // CLOCK_REALTIME: absolute times are converted when armed
  bool cpu_time;             // ITIMER_VIRTUAL / ITIMER_PROF: deadline in process CPU time
  std::int64_t deadline;     // monotonic ns, 0 = disarmed
  std::int64_t interval;     // ns, 0 = one shot
  std::int32_t overrun;      // expirations missed before the last signal was taken
  bool queued;               // its signal is pending: more expirations only count overruns
  std::int64_t missed;       // expirations while queued
};

struct SigEvent {
  std::uint64_t value;
  std::int32_t signo;
  std::int32_t notify;
  std::int32_t tid;  // sigev_notify_thread_id
  std::int32_t pad[11];
};
static_assert(sizeof(SigEvent) == 64, "struct sigevent");

struct Itimerspec {
  abi::Timespec interval, value;
};
struct Timeval {
  std::int64_t sec, usec;
};
struct Itimerval {
  Timeval interval, value;
};

SpinLock g_lock;
Timer g_timers[kSlots];
std::uint32_t g_wake;          // futex word: bumped when a timer is (re)armed
std::int32_t g_thread_state;   // 0 none, 1 starting/running
std::int32_t g_thread_tid;     // the timer thread's (PARENT_SETTID / CHILD_CLEARTID)

std::int64_t to_ns(const abi::Timespec& t) { return t.tv_sec * kNs + t.tv_nsec; }
abi::Timespec to_ts(std::int64_t ns) { return abi::Timespec{ns / kNs, ns % kNs}; }
bool valid(const abi::Timespec& t) { return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < kNs; }

// The process's CPU time (all threads, user and system) from the host.
std::int64_t process_cpu_ns() {
  abi::Timespec ts{};
  host::call(abi::kClockGettime, abi::kClockProcessCputime, &ts);
  return to_ns(ts);
}

// The timer thread: sleeps until the earliest deadline, fires what expired.
[[noreturn]] void timer_loop(void* arg) {
  auto* self = static_cast<ShimThread*>(arg);
  asm volatile("wrgsbase %0" ::"r"(reinterpret_cast<std::uint64_t>(self)) : "memory");
  for (;;) {
    struct Fire {
      int sig;
      std::int32_t tid;
      PendingSignal what;
    } fire[kSlots];
    int nfire = 0;
    std::int64_t earliest = -1;
    std::uint32_t seen = __atomic_load_n(&g_wake, __ATOMIC_ACQUIRE);
    {
      LockGuard guard(g_lock);  // this thread has every host signal blocked
      const std::int64_t wall = clock::monotonic_ns(), cpu = process_cpu_ns();
      for (int i = 0; i < kSlots; ++i) {
        Timer& t = g_timers[i];
        if (!t.in_use || t.deadline == 0) continue;
        const std::int64_t now = t.cpu_time ? cpu : wall;
        if (t.deadline <= now) {
          std::int64_t late = 0;
          if (t.interval > 0) {
            late = (now - t.deadline) / t.interval;
            t.deadline += (late + 1) * t.interval;
          } else {
            t.deadline = 0;
          }
          // As Linux: while the timer's signal is still pending, expirations are overruns.
          if (i < kItimerSlot && t.queued) {
            t.missed += late + 1;
            continue;
          }
          t.missed = late;
          if (t.signals) {
            t.queued = i < kItimerSlot;
            PendingSignal what{};
            if (i >= kItimerSlot) {
              what.code = kSiKernel;
            } else {
              what.code = kSiTimer;
              what.sender = static_cast<std::uint32_t>(i);  // si_overrun is filled when it is taken
              what.value = t.value;
            }
            fire[nfire++] = Fire{t.sig, t.target_tid, what};
          }
        }
      }
      for (int i = 0; i < kSlots; ++i) {
        const Timer& t = g_timers[i];
        if (!t.in_use || t.deadline == 0) continue;
        // As a wall-clock deadline; CPU time is looked at again after at most kCpuPoll.
        std::int64_t at = t.cpu_time ? wall + (t.deadline - cpu < kCpuPoll ? t.deadline - cpu : kCpuPoll) : t.deadline;
        if (earliest < 0 || at < earliest) earliest = at;
      }
    }
    for (int i = 0; i < nfire; ++i) {
      ShimThread* target = fire[i].tid ? threads::live_thread(fire[i].tid) : nullptr;
      if (fire[i].tid && !target) continue;  // its thread is gone
      sigqueue::generate(target, fire[i].sig, fire[i].what);
    }
    long wait = earliest < 0 ? -1 : earliest - clock::monotonic_ns();
    if (earliest >= 0 && wait <= 0) continue;
    host::futex_wait(&g_wake, seen, wait);
  }
}

// Starts the timer thread the first time a timer is armed. false if the host refused.
bool ensure_thread() {
  if (__atomic_load_n(&g_thread_state, __ATOMIC_ACQUIRE)) return true;
  sigqueue::HostSignalsBlocked quiet;  // the thread starts with every host signal blocked
  std::int32_t expected = 0;
  if (!__atomic_compare_exchange_n(&g_thread_state, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return true;
  constexpr std::uint64_t kStack = 64 * 1024;
  auto* self = static_cast<ShimThread*>(mem::shim_alloc((sizeof(ShimThread) + 4095) & ~4095ull));
  auto stack = reinterpret_cast<std::uint64_t>(mem::shim_alloc(kStack));
  if (!self || !stack) {
    __atomic_store_n(&g_thread_state, 0, __ATOMIC_RELEASE);
    return false;
  }
  self->self = self;
  self->in_shim = 1;
  self->sigmask = ~0ull;  // takes no signal: process-directed ones go to the program's threads
  std::uint64_t block_all = ~0ull;
  host::call(abi::kRtSigprocmask, abi::kSigSetmask, &block_all, 0, 8);
  long r = shim_host_clone(0x3d0f00, stack + kStack, &g_thread_tid, &g_thread_tid, 0, timer_loop, self);
  if (r < 0) {
    __atomic_store_n(&g_thread_state, 0, __ATOMIC_RELEASE);
    if (verbose()) log("timers: the host refused the timer thread (errno %ld)", -r);
    return false;
  }
  return true;
}

void wake_thread() {
  __atomic_add_fetch(&g_wake, 1u, __ATOMIC_RELEASE);
  host::futex_wake(&g_wake, 1);
}

// Now on the timer's own clock: the process's CPU time for the CPU-time itimers, else monotonic.
std::int64_t clock_of(const Timer& t) { return t.cpu_time ? process_cpu_ns() : clock::monotonic_ns(); }

// Time left before t expires (at least 1 ns while armed, as Linux reports), 0 when disarmed.
std::int64_t time_left(const Timer& t) {
  if (!t.deadline) return 0;
  std::int64_t now = clock_of(t);
  return t.deadline > now ? t.deadline - now : 1;
}

// Arms timer t to expire at `deadline` (on its clock; 0 disarms), every `interval` ns after;
// returns the time that was left and the previous interval.
void arm(Timer& t, std::int64_t deadline, std::int64_t interval, std::int64_t* old_left, std::int64_t* old_interval) {
  *old_left = time_left(t);
  *old_interval = t.interval;
  t.interval = interval;
  t.overrun = 0;
  t.deadline = deadline;
}

// The itimer `which` (ITIMER_REAL, ITIMER_VIRTUAL or ITIMER_PROF), set up for its signal.
Timer& itimer(long which) {
  static const int kSignal[] = {abi::kSIGALRM, abi::kSIGVTALRM, abi::kSIGPROF};
  Timer& t = g_timers[kItimerSlot + which];
  t.in_use = true;
  t.signals = true;
  t.sig = kSignal[which];
  t.target_tid = 0;
  t.cpu_time = which != kItimerReal;
  return t;
}

bool clock_supported(long id) { return id == abi::kClockRealtime || id == abi::kClockMonotonic || id == abi::kClockBoottime; }

Timer* posix_timer(long id) {
  if (id < 0 || id >= kMaxTimers || !g_timers[id].in_use) return nullptr;
  return &g_timers[id];
}

}  // namespace

void taken(abi::SigInfo* info) {
  sigqueue::HostSignalsBlocked quiet;
  LockGuard guard(g_lock);
  auto id = static_cast<std::int32_t>(info->field0);
  if (id < 0 || id >= kMaxTimers || !g_timers[id].in_use) return;
  Timer& t = g_timers[id];
  std::int64_t missed = t.missed > 0x7fffffff ? 0x7fffffff : t.missed;
  t.overrun = static_cast<std::int32_t>(missed);
  t.queued = false;
  t.missed = 0;
  info->field0 = static_cast<std::uint32_t>(id) | (static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.overrun)) << 32);
}

void reset_for_exec() {
  sigqueue::HostSignalsBlocked quiet;
  LockGuard guard(g_lock);
  for (int i = 0; i < kMaxTimers; ++i) g_timers[i] = Timer{};
}

}  // namespace cocoon::shim::timers

namespace cocoon::shim {
using namespace timers;

long sys_alarm(SyscallFrame& f) {
  std::uint64_t secs = static_cast<std::uint32_t>(f.a[0]);
  if (secs && !ensure_thread()) return -abi::kENOMEM;
  std::int64_t left;
  {
    sigqueue::HostSignalsBlocked quiet;
    LockGuard guard(g_lock);
    Timer& t = itimer(kItimerReal);
    std::int64_t old_interval;
    arm(t, secs ? clock::monotonic_ns() + static_cast<std::int64_t>(secs) * kNs : 0, 0, &left, &old_interval);
  }
  wake_thread();
  // Linux rounds the seconds left to the nearest, and never reports 0 for an armed alarm.
  long s = static_cast<long>((left + kNs / 2) / kNs);
  return left > 0 && s == 0 ? 1 : s;
}

long sys_setitimer(SyscallFrame& f) {
  long which = f.a[0];
  if (which != kItimerReal && which != kItimerVirtual && which != kItimerProf) return -abi::kEINVAL;
  Itimerval nv{};
  if (f.a[1] && !user::read(nv, static_cast<std::uint64_t>(f.a[1]))) return -abi::kEFAULT;
  if (nv.value.usec < 0 || nv.value.usec >= 1'000'000 || nv.interval.usec < 0 || nv.interval.usec >= 1'000'000 ||
      nv.value.sec < 0 || nv.interval.sec < 0)
    return -abi::kEINVAL;
  std::int64_t value = nv.value.sec * kNs + nv.value.usec * 1000, interval = nv.interval.sec * kNs + nv.interval.usec * 1000;
  if (value && !ensure_thread()) return -abi::kENOMEM;
  std::int64_t left, old_interval;
  {
    sigqueue::HostSignalsBlocked quiet;
    LockGuard guard(g_lock);
    Timer& t = itimer(which);
    arm(t, value ? clock_of(t) + value : 0, interval, &left, &old_interval);
  }
  wake_thread();
  if (f.a[2]) {
    Itimerval ov{{old_interval / kNs, (old_interval % kNs) / 1000}, {left / kNs, (left % kNs + 999) / 1000}};
    if (ov.value.usec == 1'000'000) ov.value = {ov.value.sec + 1, 0};
    if (!user::write(static_cast<std::uint64_t>(f.a[2]), ov)) return -abi::kEFAULT;
  }
  return 0;
}

long sys_getitimer(SyscallFrame& f) {
  long which = f.a[0];
  if (which != kItimerReal && which != kItimerVirtual && which != kItimerProf) return -abi::kEINVAL;
  Itimerval ov{};
  {
    sigqueue::HostSignalsBlocked quiet;
    LockGuard guard(g_lock);
    const Timer& t = g_timers[kItimerSlot + which];
    std::int64_t left = time_left(t);
    ov = {{t.interval / kNs, (t.interval % kNs) / 1000}, {left / kNs, (left % kNs) / 1000}};
  }
  return user::write(static_cast<std::uint64_t>(f.a[1]), ov) ? 0 : -abi::kEFAULT;
}

long sys_timer_create(SyscallFrame& f) {
  long clock_id = f.a[0];
  if (!clock_supported(clock_id)) {
    report_unsupported(222, "only CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME timers are supported (EINVAL)");
    return -abi::kEINVAL;
  }
  SigEvent ev{};
  ev.signo = abi::kSIGALRM;
  ev.notify = kSigevSignal;
  bool given = f.a[1] != 0;
  if (given && !user::read(ev, static_cast<std::uint64_t>(f.a[1]))) return -abi::kEFAULT;
  if (!user::range_writable(static_cast<std::uint64_t>(f.a[2]), 4)) return -abi::kEFAULT;
  int notify = ev.notify & ~kSigevThreadId;
  bool thread_id = (ev.notify & kSigevThreadId) != 0;
  if (ev.notify == kSigevThread || (notify != kSigevSignal && notify != kSigevNone) ||
      (ev.notify != kSigevNone && (ev.signo < 1 || ev.signo > abi::kNSig)))
    return -abi::kEINVAL;
  if (thread_id && !threads::tid_alive(ev.tid)) return -abi::kEINVAL;
  if (!ensure_thread()) return -abi::kEAGAIN;
  int id = -1;
  {
    sigqueue::HostSignalsBlocked quiet;
    LockGuard guard(g_lock);
    for (int i = 0; i < kMaxTimers && id < 0; ++i)
      if (!g_timers[i].in_use) id = i;
    if (id < 0) return -abi::kEAGAIN;
    Timer& t = g_timers[id];
    t = Timer{};
    t.in_use = true;
    t.signals = ev.notify != kSigevNone;
    t.sig = ev.signo;
    t.target_tid = thread_id ? ev.tid : 0;
    t.value = given ? ev.value : static_cast<std::uint64_t>(id);  // Linux: sigval = the timer id
    t.realtime = clock_id == abi::kClockRealtime;
  }
  std::int32_t out = id;
  user::write(static_cast<std::uint64_t>(f.a[2]), out);
  return 0;
}

long sys_timer_settime(SyscallFrame& f) {
  Itimerspec nv;
  if (!user::read(nv, static_cast<std::uint64_t>(f.a[2]))) return -abi::kEFAULT;
  if (!valid(nv.value) || !valid(nv.interval)) return -abi::kEINVAL;
  if (f.a[3] && !user::range_writable(static_cast<std::uint64_t>(f.a[3]), sizeof(Itimerspec))) return -abi::kEFAULT;
  bool absolute = (f.a[1] & kTimerAbstime) != 0;
  std::int64_t left, old_interval;
  {
    sigqueue::HostSignalsBlocked quiet;
    LockGuard guard(g_lock);
    Timer* t = posix_timer(f.a[0]);
    if (!t) return -abi::kEINVAL;
    std::int64_t deadline = to_ns(nv.value);
    if (deadline) {
      std::int64_t now = clock::monotonic_ns();
      if (!absolute) deadline += now;
      else if (t->realtime) deadline -= clock::realtime_ns() - now;  // to the monotonic clock
      if (deadline <= 0) deadline = 1;  // already past: expires at once
    }
    arm(*t, deadline, to_ns(nv.interval), &left, &old_interval);
  }
  wake_thread();
  if (f.a[3]) {
    Itimerspec ov{to_ts(old_interval), to_ts(left)};
    user::write(static_cast<std::uint64_t>(f.a[3]), ov);
  }
  return 0;
}

long sys_timer_gettime(SyscallFrame& f) {
  Itimerspec ov;
  {
    sigqueue::HostSignalsBlocked quiet;
    LockGuard guard(g_lock);
    const Timer* t = posix_timer(f.a[0]);
    if (!t) return -abi::kEINVAL;
    ov = {to_ts(t->interval), to_ts(time_left(*t))};
  }
  return user::write(static_cast<std::uint64_t>(f.a[1]), ov) ? 0 : -abi::kEFAULT;
}

long sys_timer_getoverrun(SyscallFrame& f) {
  sigqueue::HostSignalsBlocked quiet;
  LockGuard guard(g_lock);
  const Timer* t = posix_timer(f.a[0]);
  return t ? t->overrun : -abi::kEINVAL;
}

long sys_timer_delete(SyscallFrame& f) {
  sigqueue::HostSignalsBlocked quiet;
  LockGuard guard(g_lock);
  Timer* t = posix_timer(f.a[0]);
  if (!t) return -abi::kEINVAL;
  *t = Timer{};
  return 0;
}

}  // namespace cocoon::shim
