// The manifest's socket bind policy ([net] bind): which addresses and ports the program may
// bind(2) an AF_INET or AF_INET6 socket to.
//
// Freestanding-safe (no libc, no allocation): the shim decides every bind with it, and the
// host tests exercise the same code. The rules themselves are BlobBindRule entries of the
// measured manifest (manifest_blob.hpp); the TOML text form is in net_bind_text.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "manifest/manifest_blob.hpp"

namespace cocoon::manifest {

// What a bind(2) call asks for, decoded from its struct sockaddr.
struct BindTarget {
  std::uint8_t family = kBindIpv4;  // kBindIpv4 or kBindIpv6 (IPv4-mapped IPv6 is kBindIpv4)
  std::uint8_t addr[16] = {};       // network byte order; IPv4 in the first 4 bytes
  std::uint16_t port = 0;           // host byte order; 0 asks the kernel for an ephemeral port
};

enum class SockaddrKind : std::uint8_t {
  kInet,     // an IPv4 or IPv6 address: the policy decides
  kNotInet,  // another family (AF_UNIX, AF_NETLINK…): not covered by net.bind
  kTooShort, // an AF_INET/AF_INET6/AF_UNSPEC address shorter than its structure (EINVAL)
};

// Decodes the `len` bytes a program passed to bind(2). AF_UNSPEC is read as AF_INET, as
// Linux's inet_bind does (it binds 0.0.0.0 given AF_UNSPEC); an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) becomes the IPv4 address. The IPv6 flow label and scope id are ignored.
SockaddrKind decode_bind_sockaddr(const std::uint8_t* sa, std::size_t len, BindTarget* out);

// Whether one rule allows the target: the port lies in [port_low, port_high] and the address
// is the rule's (an exact match: 0.0.0.0 or :: is matched only by itself or by "*").
bool bind_rule_matches(const BlobBindRule& rule, const BindTarget& target);

// Whether the measured manifest lets the program bind to the target: always without
// net.bind, else when at least one of its rules matches.
bool bind_allowed(const ManifestBlob& manifest, const BindTarget& target);

// Writes an address as text without brackets ("127.0.0.1", "::1", "2001:db8::", RFC 5952
// for IPv6); family kBindIpv4 or kBindIpv6. Always NUL-terminates (cap > 0); returns the
// length, truncated to cap - 1.
std::size_t format_ip(std::uint8_t family, const std::uint8_t* addr, char* out, std::size_t cap);

// "127.0.0.1:8080" or "[::1]:8080": the target as log lines and the manifest write it.
std::size_t format_bind_target(const BindTarget& target, char* out, std::size_t cap);

}  // namespace cocoon::manifest
