// The local and peer addresses of accepted sockets, kept in the enclave: they never change
// for the life of the connection, and servers ask for them on every request (Java's HTTP
// server calls getsockname twice per connection). getsockname and getpeername of other
// sockets are forwarded as before.
#pragma once

#include "proxy/channel.hpp"
#include "shim/dispatch.hpp"

namespace cocoon::shim::sock_names {

// fd was just made by accept or accept4; `names` (the proxy's, may be null) are its
// addresses as the proxy read them right after (channel::kOpAcceptNames).
void accepted(int fd, const channel::AcceptNames* names);
// Whether the program has asked for an accepted socket's address: only then does accept bring
// the new socket's addresses (two more calls in the proxy per connection otherwise wasted).
bool asked();
void forget(int fd);    // fd was closed or replaced (dup2, dup3)

// getsockname (51) or getpeername (52), from the cache when it has the answer.
long get(SyscallFrame& f);

}  // namespace cocoon::shim::sock_names
