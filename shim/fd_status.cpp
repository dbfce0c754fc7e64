#include "shim/fd_status.hpp"

#include "shim/fdtable.hpp"
#include "shim/sync.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim::fd_status {
namespace {

// Per fd: 0 not tracked (shared, or of unknown origin such as the fds the program started
// with), 1 private with flags not known yet, kKnown | flags private with known flags.
constexpr std::uint32_t kPrivate = 1;
constexpr std::uint32_t kKnown = 0x80000000u;
std::uint32_t g_state[fd::kMaxFds];
SpinLock g_locks[64];

bool in_range(int f) { return f >= 0 && f < fd::kMaxFds; }
// A vfork child's fds are its own table's (shared with its parent's descriptions): nothing
// is tracked for it, and what it does changes nothing here.
bool child() { return vfork::current() != nullptr; }

void put(int f, std::uint32_t v) {
  LockGuard guard(g_locks[f & 63]);
  __atomic_store_n(&g_state[f], v, __ATOMIC_RELEASE);
}

}  // namespace

void created(int f) {
  if (in_range(f) && !child()) put(f, kPrivate);
}

void created_with(int f, long flags) {
  if (!in_range(f) || child()) return;
  put(f, flags >= 0 && flags < static_cast<long>(kKnown) ? kKnown | static_cast<std::uint32_t>(flags) : kPrivate);
}

void shared(int f) {
  if (in_range(f) && !child()) put(f, 0);
}

void all_shared() {
  for (int f = 0; f < fd::kMaxFds; ++f)
    if (__atomic_load_n(&g_state[f], __ATOMIC_ACQUIRE)) put(f, 0);
}

bool is_private(int f) { return detail::tracked(f); }
bool known_flags(int f, long* flags) { return detail::cached(f, flags); }

namespace detail {

void lock(int f) { g_locks[f & 63].lock(); }
void unlock(int f) { g_locks[f & 63].unlock(); }

bool cached(int f, long* flags) {
  if (!in_range(f) || child()) return false;
  std::uint32_t v = __atomic_load_n(&g_state[f], __ATOMIC_ACQUIRE);
  if (!(v & kKnown)) return false;
  *flags = static_cast<long>(v & ~kKnown);
  return true;
}

bool tracked(int f) { return in_range(f) && !child() && __atomic_load_n(&g_state[f], __ATOMIC_ACQUIRE) != 0; }

// Called with the fd's lock held.
void store(int f, long flags) {
  if (__atomic_load_n(&g_state[f], __ATOMIC_ACQUIRE) == 0) return;  // shared meanwhile
  std::uint32_t v = flags >= 0 && flags < static_cast<long>(kKnown) ? kKnown | static_cast<std::uint32_t>(flags) : kPrivate;
  __atomic_store_n(&g_state[f], v, __ATOMIC_RELEASE);
}

// What Linux's F_SETFL leaves: the settable bits from arg, the others as they were.
long after_set(long flags, long arg, bool nonblock_only) {
  if (nonblock_only) return arg ? flags | kNonblock : flags & ~kNonblock;
  return (arg & kSettable) | (flags & ~kSettable);
}

}  // namespace detail
}  // namespace cocoon::shim::fd_status
