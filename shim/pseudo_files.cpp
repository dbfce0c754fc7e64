#include "shim/pseudo_files.hpp"

#include "shim/fdtable.hpp"
#include "shim/file_policy.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/linux_abi.hpp"
#include "shim/proc_files.hpp"
#include "shim/memory.hpp"
#include "shim/path_calls.hpp"
#include "shim/sync.hpp"
#include "shim/trusted_files.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim::pseudo {
namespace {

constexpr std::uint32_t kMaxProviders = 4;
Provider g_providers[kMaxProviders];
std::uint32_t g_nproviders;
SpinLock g_lock;  // writes to live buffers, the fd table's allocation

struct OpenFile {
  const Node* node;
  std::uint32_t refs;  // under g_lock
  std::uint64_t offset;
  Content content;
};
OpenFile** g_fds;  // by program fd; allocated at the first open

std::size_t str_len(const char* p) {
  std::size_t n = 0;
  while (p[n]) ++n;
  return n;
}

bool str_eq(const char* a, const char* b, std::size_t bn) {
  std::size_t an = str_len(a);
  return an == bn && __builtin_memcmp(a, b, bn) == 0;
}

// `path` is `dir` or below it.
bool under(const char* path, std::size_t n, const char* dir) {
  std::size_t k = str_len(dir);
  return n >= k && __builtin_memcmp(path, dir, k) == 0 && (n == k || path[k] == '/');
}

enum class Match { None, Found, Missing };

Match lookup(const char* path, const Node*& out) {
  std::size_t n = str_len(path);
  while (n > 1 && path[n - 1] == '/') --n;
  for (std::uint32_t p = 0; p < g_nproviders; ++p)
    for (std::uint32_t i = 0; i < g_providers[p].count; ++i)
      if (str_eq(g_providers[p].nodes[i].path, path, n)) {
        out = &g_providers[p].nodes[i];
        return Match::Found;
      }
  for (std::uint32_t p = 0; p < g_nproviders; ++p)
    if (g_providers[p].root && under(path, n, g_providers[p].root)) return Match::Missing;
  return Match::None;
}

OpenFile* file_of(int fdn) {
  if (!g_fds || fdn < 0 || fdn >= fd::kMaxFds) return nullptr;
  return __atomic_load_n(&g_fds[fdn], __ATOMIC_ACQUIRE);
}

void release(OpenFile* of) {
  {
    LockGuard guard(g_lock);
    if (--of->refs != 0) return;
  }
  if (of->content.owned && of->content.data) {
    __builtin_memset(of->content.data, 0, static_cast<std::size_t>(of->content.size));  // keys, reports
    heap::free(of->content.data, static_cast<std::size_t>(of->content.size));
  }
  heap::free(of, sizeof *of);
}

std::uint64_t ino_of(const Node& n) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a of the path: stable, distinct
  for (const char* c = n.path; *c; ++c) h = (h ^ static_cast<unsigned char>(*c)) * 1099511628211ull;
  return h | 1;
}

std::uint32_t mode_of(const Node& n) {
  switch (n.type) {
    case Type::Dir: return 040555;
    case Type::Link: return 0120777;
    case Type::File: break;
  }
  return n.writable ? 0100666 : 0100444;
}

// ---- stat ------------------------------------------------------------------------------------

// struct stat (x86-64, 144 bytes) or struct statx (256 bytes) of a node, into the program.
long put_stat(std::uint64_t user_buf, const Node& n, std::uint64_t size, bool statx) {
  std::uint8_t st[256] = {};
  std::uint64_t ino = ino_of(n);
  std::uint32_t mode = mode_of(n);
  std::uint32_t nlink = n.type == Type::Dir ? 2 : 1, blksize = 4096;
  if (statx) {
    std::uint32_t mask = 0x7ff;
    std::uint16_t mode16 = static_cast<std::uint16_t>(mode);
    __builtin_memcpy(st + 0, &mask, 4);
    __builtin_memcpy(st + 4, &blksize, 4);
    __builtin_memcpy(st + 16, &nlink, 4);
    __builtin_memcpy(st + 20, &g.uid, 4);
    __builtin_memcpy(st + 24, &g.gid, 4);
    __builtin_memcpy(st + 28, &mode16, 2);
    __builtin_memcpy(st + 32, &ino, 8);
    __builtin_memcpy(st + 40, &size, 8);
  } else {
    std::uint64_t nlink64 = nlink, blksize64 = blksize;
    __builtin_memcpy(st + 8, &ino, 8);
    __builtin_memcpy(st + 16, &nlink64, 8);
    __builtin_memcpy(st + 24, &mode, 4);
    __builtin_memcpy(st + 28, &g.uid, 4);
    __builtin_memcpy(st + 32, &g.gid, 4);
    __builtin_memcpy(st + 48, &size, 8);
    __builtin_memcpy(st + 56, &blksize64, 8);
  }
  return user::copy_to(user_buf, st, statx ? 256 : 144) ? 0 : -abi::kEFAULT;
}

std::uint64_t stat_size(const Node& n) {
  if (n.type != Type::Link) return n.stat_size;
  char target[256];
  long len = n.link(n, target, sizeof target);
  return len < 0 ? 0 : static_cast<std::uint64_t>(len);
}

// ---- path calls ------------------------------------------------------------------------------

constexpr long kOAccMode = 3, kOCreat = 0100, kOExcl = 0200, kOTrunc = 01000, kODirectory = 0200000,
               kOCloexec = 02000000, kAtSymlinkNofollow = 0x100, kAtEmptyPath = 0x1000;

long open_node(const Node& node, long flags) {
  if ((flags & kOCreat) && (flags & kOExcl)) return -abi::kEEXIST;
  bool wants_write = (flags & kOAccMode) != 0 || (flags & kOTrunc);
  if (node.type == Type::Dir && wants_write) return -abi::kEISDIR;
  if (node.type != Type::Dir && (flags & kODirectory)) return -abi::kENOTDIR;
  if (wants_write && !node.writable) return -abi::kEACCES;
  if (!g_fds) {
    LockGuard guard(g_lock);
    if (!g_fds) g_fds = static_cast<OpenFile**>(mem::shim_alloc(sizeof(OpenFile*) * fd::kMaxFds));
    if (!g_fds) return -abi::kENOMEM;
  }
  auto* of = static_cast<OpenFile*>(heap::alloc(sizeof(OpenFile)));
  if (!of) return -abi::kENOMEM;
  of->node = &node;
  of->refs = 1;
  if (node.type == Type::File) {
    if (long r = node.open(node, of->content); r < 0) {
      heap::free(of, sizeof *of);
      return r;
    }
  }
  static const char kNull[] = "/dev/null";
  ProxyRequest rq(257);
  rq.arg(0, abi::kAtFdcwd);
  rq.in_bytes(1, kNull, sizeof kNull);
  rq.arg(2, 2 | (flags & kOCloexec));
  long pfd = rq.call("openat");
  if (pfd < 0 || fd::adopt(pfd) < 0) {
    release(of);
    return pfd < 0 ? pfd : iago("openat", "new fd", pfd);
  }
  __atomic_store_n(&g_fds[pfd], of, __ATOMIC_RELEASE);
  return pfd;
}

long access_node(const Node& n, long mode) {
  if ((mode & 2) && !(n.type == Type::File && n.writable)) return -abi::kEACCES;
  if ((mode & 1) && n.type == Type::File) return -abi::kEACCES;
  return 0;
}

long readlink_node(const Node& n, std::uint64_t buf, long cap) {
  if (n.type != Type::Link) return -abi::kEINVAL;
  if (cap <= 0) return -abi::kEINVAL;
  char target[4096];
  long len = n.link(n, target, sizeof target);
  if (len < 0) return len;
  std::uint64_t k = static_cast<std::uint64_t>(len) < static_cast<std::uint64_t>(cap) ? static_cast<std::uint64_t>(len)
                                                                                        : static_cast<std::uint64_t>(cap);
  return user::copy_to(buf, target, k) ? static_cast<long>(k) : -abi::kEFAULT;
}

// A link followed by open or stat: the same call on its target, an ordinary file under the
// manifest's rules (a trusted target opens verified; a hidden one does not exist).
long follow_link(long nr, const Node& n, SyscallFrame& f) {
  char target[4096];
  long len = n.link(n, target, sizeof target - 1);
  if (len < 0) return len;
  target[len] = '\0';
  policy::Resolved& r = *resolved_scratch();
  if (long e = policy::resolve(abi::kAtFdcwd, target, true, r); e < 0) return e;
  const bool active = policy::active();
  if (active && r.access == policy::Access::Hidden) return -abi::kENOENT;
  if (nr == 2 || nr == 257) {
    const long flags = nr == 2 ? f.a[1] : f.a[2], mode = nr == 2 ? f.a[2] : f.a[3];
    if (r.access == policy::Access::Trusted) {
      long fdn = trusted::open(r, flags);
      if (fdn >= 0) policy::remember_fd_path(static_cast<int>(fdn), r.path, r.len);
      return fdn;
    }
    if (active && r.access != policy::Access::Allowed && ((flags & kOAccMode) != 0 || (flags & (kOCreat | kOTrunc))))
      return -abi::kEACCES;
    ProxyRequest rq(257);
    rq.arg(0, abi::kAtFdcwd);
    if (!rq.in_bytes(1, r.path, r.len + 1)) return -abi::kENAMETOOLONG;
    rq.arg(2, flags);
    rq.arg(3, mode);
    long pfd = rq.call("openat");
    if (pfd < 0) return pfd;
    if (fd::adopt(pfd) < 0) return iago("openat", "new fd", pfd);
    policy::remember_fd_path(static_cast<int>(pfd), r.path, r.len);
    return pfd;
  }
  // stat, newfstatat, statx following the link: the target's status from the host.
  const bool statx = nr == 332;
  ProxyRequest rq(statx ? 332 : 262);
  rq.arg(0, abi::kAtFdcwd);
  if (!rq.in_bytes(1, r.path, r.len + 1)) return -abi::kENAMETOOLONG;
  if (statx) {
    rq.arg(2, 0);
    rq.arg(3, f.a[3]);
    if (!rq.out(4, 256)) return -abi::kEIO;
  } else {
    if (!rq.out(2, 144)) return -abi::kEIO;
    rq.arg(3, 0);
  }
  long res = rq.call(statx ? "statx" : "newfstatat");
  if (res < 0) return res;
  if (res != 0) return iago(statx ? "statx" : "newfstatat", "result", res);
  const auto out = static_cast<std::uint64_t>(nr == 4 ? f.a[1] : nr == 262 ? f.a[2] : f.a[4]);
  return user::copy_to(out, rq.data(statx ? 4 : 2), statx ? 256 : 144) ? 0 : -abi::kEFAULT;
}

bool path_result(long nr, Match m, const Node* n, SyscallFrame& f, long* result) {
  if (m == Match::Missing) return *result = -abi::kENOENT, true;
  const bool link = n->type == Type::Link;
  switch (nr) {
    case 2: case 257:                                       // open, openat
      *result = link ? follow_link(nr, *n, f) : open_node(*n, nr == 2 ? f.a[1] : f.a[2]);
      return true;
    case 4:                                                 // stat
      *result = link ? follow_link(nr, *n, f) : put_stat(static_cast<std::uint64_t>(f.a[1]), *n, stat_size(*n), false);
      return true;
    case 6:                                                 // lstat
      *result = put_stat(static_cast<std::uint64_t>(f.a[1]), *n, stat_size(*n), false);
      return true;
    case 262:                                               // newfstatat
      *result = link && !(f.a[3] & kAtSymlinkNofollow)
                    ? follow_link(nr, *n, f)
                    : put_stat(static_cast<std::uint64_t>(f.a[2]), *n, stat_size(*n), false);
      return true;
    case 332:                                               // statx
      *result = link && !(f.a[2] & kAtSymlinkNofollow)
                    ? follow_link(nr, *n, f)
                    : put_stat(static_cast<std::uint64_t>(f.a[4]), *n, stat_size(*n), true);
      return true;
    case 21: *result = access_node(*n, f.a[1]); return !link;          // access
    case 269: case 439: *result = access_node(*n, f.a[2]); return !link;  // faccessat, faccessat2
    case 89: *result = readlink_node(*n, static_cast<std::uint64_t>(f.a[1]), f.a[2]); return true;
    case 267: *result = readlink_node(*n, static_cast<std::uint64_t>(f.a[2]), f.a[3]); return true;
    default: *result = -abi::kEACCES; return true;          // nothing here can be changed
  }
}

bool path_call(const syscalls::SyscallInfo& info, long nr, SyscallFrame& f, long* result) {
  for (int i = 0; i < 6; ++i) {
    if (info.args[i].kind != syscalls::Arg::Path || !f.a[i]) continue;
    const auto p = static_cast<std::uint64_t>(f.a[i]);
    // Cheap test first: only absolute paths under /dev, /proc or /sys are candidates.
    char head[6] = {};
    if (user::strnlen(p, sizeof head) < 5 || !user::copy_from(head, p, 5) || head[0] != '/') continue;
    if (__builtin_memcmp(head, "/dev/", 5) != 0 && __builtin_memcmp(head, "/proc", 5) != 0 &&
        __builtin_memcmp(head, "/sys/", 5) != 0)
      continue;
    char path[256];
    long len = user::strnlen(p, sizeof path);
    if (len < 0 || static_cast<std::size_t>(len) >= sizeof path) continue;  // not one of ours
    user::copy_from(path, p, static_cast<std::uint64_t>(len) + 1);
    proc::alias_own_pid(path, static_cast<std::size_t>(len), sizeof path);
    const Node* n = nullptr;
    Match m = lookup(path, n);
    if (m == Match::None) continue;
    return path_result(nr, m, n, f, result);
  }
  return false;
}

// ---- fd calls --------------------------------------------------------------------------------

long read_at(OpenFile& of, std::uint64_t buf, std::uint64_t len, std::uint64_t off) {
  if (of.node->type == Type::Dir) return -abi::kEISDIR;
  const Content& c = of.content;
  if (off >= c.size || len == 0) return 0;
  std::uint64_t n = c.size - off < len ? c.size - off : len;
  return user::copy_to(buf, c.data + off, n) ? static_cast<long>(n) : -abi::kEFAULT;
}

long write_at(OpenFile& of, std::uint64_t buf, std::uint64_t len, std::uint64_t off) {
  if (!of.node->writable) return -abi::kEBADF;
  if (len == 0) return 0;
  const Content& c = of.content;
  if (off >= c.size) return -abi::kENOSPC;  // fixed-size buffers, as in Gramine
  std::uint64_t n = c.size - off < len ? c.size - off : len;
  LockGuard guard(g_lock);
  return user::copy_from(c.data + off, buf, n) ? static_cast<long>(n) : -abi::kEFAULT;
}

long vector_io(OpenFile& of, std::uint64_t iov, long count, std::int64_t off, bool write) {
  if (count < 0 || count > 1024) return -abi::kEINVAL;
  std::uint64_t pos = off < 0 ? of.offset : static_cast<std::uint64_t>(off);
  long total = 0;
  for (long i = 0; i < count; ++i) {
    std::uint64_t v[2];
    if (!user::copy_from(v, iov + static_cast<std::uint64_t>(i) * 16, 16)) return total ? total : -abi::kEFAULT;
    long r = write ? write_at(of, v[0], v[1], pos) : read_at(of, v[0], v[1], pos);
    if (r < 0) return total ? total : r;
    total += r;
    pos += static_cast<std::uint64_t>(r);
    if (static_cast<std::uint64_t>(r) < v[1]) break;
  }
  if (off < 0) of.offset = pos;
  return total;
}

// The parent directory of a node's path equals `dir`.
bool is_child(const Node& n, const Node& dir) {
  std::size_t k = str_len(dir.path), len = str_len(n.path);
  if (len <= k + 1 || __builtin_memcmp(n.path, dir.path, k) != 0 || n.path[k] != '/') return false;
  for (std::size_t i = k + 1; i < len; ++i)
    if (n.path[i] == '/') return false;
  return true;
}

long getdents(OpenFile& of, std::uint64_t buf, std::uint64_t cap) {
  if (of.node->type != Type::Dir) return -abi::kENOTDIR;
  // Entries: ".", "..", then the nodes directly below; the offset counts entries.
  const char* names[34];
  std::uint8_t types[34];
  std::uint64_t inos[34];
  std::size_t count = 0;
  names[count] = ".", types[count] = 4, inos[count++] = ino_of(*of.node);
  names[count] = "..", types[count] = 4, inos[count++] = 1;
  for (std::uint32_t p = 0; p < g_nproviders; ++p)
    for (std::uint32_t i = 0; i < g_providers[p].count && count < 34; ++i) {
      const Node& n = g_providers[p].nodes[i];
      if (!is_child(n, *of.node)) continue;
      const char* slash = n.path;
      for (const char* c = n.path; *c; ++c)
        if (*c == '/') slash = c;
      names[count] = slash + 1;
      types[count] = n.type == Type::Dir ? 4 : n.type == Type::Link ? 10 : 8;
      inos[count++] = ino_of(n);
    }
  std::uint64_t used = 0;
  while (of.offset < count) {
    const char* name = names[of.offset];
    std::size_t len = str_len(name);
    std::uint64_t reclen = (19 + len + 1 + 7) & ~7ull;
    if (used + reclen > cap) {
      if (used == 0) return -abi::kEINVAL;
      break;
    }
    std::uint8_t rec[80] = {};
    std::int64_t next = static_cast<std::int64_t>(of.offset + 1);
    std::uint16_t rl = static_cast<std::uint16_t>(reclen);
    __builtin_memcpy(rec, &inos[of.offset], 8);
    __builtin_memcpy(rec + 8, &next, 8);
    __builtin_memcpy(rec + 16, &rl, 2);
    rec[18] = types[of.offset];
    __builtin_memcpy(rec + 19, name, len);
    if (!user::copy_to(buf + used, rec, reclen)) return -abi::kEFAULT;
    used += reclen;
    ++of.offset;
  }
  return static_cast<long>(used);
}

long lseek(OpenFile& of, std::int64_t off, long whence) {
  std::int64_t base;
  switch (whence) {
    case 0: base = 0; break;
    case 1: base = static_cast<std::int64_t>(of.offset); break;
    case 2: base = static_cast<std::int64_t>(of.content.size); break;
    default: return -abi::kEINVAL;
  }
  if ((off > 0 && base > __INT64_MAX__ - off) || base + off < 0) return -abi::kEINVAL;
  of.offset = static_cast<std::uint64_t>(base + off);
  return static_cast<long>(of.offset);
}

bool empty_path(std::uint64_t p) {
  char c = 1;
  return p != 0 && user::copy_from(&c, p, 1) && c == '\0';
}

bool fd_call(long nr, SyscallFrame& f, long* result) {
  if (nr == 9) return false;  // mmap: its first argument is an address
  OpenFile* of = file_of(static_cast<int>(f.a[0]));
  if (!of) return false;
  auto buf = static_cast<std::uint64_t>(f.a[1]);
  auto len = static_cast<std::uint64_t>(f.a[2]);
  switch (nr) {
    case 0: {  // read
      long r = read_at(*of, buf, len, of->offset);
      if (r > 0) of->offset += static_cast<std::uint64_t>(r);
      *result = r;
      return true;
    }
    case 1: {  // write
      long r = write_at(*of, buf, len, of->offset);
      if (r > 0) of->offset += static_cast<std::uint64_t>(r);
      *result = r;
      return true;
    }
    case 17: *result = f.a[3] < 0 ? -abi::kEINVAL : read_at(*of, buf, len, static_cast<std::uint64_t>(f.a[3])); return true;
    case 18: *result = f.a[3] < 0 ? -abi::kEINVAL : write_at(*of, buf, len, static_cast<std::uint64_t>(f.a[3])); return true;
    case 19: *result = vector_io(*of, buf, f.a[2], -1, false); return true;
    case 20: *result = vector_io(*of, buf, f.a[2], -1, true); return true;
    case 295: *result = f.a[3] < 0 ? -abi::kEINVAL : vector_io(*of, buf, f.a[2], f.a[3], false); return true;
    case 296: *result = f.a[3] < 0 ? -abi::kEINVAL : vector_io(*of, buf, f.a[2], f.a[3], true); return true;
    case 8: *result = lseek(*of, f.a[1], f.a[2]); return true;
    case 5: *result = put_stat(buf, *of->node, of->content.size, false); return true;  // fstat: the real size
    case 262:  // fstatat(fd, "", buf, AT_EMPTY_PATH), which glibc's fstat uses
      if (!(f.a[3] & kAtEmptyPath) || !empty_path(buf)) return false;
      *result = put_stat(static_cast<std::uint64_t>(f.a[2]), *of->node, of->content.size, false);
      return true;
    case 332:  // statx(fd, "", AT_EMPTY_PATH, mask, buf)
      if (!(f.a[2] & kAtEmptyPath) || !empty_path(buf)) return false;
      *result = put_stat(static_cast<std::uint64_t>(f.a[4]), *of->node, of->content.size, true);
      return true;
    case 217: *result = getdents(*of, buf, len); return true;  // getdents64
    case 77: case 285: *result = -abi::kEINVAL; return true;  // ftruncate, fallocate
    default: return false;  // fcntl, ioctl (ENOTTY), fsync…: the /dev/null fd behind it
  }
}

}  // namespace

void add_provider(const Provider& p) {
  if (g_nproviders < kMaxProviders) g_providers[g_nproviders++] = p;
}

long snapshot(const void* src, std::uint64_t n, Content& out) {
  out.data = static_cast<std::uint8_t*>(heap::alloc(static_cast<std::size_t>(n ? n : 1)));
  if (!out.data) return -abi::kENOMEM;
  __builtin_memcpy(out.data, src, static_cast<std::size_t>(n));
  out.size = n;
  out.owned = true;
  return 0;
}

bool intercept(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result) {
  if (g_nproviders == 0) return false;
  if (info.args[0].kind == syscalls::Arg::Fd && fd_call(f.nr, f, result)) return true;
  return path_call(info, f.nr, f, result);
}

void on_close(int fdn) {
  OpenFile* of = file_of(fdn);
  if (!of) return;
  __atomic_store_n(&g_fds[fdn], nullptr, __ATOMIC_RELEASE);
  release(of);
}

void on_dup(int from, int to) {
  on_close(to);
  OpenFile* of = file_of(from);
  if (!of) return;
  {
    LockGuard guard(g_lock);
    ++of->refs;  // dup'ed fds share the open file (and its offset), as in Linux
  }
  __atomic_store_n(&g_fds[to], of, __ATOMIC_RELEASE);
}

}  // namespace cocoon::shim::pseudo
