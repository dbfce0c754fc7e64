// The fd table's calls (close, dup*) and the forwarded calls whose arguments need a
// dedicated marshaller: ioctl, fcntl, sendfile.
#include "shim/pseudo_files.hpp"
#include "shim/deferred_calls.hpp"
#include "shim/fd_status.hpp"
#include "shim/sock_names.hpp"
#include "shim/fdtable.hpp"
#include "shim/local_files.hpp"
#include "shim/local_poll.hpp"
#include "shim/file_policy.hpp"
#include "shim/trusted_files.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "syscalls/syscall_table.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/vfork.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

// ioctl requests the shim knows how to carry, with the size and direction of their argument.
struct IoctlSpec {
  unsigned long request;
  std::uint16_t size;
  enum : std::uint8_t { kNone, kIn, kOut, kInt } dir;
};
constexpr IoctlSpec kIoctls[] = {
    {0x5401, 36, IoctlSpec::kOut},  // TCGETS (the kernel's struct termios: 4 flags, c_line, 19 c_cc)
    {0x5402, 36, IoctlSpec::kIn},   // TCSETS
    {0x5403, 36, IoctlSpec::kIn},   // TCSETSW
    {0x5404, 36, IoctlSpec::kIn},   // TCSETSF
    {0x540F, 4, IoctlSpec::kOut},   // TIOCGPGRP
    {0x5410, 4, IoctlSpec::kIn},    // TIOCSPGRP
    {0x5413, 8, IoctlSpec::kOut},   // TIOCGWINSZ
    {0x5414, 8, IoctlSpec::kIn},    // TIOCSWINSZ
    {0x541B, 4, IoctlSpec::kOut},   // FIONREAD
    {0x5421, 4, IoctlSpec::kIn},    // FIONBIO
    {0x5452, 4, IoctlSpec::kIn},    // FIOASYNC
    {0x5450, 0, IoctlSpec::kNone},  // FIONCLEX
    {0x5451, 0, IoctlSpec::kNone},  // FIOCLEX
    {0x540B, 0, IoctlSpec::kInt},   // TCFLSH
    {0x80045430, 4, IoctlSpec::kOut},  // TIOCGPTN (pseudo-terminal number, for ptsname)
    {0x40045431, 4, IoctlSpec::kIn},   // TIOCSPTLCK (unlockpt)
    {0x5441, 0, IoctlSpec::kInt},      // TIOCGPTPEER (opens the peer: a new fd)
    {0x5409, 0, IoctlSpec::kInt},   // TCSBRK
};

// A vfork child's fd table and in-enclave pipes are its own copies; the rest of the shim's
// per-fd state (trusted files, /proc files, epoll interests, paths) is the process's, which
// the child's dup2 and close before its execve must not change.
void note_dup(int from, int to) {
  local::on_dup(from, to);
  fd_status::shared(from);
  fd_status::shared(to);
  sock_names::forget(to);
  if (vfork::current()) return;
  deferred::closing(to);
  trusted::on_dup(from, to);
  pseudo::on_dup(from, to);
  policy::copy_fd_path(from, to);
}

long dup_result(long r, const char* name, int from) {
  if (r < 0) return r;
  if (fd::adopt(r) < 0) return iago(name, "new fd", r);
  note_dup(from, static_cast<int>(r));
  return r;
}

void closed(int fdn) {
  fd::forget(fdn);
  fd_status::shared(fdn);
  sock_names::forget(fdn);
  local::on_close(fdn);
  if (vfork::current()) return;  // see note_dup
  deferred::closing(fdn);
  trusted::on_close(fdn);
  pseudo::on_close(fdn);
  localpoll::forget_epoll(fdn);
  policy::forget_fd_path(fdn);
}

}  // namespace

static long fd_limit() { return fd::program_limit(); }

namespace {

// A linux_dirent64 entry that names a symlink called by a decimal number >= limit.
bool names_proxy_fd(const std::uint8_t* e, std::uint64_t reclen, long limit) {
  constexpr std::uint64_t kName = 19;  // d_ino 8, d_off 8, d_reclen 2, d_type 1
  constexpr std::uint8_t kDtLnk = 10;
  if (reclen <= kName || e[18] != kDtLnk) return false;
  long v = 0;
  std::uint64_t i = kName;
  for (; i < reclen && e[i]; ++i) {
    if (e[i] < '0' || e[i] > '9' || v > fd::kMaxFds) return false;
    v = v * 10 + (e[i] - '0');
  }
  return i > kName && v >= limit;
}

}  // namespace

// getdents64 as forwarded, except that a listing of the proxy's /proc/<pid>/fd (the program's
// /proc/self/fd: the proxy holds the program's fds) leaves out the fds above the program's
// range (the shim's, and the proxy's own: the spawner's socket).
long sys_getdents64(SyscallFrame& f) {
  long n = forward_generic(*syscalls::find_syscall(217), f);
  long limit = fd_limit();
  if (n <= 0) return n;
  auto len = static_cast<std::uint64_t>(n);
  auto* buf = static_cast<std::uint8_t*>(heap::alloc(len));
  if (!buf) return n;
  std::uint64_t out = 0;
  bool dropped = false, proc_checked = false, is_proc = false;
  if (user::copy_from(buf, static_cast<std::uint64_t>(f.a[1]), len)) {
    for (std::uint64_t at = 0; at + 19 <= len;) {
      std::uint16_t reclen;
      __builtin_memcpy(&reclen, buf + at + 16, 2);
      if (reclen < 19 || reclen > len - at) break;  // checked by nobody else: keep the rest as it is
      bool drop = false;
      if (names_proxy_fd(buf + at, reclen, limit)) {
        if (!proc_checked) {
          constexpr long kProcSuperMagic = 0x9fa0;
          ProxyRequest st(138);  // fstatfs
          st.arg(0, f.a[0]);
          long type = 0;
          if (st.out(1, 120) && st.call("fstatfs") == 0) __builtin_memcpy(&type, st.data(1), 8);
          is_proc = type == kProcSuperMagic;
          proc_checked = true;
        }
        drop = is_proc;
      }
      if (drop) dropped = true;
      else {
        if (out != at) __builtin_memmove(buf + out, buf + at, reclen);
        out += reclen;
      }
      at += reclen;
    }
  }
  if (dropped && user::copy_to(static_cast<std::uint64_t>(f.a[1]), buf, out)) n = static_cast<long>(out);
  heap::free(buf, len);
  return n;
}

long sys_close(SyscallFrame& f) {
  int fdn = static_cast<int>(f.a[0]);
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  bool later = deferred::close(fdn);  // decided while fd_status still knows the file is private
  closed(fdn);
  if (later) return 0;
  long r = proxy_call(3, fdn);
  return r == -abi::kEBADF ? 0 : r;  // the number is free either way
}

long sys_close_range(SyscallFrame& f) {
  std::uint64_t first = static_cast<std::uint64_t>(f.a[0]), last = static_cast<std::uint64_t>(f.a[1]);
  long flags = f.a[2];
  if (first > last) return -abi::kEINVAL;
  if (flags & ~6l) return -abi::kEINVAL;
  if (last >= static_cast<std::uint64_t>(fd::kMaxFds)) last = fd::kMaxFds - 1;
  for (std::uint64_t i = first; i <= last; ++i) {
    if (!fd::is_open(static_cast<int>(i))) continue;
    if (flags & 4) {  // CLOSE_RANGE_CLOEXEC: what a child process started later will not get
      long fl = proxy_call(72, static_cast<long>(i), 1 /* F_GETFD */);
      if (fl >= 0 && !(fl & 1)) proxy_call(72, static_cast<long>(i), 2 /* F_SETFD */, fl | 1);
      continue;
    }
    closed(static_cast<int>(i));
    proxy_call(3, static_cast<long>(i));
  }
  return 0;
}

long sys_dup(SyscallFrame& f) {
  if (!fd::is_open(static_cast<int>(f.a[0]))) return -abi::kEBADF;
  return dup_result(proxy_call(32, f.a[0]), "dup", static_cast<int>(f.a[0]));
}

long sys_dup2(SyscallFrame& f) {
  int oldfd = static_cast<int>(f.a[0]), newfd = static_cast<int>(f.a[1]);
  if (!fd::is_open(oldfd)) return -abi::kEBADF;
  if (newfd < 0 || newfd >= fd_limit()) return -abi::kEBADF;
  if (oldfd == newfd) return newfd;
  long r = proxy_call(33, oldfd, newfd);
  if (r < 0) return r;
  if (r != newfd) return iago("dup2", "new fd", r);
  fd::adopt_replacing(newfd);
  note_dup(oldfd, newfd);
  return newfd;
}

long sys_dup3(SyscallFrame& f) {
  int oldfd = static_cast<int>(f.a[0]), newfd = static_cast<int>(f.a[1]);
  if (!fd::is_open(oldfd)) return -abi::kEBADF;
  if (newfd < 0 || newfd >= fd_limit()) return -abi::kEBADF;
  if (oldfd == newfd) return -abi::kEINVAL;
  long r = proxy_call(292, oldfd, newfd, f.a[2]);
  if (r < 0) return r;
  if (r != newfd) return iago("dup3", "new fd", r);
  fd::adopt_replacing(newfd);
  note_dup(oldfd, newfd);
  return newfd;
}

long sys_ioctl(SyscallFrame& f) {
  int fdn = static_cast<int>(f.a[0]);
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  unsigned long request = static_cast<unsigned long>(f.a[1]) & 0xffffffffu;
  if (local::is_local(fdn) && (request == 0x541B || request == 0x5421)) {  // FIONREAD, FIONBIO
    if (request == 0x541B) {
      std::int32_t n = static_cast<std::int32_t>(local::bytes_ready(fdn));
      return user::write(static_cast<std::uint64_t>(f.a[2]), n) ? 0 : -abi::kEFAULT;
    }
    std::int32_t on;
    if (!user::read(on, static_cast<std::uint64_t>(f.a[2]))) return -abi::kEFAULT;
    local::set_nonblocking(fdn, on != 0);  // and the placeholder's, below
  }
  for (const IoctlSpec& spec : kIoctls) {
    if (spec.request != request) continue;
    ProxyRequest rq(16);
    rq.arg(0, fdn);
    rq.arg(1, static_cast<long>(request));
    std::uint64_t argp = static_cast<std::uint64_t>(f.a[2]);
    if (spec.dir == IoctlSpec::kIn && !rq.in(2, argp, spec.size)) return -abi::kEFAULT;
    if (spec.dir == IoctlSpec::kOut && !rq.out(2, spec.size)) return -abi::kEFAULT;
    if (spec.dir == IoctlSpec::kInt) rq.arg(2, f.a[2]);
    long r;
    if (request == 0x5421) {  // FIONBIO: F_GETFL's O_NONBLOCK changes with it
      std::int32_t on = 0;
      if (!user::read(on, argp)) return -abi::kEFAULT;
      r = fd_status::set(fdn, on != 0, true, [&] { return rq.call("ioctl"); });
    } else {
      r = rq.call("ioctl");
      if (request == 0x5452 && r == 0) fd_status::shared(fdn);  // FIOASYNC: not followed
    }
    if (r < 0) return r;
    if (request == 0x5441) {  // TIOCGPTPEER: the new fd enters the table, as open's would
      if (fd::adopt(r) < 0) return iago("ioctl(TIOCGPTPEER)", "new fd", r);
      fd_status::created(static_cast<int>(r));
      return r;
    }
    if (spec.dir == IoctlSpec::kOut && !user::copy_to(argp, rq.data(2), spec.size)) return -abi::kEFAULT;
    return r;
  }
  report_unsupported(16, "this ioctl request is not carried across the enclave boundary (ENOTTY)");
  return -abi::kENOTTY;
}

long sys_fcntl(SyscallFrame& f) {
  int fdn = static_cast<int>(f.a[0]);
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  long cmd = f.a[1];
  switch (cmd) {
    case 0:     // F_DUPFD
    case 1030:  // F_DUPFD_CLOEXEC
      if (f.a[2] < 0 || f.a[2] >= fd_limit()) return -abi::kEINVAL;
      return dup_result(proxy_call(72, fdn, cmd, f.a[2]), "fcntl(F_DUPFD)", fdn);
    case 4: {                              // F_SETFL (the placeholder keeps the flags F_GETFL reads)
      long r = fd_status::set(fdn, f.a[2], false, [&] {
        return deferred::set_flags(fdn, f.a[2]) ? 0l : proxy_call(72, fdn, cmd, f.a[2]);
      });
      if (r == 0) local::set_nonblocking(fdn, (f.a[2] & 04000) != 0);
      return r;
    }
    case 3:                                // F_GETFL (cached while only this process holds the file)
      return fd_status::get(fdn, [&] { return proxy_call(72, fdn, cmd, 0); });
    case 1: case 2:                        // F_GETFD F_SETFD
    case 8: case 9:                        // F_SETOWN F_GETOWN
    case 1031: case 1032:                  // F_SETPIPE_SZ F_GETPIPE_SZ
    case 1033: case 1034:                  // F_ADD_SEALS F_GET_SEALS
    case 1024: case 1025: case 1026:       // F_SETLEASE F_GETLEASE F_NOTIFY
      return proxy_call(72, fdn, cmd, f.a[2]);
    case 5: case 6: case 7:                // F_GETLK F_SETLK F_SETLKW (struct flock)
    case 36: case 37: case 38: {           // F_OFD_GETLK F_OFD_SETLK F_OFD_SETLKW
      ProxyRequest rq(72);
      rq.arg(0, fdn);
      rq.arg(1, cmd);
      if (!rq.in(2, static_cast<std::uint64_t>(f.a[2]), 32)) return -abi::kEFAULT;
      long r = rq.call("fcntl");
      if (r < 0) return r;
      if ((cmd == 5 || cmd == 36) && !user::copy_to(static_cast<std::uint64_t>(f.a[2]), rq.data(2), 32))
        return -abi::kEFAULT;
      return r;
    }
    default:
      report_unsupported(72, "this fcntl command is not supported (EINVAL)");
      return -abi::kEINVAL;
  }
}

// sendfile, splice and tee move data inside the kernel: an in-enclave pipe or eventfd among
// their fds moves to the host first (what it buffers goes along, shim/local_files.hpp), for
// good; the host kernel then does the call.
static long to_host(int a, int b) {
  int fds[2] = {a, b};
  for (int x : fds)
    if (local::is_local(x))
      if (long r = local::export_fd(x); r < 0) return r;
  return 0;
}

// splice and tee: both fds moved to the host if need be, then forwarded as the table says;
// more bytes than the call asked for cannot be an honest answer.
static long forward_splicing(SyscallFrame& f, int in_arg, int out_arg, int len_arg) {
  int in_fd = static_cast<int>(f.a[in_arg]), out_fd = static_cast<int>(f.a[out_arg]);
  if (!fd::is_open(in_fd) || !fd::is_open(out_fd)) return -abi::kEBADF;
  if (long r = to_host(in_fd, out_fd); r < 0) return r;
  const syscalls::SyscallInfo& info = *syscalls::find_syscall(f.nr);
  long r = forward_generic(info, f);
  if (r > f.a[len_arg]) return iago(info.name, "length", r);
  return r;
}

long sys_splice(SyscallFrame& f) { return forward_splicing(f, 0, 2, 4); }
long sys_tee(SyscallFrame& f) { return forward_splicing(f, 0, 1, 2); }

long sys_sendfile(SyscallFrame& f) {
  int out_fd = static_cast<int>(f.a[0]), in_fd = static_cast<int>(f.a[1]);
  if (!fd::is_open(out_fd) || !fd::is_open(in_fd)) return -abi::kEBADF;
  if (long r = to_host(out_fd, in_fd); r < 0) return r;
  ProxyRequest rq(40);
  rq.arg(0, out_fd);
  rq.arg(1, in_fd);
  std::uint64_t offp = static_cast<std::uint64_t>(f.a[2]);
  if (offp && !rq.in(2, offp, 8)) return -abi::kEFAULT;
  rq.arg(3, f.a[3]);
  long r = rq.call("sendfile");
  if (r == -abi::kEPIPE) raise_sigpipe_for(f);
  if (r < 0) return r;
  if (r > f.a[3]) return iago("sendfile", "length", r);
  if (offp && !user::copy_to(offp, rq.data(2), 8)) return -abi::kEFAULT;
  return r;
}

}  // namespace cocoon::shim

namespace cocoon::shim {

// mknod/mknodat: a FIFO, socket or regular file is a file like any other (the file policy
// applies, as for mkdir); a device node needs CAP_MKNOD, which the program never has.
static long make_node(SyscallFrame& f, long mode) {
  long type = mode & 0170000;
  if (type == 0020000 || type == 0060000) {  // S_IFCHR, S_IFBLK
    report_unsupported(f.nr, "device nodes are host administration (EPERM)");
    return -abi::kEPERM;
  }
  return forward_generic(*syscalls::find_syscall(f.nr), f);
}

long sys_mknod(SyscallFrame& f) { return make_node(f, f.a[1]); }
long sys_mknodat(SyscallFrame& f) { return make_node(f, f.a[2]); }

}  // namespace cocoon::shim
