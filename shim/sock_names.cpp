#include "shim/sock_names.hpp"

#include "shim/forward.hpp"
#include "shim/linux_abi.hpp"
#include "shim/sync.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim::sock_names {
namespace {

constexpr std::uint32_t kMaxAddr = 28;  // sockaddr_in6; longer ones (AF_UNIX) are not kept

// Direct-mapped by fd number: an entry belongs to one accepted fd at a time. gen changes
// whenever the entry changes owner, so an answer for a previous owner is never kept.
struct Entry {
  SpinLock lock;
  std::int32_t fd = -1;
  std::uint32_t gen = 0;
  bool have[2] = {};
  std::uint32_t len[2] = {};
  std::uint8_t addr[2][kMaxAddr] = {};
};
Entry g_entries[256];
bool g_asked = false;

Entry& entry_of(int fd) { return g_entries[static_cast<unsigned>(fd) & 255]; }

// Copies an address out as the kernel does: at most *addrlen bytes, then the full length.
long copy_out(const SyscallFrame& f, const std::uint8_t* addr, std::uint32_t len) {
  std::int32_t room;
  if (!user::read(room, static_cast<std::uint64_t>(f.a[2]))) return -abi::kEFAULT;
  if (room < 0) return -abi::kEINVAL;
  std::uint32_t n = len < static_cast<std::uint32_t>(room) ? len : static_cast<std::uint32_t>(room);
  if (n && !user::copy_to(static_cast<std::uint64_t>(f.a[1]), addr, n)) return -abi::kEFAULT;
  if (!user::write(static_cast<std::uint64_t>(f.a[2]), static_cast<std::int32_t>(len))) return -abi::kEFAULT;
  return 0;
}

}  // namespace

bool asked() {
  return __atomic_load_n(&g_asked, __ATOMIC_RELAXED);
}

void accepted(int fd, const channel::AcceptNames* names) {
  if (fd < 0 || vfork::current()) return;
  Entry& e = entry_of(fd);
  LockGuard guard(e.lock);
  e.fd = fd;
  ++e.gen;
  for (int which = 0; which < 2; ++which) {
    // Untrusted, like a forwarded getsockname's answer: kept only when it fits (a longer
    // length, or none, leaves the call forwarded).
    std::uint32_t len = names ? names->len[which] : 0;
    e.have[which] = len > 0 && len <= kMaxAddr;
    if (e.have[which]) {
      __builtin_memcpy(e.addr[which], names->addr[which], len);
      e.len[which] = len;
    }
  }
}

void forget(int fd) {
  if (fd < 0) return;
  Entry& e = entry_of(fd);
  LockGuard guard(e.lock);
  if (e.fd != fd) return;
  e.fd = -1;
  ++e.gen;
}

long get(SyscallFrame& f) {
  int fd = static_cast<int>(f.a[0]);
  int which = f.nr == 51 ? 0 : 1;
  if (!f.a[1] || !f.a[2]) return -abi::kEFAULT;
  Entry& e = entry_of(fd);
  bool mine;
  std::uint32_t gen;
  {
    LockGuard guard(e.lock);
    mine = e.fd == fd && fd >= 0 && !vfork::current();
    gen = e.gen;
    if (mine && !g_asked) __atomic_store_n(&g_asked, true, __ATOMIC_RELAXED);
    if (mine && e.have[which]) {
      std::uint8_t addr[kMaxAddr];
      std::uint32_t len = e.len[which];
      __builtin_memcpy(addr, e.addr[which], len);
      return copy_out(f, addr, len);
    }
  }
  // Forwarded: the whole address, whatever room the program gave, then copied out as Linux would.
  ProxyRequest rq(f.nr);
  rq.arg(0, fd);
  std::uint32_t room = 128;  // sockaddr_storage
  if (!rq.out(1, room) || !rq.in_bytes(2, &room, 4)) return -abi::kENOMEM;
  long r = rq.call(f.nr == 51 ? "getsockname" : "getpeername");
  if (r < 0) return r;
  std::uint32_t len;
  __builtin_memcpy(&len, rq.data(2), 4);
  if (len > room) return iago(f.nr == 51 ? "getsockname" : "getpeername", "address length", len);
  std::uint8_t addr[128];
  __builtin_memcpy(addr, rq.data(1), len);
  if (mine && len <= kMaxAddr) {
    LockGuard guard(e.lock);
    if (e.fd == fd && e.gen == gen) {
      __builtin_memcpy(e.addr[which], addr, len);
      e.len[which] = len;
      e.have[which] = true;
    }
  }
  return copy_out(f, addr, len);
}

}  // namespace cocoon::shim::sock_names
