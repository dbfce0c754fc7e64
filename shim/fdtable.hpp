// The program's file descriptors, as the shim knows them.
//
// A program fd number is the proxy's fd number for the same open file (identity mapping),
// so the numbering rules the program relies on (lowest free number, dup2 targets) hold
// without translation. The shim still keeps the table: it is what the shim trusts, so a
// proxy that answers with an fd the shim never saw being created, or one that is already
// open, is caught (Iago check), and the program cannot reach proxy fds it never opened.
#pragma once

#include <cstdint>

namespace cocoon::shim::fd {

inline constexpr int kMaxFds = 32768;
// Fds the shim itself holds in the proxy (shim/shared_maps.hpp): the top of the program's
// range, out of the program's reach like the proxy's own above them.
inline constexpr int kShimFds = 64;

// The first fd number the program may not use: below the shim's fds, which are below the
// proxy's own (channel::WindowHeader::proxy_private_fds), or the table's end.
long program_limit();

// The table at start: exactly the program's open fds (launch::LaunchConfig::inherited_fds).
void init_inherited(const std::int32_t* fds, std::uint64_t n);
// A copy of the process's table for a vfork child (kMaxFds bytes).
void copy_table(std::uint8_t* dst);
bool is_open(int fd);
// The proxy's fd for a program fd, or -1 when not open.
int to_proxy(int fd);
// Enters an fd the proxy just created. Returns the program fd, or -1 if the value cannot be
// a fresh fd (negative, too large, already open): a lying proxy.
int adopt(long proxy_fd);
// Like adopt, but the number may already be open (dup2/dup3 onto an open fd closes it).
int adopt_replacing(long proxy_fd);
void forget(int fd);
int count_open();

}  // namespace cocoon::shim::fd
