#include "shim/forward.hpp"
#include "shim/vfork.hpp"

#include "shim/deferred_calls.hpp"
#include "shim/fd_status.hpp"
#include "shim/sock_names.hpp"
#include "shim/fdtable.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/proc_files.hpp"
#include "shim/log.hpp"
#include "shim/path_calls.hpp"
#include "shim/signals.hpp"
#include "shim/trusted_files.hpp"
#include "shim/thread.hpp"
#include "shim/user_memory.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::shim {
namespace {

using syscalls::Arg;
using syscalls::ArgSpec;
using syscalls::SyscallInfo;

constexpr std::uint64_t kCap = channel::kChannelDataSize;
// Waiting for the proxy: spin ~50 microseconds of TSC before sleeping, or only ~3 after a call
// of the same number that outlasted its spin (a call that blocks, such as accept or epoll_wait
// on an idle socket): on few cores a spin that does not pay takes the CPU the proxy needs.
constexpr std::uint64_t kSpinCycles = 150000;
constexpr std::uint64_t kShortSpinCycles = 9000;
// A sched_yield that kept this thread off its CPU this long (~250 µs: another task's time
// slice) means other tasks want the CPU (a busy node): yielding then waits behind their time
// slices, milliseconds per round trip, while a sleeping thread that is woken gets the CPU
// back at once. For the next ~50 ms this thread waits for a worker on its own CPU by sleeping.
constexpr std::uint64_t kLongYieldCycles = 750000;
constexpr std::uint64_t kContendedCycles = 150'000'000;

std::uint64_t align8(std::uint64_t v) { return (v + 7) & ~7ull; }

long load_long(const void* p) {
  long v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

channel::Channel* my_channel() { return current_thread()->channel; }

long iago(const char* call, const char* what, long value) {
  log("untrusted proxy returned an impossible value for %s (%s: %ld); refused, the program gets EIO", call, what,
      value);
  return -abi::kEIO;
}

static long forward_marshalled(const SyscallInfo& info, SyscallFrame& f);

void raise_sigpipe_for(const SyscallFrame& f) {
  constexpr long kMsgNosignal = 0x4000;
  bool nosignal = (f.nr == 44 || f.nr == 46) && (f.a[f.nr == 44 ? 3 : 2] & kMsgNosignal);
  bool writes = f.nr == 1 || f.nr == 18 || f.nr == 20 || f.nr == 296 || f.nr == 328 || f.nr == 44 || f.nr == 46 ||
                f.nr == 40;
  if (writes && !nosignal) signals::raise_in_program(abi::kSIGPIPE);
}

namespace {

// Forwarded calls that may block for as long as the outside world wants (the ones a signal
// must be able to end, as on Linux).
bool may_block(std::uint64_t op) {
  switch (op) {
    case 0: case 1: case 19: case 20:                       // read write readv writev
    case 7: case 23: case 270: case 271:                    // poll select pselect6 ppoll
    case 232: case 281: case 441:                           // epoll_wait epoll_pwait epoll_pwait2
    case 42: case 43: case 288:                             // connect accept accept4
    case 44: case 45: case 46: case 47: case 299: case 307: // sendto recvfrom sendmsg recvmsg recvmmsg sendmmsg
    case 73: case 40: case 275: case 276:                   // flock sendfile splice tee
    case 61: case 247:                                      // wait4 waitid
    case channel::kOpAcceptNames:                           // accept and accept4
      return true;
    default:
      return false;
  }
}

}  // namespace

// Asks the proxy worker blocked in this channel's call to give up (EINTR).
void interrupt_proxy_call(channel::Channel* ch) {
  std::int32_t pid = __atomic_load_n(&g.window->proxy_pid, __ATOMIC_ACQUIRE);
  std::int32_t tid = __atomic_load_n(&ch->worker_tid, __ATOMIC_ACQUIRE);
  if (pid > 0 && tid > 0) host::call(abi::kTgkill, pid, tid, channel::kInterruptSignal);
}

long proxy_roundtrip(channel::Channel* ch) {
  proxy_start(ch);
  return proxy_finish(ch);
}

void proxy_start(channel::Channel* ch) {
  __atomic_store_n(&ch->enclave_cpu, host::current_cpu(), __ATOMIC_RELAXED);
  bump_stat(g.window->stats.round_trips);
  deferred::attach(ch, ch->req.op);
  __atomic_store_n(&ch->state, channel::kRequest, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&ch->proxy_sleeping, __ATOMIC_SEQ_CST)) {
    host::futex_wake(&ch->state, 0x7fffffff);
    bump_stat(g.window->stats.proxy_wakeups);
  }
}

long proxy_finish(channel::Channel* ch) {
  ShimThread* self = current_thread();
  std::uint64_t op = ch->req.op;  // as this thread wrote it: tunes the wait, says if it may be interrupted
  std::uint64_t bit = op < 512 ? 1ull << (op & 63) : 0;
  std::uint64_t* slow = &self->slow_calls[(op >> 6) & 7];
  std::uint64_t spin = (*slow & bit) ? kShortSpinCycles : kSpinCycles;
  std::uint64_t start = host::rdtsc();
  int cpu = host::current_cpu();
  for (;;) {
    if (__atomic_load_n(&ch->state, __ATOMIC_ACQUIRE) != channel::kRequest) {
      *slow &= ~bit;
      goto answered;
    }
    if (host::rdtsc() - start > spin) break;
    // A worker on this CPU (it sleeps pinned here) needs the CPU: yield it. One on another
    // CPU answers there: watch without system calls.
    if (__atomic_load_n(&ch->worker_cpu, __ATOMIC_RELAXED) == cpu) {
      std::uint64_t before = host::rdtsc();
      if (before < self->contended_until) break;
      host::call(abi::kSchedYield);
      std::uint64_t after = host::rdtsc();
      // Long, and not because the worker was busy with this very call (a large read, say).
      if (channel::yield_was_contended(*ch, before, after, kLongYieldCycles)) {
        self->contended_until = after + kContendedCycles;
        break;
      }
      cpu = host::current_cpu();
    } else {
      host::cpu_relax();
    }
  }
  bump_stat(g.window->stats.enclave_sleeps);
  {
    // Sleeping: a host signal that leaves a signal for the program to take wakes this wait
    // (EINTR); a call that may block is then interrupted in the proxy, again every 10 ms
    // until it answers (the first interrupt can arrive before the proxy entered the call).
    bool interruptible = may_block(op);
    for (;;) {
      __atomic_store_n(&ch->enclave_sleeping, 1u, __ATOMIC_SEQ_CST);
      std::uint32_t st = __atomic_load_n(&ch->state, __ATOMIC_SEQ_CST);
      if (st != channel::kRequest) break;
      bool interrupting = interruptible && (__atomic_load_n(&self->deliverable, __ATOMIC_ACQUIRE) ||
                                            __atomic_load_n(&self->local_wakeup, __ATOMIC_ACQUIRE));
      if (interrupting) interrupt_proxy_call(ch);
      // Waiting on fds that include in-enclave ones, a change of those interrupts this call;
      // the 10 ms bound covers a change that raced with going to sleep.
      bool mixed = __atomic_load_n(&self->mixed_wait, __ATOMIC_ACQUIRE);
      host::futex_wait(&ch->state, st, interrupting || mixed ? 10'000'000 : -1);
    }
  }
  __atomic_store_n(&ch->enclave_sleeping, 0u, __ATOMIC_RELAXED);
  // Slow: the answer would not have come within the full spin either.
  if (host::rdtsc() - start > kSpinCycles) *slow |= bit;
  else *slow &= ~bit;
answered:
  std::uint32_t st = __atomic_load_n(&ch->state, __ATOMIC_ACQUIRE);
  if (st != channel::kResponse) fatal("the untrusted proxy closed the channel (state %u)", st);
  long ret = __atomic_load_n(&ch->resp.ret, __ATOMIC_RELAXED);
  deferred::carried_results(ch);
  __atomic_store_n(&ch->state, channel::kIdle, __ATOMIC_RELEASE);
  // EINTR on the host side is the shim's business: the call is restarted, or ends with EINTR
  // once a handler ran (shim/signals.cpp). The kernel's internal restart codes never pass.
  if (ret == -abi::kEINTR) return kRestartSyscall;
  if (ret <= -512 && ret >= -516) return -abi::kEINTR;
  return ret;
}

long proxy_call(long op, long a0, long a1, long a2, long a3, long a4, long a5) {
  channel::Channel* ch = my_channel();
  channel::Request& rq = ch->req;
  rq.op = static_cast<std::uint64_t>(op);
  rq.args[0] = a0, rq.args[1] = a1, rq.args[2] = a2, rq.args[3] = a3, rq.args[4] = a4, rq.args[5] = a5;
  rq.ptr_mask = 0;
  rq.iov_mask = 0;
  long r = proxy_roundtrip(ch);
  if (r < -abi::kMaxErrno) return iago("proxy call", "result", r);
  return r;
}

long proxy_fstat_size(int proxy_fd) {
  ProxyRequest st(5);  // fstat
  st.arg(0, proxy_fd);
  if (!st.out(1, 144)) return -abi::kENOMEM;
  long r = st.call("fstat");
  if (r < 0) return r;
  std::int64_t size;
  __builtin_memcpy(&size, st.data(1) + 48, 8);
  return size < 0 ? iago("fstat", "st_size", size) : size;
}

long proxy_pread_each(int proxy_fd, void* dst, std::uint64_t len, std::uint64_t off, PieceCopy copy, void* ctx) {
  channel::Channel* ch = my_channel();
  constexpr std::uint64_t kHalf = kCap / 2;
  auto* out = static_cast<std::uint8_t*>(dst);
  auto start = [&](std::uint64_t at, std::uint64_t want, std::uint64_t slot) {
    channel::Request& rq = ch->req;
    rq.op = 17;  // pread64
    rq.args[0] = proxy_fd;
    rq.args[1] = static_cast<long>(slot);
    rq.args[2] = static_cast<long>(want);
    rq.args[3] = static_cast<long>(off + at);
    rq.ptr_mask = 1u << 1;
    rq.iov_mask = 0;
    rq.extent[1] = want;
    proxy_start(ch);
  };
  auto finish = [&](std::uint64_t want) {
    long r = proxy_finish(ch);
    if (r < -abi::kMaxErrno || r > static_cast<long>(want)) return iago("pread64", "length", r);
    return r;
  };
  std::uint64_t done = 0, slot = 0, want = len < kHalf ? len : kHalf;
  if (want == 0) return 0;
  // More than one piece: the worker reads on another CPU while this thread copies.
  const bool spread = len > kHalf;
  if (spread) __atomic_store_n(&ch->spread, 1, __ATOMIC_RELAXED);
  start(0, want, slot);
  long r = finish(want);
  while (r > 0) {
    std::uint64_t got = static_cast<std::uint64_t>(r), next = done + got;
    std::uint64_t next_want = len - next < kHalf ? len - next : kHalf;
    if (next_want > 0) start(next, next_want, slot ^ kHalf);  // the proxy fills the other half meanwhile
    if (copy) copy(ctx, out + done, ch->data + slot, off + done, got);
    else __builtin_memcpy(out + done, ch->data + slot, got);
    done = next;
    if (next_want == 0) break;
    slot ^= kHalf;
    r = finish(next_want);
  }
  if (spread) __atomic_store_n(&ch->spread, 0, __ATOMIC_RELAXED);
  if (r < 0) return r;
  return static_cast<long>(done);
}

long proxy_pread(int proxy_fd, void* dst, std::uint64_t len, std::uint64_t off) {
  return proxy_pread_each(proxy_fd, dst, len, off, nullptr, nullptr);
}

long proxy_fd_link(int proxy_fd, char* out, std::uint64_t cap) {
  char link[32];
  std::size_t n = snformat(link, sizeof link, "/proc/self/fd/%d", proxy_fd);
  ProxyRequest rq(89);  // readlink
  if (!rq.in_bytes(0, link, n + 1) || !rq.out(1, cap)) return -abi::kENOMEM;
  rq.arg(2, static_cast<long>(cap));
  long r = rq.call("readlink");
  if (r < 0) return r;
  if (static_cast<std::uint64_t>(r) > cap) return iago("readlink", "length", r);
  __builtin_memcpy(out, rq.data(1), static_cast<std::uint64_t>(r));
  return r;
}

ProxyRequest::ProxyRequest(long op) : ch_(my_channel()) {
  ch_->req.op = static_cast<std::uint64_t>(op);
  ch_->req.ptr_mask = 0;
  ch_->req.iov_mask = 0;
  for (long& a : ch_->req.args) a = 0;
}

void ProxyRequest::arg(int i, long v) { ch_->req.args[i] = v; }

bool ProxyRequest::place(int i, std::uint64_t len) {
  if (len > kCap || used_ + len > kCap) return false;
  off_[i] = used_;
  size_[i] = len;
  ch_->req.args[i] = static_cast<long>(used_);
  ch_->req.extent[i] = len;
  ch_->req.ptr_mask |= 1u << i;
  used_ = align8(used_ + len);
  return true;
}

bool ProxyRequest::in(int i, std::uint64_t user_ptr, std::uint64_t len) {
  if (!place(i, len)) return false;
  return user::copy_from(ch_->data + off_[i], user_ptr, len);
}

bool ProxyRequest::in_bytes(int i, const void* src, std::uint64_t len) {
  if (!place(i, len)) return false;
  __builtin_memcpy(ch_->data + off_[i], src, len);
  return true;
}

bool ProxyRequest::out(int i, std::uint64_t len) { return place(i, len); }

std::uint8_t* ProxyRequest::data(int i) { return ch_->data + off_[i]; }

long ProxyRequest::call(const char* name) {
  long r = proxy_roundtrip(ch_);
  if (r < -abi::kMaxErrno) return iago(name, "errno", r);
  return r;
}

long forward_generic(const SyscallInfo& info, SyscallFrame& f) {
  long handled;
  if (apply_file_policy(info, f, &handled)) return handled;
  long ret = forward_marshalled(info, f);
  if (ret == -abi::kEPIPE) raise_sigpipe_for(f);
  if (ret >= 0 && (info.flags & syscalls::kNewFd)) note_opened(info, f, ret);
  if (ret == 0 && f.nr == 5 && trusted::is_trusted_fd(static_cast<int>(f.a[0]))) {
    // The size of a trusted file is the verified one, not what the host reports.
    std::int64_t size = static_cast<std::int64_t>(trusted::size_of(static_cast<int>(f.a[0])));
    user::copy_to(static_cast<std::uint64_t>(f.a[1]) + 48, &size, 8);
  }
  // A vfork child's cwd is its proxy fork's, not the program's.
  if (ret == 0 && (f.nr == 80 || f.nr == 81) && !vfork::current()) note_chdir(f);
  return ret;
}

static long forward_marshalled(const SyscallInfo& info, SyscallFrame& f) {
  channel::Channel* ch = my_channel();
  channel::Request& rq = ch->req;
  rq.op = static_cast<std::uint64_t>(f.nr);
  rq.ptr_mask = 0;
  rq.iov_mask = 0;
  long vals[6];
  for (int i = 0; i < 6; ++i) vals[i] = f.a[i], rq.args[i] = f.a[i];

  std::uint64_t used = 0;
  std::uint64_t size[6] = {};      // bytes reserved for each pointer argument
  std::uint64_t offset[6] = {};    // where in data
  bool clamped_count[6] = {};      // a size_arg count that was reduced to fit
  long count_override[6] = {};
  std::uint64_t iov_total_bytes[6] = {};
  std::uint64_t user_iov[6] = {};  // program iovec array address (IovOut scatter)

  for (int i = 0; i < 6; ++i) {
    const ArgSpec& a = info.args[i];
    switch (a.kind) {
      case Arg::None:
      case Arg::Int:
        break;
      case Arg::Fd: {
        int pfd = fd::to_proxy(static_cast<int>(vals[i]));
        if (pfd < 0) {
          if ((info.flags & syscalls::kAtFdCwd) && static_cast<int>(vals[i]) == abi::kAtFdcwd) break;
          return -abi::kEBADF;
        }
        rq.args[i] = pfd;
        break;
      }
      case Arg::Path:
      case Arg::Str: {
        if (!vals[i]) break;  // the proxy's kernel reports EFAULT
        long n = user::strnlen(static_cast<std::uint64_t>(vals[i]), 4096);
        if (n < 0) return n;
        if (n >= 4096) return -abi::kENAMETOOLONG;
        std::uint64_t bytes = static_cast<std::uint64_t>(n) + 1;
        constexpr std::uint64_t kAliasRoom = 16;  // /proc/<pid> may become the longer /proc/self
        if (used + bytes + kAliasRoom > kCap) return -abi::kENAMETOOLONG;
        // Checked copy: another thread may unmap the string after strnlen measured it.
        if (!user::copy_from(ch->data + used, static_cast<std::uint64_t>(vals[i]), bytes)) return -abi::kEFAULT;
        if (a.kind == Arg::Path)
          bytes = proc::alias_own_pid(reinterpret_cast<char*>(ch->data + used), static_cast<std::size_t>(n),
                                      static_cast<std::size_t>(bytes + kAliasRoom)) + 1;
        rq.args[i] = static_cast<long>(used);
        rq.extent[i] = bytes;
        rq.ptr_mask |= 1u << i;
        offset[i] = used;
        used += align8(bytes);
        break;
      }
      case Arg::In:
      case Arg::Out:
      case Arg::InOut: {
        if (!vals[i]) break;
        std::uint64_t bytes;
        if (a.size_arg >= 0) {
          long count = clamped_count[a.size_arg] ? count_override[a.size_arg] : vals[a.size_arg];
          if (count < 0) return -abi::kEINVAL;
          std::uint64_t elem = a.elem_size ? a.elem_size : 1;
          std::uint64_t room = (kCap - used) / elem;
          if (static_cast<std::uint64_t>(count) > room) {
            // Byte-count calls may legally do less than asked (short read/write).
            count = static_cast<long>(room);
            clamped_count[a.size_arg] = true;
            count_override[a.size_arg] = count;
          }
          bytes = static_cast<std::uint64_t>(count) * elem;
        } else if (a.size_arg == syscalls::kSizeFromPtr) {
          if (!vals[i + 1]) return -abi::kEFAULT;
          std::uint32_t len;
          if (!user::copy_from(&len, static_cast<std::uint64_t>(vals[i + 1]), 4)) return -abi::kEFAULT;
          if (static_cast<std::int32_t>(len) < 0) return -abi::kEINVAL;
          bytes = len;
          if (bytes > 65536) bytes = 65536;
        } else {
          bytes = a.fixed_size;
        }
        if (used + bytes > kCap) return -abi::kENOMEM;
        if (!user::range_ok(static_cast<std::uint64_t>(vals[i]), bytes)) return -abi::kEFAULT;
        if (a.kind != Arg::Out) {
          if (!user::copy_from(ch->data + used, static_cast<std::uint64_t>(vals[i]), bytes)) return -abi::kEFAULT;
        }
        rq.args[i] = static_cast<long>(used);
        rq.extent[i] = bytes;
        rq.ptr_mask |= 1u << i;
        size[i] = bytes;
        offset[i] = used;
        used += align8(bytes);
        break;
      }
      case Arg::IovIn:
      case Arg::IovOut: {
        long count = vals[a.size_arg];
        if (count < 0 || count > 1024) return -abi::kEINVAL;
        std::uint64_t iov_at = used;
        used += 16;
        std::uint64_t data_at = used, total = 0;
        for (long k = 0; k < count; ++k) {
          std::uint64_t iov[2];
          if (!user::copy_from(iov, static_cast<std::uint64_t>(vals[i]) + static_cast<std::uint64_t>(k) * 16, 16))
            return -abi::kEFAULT;
          std::uint64_t take = iov[1];
          if (take > kCap - used) take = kCap - used;
          if (take && !user::range_ok(iov[0], take)) return -abi::kEFAULT;
          if (a.kind == Arg::IovIn && take &&
              !user::copy_from(ch->data + used, iov[0], take))
            return -abi::kEFAULT;
          used += take;
          total += take;
          if (take < iov[1]) break;
        }
        std::uint64_t one[2] = {data_at, total};
        __builtin_memcpy(ch->data + iov_at, one, 16);
        rq.args[i] = static_cast<long>(iov_at);
        rq.extent[i] = 16 + total;
        rq.iov_mask |= 1u << i;
        clamped_count[a.size_arg] = true;
        count_override[a.size_arg] = 1;
        iov_total_bytes[i] = total;
        offset[i] = data_at;
        user_iov[i] = static_cast<std::uint64_t>(vals[i]);
        used = align8(used);
        break;
      }
      case Arg::Special:
        report_unsupported(f.nr, "argument needs a dedicated marshaller");
        return -abi::kENOSYS;
    }
  }
  for (int i = 0; i < 6; ++i)
    if (clamped_count[i]) rq.args[i] = count_override[i];
  // A value-result length (accept's addrlen…) tells the kernel how much room there is: the
  // room actually reserved.
  for (int i = 0; i < 5; ++i)
    if (info.args[i].size_arg == syscalls::kSizeFromPtr && vals[i] && vals[i + 1]) {
      std::uint32_t room = static_cast<std::uint32_t>(size[i]);
      __builtin_memcpy(ch->data + offset[i + 1], &room, 4);
    }
  // accept and accept4 also bring the new socket's addresses, once the program has shown that
  // it asks for them (Java's HTTP server does per connection).
  std::uint64_t names_at = 0;
  if ((f.nr == 43 || f.nr == 288) && sock_names::asked() && !vfork::current() &&
      used + sizeof(channel::AcceptNames) <= kCap) {
    rq.op = channel::kOpAcceptNames;
    if (f.nr == 43) rq.args[3] = 0;
    names_at = used;
    rq.args[4] = static_cast<long>(used);
    rq.extent[4] = sizeof(channel::AcceptNames);
    rq.ptr_mask |= 1u << 4;
    used += align8(sizeof(channel::AcceptNames));
  }

  long ret = proxy_roundtrip(ch);
  if (ret < -abi::kMaxErrno) return iago(info.name, "errno", ret);
  if (ret < 0) return ret;

  for (int i = 0; i < 6; ++i) {
    const ArgSpec& a = info.args[i];
    if (!vals[i]) continue;
    if (a.kind == Arg::Out || a.kind == Arg::InOut) {
      std::uint64_t n = size[i];
      if ((info.flags & syscalls::kOutSizeIsResult) && a.size_arg >= 0) {
        if (size[i] == 0) continue;  // size 0 asks for the needed length (getxattr…)
        std::uint64_t elem = a.elem_size ? a.elem_size : 1;
        if (static_cast<std::uint64_t>(ret) * elem > size[i]) return iago(info.name, "length", ret);
        n = static_cast<std::uint64_t>(ret) * elem;
      } else if (a.size_arg == syscalls::kSizeFromPtr) {
        std::uint32_t after;
        __builtin_memcpy(&after, ch->data + offset[i + 1], 4);
        if (after < n) n = after;
      }
      if (!user::copy_to(static_cast<std::uint64_t>(vals[i]), ch->data + offset[i], n)) return -abi::kEFAULT;
    } else if (a.kind == Arg::IovOut) {
      if (static_cast<std::uint64_t>(ret) > iov_total_bytes[i]) return iago(info.name, "length", ret);
      std::uint64_t left = static_cast<std::uint64_t>(ret), from = offset[i];
      for (long k = 0; left; ++k) {
        std::uint64_t iov[2];
        user::copy_from(iov, user_iov[i] + static_cast<std::uint64_t>(k) * 16, 16);
        std::uint64_t n = iov[1] < left ? iov[1] : left;
        if (!user::copy_to(iov[0], ch->data + from, n)) return -abi::kEFAULT;
        from += n;
        left -= n;
      }
    } else if (a.kind == Arg::IovIn) {
      if (static_cast<std::uint64_t>(ret) > iov_total_bytes[i]) return iago(info.name, "length", ret);
    } else if (a.kind == Arg::In && a.size_arg >= 0 && i == 1 && (f.nr == 1 || f.nr == 18 || f.nr == 44)) {
      // write, pwrite64, sendto: cannot have sent more than was given
      if (static_cast<std::uint64_t>(ret) > size[i]) return iago(info.name, "length", ret);
    }
  }
  if (info.flags & syscalls::kNewFd) {
    int pfd = fd::adopt(ret);
    if (pfd < 0) return iago(info.name, "new fd", ret);
    if (f.nr == 43 || f.nr == 288) {  // accept, accept4
      fd_status::created_with(pfd, fd_status::new_socket_flags(f.nr == 288 ? f.a[3] : 0));
      channel::AcceptNames names;
      if (names_at) __builtin_memcpy(&names, ch->data + names_at, sizeof names);  // once: the host may change it
      sock_names::accepted(pfd, names_at ? &names : nullptr);
      deferred::accepted(pfd, static_cast<int>(f.a[0]));
    } else if (f.nr == 41) {  // socket
      fd_status::created_with(pfd, fd_status::new_socket_flags(f.a[1]));
      deferred::made_socket(pfd, f.a[0], f.a[1], f.a[2]);
    } else {
      fd_status::created(pfd);
      if (f.nr == 213 || f.nr == 291) deferred::made_epoll(pfd);  // epoll_create, epoll_create1
    }
    return pfd;
  }
  if (info.flags & syscalls::kNewFdPair) {
    int pair[2];
    for (int i = 0; i < 6; ++i)
      if (info.args[i].kind == Arg::Out && vals[i]) __builtin_memcpy(pair, ch->data + offset[i], 8);
    int a0 = fd::adopt(pair[0]);
    if (a0 < 0) return iago(info.name, "new fd", pair[0]);
    if (fd::adopt(pair[1]) < 0) {
      fd::forget(a0);
      return iago(info.name, "new fd", pair[1]);
    }
    fd_status::created(pair[0]);
    fd_status::created(pair[1]);
  }
  // File sizes and counts in stat results must be sane.
  if (f.nr == 4 || f.nr == 5 || f.nr == 6 || f.nr == 262) {
    int out = (f.nr == 262) ? 2 : 1;
    if (size[out] >= 144) {
      long st_size = load_long(ch->data + offset[out] + 48), st_blocks = load_long(ch->data + offset[out] + 64);
      if (st_size < 0 || st_blocks < 0) {
        user::fill(static_cast<std::uint64_t>(vals[out]), 0, 144);
        return iago(info.name, "st_size", st_size);
      }
    }
  } else if (f.nr == 332 && size[4] >= 256) {
    long stx_size = load_long(ch->data + offset[4] + 40);
    if (stx_size < 0) {
      user::fill(static_cast<std::uint64_t>(vals[4]), 0, 256);
      return iago(info.name, "stx_size", stx_size);
    }
  }
  return ret;
}

}  // namespace cocoon::shim
