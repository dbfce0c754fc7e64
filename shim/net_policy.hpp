// The manifest's socket bind policy in the enclave ([net] bind, docs/manifest.md).
//
// The rules come from the measured manifest (shim/file_policy.hpp's policy::manifest());
// matching is manifest/net_bind.hpp, shared with the host tests. Without a manifest
// (--no-manifest), or with one that has no net.bind, every bind is allowed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::shim::net {

// Whether the program may bind a socket to the struct sockaddr in sa[0, len), a copy in
// enclave memory: 0 to go ahead, -EACCES when net.bind does not allow the address and port,
// -EINVAL (under a policy) for an IPv4/IPv6 address shorter than its structure, as Linux
// gives. Families other than AF_INET/AF_INET6 are not covered: 0. With --verbose, each
// refused address:port is logged once, naming net.bind.
long check_bind(const std::uint8_t* sa, std::size_t len);

// Whether the manifest has net.bind (listen needs a look at the socket only then).
bool active();

// listen(2) on a socket that is not bound binds it first, to the wildcard address of its
// family (0.0.0.0, or :: which also takes IPv4) and an ephemeral port. Given the socket's
// address as getsockname returns it: -EACCES when it is an unbound AF_INET/AF_INET6 socket
// (port 0) and net.bind does not allow that implicit bind, else 0. Logged as check_bind does.
long check_listen(const std::uint8_t* sa, std::size_t len);

}  // namespace cocoon::shim::net
