// The local and peer addresses of accepted sockets, kept in the enclave: they never change
// for the life of the connection, and servers ask for them on every request (Java's HTTP
// server calls getsockname twice per connection). getsockname and getpeername of other
// sockets are forwarded as before.
#pragma once

#include "shim/dispatch.hpp"

namespace cocoon::shim::sock_names {

void accepted(int fd);  // fd was just made by accept or accept4
void forget(int fd);    // fd was closed or replaced (dup2, dup3)

// getsockname (51) or getpeername (52), from the cache when it has the answer.
long get(SyscallFrame& f);

}  // namespace cocoon::shim::sock_names
