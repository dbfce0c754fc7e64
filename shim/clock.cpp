#include "shim/clock.hpp"

#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/sync.hpp"

namespace cocoon::shim::clock {
namespace {

constexpr std::int64_t kResyncNs = 200'000'000;      // re-read the host clock every 200 ms
constexpr std::int64_t kCalibrateNs = 20'000'000;    // baseline needed before using the TSC

struct Base {
  std::uint64_t tsc;
  std::int64_t mono, real;
};

struct State {
  SpinLock lock;
  Base first;          // oldest sample: the long baseline for the frequency
  Base last;           // newest sample: the origin for interpolation
  std::uint64_t mult;  // ns per TSC tick, 32.32 fixed point; 0 until calibrated
  std::int64_t last_mono_returned;
};
State s;

std::int64_t host_ns(long clock_id) {
  abi::Timespec ts{};
  host::call(abi::kClockGettime, clock_id, &ts);
  return ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
}

Base sample() {
  Base b;
  b.mono = host_ns(abi::kClockMonotonic);
  b.tsc = host::rdtsc();
  b.real = host_ns(abi::kClockRealtime);
  return b;
}

// Returns the interpolated monotonic and realtime offsets (ns) for tsc.
void now(std::int64_t& mono, std::int64_t& real) {
  std::uint64_t tsc = host::rdtsc();
  LockGuard guard(s.lock);
  std::int64_t since_ns =
      s.mult ? static_cast<std::int64_t>((static_cast<unsigned __int128>(tsc - s.last.tsc) * s.mult) >> 32) : 0;
  if (!s.mult || since_ns > kResyncNs || tsc < s.last.tsc) {
    Base b = sample();
    std::int64_t span_ns = b.mono - s.first.mono;
    if (span_ns >= kCalibrateNs && b.tsc > s.first.tsc)
      s.mult = static_cast<std::uint64_t>((static_cast<unsigned __int128>(span_ns) << 32) / (b.tsc - s.first.tsc));
    s.last = b;
    mono = b.mono;
    real = b.real;
  } else {
    mono = s.last.mono + since_ns;
    real = s.last.real + since_ns;
  }
  if (mono < s.last_mono_returned) mono = s.last_mono_returned;
  s.last_mono_returned = mono;
}

}  // namespace

void init() {
  s.first = s.last = sample();
  s.mult = 0;
}

std::int64_t monotonic_ns() {
  std::int64_t m, r;
  now(m, r);
  return m;
}

std::int64_t realtime_ns() {
  std::int64_t m, r;
  now(m, r);
  return r;
}

}  // namespace cocoon::shim::clock
