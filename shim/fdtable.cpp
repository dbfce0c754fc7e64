#include "shim/fdtable.hpp"

#include "shim/globals.hpp"
#include "shim/local_files.hpp"
#include "shim/sync.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim::fd {
namespace {
std::uint8_t g_open[kMaxFds];
SpinLock g_lock;

// The calling thread's table: a vfork child has its own copy.
std::uint8_t* table() {
  if (vfork::Child* c = vfork::current()) return c->fd_open;
  return g_open;
}
}  // namespace

long program_limit() {
  long priv = __atomic_load_n(&g.window->proxy_private_fds, __ATOMIC_ACQUIRE);
  long top = priv > kShimFds && priv <= kMaxFds ? priv : kMaxFds;
  return top - kShimFds;
}

void copy_table(std::uint8_t* dst) {
  LockGuard guard(g_lock);
  __builtin_memcpy(dst, g_open, kMaxFds);
}

void init_inherited(const std::int32_t* fds, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i)
    if (fds[i] >= 0 && fds[i] < kMaxFds) g_open[fds[i]] = 1;
}

bool is_open(int f) { return f >= 0 && f < kMaxFds && __atomic_load_n(&table()[f], __ATOMIC_ACQUIRE); }

int to_proxy(int f) { return is_open(f) ? f : -1; }

int adopt(long proxy_fd) {
  if (proxy_fd < 0 || proxy_fd >= kMaxFds) return -1;
  bool stale = false;
  {
    LockGuard guard(g_lock);
    std::uint8_t* t = table();
    if (t[proxy_fd]) {
      // A vfork child's copy of the table can be older than its proxy fork's table (another
      // thread of the parent closed the fd in between): the proxy fork is right. Only the
      // process's own table is held to the Iago check.
      if (!vfork::current()) return -1;
      stale = true;
    }
    __atomic_store_n(&t[proxy_fd], std::uint8_t{1}, __ATOMIC_RELEASE);
  }
  if (stale) local::on_close(static_cast<int>(proxy_fd));  // not the pipe the copy said
  return static_cast<int>(proxy_fd);
}

int adopt_replacing(long proxy_fd) {
  if (proxy_fd < 0 || proxy_fd >= kMaxFds) return -1;
  LockGuard guard(g_lock);
  __atomic_store_n(&table()[proxy_fd], std::uint8_t{1}, __ATOMIC_RELEASE);
  return static_cast<int>(proxy_fd);
}

void forget(int f) {
  if (f < 0 || f >= kMaxFds) return;
  LockGuard guard(g_lock);
  __atomic_store_n(&table()[f], std::uint8_t{0}, __ATOMIC_RELEASE);
}

int count_open() {
  int n = 0;
  std::uint8_t* t = table();
  for (int i = 0; i < kMaxFds; ++i) n += __atomic_load_n(&t[i], __ATOMIC_RELAXED);
  return n;
}

}  // namespace cocoon::shim::fd
