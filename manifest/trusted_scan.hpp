// A fast reader for the one part of a manifest that grows with the application: the
// fs.trusted_files array (thousands of `{ path = "…", sha256 = "…" }` lines for a language
// runtime's library). toml++ takes about 4 µs per entry; start-up parses the manifest every
// time, so the plain form that `cocoon manifest` writes is read here directly.
//
// It only ever *declines*: scan_trusted_files finds the array and reads it only when every
// element has exactly the plain form (a bare `path` and `sha256` key, basic strings of
// printable ASCII without escapes or template variables, 64 hex digits, no comments, each
// inline table on one line). The caller then gives toml++ the text with the array replaced
// by `[]` (same line count) and must check that toml++ put fs.trusted_files exactly where
// the scan started: otherwise (the match was inside a string, another table's key…) the
// whole original text is parsed the ordinary way, as is any text the scan declines. So the
// result is always the one toml++ and the ordinary checks would give.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.hpp"

namespace cocoon::manifest {

struct TrustedScan {
  std::size_t begin = 0;   // offset of the array's '['
  std::size_t end = 0;     // offset just past its ']'
  std::size_t line = 0;    // 1-based line of '[' (as toml++ counts)
  std::size_t column = 0;  // 1-based column of '[' in code points (as toml++ counts)
  std::vector<TrustedFile> entries;  // in file order, paths checked normalized absolute
  std::string replaced;    // the text with the array replaced by "[]" and its newlines
};

// The first `trusted_files = [` at the start of a line, read as above; nullopt when there is
// none or it is not entirely in the plain form.
std::optional<TrustedScan> scan_trusted_files(std::string_view text);

// How many manifests parse_manifest / parse_manifest_template read with the scan (for tests
// and benchmarks that must know the fast path was taken, since its result is the same).
std::uint64_t trusted_scans_used();
void count_trusted_scan_used();

}  // namespace cocoon::manifest
