// Small host-side helpers shared by the manifest parser, writer and generator: path shape
// checks, lexical normalization, UTF-8 validation and SHA-256 hex conversion.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "manifest/manifest.hpp"

namespace cocoon::manifest {

// "/a/b": starts with '/', no empty, '.' or '..' components, no trailing '/' (unless
// allow_trailing_slash, or the path is "/").
bool is_normalized_absolute(std::string_view p, bool allow_trailing_slash);

// Lexical normalization of an absolute path ('.', '..' and '//' removed; '..' at the root
// stays at the root). A relative path is taken relative to `base` (absolute).
std::string normalize_path(std::string_view p, std::string_view base = "/");

// Directory part of a normalized absolute path ("/a/b" -> "/a", "/a" -> "/").
std::string parent_dir(std::string_view p);

bool is_valid_utf8(std::string_view s);

std::string sha256_hex(const Sha256& d);
std::optional<Sha256> parse_sha256_hex(std::string_view hex);

}  // namespace cocoon::manifest
