// The bind policy's matcher as the shim runs it (manifest/net_bind.cpp, compiled here as host
// code): struct sockaddr decoding with the kernel's own structures, address families, the
// wildcard addresses, port ranges and port 0, IPv4-mapped IPv6, and the text of addresses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "manifest/manifest.hpp"
#include "manifest/manifest_blob.hpp"
#include "manifest/net_bind.hpp"

using namespace cocoon::manifest;

namespace {

std::vector<std::uint8_t> v4(const char* ip, std::uint16_t port, sa_family_t family = AF_INET) {
  sockaddr_in sa{};
  sa.sin_family = family;
  sa.sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, ip, &sa.sin_addr), 1) << ip;
  const auto* p = reinterpret_cast<const std::uint8_t*>(&sa);
  return {p, p + sizeof sa};
}

std::vector<std::uint8_t> v6(const char* ip, std::uint16_t port, std::size_t len = sizeof(sockaddr_in6)) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  sa.sin6_flowinfo = htonl(0x12345);
  sa.sin6_scope_id = 3;
  EXPECT_EQ(inet_pton(AF_INET6, ip, &sa.sin6_addr), 1) << ip;
  const auto* p = reinterpret_cast<const std::uint8_t*>(&sa);
  return {p, p + len};
}

// The target as text ("[::1]:80"), or what kind of address it is not.
std::string decode(const std::vector<std::uint8_t>& sa) {
  BindTarget t;
  switch (decode_bind_sockaddr(sa.data(), sa.size(), &t)) {
    case SockaddrKind::kNotInet: return "not inet";
    case SockaddrKind::kTooShort: return "too short";
    case SockaddrKind::kInet: break;
  }
  char text[64];
  format_bind_target(t, text, sizeof text);
  return text;
}

BindRule rule(std::uint8_t kind, const char* ip, std::uint16_t low, std::uint16_t high) {
  BindRule r;
  r.kind = kind;
  if (kind != kBindAnyAddress) {
    EXPECT_EQ(inet_pton(kind == kBindIpv4 ? AF_INET : AF_INET6, ip, r.addr.data()), 1);
  }
  r.port_low = low;
  r.port_high = high;
  return r;
}

// A compiled manifest with the given net.bind (nullopt: none), opened.
struct Policy {
  explicit Policy(std::optional<std::vector<BindRule>> rules) {
    Manifest m;
    m.entrypoint = "/bin/true";
    m.net_bind = std::move(rules);
    bytes = compile_blob(m);
    EXPECT_EQ(blob.open(bytes.data(), bytes.size()), BlobError::kOk);
  }
  bool allows(const std::vector<std::uint8_t>& sa) const {
    BindTarget t;
    EXPECT_EQ(decode_bind_sockaddr(sa.data(), sa.size(), &t), SockaddrKind::kInet);
    return bind_allowed(blob, t);
  }
  std::vector<std::uint8_t> bytes;
  ManifestBlob blob;
};

}  // namespace

TEST(NetBindDecode, FamiliesAndLengths) {
  EXPECT_EQ(decode(v4("127.0.0.1", 8080)), "127.0.0.1:8080");
  EXPECT_EQ(decode(v4("0.0.0.0", 0)), "0.0.0.0:0");
  EXPECT_EQ(decode(v6("::1", 443)), "[::1]:443");
  EXPECT_EQ(decode(v6("2001:db8::7", 65535)), "[2001:db8::7]:65535");
  // Linux accepts a sockaddr_in6 without its scope id (24 bytes), not shorter.
  EXPECT_EQ(decode(v6("::1", 1, 24)), "[::1]:1");
  EXPECT_EQ(decode(v6("::1", 1, 23)), "too short");
  auto short_v4 = v4("127.0.0.1", 1);
  short_v4.pop_back();
  EXPECT_EQ(decode(short_v4), "too short");
  // IPv4-mapped IPv6 is the IPv4 address (binding it binds the IPv4 address).
  EXPECT_EQ(decode(v6("::ffff:127.0.0.1", 80)), "127.0.0.1:80");
  EXPECT_EQ(decode(v6("::ffff:0.0.0.0", 80)), "0.0.0.0:80");
  EXPECT_EQ(decode(v6("::127.0.0.1", 80)), "[::7f00:1]:80");  // IPv4-compatible is plain IPv6
  // AF_UNSPEC: inet_bind treats it as AF_INET (it binds 0.0.0.0), so the policy sees IPv4.
  EXPECT_EQ(decode(v4("0.0.0.0", 5000, AF_UNSPEC)), "0.0.0.0:5000");
  EXPECT_EQ(decode({0, 0}), "too short");
  // Other families are not covered.
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/tmp/sock");
  const auto* p = reinterpret_cast<const std::uint8_t*>(&un);
  EXPECT_EQ(decode({p, p + sizeof un}), "not inet");
  EXPECT_EQ(decode({AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "not inet");
  EXPECT_EQ(decode({}), "not inet");
  EXPECT_EQ(decode({AF_INET}), "not inet");  // no whole family field
}

TEST(NetBindMatch, AddressesPortsAndWildcards) {
  Policy p(std::vector<BindRule>{rule(kBindIpv4, "127.0.0.1", 0, 65535), rule(kBindIpv4, "0.0.0.0", 8080, 8080),
                                 rule(kBindIpv6, "::", 8100, 8200), rule(kBindIpv6, "::1", 0, 0),
                                 rule(kBindAnyAddress, nullptr, 9000, 9001)});
  // One IPv4 address, every port (0 = ephemeral included).
  EXPECT_TRUE(p.allows(v4("127.0.0.1", 0)));
  EXPECT_TRUE(p.allows(v4("127.0.0.1", 65535)));
  EXPECT_FALSE(p.allows(v4("127.0.0.2", 80)));
  // The wildcard address is its own permission: matched by 0.0.0.0 (or *) only.
  EXPECT_TRUE(p.allows(v4("0.0.0.0", 8080)));
  EXPECT_FALSE(p.allows(v4("0.0.0.0", 8081)));
  EXPECT_FALSE(p.allows(v4("0.0.0.0", 0)));
  EXPECT_TRUE(p.allows(v4("127.0.0.1", 8080, AF_UNSPEC)));  // AF_UNSPEC is checked as IPv4
  EXPECT_TRUE(p.allows(v4("0.0.0.0", 8080, AF_UNSPEC)));
  EXPECT_FALSE(p.allows(v4("0.0.0.0", 8100, AF_UNSPEC)));
  // A range includes both ends.
  EXPECT_TRUE(p.allows(v6("::", 8100)));
  EXPECT_TRUE(p.allows(v6("::", 8200)));
  EXPECT_FALSE(p.allows(v6("::", 8099)));
  EXPECT_FALSE(p.allows(v6("::", 8201)));
  // Families do not cross: [::] is not 0.0.0.0, and 0.0.0.0 is not [::].
  EXPECT_FALSE(p.allows(v6("::", 8080)));
  EXPECT_FALSE(p.allows(v4("0.0.0.0", 8100)));
  // Port 0 is matched by a range that contains it.
  EXPECT_TRUE(p.allows(v6("::1", 0)));
  EXPECT_FALSE(p.allows(v6("::1", 1)));
  EXPECT_FALSE(p.allows(v6("::2", 0)));
  // IPv4-mapped addresses are matched as IPv4.
  EXPECT_TRUE(p.allows(v6("::ffff:127.0.0.1", 5)));
  EXPECT_TRUE(p.allows(v6("::ffff:0.0.0.0", 8080)));
  EXPECT_FALSE(p.allows(v6("::ffff:127.0.0.2", 5)));
  // "*" matches every address of both families, within its ports.
  EXPECT_TRUE(p.allows(v4("10.1.2.3", 9000)));
  EXPECT_TRUE(p.allows(v4("0.0.0.0", 9001)));
  EXPECT_TRUE(p.allows(v6("fe80::1", 9001)));
  EXPECT_TRUE(p.allows(v6("::", 9000)));
  EXPECT_FALSE(p.allows(v6("fe80::1", 9002)));
  EXPECT_FALSE(p.allows(v4("10.1.2.3", 8999)));
}

TEST(NetBindMatch, NoPolicyAllowsEverythingAndAnEmptyOneNothing) {
  Policy none(std::nullopt);
  EXPECT_TRUE(none.allows(v4("0.0.0.0", 1)));
  EXPECT_TRUE(none.allows(v6("::", 0)));
  Policy empty(std::vector<BindRule>{});
  EXPECT_FALSE(empty.allows(v4("127.0.0.1", 0)));
  EXPECT_FALSE(empty.allows(v6("::1", 0)));
  Policy any(std::vector<BindRule>{rule(kBindAnyAddress, nullptr, 0, 65535)});
  EXPECT_TRUE(any.allows(v4("0.0.0.0", 0)));
  EXPECT_TRUE(any.allows(v6("2001:db8::1", 65535)));
}

TEST(NetBindText, Ipv6FollowsRfc5952) {
  auto text = [](const char* ip) {
    std::uint8_t a[16];
    EXPECT_EQ(inet_pton(AF_INET6, ip, a), 1) << ip;
    char out[48];
    std::size_t n = format_ip(kBindIpv6, a, out, sizeof out);
    EXPECT_EQ(n, std::strlen(out));
    return std::string(out);
  };
  EXPECT_EQ(text("::"), "::");
  EXPECT_EQ(text("::1"), "::1");
  EXPECT_EQ(text("1::"), "1::");
  EXPECT_EQ(text("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(text("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero group stays
  EXPECT_EQ(text("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");           // the longest run
  EXPECT_EQ(text("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");      // the first of equal runs
  EXPECT_EQ(text("0001:00ab:0:0:0:0:ffff:0"), "1:ab::ffff:0");
  EXPECT_EQ(text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  // Against the C library, on addresses it writes in hex only (it writes ::a.b.c.d forms).
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::uint8_t a[16];
    for (auto& b : a) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : 0);  // many zero groups
    a[0] |= 0x20;
    char mine[48], libc[INET6_ADDRSTRLEN];
    format_ip(kBindIpv6, a, mine, sizeof mine);
    ASSERT_NE(inet_ntop(AF_INET6, a, libc, sizeof libc), nullptr);
    ASSERT_STREQ(mine, libc);
  }
}

TEST(NetBindText, TargetsAndTruncation) {
  BindTarget t;
  t.family = kBindIpv4;
  t.addr[0] = 192, t.addr[1] = 168, t.addr[2] = 0, t.addr[3] = 10;
  t.port = 65535;
  char out[64];
  EXPECT_EQ(format_bind_target(t, out, sizeof out), 18u);
  EXPECT_STREQ(out, "192.168.0.10:65535");
  char small[8];
  EXPECT_EQ(format_bind_target(t, small, sizeof small), 7u);  // truncated, still terminated
  EXPECT_STREQ(small, "192.168");
  t.family = kBindIpv6;
  std::memset(t.addr, 0, 16);
  t.port = 0;
  format_bind_target(t, out, sizeof out);
  EXPECT_STREQ(out, "[::]:0");
}
