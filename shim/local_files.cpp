#include "shim/local_files.hpp"

#include "shim/deferred_calls.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/local_poll.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/signals.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim::local {
namespace {

constexpr std::uint32_t kPipeCapacity = 64 * 1024;  // Linux's default
constexpr std::uint32_t kPipeBuf = 4096;            // writes up to this size are atomic
constexpr long kONonblock = 04000, kOCloexec = 02000000, kODirect = 040000;
constexpr long kEfdSemaphore = 1;
constexpr std::uint64_t kEventfdMax = 0xfffffffffffffffeull;
constexpr std::int16_t kPollin = 0x1, kPollout = 0x4, kPollerr = 0x8, kPollhup = 0x10, kPollnval = 0x20,
                       kPollrdnorm = 0x40, kPollwrnorm = 0x100;

enum class Kind : std::uint8_t { PipeRead, PipeWrite, EventFd };

// The object behind a pipe's two ends, or an eventfd. Guarded by g_lock.
struct Object {
  std::uint8_t* buf;      // pipe ring
  std::uint32_t head, size;
  std::uint32_t readers, writers;  // open files of each end (a pipe)
  std::uint64_t count;             // eventfd
  bool semaphore;
  bool exported;                   // moved to the host for a child process (export_fd)
  std::uint32_t opens;             // open files referring to it
};

// A call on an object exported meanwhile: it goes to the proxy instead (never returned to the
// program).
constexpr long kReforward = -100000;

// An open file description: one end (shared by its dups, as is O_NONBLOCK).
struct OpenFile {
  Object* obj;
  Kind kind;
  bool nonblocking;
  std::uint32_t refs;
};

SpinLock g_lock;
OpenFile** g_fds;           // by program fd; allocated at the first pipe or eventfd
std::uint32_t g_changes;    // futex word: bumped by every change of any object
std::uint32_t g_mixed;      // threads waiting in the proxy for sets with local fds

// The calling thread's table: a vfork child has its own copy (shim/vfork.hpp).
OpenFile** table() {
  if (vfork::Child* c = vfork::current()) return reinterpret_cast<OpenFile**>(c->local_files);
  return __atomic_load_n(&g_fds, __ATOMIC_ACQUIRE);
}

OpenFile* file_of(int fdn) {
  OpenFile** t = table();
  if (!t || fdn < 0 || fdn >= fd::kMaxFds) return nullptr;
  return __atomic_load_n(&t[fdn], __ATOMIC_ACQUIRE);
}

bool ensure_table() {
  if (vfork::current() || __atomic_load_n(&g_fds, __ATOMIC_ACQUIRE)) return true;
  auto** t = static_cast<OpenFile**>(mem::shim_alloc(sizeof(OpenFile*) * fd::kMaxFds));
  if (!t) return false;
  OpenFile** expected = nullptr;
  __atomic_compare_exchange_n(&g_fds, &expected, t, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  return true;  // a racing thread's table wins; ours stays unused (shim memory is never freed)
}

// After a change: wakes the threads waiting for one, in the shim or in the proxy.
void changed() {
  __atomic_add_fetch(&g_changes, 1u, __ATOMIC_RELEASE);
  host::futex_wake(&g_changes, 0x7fffffff);
  if (!__atomic_load_n(&g_mixed, __ATOMIC_ACQUIRE)) return;
  threads::for_each_live([](ShimThread* t) {
    if (!__atomic_load_n(&t->mixed_wait, __ATOMIC_ACQUIRE) || t == current_thread()) return;
    __atomic_store_n(&t->local_wakeup, 1, __ATOMIC_RELEASE);
    interrupt_proxy_call(t->channel);
    host::futex_wake(&t->channel->state, 0x7fffffff);
  });
}

void release(OpenFile* of) {
  bool free_file = false, free_obj = false;
  Object* obj = of->obj;
  {
    LockGuard guard(g_lock);
    if (--of->refs == 0) {
      free_file = true;
      if (of->kind == Kind::PipeRead) --obj->readers;
      if (of->kind == Kind::PipeWrite) --obj->writers;
      free_obj = --obj->opens == 0;
    }
  }
  if (!free_file) return;
  if (free_obj) {
    if (obj->buf) heap::free(obj->buf, kPipeCapacity);
    heap::free(obj, sizeof *obj);
  }
  localpoll::forget_file(of);
  heap::free(of, sizeof *of);
  changed();  // readers see EOF, writers EPIPE, pollers POLLHUP/POLLERR
}

OpenFile* new_file(Object* obj, Kind kind, bool nonblocking) {
  auto* of = static_cast<OpenFile*>(heap::alloc(sizeof(OpenFile)));
  if (!of) return nullptr;
  *of = OpenFile{obj, kind, nonblocking, 1};
  return of;
}

// Waits for a change after `seen` (the value of the change word read under the lock that
// found nothing to do). kRestartSyscall when a signal is due (EINTR, or the call is made again
// under SA_RESTART, as for Linux's pipes).
long wait_change(std::uint32_t seen, const Object* o) {
  deferred::flush();
  host::futex_wait(&g_changes, seen, -1);
  if (__atomic_load_n(&o->exported, __ATOMIC_ACQUIRE)) return kReforward;
  if (__atomic_load_n(&current_thread()->deliverable, __ATOMIC_ACQUIRE)) return kRestartSyscall;
  return 0;
}

// ---- data --------------------------------------------------------------------------------

// Reads up to `len` bytes of a pipe into `dst` (shim memory). Blocks as Linux does.
long pipe_read(OpenFile* of, std::uint8_t* dst, std::uint64_t len) {
  if (len == 0) return 0;
  Object* o = of->obj;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(&g_changes, __ATOMIC_ACQUIRE);
    long got = -1;
    {
      LockGuard guard(g_lock);
      if (o->exported) return kReforward;
      if (o->size > 0) {
        std::uint64_t n = len < o->size ? len : o->size;
        for (std::uint64_t done = 0; done < n;) {
          std::uint64_t chunk = kPipeCapacity - o->head;
          if (chunk > n - done) chunk = n - done;
          __builtin_memcpy(dst + done, o->buf + o->head, chunk);
          o->head = static_cast<std::uint32_t>((o->head + chunk) % kPipeCapacity);
          o->size -= static_cast<std::uint32_t>(chunk);
          done += chunk;
        }
        if (o->size == 0) o->head = 0;
        got = static_cast<long>(n);
      } else if (o->writers == 0) {
        return 0;  // end of file
      } else if (of->nonblocking) {
        return -abi::kEAGAIN;
      }
    }
    if (got >= 0) {
      changed();
      return got;
    }
    if (long r = wait_change(seen, o)) return r;
  }
}

// Writes `len` bytes from `src` (shim memory) into a pipe: all of them for a blocking end
// (PIPE_BUF-sized writes in one piece), as much as fits for a nonblocking one.
long pipe_write(OpenFile* of, const std::uint8_t* src, std::uint64_t len) {
  Object* o = of->obj;
  std::uint64_t done = 0;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(&g_changes, __ATOMIC_ACQUIRE);
    bool wrote = false;
    {
      LockGuard guard(g_lock);
      if (o->exported) return done ? static_cast<long>(done) : kReforward;
      if (o->readers == 0) return done ? static_cast<long>(done) : -abi::kEPIPE;
      std::uint64_t room = kPipeCapacity - o->size;
      std::uint64_t want = len - done;
      bool atomic = len <= kPipeBuf;
      if (room > 0 && (!atomic || room >= want)) {
        std::uint64_t n = want < room ? want : room;
        for (std::uint64_t k = 0; k < n;) {
          std::uint64_t tail = (o->head + o->size) % kPipeCapacity;
          std::uint64_t chunk = kPipeCapacity - tail;
          if (chunk > n - k) chunk = n - k;
          __builtin_memcpy(o->buf + tail, src + done + k, chunk);
          o->size += static_cast<std::uint32_t>(chunk);
          k += chunk;
        }
        done += n;
        wrote = true;
      } else if (of->nonblocking) {
        return done ? static_cast<long>(done) : -abi::kEAGAIN;
      }
    }
    if (wrote) {
      changed();
      if (done == len || of->nonblocking) return static_cast<long>(done);
      continue;
    }
    if (long r = wait_change(seen, o)) return done ? static_cast<long>(done) : r;
  }
}

long eventfd_read(OpenFile* of, std::uint8_t* dst, std::uint64_t len) {
  if (len < 8) return -abi::kEINVAL;
  Object* o = of->obj;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(&g_changes, __ATOMIC_ACQUIRE);
    std::uint64_t value = 0;
    {
      LockGuard guard(g_lock);
      if (o->exported) return kReforward;
      if (o->count > 0) {
        value = o->semaphore ? 1 : o->count;
        o->count -= value;
      } else if (of->nonblocking) {
        return -abi::kEAGAIN;
      }
    }
    if (value) {
      __builtin_memcpy(dst, &value, 8);
      changed();
      return 8;
    }
    if (long r = wait_change(seen, o)) return r;
  }
}

long eventfd_write(OpenFile* of, const std::uint8_t* src, std::uint64_t len) {
  if (len < 8) return -abi::kEINVAL;
  std::uint64_t add;
  __builtin_memcpy(&add, src, 8);
  if (add == ~0ull) return -abi::kEINVAL;
  Object* o = of->obj;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(&g_changes, __ATOMIC_ACQUIRE);
    bool done = false;
    {
      LockGuard guard(g_lock);
      if (o->exported) return kReforward;
      if (kEventfdMax - o->count >= add) {
        o->count += add;
        done = true;
      } else if (of->nonblocking) {
        return -abi::kEAGAIN;
      }
    }
    if (done) {
      if (add) changed();
      return 8;
    }
    if (long r = wait_change(seen, o)) return r;
  }
}

// read/readv on a local fd: through a bounce buffer in shim memory (the program's buffer is
// copied to with the checked copies, so a bad pointer is EFAULT, and nothing is consumed).
long do_read(OpenFile* of, std::uint64_t buf, std::uint64_t len) {
  if (of->kind == Kind::PipeWrite) return -abi::kEBADF;
  if (len && !user::range_writable(buf, len)) return -abi::kEFAULT;
  std::uint64_t cap = of->kind == Kind::EventFd ? 8 : (len < kPipeCapacity ? len : kPipeCapacity);
  if (of->kind == Kind::EventFd && len < 8) return -abi::kEINVAL;
  std::uint8_t small[512];
  std::uint8_t* tmp = cap <= sizeof small ? small : static_cast<std::uint8_t*>(heap::alloc(cap));
  if (!tmp) return -abi::kENOMEM;
  long r = of->kind == Kind::EventFd ? eventfd_read(of, tmp, 8) : pipe_read(of, tmp, cap);
  if (r > 0 && !user::copy_to(buf, tmp, static_cast<std::uint64_t>(r))) r = -abi::kEFAULT;
  if (tmp != small) heap::free(tmp, cap);
  return r;
}

long do_write(OpenFile* of, std::uint64_t buf, std::uint64_t len, const SyscallFrame& f) {
  if (of->kind == Kind::PipeRead) return -abi::kEBADF;
  if (of->kind == Kind::EventFd && len < 8) return -abi::kEINVAL;
  std::uint64_t n = of->kind == Kind::EventFd ? 8 : len;
  std::uint8_t small[512];
  std::uint8_t* tmp = n <= sizeof small ? small : static_cast<std::uint8_t*>(heap::alloc(n));
  if (!tmp) return -abi::kENOMEM;
  long r = user::copy_from(tmp, buf, n) ? 0 : -abi::kEFAULT;
  if (r == 0) r = of->kind == Kind::EventFd ? eventfd_write(of, tmp, 8) : pipe_write(of, tmp, n);
  if (tmp != small) heap::free(tmp, n);
  if (r == -abi::kEPIPE) raise_sigpipe_for(f);
  return r;
}

struct Iovec {
  std::uint64_t base, len;
};

// readv/writev: one element after the other, stopping at a short transfer (a pipe's readv is
// not atomic across elements either, except for writes within PIPE_BUF — kept for one element).
long do_vector(OpenFile* of, std::uint64_t iov, long count, bool write, const SyscallFrame& f) {
  if (count < 0 || count > 1024) return -abi::kEINVAL;
  long total = 0;
  for (long i = 0; i < count; ++i) {
    Iovec v;
    if (!user::read(v, iov + static_cast<std::uint64_t>(i) * sizeof v)) return total ? total : -abi::kEFAULT;
    if (v.len == 0) continue;
    long r = write ? do_write(of, v.base, v.len, f) : do_read(of, v.base, v.len);
    if (r < 0) return total ? total : r;
    total += r;
    if (static_cast<std::uint64_t>(r) < v.len) break;
  }
  return total;
}

// Enters a new local object's ends at the given program fds.
long adopt_pair(int rfd, int wfd, long flags) {
  if (!ensure_table()) return -abi::kENOMEM;
  auto* obj = static_cast<Object*>(heap::alloc(sizeof(Object)));
  std::uint8_t* buf = static_cast<std::uint8_t*>(heap::alloc(kPipeCapacity));
  bool nb = (flags & kONonblock) != 0;
  OpenFile* r = obj && buf ? new_file(obj, Kind::PipeRead, nb) : nullptr;
  OpenFile* w = r ? new_file(obj, Kind::PipeWrite, nb) : nullptr;
  if (!w) {
    if (r) heap::free(r, sizeof *r);
    if (buf) heap::free(buf, kPipeCapacity);
    if (obj) heap::free(obj, sizeof *obj);
    return -abi::kENOMEM;
  }
  obj->buf = buf;
  obj->readers = obj->writers = 1;
  obj->opens = 2;
  OpenFile** t = table();
  __atomic_store_n(&t[rfd], r, __ATOMIC_RELEASE);
  __atomic_store_n(&t[wfd], w, __ATOMIC_RELEASE);
  return 0;
}

long make_pipe(std::uint64_t fds_ptr, long flags) {
  if (flags & ~(kONonblock | kOCloexec | kODirect)) return -abi::kEINVAL;
  if (!user::range_writable(fds_ptr, 8)) return -abi::kEFAULT;
  // The placeholder pair in the proxy (its numbers are the program's fds).
  ProxyRequest rq(293);
  if (!rq.out(0, 8)) return -abi::kEFAULT;
  rq.arg(1, flags & (kOCloexec | kONonblock));
  long r = rq.call("pipe2");
  if (r < 0) return r;
  std::int32_t pair[2];
  __builtin_memcpy(pair, rq.data(0), 8);
  if (fd::adopt(pair[0]) < 0) return iago("pipe2", "read end", pair[0]);
  if (fd::adopt(pair[1]) < 0) {
    fd::forget(pair[0]);
    return iago("pipe2", "write end", pair[1]);
  }
  if (flags & kODirect) {
    // Packet mode: left to the host pipe (rarely used; the data crosses the boundary).
    report_unsupported(293, "pipe2(O_DIRECT): the pipe stays in the proxy");
  } else if (long e = adopt_pair(pair[0], pair[1], flags)) {
    proxy_call(3, pair[0]);
    proxy_call(3, pair[1]);
    fd::forget(pair[0]);
    fd::forget(pair[1]);
    return e;
  }
  if (!user::copy_to(fds_ptr, pair, 8)) return -abi::kEFAULT;
  return 0;
}

long make_eventfd(std::uint64_t initval, long flags) {
  if (flags & ~(kEfdSemaphore | kONonblock | kOCloexec)) return -abi::kEINVAL;
  if (!ensure_table()) return -abi::kENOMEM;
  long r = proxy_call(290, 0, flags & (kOCloexec | kONonblock));
  if (r < 0) return r;
  if (fd::adopt(r) < 0) return iago("eventfd2", "new fd", r);
  auto* obj = static_cast<Object*>(heap::alloc(sizeof(Object)));
  OpenFile* of = obj ? new_file(obj, Kind::EventFd, (flags & kONonblock) != 0) : nullptr;
  if (!of) {
    if (obj) heap::free(obj, sizeof *obj);
    proxy_call(3, r);
    fd::forget(static_cast<int>(r));
    return -abi::kENOMEM;
  }
  obj->count = static_cast<std::uint32_t>(initval);
  obj->semaphore = (flags & kEfdSemaphore) != 0;
  obj->opens = 1;
  __atomic_store_n(&table()[r], of, __ATOMIC_RELEASE);
  return r;
}

}  // namespace

bool any() { return table() != nullptr; }
bool is_local(int fdn) { return file_of(fdn) != nullptr; }
const void* file_identity(int fdn) { return file_of(fdn); }
void poke() { changed(); }

// The open file behind a local fd, held (as the kernel holds a file during a call) so that
// another thread closing the fd meanwhile cannot free it under this one. Null if not local.
static OpenFile* hold(int fdn) {
  LockGuard guard(g_lock);
  OpenFile* of = file_of(fdn);
  if (of) ++of->refs;
  return of;
}

static long data_call(OpenFile* of, SyscallFrame& f) {
  auto buf = static_cast<std::uint64_t>(f.a[1]);
  switch (f.nr) {
    case 0: return do_read(of, buf, static_cast<std::uint64_t>(f.a[2]));
    case 1: return do_write(of, buf, static_cast<std::uint64_t>(f.a[2]), f);
    case 19: return do_vector(of, buf, f.a[2], false, f);
    default: return do_vector(of, buf, f.a[2], true, f);
  }
}

bool intercept(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result) {
  if (!table() || info.args[0].kind != syscalls::Arg::Fd) return false;
  OpenFile* of = file_of(static_cast<int>(f.a[0]));
  if (!of) return false;
  switch (f.nr) {
    case 0: case 1: case 19: case 20: {
      OpenFile* held = hold(static_cast<int>(f.a[0]));
      if (!held) return false;  // closed meanwhile: the placeholder's number is gone too
      *result = data_call(held, f);
      release(held);
      return *result != kReforward;  // exported meanwhile: the proxy serves it
    }
    case 17: case 18: case 295: case 296: case 327: case 328:  // pread/pwrite families
      *result = -abi::kESPIPE;
      return true;
    default:
      // fstat, lseek (ESPIPE), fsync (EINVAL)…: the placeholder answers alike; sendfile,
      // splice and tee: their routines move the pipe to the host first.
      return false;
  }
}

void on_close(int fdn) {
  OpenFile* of = file_of(fdn);
  if (!of) return;
  __atomic_store_n(&table()[fdn], nullptr, __ATOMIC_RELEASE);
  release(of);
}

void on_dup(int from, int to) {
  on_close(to);
  OpenFile* of = file_of(from);
  if (!of) return;
  {
    LockGuard guard(g_lock);
    ++of->refs;
  }
  __atomic_store_n(&table()[to], of, __ATOMIC_RELEASE);
}

void copy_table_for_child(void** dst) {
  OpenFile** src = __atomic_load_n(&g_fds, __ATOMIC_ACQUIRE);
  if (!src) return;
  LockGuard guard(g_lock);
  for (int i = 0; i < fd::kMaxFds; ++i) {
    OpenFile* of = __atomic_load_n(&src[i], __ATOMIC_ACQUIRE);
    if (of) ++of->refs;
    dst[i] = of;
  }
}

void release_child_table(void** t) {
  for (int i = 0; i < fd::kMaxFds; ++i)
    if (auto* of = static_cast<OpenFile*>(t[i])) {
      t[i] = nullptr;
      release(of);
    }
}

namespace {

// Takes every fd of `obj` out of `t` (the files go to `drop`, to be released).
void unlink_object(OpenFile** t, const Object* obj, OpenFile** drop, int& ndrop, int cap) {
  if (!t) return;
  for (int i = 0; i < fd::kMaxFds; ++i) {
    OpenFile* of = __atomic_load_n(&t[i], __ATOMIC_ACQUIRE);
    if (!of || of->obj != obj) continue;
    __atomic_store_n(&t[i], nullptr, __ATOMIC_RELEASE);
    if (ndrop < cap) drop[ndrop++] = of;  // beyond: kept alive (a bounded leak, never a use after free)
  }
}

// An fd (the calling thread's table) of `obj` that writes into it, or -1.
int writer_fd(const Object* obj) {
  OpenFile** t = table();
  for (int i = 0; t && i < fd::kMaxFds; ++i) {
    OpenFile* of = __atomic_load_n(&t[i], __ATOMIC_ACQUIRE);
    if (of && of->obj == obj && of->kind != Kind::PipeRead) return i;
  }
  return -1;
}

}  // namespace

long export_fd(int fdn) {
  OpenFile* of = file_of(fdn);
  if (!of) return 0;
  Object* obj = of->obj;
  bool eventfd = of->kind == Kind::EventFd;
  std::uint8_t* data = nullptr;
  std::uint64_t count = 0;
  std::uint32_t n = 0;
  int wfd = -1;
  {
    LockGuard guard(g_lock);
    if (obj->exported) return 0;
    if (!eventfd && obj->size) {
      data = static_cast<std::uint8_t*>(heap::alloc(obj->size));
      if (!data) return -abi::kENOMEM;
      for (std::uint32_t k = 0; k < obj->size; ++k) data[k] = obj->buf[(obj->head + k) % kPipeCapacity];
      n = obj->size;
    }
    count = obj->count;
    obj->size = 0;
    obj->count = 0;
    __atomic_store_n(&obj->exported, true, __ATOMIC_RELEASE);
  }
  wfd = writer_fd(obj);
  // Every table loses the object's fds: the parent's, this child's, other vfork children's.
  constexpr int kCap = 256;
  OpenFile* drop[kCap];
  int ndrop = 0;
  {
    LockGuard guard(g_lock);
    unlink_object(__atomic_load_n(&g_fds, __ATOMIC_ACQUIRE), obj, drop, ndrop, kCap);
    threads::for_each_live([&](ShimThread* t) {
      if (auto* c = static_cast<vfork::Child*>(t->vfork_child))
        unlink_object(reinterpret_cast<OpenFile**>(c->local_files), obj, drop, ndrop, kCap);
    });
  }
  // What it held goes into the host object, through a writing fd, or one opened for the
  // purpose from the read end (/proc/self/fd/N of a pipe opens it for writing).
  long r = 0;
  if (n || count) {
    int tmp = -1;
    if (wfd < 0) {
      char path[40];
      std::size_t len = snformat(path, sizeof path, "/proc/self/fd/%d", fdn);
      ProxyRequest open_rq(257);
      open_rq.arg(0, -100);
      if (!open_rq.in_bytes(1, path, len + 1)) r = -abi::kENOMEM;
      open_rq.arg(2, 01 | 02000000);  // O_WRONLY | O_CLOEXEC
      tmp = r ? -1 : static_cast<int>(open_rq.call("openat"));
      wfd = tmp;
    }
    if (wfd < 0) {
      if (!r) r = wfd;
    } else {
      ProxyRequest w(1);
      w.arg(0, wfd);
      bool ok = eventfd ? w.in_bytes(1, &count, 8) : w.in_bytes(1, data, n);
      w.arg(2, eventfd ? 8 : n);
      long wr = ok ? w.call("write") : -abi::kENOMEM;
      if (wr < 0) r = wr;
      else if (static_cast<std::uint64_t>(wr) != (eventfd ? 8u : n)) r = -abi::kEIO;
    }
    if (tmp >= 0) proxy_call(3, tmp);
    if (r < 0 && verbose()) log("a pipe handed to a child process lost %u buffered bytes (errno %ld)", n, -r);
  }
  if (data) heap::free(data, n);
  for (int i = 0; i < ndrop; ++i) localpoll::move_to_proxy(drop[i]);  // epoll sets keep watching it
  for (int i = 0; i < ndrop; ++i) release(drop[i]);
  changed();  // waiters in the shim see `exported` and go to the proxy
  return r;
}

void set_nonblocking(int fdn, bool on) {
  if (OpenFile* of = file_of(fdn)) __atomic_store_n(&of->nonblocking, on, __ATOMIC_RELEASE);
}

long bytes_ready(int fdn) {
  OpenFile* of = file_of(fdn);
  if (!of) return -abi::kEBADF;
  LockGuard guard(g_lock);
  if (of->kind == Kind::EventFd) return of->obj->count ? 8 : 0;
  return of->kind == Kind::PipeRead ? of->obj->size : 0;
}

std::int16_t poll_state(int fdn, std::int16_t events) {
  OpenFile* of = file_of(fdn);
  if (!of) return kPollnval;
  LockGuard guard(g_lock);
  const Object* o = of->obj;
  std::int16_t r = 0;
  switch (of->kind) {
    case Kind::PipeRead:
      if (o->size) r |= kPollin | kPollrdnorm;
      if (o->writers == 0) r |= kPollhup;
      break;
    case Kind::PipeWrite:
      if (o->readers == 0) r |= kPollerr;
      else if (kPipeCapacity - o->size >= kPipeBuf) r |= kPollout | kPollwrnorm;
      break;
    case Kind::EventFd:
      if (o->count) r |= kPollin | kPollrdnorm;
      if (o->count < kEventfdMax) r |= kPollout | kPollwrnorm;
      break;
  }
  return static_cast<std::int16_t>(r & (events | kPollhup | kPollerr));
}

std::uint32_t* change_word() { return &g_changes; }

void begin_mixed_wait() {
  ShimThread* t = current_thread();
  __atomic_store_n(&t->local_wakeup, 0, __ATOMIC_RELEASE);
  __atomic_store_n(&t->mixed_wait, 1, __ATOMIC_RELEASE);
  __atomic_add_fetch(&g_mixed, 1u, __ATOMIC_ACQ_REL);
}

void end_mixed_wait() {
  ShimThread* t = current_thread();
  __atomic_store_n(&t->mixed_wait, 0, __ATOMIC_RELEASE);
  __atomic_sub_fetch(&g_mixed, 1u, __ATOMIC_ACQ_REL);
}

bool mixed_wait_woken() { return __atomic_load_n(&current_thread()->local_wakeup, __ATOMIC_ACQUIRE) != 0; }

}  // namespace cocoon::shim::local

// ---- the creating syscalls -------------------------------------------------------------------

namespace cocoon::shim {

long sys_pipe(SyscallFrame& f) { return local::make_pipe(static_cast<std::uint64_t>(f.a[0]), 0); }
long sys_pipe2(SyscallFrame& f) { return local::make_pipe(static_cast<std::uint64_t>(f.a[0]), f.a[1]); }
long sys_eventfd(SyscallFrame& f) { return local::make_eventfd(static_cast<std::uint64_t>(f.a[0]), 0); }
long sys_eventfd2(SyscallFrame& f) { return local::make_eventfd(static_cast<std::uint64_t>(f.a[0]), f.a[1]); }

}  // namespace cocoon::shim
