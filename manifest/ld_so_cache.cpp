#include "manifest/ld_so_cache.hpp"

#include <cstring>

namespace cocoon::manifest {
namespace {

constexpr char kMagic[] = "glibc-ld.so.cache";  // 17 bytes, then version "1.1"
constexpr std::size_t kHeaderSize = 48;
constexpr std::size_t kEntrySize = 24;

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}
std::uint64_t le64(const std::uint8_t* p) { return le32(p) | std::uint64_t{le32(p + 4)} << 32; }

}  // namespace

std::vector<LdCacheEntry> parse_ld_so_cache(const std::vector<std::uint8_t>& b,
                                            const std::string& source) {
  auto fail = [&](const std::string& what) -> std::runtime_error {
    return std::runtime_error(source + ": " + what);
  };
  if (b.size() >= 11 && std::memcmp(b.data(), "ld.so-1.7.0", 11) == 0)
    throw fail("old ld.so.cache format (ld.so-1.7.0) is not supported; regenerate it with a glibc >= 2.32 ldconfig");
  if (b.size() < kHeaderSize || std::memcmp(b.data(), kMagic, 17) != 0)
    throw fail("not an ld.so.cache file (no \"glibc-ld.so.cache\" magic)");
  if (std::memcmp(b.data() + 17, "1.1", 3) != 0)
    throw fail("unsupported ld.so.cache version \"" + std::string(reinterpret_cast<const char*>(b.data() + 17), 3) +
               "\" (expected 1.1)");
  const std::uint32_t nlibs = le32(b.data() + 20);
  if (nlibs > (b.size() - kHeaderSize) / kEntrySize)
    throw fail(std::to_string(nlibs) + " entries do not fit in " + std::to_string(b.size()) + " bytes");
  auto string_at = [&](std::uint32_t off, const char* what, std::uint32_t i) {
    if (off >= b.size()) throw fail("entry " + std::to_string(i) + ": " + what + " offset " + std::to_string(off) + " is outside the file");
    const void* nul = std::memchr(b.data() + off, 0, b.size() - off);
    if (nul == nullptr) throw fail("entry " + std::to_string(i) + ": " + what + " string is not terminated");
    return std::string(reinterpret_cast<const char*>(b.data() + off),
                       static_cast<const std::uint8_t*>(nul) - (b.data() + off));
  };
  std::vector<LdCacheEntry> out;
  out.reserve(nlibs);
  for (std::uint32_t i = 0; i < nlibs; ++i) {
    const std::uint8_t* e = b.data() + kHeaderSize + std::size_t{i} * kEntrySize;
    LdCacheEntry entry;
    entry.flags = static_cast<std::int32_t>(le32(e));
    entry.name = string_at(le32(e + 4), "name", i);
    entry.path = string_at(le32(e + 8), "path", i);
    entry.hwcap = le64(e + 16);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace cocoon::manifest
