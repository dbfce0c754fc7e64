// The text form of a [net] bind entry (host code): "ADDRESS:PORT" or "ADDRESS:LOW-HIGH",
// ADDRESS an IPv4 address, an IPv6 address in brackets or "*", PORT a number or "*".
// Grammar and meaning: docs/manifest.md, section [net].
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "manifest/manifest.hpp"

namespace cocoon::manifest {

// Parses one entry. On failure returns nullopt and sets *why to what is wrong with it
// (without the key, which the caller adds).
std::optional<BindRule> parse_bind_rule(std::string_view text, std::string* why);

// The canonical text of a rule: "*" for any address or any port, the shortest IPv6 form
// (RFC 5952) in brackets, "N" for a one-port range. parse_bind_rule gives the rule back.
std::string bind_rule_text(const BindRule& rule);

}  // namespace cocoon::manifest
