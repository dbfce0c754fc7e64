// Pipes and eventfds served inside the enclave: the data a program passes between its own
// threads through them never reaches the untrusted side.
//
// Each end still holds a real fd number from the proxy (a placeholder pipe or eventfd the
// proxy creates, never used for data), so numbering, fstat, close-on-exec and calls the shim
// does not serve behave; read, write, readv, writev, FIONREAD, O_NONBLOCK, close and dup are
// served here, and poll, select and epoll see the enclave's state (shim/local_poll.cpp).
#pragma once

#include <cstdint>

#include "shim/dispatch.hpp"
#include "syscalls/syscall_info.hpp"

namespace cocoon::shim::local {

// pipe, pipe2, eventfd, eventfd2 (handlers in shim/sys_handlers.hpp).

// A call on a local fd that this module serves: handles it, returns true.
bool intercept(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result);

// True once the program made a pipe or an eventfd (before, nothing here can apply).
bool any();
bool is_local(int fd);
// The open file behind a local fd (identity for epoll sets), or null.
const void* file_identity(int fd);
// Wakes every waiter as after a change (an epoll set changed).
void poke();
void on_close(int fd);
void on_dup(int from, int to);
// fcntl(F_SETFL) / ioctl(FIONBIO) on a local fd: its O_NONBLOCK (shared by its dups).
void set_nonblocking(int fd, bool on);
// vfork children (shim/vfork.hpp): a copy of the table holding its own references, and
// their release when the child is done.
void copy_table_for_child(void** dst);
void release_child_table(void** table);
// Moves the pipe or eventfd behind `fd` (the calling thread's table) to the host, for a
// child process that inherits it: what it buffers goes into its placeholder, and from now on
// every fd of it is the proxy's. Returns 0 or -errno.
long export_fd(int fd);

// FIONREAD: bytes (or for an eventfd, 8 when readable) waiting; -EBADF if not local.
long bytes_ready(int fd);

// poll's view of a local fd: the POLL* bits among `events` that hold now (POLLHUP, POLLERR
// always), or POLLNVAL when it is not local.
std::int16_t poll_state(int fd, std::int16_t events);
// Counts every change of any local object; waits for one sleep on it (futex word).
std::uint32_t* change_word();
// Registers the calling thread as waiting in the proxy for fds that include local ones: a
// change of a local object interrupts that wait (the thread then looks again).
void begin_mixed_wait();
void end_mixed_wait();
// True once a change happened since begin_mixed_wait (then the wait in the proxy is ended).
bool mixed_wait_woken();

}  // namespace cocoon::shim::local
