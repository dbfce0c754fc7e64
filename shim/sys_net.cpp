// Socket calls whose arguments hold pointers to more pointers (struct msghdr) or value-result
// lengths: sendmsg, recvmsg, getsockopt. The data area carries
//   [struct msghdr][name][one struct iovec][payload][control]
// with every pointer inside the msghdr replaced by an offset (the proxy turns them back).
// And bind and listen, whose (implicit) address the manifest's net.bind must allow
// (shim/net_policy.hpp).
#include "shim/deferred_calls.hpp"
#include "shim/fdtable.hpp"
#include "shim/sock_names.hpp"
#include "shim/forward.hpp"
#include "shim/linux_abi.hpp"
#include "shim/net_policy.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/user_memory.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::shim {
namespace {

struct MsgHdr {
  std::uint64_t name;
  std::uint32_t namelen, pad0;
  std::uint64_t iov;
  std::uint64_t iovlen;
  std::uint64_t control;
  std::uint64_t controllen;
  std::int32_t flags, pad1;
};
static_assert(sizeof(MsgHdr) == 56);

constexpr std::uint64_t kMaxName = 128, kMaxControl = 4096;

long do_msg(long op, int fdn, std::uint64_t umsg, long flags) {
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  MsgHdr m;
  if (!user::read(m, umsg)) return -abi::kEFAULT;
  if (m.iovlen > 1024) return -abi::kEMSGSIZE_OR_INVAL;
  std::uint64_t namelen = m.name ? (m.namelen < kMaxName ? m.namelen : kMaxName) : 0;
  std::uint64_t ctllen = m.control ? (m.controllen < kMaxControl ? m.controllen : kMaxControl) : 0;
  // Total payload, bounded by what fits.
  std::uint64_t total = 0;
  for (std::uint64_t k = 0; k < m.iovlen; ++k) {
    std::uint64_t iov[2];
    if (!user::copy_from(iov, m.iov + k * 16, 16)) return -abi::kEFAULT;
    total += iov[1];
  }
  std::uint64_t room = channel::kChannelDataSize - 56 - kMaxName - 16 - kMaxControl - 64;
  if (total > room) total = room;
  ProxyRequest rq(op);
  rq.arg(0, fdn);
  rq.arg(2, flags);
  if (!rq.out(1, 56 + kMaxName + 16 + total + kMaxControl)) return -abi::kENOMEM;
  std::uint8_t* d = rq.data(1);
  std::uint64_t base = static_cast<std::uint64_t>(d - my_channel()->data);
  MsgHdr pm{};
  pm.name = namelen ? base + 56 : 0;
  pm.namelen = static_cast<std::uint32_t>(namelen);
  pm.iov = base + 56 + kMaxName;
  pm.iovlen = 1;
  pm.control = ctllen ? base + 56 + kMaxName + 16 + total : 0;
  pm.controllen = ctllen;
  std::uint64_t one[2] = {base + 56 + kMaxName + 16, total};
  __builtin_memcpy(d + 56 + kMaxName, one, 16);
  if (op == 46) {  // sendmsg: copy name, payload, control in
    if (namelen && !user::copy_from(d + 56, m.name, namelen)) return -abi::kEFAULT;
    std::uint64_t at = 0;
    for (std::uint64_t k = 0; k < m.iovlen && at < total; ++k) {
      std::uint64_t iov[2];
      user::copy_from(iov, m.iov + k * 16, 16);
      std::uint64_t n = iov[1] < total - at ? iov[1] : total - at;
      if (n && !user::copy_from(d + 56 + kMaxName + 16 + at, iov[0], n)) return -abi::kEFAULT;
      at += n;
    }
    if (ctllen) {
      if (!user::copy_from(d + 56 + kMaxName + 16 + total, m.control, ctllen)) return -abi::kEFAULT;
      // Passing fds (SCM_RIGHTS) from the enclave is not supported: refuse rather than leak
      // proxy fd numbers that mean something else.
      std::uint32_t level, type;
      __builtin_memcpy(&level, d + 56 + kMaxName + 16 + total + 8, 4);
      __builtin_memcpy(&type, d + 56 + kMaxName + 16 + total + 12, 4);
      if (level == 1 && type == 1) return -abi::kEOPNOTSUPP_MMAP;
    }
  }
  __builtin_memcpy(d, &pm, 56);
  long r = rq.call(op == 46 ? "sendmsg" : "recvmsg");
  if (r < 0) return r;
  if (static_cast<std::uint64_t>(r) > total) return iago(op == 46 ? "sendmsg" : "recvmsg", "length", r);
  if (op == 47) {
    MsgHdr after;
    __builtin_memcpy(&after, d, 56);
    std::uint64_t left = static_cast<std::uint64_t>(r), from = 0;
    for (std::uint64_t k = 0; k < m.iovlen && left; ++k) {
      std::uint64_t iov[2];
      user::copy_from(iov, m.iov + k * 16, 16);
      std::uint64_t n = iov[1] < left ? iov[1] : left;
      if (!user::copy_to(iov[0], d + 56 + kMaxName + 16 + from, n)) return -abi::kEFAULT;
      from += n;
      left -= n;
    }
    if (namelen) {
      std::uint64_t got = after.namelen < namelen ? after.namelen : namelen;
      if (!user::copy_to(m.name, d + 56, got)) return -abi::kEFAULT;
      m.namelen = after.namelen;
    }
    if (ctllen) {
      std::uint64_t got = after.controllen < ctllen ? after.controllen : ctllen;
      // Received fds (SCM_RIGHTS) are new proxy fds: enter them in the fd table.
      std::uint8_t* c = d + 56 + kMaxName + 16 + total;
      for (std::uint64_t off = 0; off + 16 <= got;) {
        std::uint64_t len;
        std::uint32_t level, type;
        __builtin_memcpy(&len, c + off, 8);
        __builtin_memcpy(&level, c + off + 8, 4);
        __builtin_memcpy(&type, c + off + 12, 4);
        if (len < 16 || off + len > got) break;
        if (level == 1 && type == 1)
          for (std::uint64_t k = 16; k + 4 <= len; k += 4) {
            std::int32_t nfd;
            __builtin_memcpy(&nfd, c + off + k, 4);
            if (fd::adopt(nfd) < 0) return iago("recvmsg", "passed fd", nfd);
          }
        off += (len + 7) & ~7ull;
      }
      if (!user::copy_to(m.control, c, got)) return -abi::kEFAULT;
      m.controllen = got;
    } else {
      m.controllen = 0;
    }
    m.flags = after.flags;
    if (!user::write(umsg, m)) return -abi::kEFAULT;
  }
  return r;
}

}  // namespace

long sys_sendmsg(SyscallFrame& f) {
  long r = do_msg(46, static_cast<int>(f.a[0]), static_cast<std::uint64_t>(f.a[1]), f.a[2]);
  if (r == -abi::kEPIPE) raise_sigpipe_for(f);
  return r;
}
long sys_recvmsg(SyscallFrame& f) { return do_msg(47, static_cast<int>(f.a[0]), static_cast<std::uint64_t>(f.a[1]), f.a[2]); }

// The address is copied into the enclave once; that copy is both what the policy checks and
// what the proxy binds, so another thread rewriting the program's buffer meanwhile changes
// nothing. Errors in Linux's order: EBADF, then EINVAL (length), EFAULT, then the policy.
long sys_bind(SyscallFrame& f) {
  int fdn = static_cast<int>(f.a[0]);
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  constexpr std::int32_t kSockaddrStorage = 128;
  const std::int32_t len = static_cast<std::int32_t>(f.a[2]);
  if (len < 0 || len > kSockaddrStorage) return -abi::kEINVAL;
  std::uint8_t sa[kSockaddrStorage];
  if (len > 0 && !user::copy_from(sa, static_cast<std::uint64_t>(f.a[1]), static_cast<std::uint64_t>(len)))
    return -abi::kEFAULT;
  if (long refused = net::check_bind(sa, static_cast<std::size_t>(len))) return refused;
  ProxyRequest rq(49);
  rq.arg(0, fdn);
  if (len > 0 && !rq.in_bytes(1, sa, static_cast<std::uint64_t>(len))) return -abi::kENOMEM;
  rq.arg(2, len);
  return rq.call("bind");
}

// Under net.bind, the socket's address (getsockname, from the proxy) tells whether listen
// would bind it implicitly; without the policy listen is forwarded as it is.
long sys_listen(SyscallFrame& f) {
  int fdn = static_cast<int>(f.a[0]);
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  if (net::active()) {
    constexpr std::uint32_t kSockaddrStorage = 128;
    std::uint32_t len = kSockaddrStorage;
    ProxyRequest name(51);
    name.arg(0, fdn);
    if (!name.out(1, kSockaddrStorage) || !name.in_bytes(2, &len, 4)) return -abi::kENOMEM;
    long r = name.call("getsockname");
    if (r == kRestartSyscall) return r;
    if (r == 0) {  // a failure (ENOTSOCK…) is listen's to report
      __builtin_memcpy(&len, name.data(2), 4);
      if (len > kSockaddrStorage) return iago("getsockname", "address length", len);
      if (long refused = net::check_listen(name.data(1), len)) return refused;
    }
  }
  ProxyRequest rq(50);
  rq.arg(0, fdn);
  rq.arg(1, f.a[1]);
  return rq.call("listen");
}

long sys_getsockname(SyscallFrame& f) {
  if (!fd::is_open(static_cast<int>(f.a[0]))) return -abi::kEBADF;
  return sock_names::get(f);
}

long sys_getpeername(SyscallFrame& f) {
  if (!fd::is_open(static_cast<int>(f.a[0]))) return -abi::kEBADF;
  return sock_names::get(f);
}

long sys_getsockopt(SyscallFrame& f) {
  int fdn = static_cast<int>(f.a[0]);
  if (!fd::is_open(fdn)) return -abi::kEBADF;
  std::uint64_t optval = static_cast<std::uint64_t>(f.a[3]), optlen_p = static_cast<std::uint64_t>(f.a[4]);
  std::uint32_t len = 0;
  if (optlen_p && !user::read(len, optlen_p)) return -abi::kEFAULT;
  if (static_cast<std::int32_t>(len) < 0) return -abi::kEINVAL;
  if (len > 1024) len = 1024;
  ProxyRequest rq(55);
  rq.arg(0, fdn);
  rq.arg(1, f.a[1]);
  rq.arg(2, f.a[2]);
  if (optval && len && !rq.out(3, len)) return -abi::kENOMEM;
  if (optlen_p && !rq.in_bytes(4, &len, 4)) return -abi::kENOMEM;
  long r = rq.call("getsockopt");
  if (r < 0) return r;
  std::uint32_t after = len;
  if (optlen_p) __builtin_memcpy(&after, rq.data(4), 4);
  std::uint32_t copy = after < len ? after : len;
  if (optval && copy && !user::copy_to(optval, rq.data(3), copy)) return -abi::kEFAULT;
  if (optlen_p && !user::write(optlen_p, after)) return -abi::kEFAULT;
  return r;
}

// setsockopt: forwarded as the table says, unless it can be deferred (TCP_NODELAY on a TCP
// socket only this process holds).
long sys_setsockopt(SyscallFrame& f) {
  if (deferred::setsockopt(static_cast<int>(f.a[0]), f.a[1], f.a[2], static_cast<std::uint64_t>(f.a[3]), f.a[4])) return 0;
  return forward_generic(*syscalls::find_syscall(54), f);
}

}  // namespace cocoon::shim
