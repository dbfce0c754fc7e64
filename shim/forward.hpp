// Forwarding syscalls to the untrusted proxy through the calling thread's channel.
//
// forward_generic() marshals any row of the syscall table by its ArgSpecs: pointer
// arguments are copied into the channel's data area (In), reserved there (Out) and copied
// back after the call, bounded by what the program asked for. Everything the proxy returns
// is checked before use; a value that cannot be honest (a read longer than the buffer, an
// fd the shim did not see created, an errno outside Linux's range, a negative file size)
// is refused: the program gets EIO and --verbose names the violation.
#pragma once

#include <cstdint>

#include "proxy/channel.hpp"
#include "shim/dispatch.hpp"
#include "syscalls/syscall_info.hpp"

namespace cocoon::shim {

long forward_generic(const syscalls::SyscallInfo& info, SyscallFrame& f);

// A forwarded write failed with EPIPE: the kernel would send SIGPIPE to the writer.
void raise_sigpipe_for(const SyscallFrame& f);

// One request/response exchange on the current thread's channel. The request must have
// been written into ch->req (and data). Returns the proxy's result, except that EINTR
// becomes kRestartSyscall (a call that may block is interrupted in the proxy when the
// thread has a signal to take) and the kernel's internal restart codes become EINTR.
long proxy_roundtrip(channel::Channel* ch);
// The same in two halves, so that the caller can work while the proxy does (it must not
// touch ch->req, or the data the request writes, in between): proxy_roundtrip(ch) is
// proxy_start(ch) then proxy_finish(ch).
void proxy_start(channel::Channel* ch);
long proxy_finish(channel::Channel* ch);

// Makes the proxy worker of `ch` give up the call it is blocked in (it answers EINTR).
void interrupt_proxy_call(channel::Channel* ch);

// A forwarded call built by hand (custom marshallers): op + integer args, no pointers.
long proxy_call(long op, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0);

// Reads a file through the proxy: pread of `len` bytes at `off` into enclave memory.
// Returns bytes read or -errno (validated).
long proxy_pread(int proxy_fd, void* dst, std::uint64_t len, std::uint64_t off);
// The same for large reads, in pieces of half the channel's data area: while the proxy reads
// the next piece into one half, the shim copies the last one out of the other into `dst`.
// With `copy`, that copy is made by copy(ctx, dst, window, file_off, len) instead: it must
// read each byte of the window (which the host can change at any time) once, e.g. hashing it
// as it copies (crypto::Sha256::update_copy). Returns bytes read (fewer at end of file) or
// -errno.
using PieceCopy = void (*)(void* ctx, std::uint8_t* dst, const std::uint8_t* window, std::uint64_t file_off,
                           std::uint64_t len);
long proxy_pread_each(int proxy_fd, void* dst, std::uint64_t len, std::uint64_t off, PieceCopy copy, void* ctx);

// What a proxy fd is in the host: readlink of /proc/self/fd/<fd> in the proxy, at most `cap`
// bytes into `out` (no NUL). The length, or -errno.
long proxy_fd_link(int proxy_fd, char* out, std::uint64_t cap);

// fstat's st_size of a proxy fd: the size, or -errno (-EIO for a negative size).
long proxy_fstat_size(int proxy_fd);

// Records a proxy answer that cannot be honest; returns -EIO for the program.
long iago(const char* call, const char* what, long value);

channel::Channel* my_channel();

// A hand-built forwarded call (for the custom marshallers): integer arguments, plus pointer
// arguments that live in the channel's data area.
class ProxyRequest {
 public:
  explicit ProxyRequest(long op);
  void arg(int i, long v);
  // Copies len bytes from the program's memory at user_ptr (false: EFAULT or too large).
  bool in(int i, std::uint64_t user_ptr, std::uint64_t len);
  // Copies len bytes from shim memory.
  bool in_bytes(int i, const void* src, std::uint64_t len);
  // Reserves len bytes for the proxy to fill.
  bool out(int i, std::uint64_t len);
  // The data area behind pointer argument i (valid until the next request).
  std::uint8_t* data(int i);
  std::uint64_t size(int i) const { return size_[i]; }
  // Sends the request; returns the result, -errno, or -EIO for an impossible errno.
  long call(const char* name);

 private:
  channel::Channel* ch_;
  std::uint64_t used_ = 0;
  std::uint64_t off_[6] = {};
  std::uint64_t size_[6] = {};
  bool place(int i, std::uint64_t len);
};

}  // namespace cocoon::shim
