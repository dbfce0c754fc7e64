// The bind policy's matching (net_bind.hpp). Freestanding: linked into the shim, and
// compiled as host code into cocoon_manifest for the unit tests.
#include "manifest/net_bind.hpp"

namespace cocoon::manifest {
namespace {

// Linux address families and structure sizes (x86-64).
constexpr std::uint16_t kAfUnspec = 0, kAfInet = 2, kAfInet6 = 10;
constexpr std::size_t kSockaddrInSize = 16;
constexpr std::size_t kSockaddrIn6MinSize = 24;  // without sin6_scope_id (SIN6_LEN_RFC2133)

bool bytes_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Appends to out[*at] while there is room for the final NUL.
struct Writer {
  char* out;
  std::size_t cap;
  std::size_t at = 0;
  void put(char c) {
    if (at + 1 < cap) out[at++] = c;
  }
  void decimal(unsigned v) {
    char digits[10];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + v % 10), v /= 10;
    while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  void hex(unsigned v) {
    char digits[4];
    int n = 0;
    do digits[n++] = "0123456789abcdef"[v & 0xf], v >>= 4;
    while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  std::size_t finish() {
    if (cap > 0) out[at] = '\0';
    return at;
  }
};

void write_ip(Writer& w, std::uint8_t family, const std::uint8_t* addr) {
  if (family == kBindIpv4) {
    for (int i = 0; i < 4; ++i) {
      if (i) w.put('.');
      w.decimal(addr[i]);
    }
    return;
  }
  unsigned group[8];
  for (int i = 0; i < 8; ++i) group[i] = (unsigned{addr[2 * i]} << 8) | addr[2 * i + 1];
  // RFC 5952: the longest run of two or more zero groups (the first of equal ones) is "::".
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (group[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && group[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      w.put(':');
      w.put(':');
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best + best_len) w.put(':');
    w.hex(group[i]);
  }
}

}  // namespace

SockaddrKind decode_bind_sockaddr(const std::uint8_t* sa, std::size_t len, BindTarget* out) {
  if (len < 2) return SockaddrKind::kNotInet;  // no family: the kernel says EINVAL
  const std::uint16_t family = static_cast<std::uint16_t>(sa[0] | (sa[1] << 8));
  if (family != kAfInet && family != kAfInet6 && family != kAfUnspec) return SockaddrKind::kNotInet;
  BindTarget t;
  if (family == kAfInet6) {
    if (len < kSockaddrIn6MinSize) return SockaddrKind::kTooShort;
    t.port = static_cast<std::uint16_t>((sa[2] << 8) | sa[3]);
    const std::uint8_t* a = sa + 8;
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (bytes_equal(a, kMapped, 12)) {
      t.family = kBindIpv4;
      for (int i = 0; i < 4; ++i) t.addr[i] = a[12 + i];
    } else {
      t.family = kBindIpv6;
      for (int i = 0; i < 16; ++i) t.addr[i] = a[i];
    }
  } else {
    if (len < kSockaddrInSize) return SockaddrKind::kTooShort;
    t.family = kBindIpv4;
    t.port = static_cast<std::uint16_t>((sa[2] << 8) | sa[3]);
    for (int i = 0; i < 4; ++i) t.addr[i] = sa[4 + i];
  }
  *out = t;
  return SockaddrKind::kInet;
}

bool bind_rule_matches(const BlobBindRule& rule, const BindTarget& target) {
  if (target.port < rule.port_low || target.port > rule.port_high) return false;
  switch (rule.kind) {
    case kBindAnyAddress: return true;
    case kBindIpv4: return target.family == kBindIpv4 && bytes_equal(rule.addr, target.addr, 4);
    case kBindIpv6: return target.family == kBindIpv6 && bytes_equal(rule.addr, target.addr, 16);
    default: return false;
  }
}

bool bind_allowed(const ManifestBlob& manifest, const BindTarget& target) {
  if (!manifest.has_bind_policy()) return true;
  for (std::size_t i = 0; i < manifest.bind_rule_count(); ++i)
    if (bind_rule_matches(manifest.bind_rule(i), target)) return true;
  return false;
}

std::size_t format_ip(std::uint8_t family, const std::uint8_t* addr, char* out, std::size_t cap) {
  Writer w{out, cap};
  write_ip(w, family, addr);
  return w.finish();
}

std::size_t format_bind_target(const BindTarget& target, char* out, std::size_t cap) {
  Writer w{out, cap};
  if (target.family == kBindIpv6) w.put('[');
  write_ip(w, target.family, target.addr);
  if (target.family == kBindIpv6) w.put(']');
  w.put(':');
  w.decimal(target.port);
  return w.finish();
}

}  // namespace cocoon::manifest
