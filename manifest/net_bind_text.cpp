// "ADDRESS:PORT" <-> BindRule (net_bind_text.hpp).
#include "manifest/net_bind_text.hpp"

#include <arpa/inet.h>

#include "manifest/net_bind.hpp"

namespace cocoon::manifest {
namespace {

// A port number: decimal digits without leading zeros, at most 65535.
std::optional<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

bool is_ipv4_mapped(const std::array<std::uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

}  // namespace

std::optional<BindRule> parse_bind_rule(std::string_view text, std::string* why) {
  const std::string got = "expected \"ADDRESS:PORT\" or \"ADDRESS:LOW-HIGH\", got \"" + std::string(text) + "\": ";
  auto bad = [&](const std::string& reason) -> std::optional<BindRule> {
    *why = got + reason;
    return std::nullopt;
  };
  const char* kNoPort = "no port (end it with :PORT, :LOW-HIGH or :* for any port)";
  if (text.empty()) return bad("an empty string");

  BindRule rule;
  std::string_view port_text;
  if (text[0] == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("no ']' closes the IPv6 address");
    std::string addr(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return bad(kNoPort);
    if (rest[0] != ':') return bad("expected ':' after the ']'");
    port_text = rest.substr(1);
    if (inet_pton(AF_INET6, addr.c_str(), rule.addr.data()) != 1)
      return bad("'" + addr + "' is not an IPv6 address");
    if (is_ipv4_mapped(rule.addr)) {
      char v4[16];
      format_ip(kBindIpv4, rule.addr.data() + 12, v4, sizeof v4);
      return bad("an IPv4-mapped IPv6 address; write it as IPv4, \"" + std::string(v4) + ":" +
                 std::string(port_text) + "\" (binds to [" + addr + "] are matched as " + v4 + ")");
    }
    rule.kind = kBindIpv6;
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad(kNoPort);
    std::string addr(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (addr.empty()) return bad("no address before the ':' (use * for any address)");
    if (addr.find(':') != std::string::npos)
      return bad("an IPv6 address goes in brackets, as in \"[" + addr + "]:" + std::string(port_text) + "\"");
    if (addr == "*") {
      rule.kind = kBindAnyAddress;
    } else if (inet_pton(AF_INET, addr.c_str(), rule.addr.data()) == 1) {
      rule.kind = kBindIpv4;
    } else {
      return bad("'" + addr + "' is not an IPv4 address, an IPv6 address in brackets or * (host names are not resolved)");
    }
  }

  if (port_text == "*") {
    rule.port_low = 0;
    rule.port_high = 65535;
    return rule;
  }
  const std::string not_port = " is not a port (a number 0-65535 without leading zeros)";
  std::size_t dash = port_text.find('-');
  if (dash == std::string_view::npos) {
    if (port_text.empty()) return bad(kNoPort);
    auto p = parse_port(port_text);
    if (!p) return bad("'" + std::string(port_text) + "'" + not_port);
    rule.port_low = rule.port_high = *p;
    return rule;
  }
  std::string_view low_text = port_text.substr(0, dash), high_text = port_text.substr(dash + 1);
  auto low = parse_port(low_text);
  if (!low) return bad("'" + std::string(low_text) + "'" + not_port);
  auto high = parse_port(high_text);
  if (!high) return bad("'" + std::string(high_text) + "'" + not_port);
  if (*low > *high) return bad("the port range " + std::string(port_text) + " is empty (LOW is above HIGH)");
  rule.port_low = *low;
  rule.port_high = *high;
  return rule;
}

std::string bind_rule_text(const BindRule& rule) {
  std::string out;
  if (rule.kind == kBindAnyAddress) {
    out = "*";
  } else {
    char ip[48];
    format_ip(rule.kind, rule.addr.data(), ip, sizeof ip);
    out = rule.kind == kBindIpv6 ? "[" + std::string(ip) + "]" : std::string(ip);
  }
  out += ':';
  if (rule.port_low == 0 && rule.port_high == 65535) out += '*';
  else if (rule.port_low == rule.port_high) out += std::to_string(rule.port_low);
  else out += std::to_string(rule.port_low) + "-" + std::to_string(rule.port_high);
  return out;
}

}  // namespace cocoon::manifest
