// Turning a channel request back into a real syscall in the proxy.
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proxy/proxy.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::proxy {
namespace {

bool in_bounds(std::uint64_t off, std::uint64_t len, std::uint64_t size) {
  return off <= size && len <= size - off;
}

struct MsgHdr {
  std::uint64_t name;
  std::uint32_t namelen, pad0;
  std::uint64_t iov;
  std::uint64_t iovlen;
  std::uint64_t control;
  std::uint64_t controllen;
  std::int32_t flags, pad1;
};

// sendmsg/recvmsg: the msghdr's pointers are offsets into data; turn them into addresses.
bool translate_msghdr(std::uint8_t* data, std::uint64_t size, std::uint64_t at) {
  if (!in_bounds(at, sizeof(MsgHdr), size)) return false;
  MsgHdr m;
  std::memcpy(&m, data + at, sizeof m);
  if (m.name) {
    if (!in_bounds(m.name, m.namelen, size)) return false;
    m.name = reinterpret_cast<std::uint64_t>(data + m.name);
  }
  if (m.iovlen != 1 || !in_bounds(m.iov, 16, size)) return false;
  std::uint64_t iov[2];
  std::memcpy(iov, data + m.iov, 16);
  if (!in_bounds(iov[0], iov[1], size)) return false;
  iov[0] = reinterpret_cast<std::uint64_t>(data + iov[0]);
  std::memcpy(data + m.iov, iov, 16);
  m.iov = reinterpret_cast<std::uint64_t>(data + m.iov);
  if (m.control) {
    if (!in_bounds(m.control, m.controllen, size)) return false;
    m.control = reinterpret_cast<std::uint64_t>(data + m.control);
  }
  std::memcpy(data + at, &m, sizeof m);
  return true;
}

// After recvmsg the kernel wrote lengths into the msghdr; turn pointers back into offsets
// so that nothing of the proxy's address space leaks to the enclave.
void untranslate_msghdr(std::uint8_t* data, std::uint64_t at) {
  MsgHdr m;
  std::memcpy(&m, data + at, sizeof m);
  auto base = reinterpret_cast<std::uint64_t>(data);
  if (m.name) m.name -= base;
  if (m.control) m.control -= base;
  std::uint64_t iov_off = m.iov - base;
  std::uint64_t iov[2];
  std::memcpy(iov, data + iov_off, 16);
  iov[0] -= base;
  std::memcpy(data + iov_off, iov, 16);
  m.iov = iov_off;
  std::memcpy(data + at, &m, sizeof m);
}

// The kernel must not write past a pointer argument's extent: for rows the generic
// marshaller handles, the length argument the syscall will use is checked against it.
bool lengths_fit(const channel::Request& rq, const std::uint8_t* data) {
  const syscalls::SyscallInfo* info = syscalls::find_syscall(static_cast<long>(rq.op));
  if (!info) return true;  // the proxy's own ops (ping, close, dup…) carry no pointers
  for (int i = 0; i < 6; ++i) {
    const syscalls::ArgSpec& a = info->args[i];
    bool ptr = rq.ptr_mask & (1u << i);
    bool iov = rq.iov_mask & (1u << i);
    if (!ptr && !iov) continue;
    if (info->flags & syscalls::kCustom) continue;  // custom marshallers: extents only
    switch (a.kind) {
      case syscalls::Arg::In:
      case syscalls::Arg::Out:
      case syscalls::Arg::InOut: {
        if (!ptr) return false;  // an iovec where the table has a plain buffer
        std::uint64_t need;
        if (a.size_arg >= 0) {
          std::uint64_t count = static_cast<std::uint64_t>(rq.args[a.size_arg]);
          std::uint64_t elem = a.elem_size ? a.elem_size : 1;
          if (count > (~0ull) / elem) return false;
          need = count * elem;
        } else if (a.size_arg == syscalls::kSizeFromPtr) {
          if (i + 1 >= 6 || !(rq.ptr_mask & (1u << (i + 1))) || rq.extent[i + 1] < 4) return false;
          std::uint32_t len;
          std::memcpy(&len, data + rq.args[i + 1], 4);
          need = len;
        } else {
          need = a.fixed_size;
        }
        if (need > rq.extent[i]) return false;
        break;
      }
      case syscalls::Arg::IovIn:
      case syscalls::Arg::IovOut:
        if (!iov || a.size_arg < 0 || rq.args[a.size_arg] != 1) return false;  // one iovec, checked above
        break;
      case syscalls::Arg::Path:
      case syscalls::Arg::Str:
        if (!ptr || rq.extent[i] == 0 || data[rq.args[i] + rq.extent[i] - 1] != 0) return false;
        break;
      default:
        return false;  // a pointer where the table has none
    }
  }
  return true;
}

// kOpAcceptNames: accept4, then the new socket's addresses, which never change for the
// connection's life (the shim keeps them: shim/sock_names.hpp).
long accept_names(const channel::Request& rq, const long args[6], const std::uint8_t* data) {
  channel::Request as = rq;
  as.op = SYS_accept4;
  as.ptr_mask &= ~(1u << 4);
  if (!(rq.ptr_mask & (1u << 4)) || rq.extent[4] != sizeof(channel::AcceptNames) || !lengths_fit(as, data))
    return -EFAULT;
  long fd = syscall(SYS_accept4, args[0], args[1], args[2], args[3]);
  if (fd < 0) return -errno;
  channel::AcceptNames names{};
  for (int which = 0; which < 2; ++which) {
    socklen_t len = sizeof names.addr[which];
    auto* addr = reinterpret_cast<sockaddr*>(names.addr[which]);
    int r = which == 0 ? getsockname(static_cast<int>(fd), addr, &len) : getpeername(static_cast<int>(fd), addr, &len);
    names.len[which] = r == 0 ? len : 0;
  }
  std::memcpy(reinterpret_cast<void*>(args[4]), &names, sizeof names);
  return fd;
}

}  // namespace

bool operation_allowed(std::uint64_t op) {
  if (op == channel::kOpPing || op == channel::kOpQeTargetInfo || op == channel::kOpQuote ||
      op == channel::kOpAcceptNames)
    return true;
  // Calls the shim forwards for its own services (fd table, umask, loading the program).
  switch (op) {
    case 3: case 32: case 33: case 292: case 95: return true;
    case 62: return true;  // kill of another process (the shim serves its own pid)
    default: break;
  }
  const syscalls::SyscallInfo* info = syscalls::find_syscall(static_cast<long>(op));
  return info && info->route == syscalls::Route::Forward;
}

long execute_request(const channel::Request& rq, std::uint8_t* data, std::uint64_t data_size) {
  if (rq.op == channel::kOpPing) return 0;
  if (!operation_allowed(rq.op)) return -ENOSYS;
  if (rq.ptr_mask & rq.iov_mask) return -EFAULT;  // an argument is one or the other
  long args[6];
  for (int i = 0; i < 6; ++i) {
    args[i] = rq.args[i];
    if (rq.ptr_mask & (1u << i)) {
      std::uint64_t off = static_cast<std::uint64_t>(rq.args[i]);
      if (!in_bounds(off, rq.extent[i], data_size)) return -EFAULT;
      args[i] = reinterpret_cast<long>(data + off);
    } else if (rq.iov_mask & (1u << i)) {
      std::uint64_t off = static_cast<std::uint64_t>(rq.args[i]);
      if (!in_bounds(off, 16, data_size)) return -EFAULT;
      std::uint64_t iov[2];
      std::memcpy(iov, data + off, 16);
      if (!in_bounds(iov[0], iov[1], data_size)) return -EFAULT;
      iov[0] = reinterpret_cast<std::uint64_t>(data + iov[0]);
      std::memcpy(data + off, iov, 16);
      args[i] = reinterpret_cast<long>(data + off);
    }
  }
  for (int i = 0; i < 6; ++i)
    if ((rq.ptr_mask | rq.iov_mask) & (1u << i))
      if (!in_bounds(static_cast<std::uint64_t>(rq.args[i]), rq.extent[i], data_size)) return -EFAULT;
  if (rq.op == channel::kOpAcceptNames) return accept_names(rq, args, data);
  if (!lengths_fit(rq, data)) return -EFAULT;
  bool msg = rq.op == SYS_sendmsg || rq.op == SYS_recvmsg;
  if (rq.op == channel::kOpQeTargetInfo || rq.op == channel::kOpQuote) {
    if (rq.iov_mask) return -EFAULT;
    return attestation_op(rq.op, args, rq.extent);
  }
  std::uint64_t msg_at = static_cast<std::uint64_t>(rq.args[1]);
  if (msg && (!(rq.ptr_mask & 2u) || !translate_msghdr(data, data_size, msg_at))) return -EFAULT;
  long r = syscall(static_cast<long>(rq.op), args[0], args[1], args[2], args[3], args[4], args[5]);
  if (r == -1) r = -errno;
  if (msg) untranslate_msghdr(data, msg_at);
  return r;
}

}  // namespace cocoon::proxy
