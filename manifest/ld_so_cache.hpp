// Reader of glibc's /etc/ld.so.cache, new format ("glibc-ld.so.cache" "1.1", glibc >= 2.32;
// layout from glibc's sysdeps/generic/dl-cache.h: a 48-byte header, then nlibs 24-byte
// entries {int32 flags; uint32 key; uint32 value; uint32 osversion; uint64 hwcap}, string
// offsets counted from the start of the file).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cocoon::manifest {

struct LdCacheEntry {
  std::string name;    // soname, e.g. "libc.so.6"
  std::string path;    // e.g. "/lib/x86_64-linux-gnu/libc.so.6"
  std::int32_t flags;  // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 = 0x0303 for x86-64 libraries
  std::uint64_t hwcap; // bit 62 set: a glibc-hwcaps subdirectory entry
  bool is_x86_64() const { return (flags & 0xff) == 0x03 && (flags & 0xff00) == 0x0300; }
  bool is_hwcaps() const { return (hwcap & (1ull << 62)) != 0; }
};

// Parses the bytes of a cache file; throws std::runtime_error naming `source` and what is
// wrong for anything malformed (untrusted input: every offset is checked).
std::vector<LdCacheEntry> parse_ld_so_cache(const std::vector<std::uint8_t>& bytes,
                                            const std::string& source);

}  // namespace cocoon::manifest
