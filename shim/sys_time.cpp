// Time, sleeping and randomness, served in the enclave.
#include "shim/deferred_calls.hpp"
#include "shim/clock.hpp"
#include "shim/crypto/random.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/thread.hpp"
#include "shim/linux_abi.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;

// A CPU-time clock id of one of the program's own threads or of itself (pthread_getcpuclockid,
// clock_getcpuclockid: ~pid << 3 | per-thread bit | PROF/VIRT/SCHED) as the host's clock id,
// or 0 when it names anything else.
long host_cpu_clock(long id) {
  if (id >= 0 || (id & 7) == 7) return 0;  // 7: CPUCLOCK_FD (posix clocks on fds)
  long pid = ~(id >> 3);
  if (id & 4) return pid == 0 || threads::tid_alive(pid) ? id : 0;  // a thread of this process
  if (pid != 0 && pid != g.pid) return 0;
  return static_cast<long>((~static_cast<std::uint64_t>(g.host_pid) << 3) | static_cast<std::uint64_t>(id & 3));
}

long clock_now(long id, abi::Timespec& ts) {
  std::int64_t ns;
  if (id < 0) {
    long host_id = host_cpu_clock(id);
    return host_id ? host::call(abi::kClockGettime, host_id, &ts) : -abi::kEINVAL;
  }
  switch (id) {
    case abi::kClockRealtime:
    case abi::kClockRealtimeCoarse:
      ns = clock::realtime_ns();
      break;
    case abi::kClockMonotonic:
    case abi::kClockMonotonicCoarse:
    case abi::kClockMonotonicRaw:
    case abi::kClockBoottime:
      ns = clock::monotonic_ns();
      break;
    case abi::kClockProcessCputime:
    case abi::kClockThreadCputime:
    case 11:  // CLOCK_TAI
      return host::call(abi::kClockGettime, id, &ts);
    default:
      return -abi::kEINVAL;
  }
  ts.tv_sec = ns / kNs;
  ts.tv_nsec = ns % kNs;
  return 0;
}

bool valid(const abi::Timespec& t) { return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < kNs; }

// Sleeps on the host (an OCALL on hardware). A host signal that queued a signal for the
// program ends the sleep with EINTR (and the time left, for a relative sleep); others
// (kicks, signals the program blocks or ignores) continue it.
long sleep_until(long clock_id, const abi::Timespec& req, bool absolute, std::uint64_t rem_ptr) {
  abi::Timespec left = req;
  deferred::flush();
  for (;;) {
    abi::Timespec rem{};
    long r = host::call(abi::kClockNanosleep, clock_id, absolute ? 1 : 0, &left, &rem);
    if (r != -abi::kEINTR) return r;
    if (!absolute) left = rem;
    if (__atomic_load_n(&current_thread()->deliverable, __ATOMIC_ACQUIRE)) {
      if (rem_ptr && !absolute && !user::write(rem_ptr, left)) return -abi::kEFAULT;
      return -abi::kEINTR;
    }
  }
}

}  // namespace

long sys_clock_gettime(SyscallFrame& f) {
  abi::Timespec ts;
  long r = clock_now(static_cast<std::int32_t>(f.a[0]), ts);  // clockid_t: an int
  if (r < 0) return r;
  return user::write(static_cast<std::uint64_t>(f.a[1]), ts) ? 0 : -abi::kEFAULT;
}

long sys_clock_getres(SyscallFrame& f) {
  abi::Timespec ts{0, 1};
  long id = static_cast<std::int32_t>(f.a[0]);  // clockid_t: an int
  if (id < 0 && !host_cpu_clock(id)) return -abi::kEINVAL;
  if (id > abi::kClockBoottime && id != 11) return -abi::kEINVAL;
  if (id == abi::kClockRealtimeCoarse || id == abi::kClockMonotonicCoarse) ts.tv_nsec = 4'000'000;
  if (f.a[1] && !user::write(static_cast<std::uint64_t>(f.a[1]), ts)) return -abi::kEFAULT;
  return 0;
}

long sys_gettimeofday(SyscallFrame& f) {
  if (f.a[0]) {
    std::int64_t ns = clock::realtime_ns();
    std::int64_t tv[2] = {ns / kNs, (ns % kNs) / 1000};
    if (!user::copy_to(static_cast<std::uint64_t>(f.a[0]), tv, sizeof tv)) return -abi::kEFAULT;
  }
  if (f.a[1]) {
    std::int32_t tz[2] = {0, 0};
    if (!user::copy_to(static_cast<std::uint64_t>(f.a[1]), tz, sizeof tz)) return -abi::kEFAULT;
  }
  return 0;
}

long sys_time(SyscallFrame& f) {
  std::int64_t t = clock::realtime_ns() / kNs;
  if (f.a[0] && !user::write(static_cast<std::uint64_t>(f.a[0]), t)) return -abi::kEFAULT;
  return t;
}

long sys_nanosleep(SyscallFrame& f) {
  abi::Timespec req;
  if (!user::read(req, static_cast<std::uint64_t>(f.a[0]))) return -abi::kEFAULT;
  if (!valid(req)) return -abi::kEINVAL;
  return sleep_until(abi::kClockMonotonic, req, false, static_cast<std::uint64_t>(f.a[1]));
}

long sys_clock_nanosleep(SyscallFrame& f) {
  long id = f.a[0];
  if (id != abi::kClockRealtime && id != abi::kClockMonotonic && id != abi::kClockBoottime) return -abi::kEINVAL;
  abi::Timespec req;
  if (!user::read(req, static_cast<std::uint64_t>(f.a[2]))) return -abi::kEFAULT;
  if (!valid(req)) return -abi::kEINVAL;
  bool absolute = f.a[1] & 1;
  if (absolute) {
    // Absolute deadlines are on the enclave's clocks: turn them into a relative sleep.
    std::int64_t now = id == abi::kClockRealtime ? clock::realtime_ns() : clock::monotonic_ns();
    std::int64_t until = req.tv_sec * kNs + req.tv_nsec - now;
    if (until <= 0) return 0;
    abi::Timespec rel{until / kNs, until % kNs};
    return sleep_until(abi::kClockMonotonic, rel, false, 0);
  }
  return sleep_until(abi::kClockMonotonic, req, false, static_cast<std::uint64_t>(f.a[3]));
}

long sys_getrandom(SyscallFrame& f) {
  std::uint64_t buf = static_cast<std::uint64_t>(f.a[0]), len = static_cast<std::uint64_t>(f.a[1]);
  if (f.a[2] & ~7l) return -abi::kEINVAL;
  if (len > 33554431) len = 33554431;
  if (!user::range_writable(buf, len)) return -abi::kEFAULT;
  if (crypto::random_bytes(reinterpret_cast<void*>(buf), len) != crypto::RandomStatus::Ok) return -abi::kEIO;
  return static_cast<long>(len);
}

}  // namespace cocoon::shim
