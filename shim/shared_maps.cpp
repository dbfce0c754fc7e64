#include "shim/shared_maps.hpp"

#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/heap.hpp"
#include "shim/linux_abi.hpp"
#include "shim/dispatch.hpp"
#include "shim/log.hpp"
#include "shim/sync.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim::shared_maps {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr int kMaxWindows = 64;

struct Window {
  bool used;
  std::uint64_t addr, len;  // page-aligned
  int fd;                   // the shim's duplicate, in its fd range
  std::uint64_t off;        // file offset of addr
  std::uint8_t* shadow;     // the bytes as last read from or written to the file
};

SpinLock g_lock;
Window g_windows[kMaxWindows];

std::uint64_t page_up(std::uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

// A duplicate of the program's fd in the shim's range, or -errno.
long shim_dup(int fd) {
  long base = fd::program_limit();
  long r = proxy_call(72, fd, 1030 /* F_DUPFD_CLOEXEC */, base);
  if (r < 0) return r;
  if (r < base || r >= base + fd::kShimFds) {
    if (r >= 0) proxy_call(3, r);
    return r >= base + fd::kShimFds ? -abi::kEMFILE : iago("fcntl(F_DUPFD)", "new fd", r);
  }
  return r;
}

long pwrite_all(int fd, const std::uint8_t* src, std::uint64_t n, std::uint64_t off) {
  while (n) {
    std::uint64_t chunk = n < 128 * 1024 ? n : 128 * 1024;
    ProxyRequest rq(18);  // pwrite64
    rq.arg(0, fd);
    if (!rq.in_bytes(1, src, chunk)) return -abi::kENOMEM;
    rq.arg(2, static_cast<long>(chunk));
    rq.arg(3, static_cast<long>(off));
    long r = rq.call("pwrite64");
    if (r < 0) return r;
    if (r == 0 || static_cast<std::uint64_t>(r) > chunk) return iago("pwrite64", "length", r);
    src += r, n -= static_cast<std::uint64_t>(r), off += static_cast<std::uint64_t>(r);
  }
  return 0;
}

// Writes back the pages of [from, to) (inside w) that differ from the shadow, up to the
// file's current end. Called with g_lock held.
long write_back(Window& w, std::uint64_t from, std::uint64_t to) {
  long size = proxy_fstat_size(w.fd);
  if (size < 0) return size;
  static std::uint8_t page[kPage];  // under g_lock
  long result = 0;
  for (std::uint64_t p = from; p < to; p += kPage) {
    std::uint64_t rel = p - w.addr, file_off = w.off + rel;
    if (file_off >= static_cast<std::uint64_t>(size)) break;
    std::uint64_t n = static_cast<std::uint64_t>(size) - file_off < kPage ? static_cast<std::uint64_t>(size) - file_off : kPage;
    if (!user::copy_from(page, p, n)) continue;  // made unreadable by the program: not written back
    if (__builtin_memcmp(page, w.shadow + rel, n) == 0) continue;
    long r = pwrite_all(w.fd, page, n, file_off);
    if (r < 0) {
      result = r;
      continue;
    }
    __builtin_memcpy(w.shadow + rel, page, n);
  }
  return result;
}

// The part [a, b) of a followed window inside [addr, end), if there is one.
bool overlap(const Window& w, std::uint64_t addr, std::uint64_t end, std::uint64_t& a, std::uint64_t& b) {
  if (!w.used || w.addr >= end || w.addr + w.len <= addr) return false;
  a = w.addr > addr ? w.addr : addr;
  b = w.addr + w.len < end ? w.addr + w.len : end;
  return true;
}

void drop(Window& w) {
  heap::free(w.shadow, w.len);
  proxy_call(3, w.fd);
  w.used = false;
}

// A new window for [addr, addr + len) at file offset off, shadow taken from the memory.
bool put(std::uint64_t addr, std::uint64_t len, int fd, std::uint64_t off) {
  for (Window& w : g_windows) {
    if (w.used) continue;
    auto* shadow = static_cast<std::uint8_t*>(heap::alloc(len));
    if (!shadow) return false;
    if (!user::copy_from(shadow, addr, len)) {
      heap::free(shadow, len);
      return false;
    }
    w = Window{true, addr, len, fd, off, shadow};
    return true;
  }
  return false;
}

// Writes back and stops following [addr, addr + len); parts of a window outside it stay
// followed (each with its own duplicate of the fd).
void unmapping_locked(std::uint64_t addr, std::uint64_t len) {
  std::uint64_t end = addr + len;
  for (Window& w : g_windows) {
    std::uint64_t a, b;
    if (!overlap(w, addr, end, a, b)) continue;
    if (long r = write_back(w, a, b); r < 0) log("writing back a shared file mapping failed: error %ld", -r);
    Window old = w;
    w.used = false;
    if (old.addr < a) {
      long d = shim_dup(old.fd);
      if (d >= 0 && !put(old.addr, a - old.addr, static_cast<int>(d), old.off)) proxy_call(3, d);
    }
    if (b < old.addr + old.len) {
      long d = shim_dup(old.fd);
      if (d >= 0 && !put(b, old.addr + old.len - b, static_cast<int>(d), old.off + (b - old.addr))) proxy_call(3, d);
    }
    old.used = true;
    drop(old);
  }
}

}  // namespace

long add(std::uint64_t addr, std::uint64_t len, int fd, std::uint64_t off) {
  long d = shim_dup(fd);
  if (d < 0) return d;
  LockGuard guard(g_lock);
  if (!put(addr, page_up(len), static_cast<int>(d), off)) {
    proxy_call(3, d);
    report_unsupported(9, "more than 64 writable shared file mappings at once (ENOMEM)");
    return -abi::kENOMEM;
  }
  return 0;
}

long sync(std::uint64_t addr, std::uint64_t len) {
  LockGuard guard(g_lock);
  std::uint64_t end = addr + page_up(len);
  long result = 0;
  for (Window& w : g_windows) {
    std::uint64_t a, b;
    if (!overlap(w, addr, end, a, b)) continue;
    if (long r = write_back(w, a, b); r < 0) result = r;
  }
  return result;
}

void unmapping(std::uint64_t addr, std::uint64_t len) {
  LockGuard guard(g_lock);
  unmapping_locked(addr, page_up(len));
}

Origin take(std::uint64_t addr, std::uint64_t len) {
  LockGuard guard(g_lock);
  len = page_up(len);
  for (Window& w : g_windows) {
    if (!w.used || w.addr != addr || w.len != len) continue;
    if (long r = write_back(w, w.addr, w.addr + w.len); r < 0)
      log("writing back a shared file mapping failed: error %ld", -r);
    Origin o{true, w.fd, w.off};
    heap::free(w.shadow, w.len);
    w.used = false;
    return o;
  }
  unmapping_locked(addr, len);
  return Origin{false, -1, 0};
}

void adopt(const Origin& o, std::uint64_t addr, std::uint64_t len) {
  if (!o.found) return;
  LockGuard guard(g_lock);
  if (addr == 0 || !put(addr, page_up(len), o.fd, o.off)) proxy_call(3, o.fd);
}

void flush_all() {
  LockGuard guard(g_lock);
  for (Window& w : g_windows)
    if (w.used) write_back(w, w.addr, w.addr + w.len);
}

}  // namespace cocoon::shim::shared_maps
