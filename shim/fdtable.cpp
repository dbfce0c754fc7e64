#include "shim/fdtable.hpp"

#include "shim/sync.hpp"

namespace cocoon::shim::fd {
namespace {
std::uint8_t g_open[kMaxFds];
SpinLock g_lock;
}  // namespace

void init() {
  for (int i = 0; i < 3; ++i) g_open[i] = 1;
}

bool is_open(int f) { return f >= 0 && f < kMaxFds && __atomic_load_n(&g_open[f], __ATOMIC_ACQUIRE); }

int to_proxy(int f) { return is_open(f) ? f : -1; }

int adopt(long proxy_fd) {
  if (proxy_fd < 0 || proxy_fd >= kMaxFds) return -1;
  LockGuard guard(g_lock);
  if (g_open[proxy_fd]) return -1;
  __atomic_store_n(&g_open[proxy_fd], std::uint8_t{1}, __ATOMIC_RELEASE);
  return static_cast<int>(proxy_fd);
}

int adopt_replacing(long proxy_fd) {
  if (proxy_fd < 0 || proxy_fd >= kMaxFds) return -1;
  LockGuard guard(g_lock);
  __atomic_store_n(&g_open[proxy_fd], std::uint8_t{1}, __ATOMIC_RELEASE);
  return static_cast<int>(proxy_fd);
}

void forget(int f) {
  if (f < 0 || f >= kMaxFds) return;
  LockGuard guard(g_lock);
  __atomic_store_n(&g_open[f], std::uint8_t{0}, __ATOMIC_RELEASE);
}

int count_open() {
  int n = 0;
  for (int i = 0; i < kMaxFds; ++i) n += __atomic_load_n(&g_open[i], __ATOMIC_RELAXED);
  return n;
}

}  // namespace cocoon::shim::fd
