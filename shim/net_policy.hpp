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

}  // namespace cocoon::shim::net
