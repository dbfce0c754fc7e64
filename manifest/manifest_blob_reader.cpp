// Reader of the compiled manifest (format in manifest_blob.hpp). Freestanding: linked into
// the shim, and compiled as host code for the unit tests and the fuzz target.
#include "manifest/manifest_blob.hpp"

namespace cocoon::manifest {
namespace {

constexpr std::size_t kElementSize[kSecCount] = {
    1, sizeof(BlobStr), sizeof(BlobPair), sizeof(BlobStr), sizeof(BlobMount),
    sizeof(BlobTrusted), sizeof(BlobStr), sizeof(BlobPair)};

void copy_bytes(void* dst, const void* src, std::size_t n) {
  __builtin_memcpy(dst, src, n);
}

// Validation reads every string of the blob (a language runtime's manifest has thousands of
// paths sharing long prefixes), so the two loops below go 8 bytes at a time.
std::uint64_t load8(const char* p) {
  std::uint64_t v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

bool has_nul(const char* p, std::size_t n) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t v = load8(p + i);
    if (((v - kOnes) & ~v & kHighs) != 0) return true;  // some byte of v is 0
  }
  for (; i < n; ++i)
    if (p[i] == '\0') return true;
  return false;
}

// memcmp-style ordering of two byte strings (shorter prefix first).
int compare(const char* a, std::size_t alen, const char* b, std::size_t blen) {
  const std::size_t n = alen < blen ? alen : blen;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t x = load8(a + i), y = load8(b + i);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;  // first byte most significant
  }
  for (; i < n; ++i) {
    auto ca = static_cast<unsigned char>(a[i]);
    auto cb = static_cast<unsigned char>(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (alen == blen) return 0;
  return alen < blen ? -1 : 1;
}

bool is_absolute(StrView s) { return s.size > 0 && s.data[0] == '/'; }

bool bind_rule_valid(const BlobBindRule& r) {
  std::size_t used;  // address bytes the kind uses; the others must be 0
  switch (r.kind) {
    case kBindAnyAddress: used = 0; break;
    case kBindIpv4: used = 4; break;
    case kBindIpv6: used = 16; break;
    default: return false;
  }
  for (std::size_t i = used; i < sizeof r.addr; ++i)
    if (r.addr[i] != 0) return false;
  return r.reserved[0] == 0 && r.reserved[1] == 0 && r.reserved[2] == 0 && r.port_low <= r.port_high;
}

}  // namespace

const char* blob_error_name(BlobError e) {
  switch (e) {
    case BlobError::kOk: return "ok";
    case BlobError::kTooSmall: return "shorter than the header";
    case BlobError::kBadMagic: return "bad magic (not a compiled Cocoon manifest)";
    case BlobError::kBadVersion: return "unsupported format version";
    case BlobError::kBadSize: return "total size does not match";
    case BlobError::kBadFlags: return "unknown flags set";
    case BlobError::kSectionOutOfRange: return "a section lies outside the blob";
    case BlobError::kStringOutOfRange: return "a string lies outside the string section";
    case BlobError::kStringHasNul: return "a string contains a NUL byte";
    case BlobError::kNotAbsolute: return "a path is not absolute";
    case BlobError::kNotSorted: return "a sorted section is out of order or has duplicates";
    case BlobError::kBadSettings: return "invalid enclave settings";
    case BlobError::kBadNetRule: return "invalid net.bind rule";
  }
  return "unknown error";
}

template <typename T>
T ManifestBlob::entry(BlobSectionId sec, std::size_t i) const {
  T v;
  copy_bytes(&v, data_ + hdr_.sections[sec].offset + i * sizeof(T), sizeof(T));
  return v;
}

BlobError ManifestBlob::open(const std::uint8_t* data, std::size_t size) {
  data_ = nullptr;
  strings_ = nullptr;
  net_ = nullptr;
  net_count_ = 0;
  if (data == nullptr || size < sizeof(BlobHeader)) return BlobError::kTooSmall;
  BlobHeader h;
  copy_bytes(&h, data, sizeof h);
  for (std::size_t i = 0; i < sizeof kBlobMagic; ++i)
    if (h.magic[i] != kBlobMagic[i]) return BlobError::kBadMagic;
  if (h.version != kBlobVersion) return BlobError::kBadVersion;
  if (size > kBlobMaxSize || h.total_size != size) return BlobError::kBadSize;
  if ((h.flags & ~kBlobKnownFlags) != 0) return BlobError::kBadFlags;
  for (std::uint32_t s = 0; s < kSecCount; ++s) {
    const BlobSection& sec = h.sections[s];
    if (sec.count == 0) continue;
    std::uint64_t end = std::uint64_t{sec.offset} + std::uint64_t{sec.count} * kElementSize[s];
    if (sec.offset < sizeof(BlobHeader) || end > size) return BlobError::kSectionOutOfRange;
  }
  if (h.enclave.size == 0 || (h.enclave.size & (h.enclave.size - 1)) != 0 ||
      h.enclave.max_threads == 0)
    return BlobError::kBadSettings;
  BlobNet net{};
  if (h.net_offset != 0) {
    if (h.net_offset < sizeof(BlobHeader) || h.net_offset % 8 != 0 ||
        std::uint64_t{h.net_offset} + sizeof(BlobNet) > size)
      return BlobError::kSectionOutOfRange;
    copy_bytes(&net, data + h.net_offset, sizeof net);
    if (std::uint64_t{h.net_offset} + sizeof(BlobNet) + std::uint64_t{net.bind_count} * sizeof(BlobBindRule) > size)
      return BlobError::kSectionOutOfRange;
    if (net.reserved != 0) return BlobError::kBadNetRule;
    for (std::uint32_t i = 0; i < net.bind_count; ++i) {
      BlobBindRule r;
      copy_bytes(&r, data + h.net_offset + sizeof(BlobNet) + i * sizeof(BlobBindRule), sizeof r);
      if (!bind_rule_valid(r)) return BlobError::kBadNetRule;
    }
  }

  // Accept the header, then check every string reference through the accessors.
  hdr_ = h;
  data_ = data;
  strings_ = reinterpret_cast<const char*>(data + h.sections[kSecStrings].offset);
  net_ = h.net_offset != 0 ? data + h.net_offset + sizeof(BlobNet) : nullptr;
  net_count_ = net.bind_count;
  const std::uint32_t strings_size = h.sections[kSecStrings].count;
  BlobError err = BlobError::kOk;
  auto check = [&](BlobStr s) {
    if (err != BlobError::kOk) return false;
    if (std::uint64_t{s.offset} + s.length >= strings_size) {
      err = BlobError::kStringOutOfRange;
      return false;
    }
    if (strings_[s.offset + s.length] != '\0') {
      err = BlobError::kStringOutOfRange;
      return false;
    }
    if (has_nul(strings_ + s.offset, s.length)) {
      err = BlobError::kStringHasNul;
      return false;
    }
    return true;
  };
  auto check_path = [&](BlobStr s) {
    if (!check(s)) return false;
    if (!is_absolute(str(s))) {
      err = BlobError::kNotAbsolute;
      return false;
    }
    return true;
  };
  auto in_order = [&](StrView prev, StrView cur, std::size_t i) {
    if (i > 0 && compare(prev.data, prev.size, cur.data, cur.size) >= 0) {
      err = BlobError::kNotSorted;
      return false;
    }
    return true;
  };
  auto fail = [&]() {
    data_ = nullptr;
    strings_ = nullptr;
    net_ = nullptr;
    net_count_ = 0;
    hdr_ = BlobHeader{};
    return err;
  };

  if (!check_path(h.entrypoint) || !check_path(h.working_dir)) return fail();
  for (std::size_t i = 0; i < argv_count(); ++i)
    if (!check(entry<BlobStr>(kSecArgv, i))) return fail();
  StrView prev;
  for (std::size_t i = 0; i < env_count(); ++i) {
    auto p = entry<BlobPair>(kSecEnv, i);
    if (!check(p.first) || !check(p.second) || !in_order(prev, str(p.first), i)) return fail();
    prev = str(p.first);
  }
  for (std::size_t i = 0; i < passthrough_count(); ++i) {
    auto s = entry<BlobStr>(kSecPassthrough, i);
    if (!check(s) || !in_order(prev, str(s), i)) return fail();
    prev = str(s);
  }
  for (std::size_t i = 0; i < mount_count(); ++i) {
    auto m = entry<BlobMount>(kSecMounts, i);
    if (!check_path(m.path) || !check(m.uri) || !check(m.type)) return fail();
  }
  for (std::size_t i = 0; i < trusted_count(); ++i) {
    auto t = entry<BlobTrusted>(kSecTrusted, i);
    if (!check_path(t.path) || !in_order(prev, str(t.path), i)) return fail();
    prev = str(t.path);
  }
  for (std::size_t i = 0; i < allowed_count(); ++i) {
    auto s = entry<BlobStr>(kSecAllowed, i);
    if (!check_path(s) || !in_order(prev, str(s), i)) return fail();
    prev = str(s);
  }
  for (std::size_t i = 0; i < symlink_count(); ++i) {
    auto p = entry<BlobPair>(kSecSymlinks, i);
    if (!check_path(p.first) || !check(p.second) || !in_order(prev, str(p.first), i))
      return fail();
    if (p.second.length == 0) {
      err = BlobError::kStringOutOfRange;
      return fail();
    }
    prev = str(p.first);
  }
  return BlobError::kOk;
}

StrView ManifestBlob::argv(std::size_t i) const { return str(entry<BlobStr>(kSecArgv, i)); }
StrView ManifestBlob::env_name(std::size_t i) const {
  return str(entry<BlobPair>(kSecEnv, i).first);
}
StrView ManifestBlob::env_value(std::size_t i) const {
  return str(entry<BlobPair>(kSecEnv, i).second);
}
StrView ManifestBlob::passthrough(std::size_t i) const {
  return str(entry<BlobStr>(kSecPassthrough, i));
}
MountView ManifestBlob::mount(std::size_t i) const {
  auto m = entry<BlobMount>(kSecMounts, i);
  return {str(m.path), str(m.uri), str(m.type)};
}
StrView ManifestBlob::trusted_path(std::size_t i) const {
  return str(entry<BlobTrusted>(kSecTrusted, i).path);
}
StrView ManifestBlob::allowed(std::size_t i) const { return str(entry<BlobStr>(kSecAllowed, i)); }
StrView ManifestBlob::symlink_path(std::size_t i) const {
  return str(entry<BlobPair>(kSecSymlinks, i).first);
}
StrView ManifestBlob::symlink_target(std::size_t i) const {
  return str(entry<BlobPair>(kSecSymlinks, i).second);
}

BlobBindRule ManifestBlob::bind_rule(std::size_t i) const {
  BlobBindRule r;
  copy_bytes(&r, net_ + i * sizeof(BlobBindRule), sizeof r);
  return r;
}

const std::uint8_t* ManifestBlob::find_trusted(const char* path, std::size_t len) const {
  if (data_ == nullptr) return nullptr;
  std::size_t lo = 0, hi = trusted_count();
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    StrView p = trusted_path(mid);
    int c = compare(p.data, p.size, path, len);
    if (c == 0)
      return data_ + hdr_.sections[kSecTrusted].offset + mid * sizeof(BlobTrusted) +
             offsetof(BlobTrusted, sha256);
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return nullptr;
}

StrView ManifestBlob::find_symlink(const char* path, std::size_t len) const {
  if (data_ == nullptr) return {};
  std::size_t lo = 0, hi = symlink_count();
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    StrView p = symlink_path(mid);
    int c = compare(p.data, p.size, path, len);
    if (c == 0) return symlink_target(mid);
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return {};
}

bool ManifestBlob::is_allowed(const char* path, std::size_t len) const {
  if (data_ == nullptr) return false;
  for (std::size_t i = 0; i < allowed_count(); ++i) {
    StrView a = allowed(i);
    std::size_t n = a.size;
    while (n > 1 && a.data[n - 1] == '/') --n;  // "/tmp/" means the directory "/tmp"
    if (n == 1) return true;                     // "/" allows everything
    if (len < n || compare(a.data, n, path, n) != 0) continue;
    if (len == n || path[n] == '/') return true;
  }
  return false;
}

CanonError ManifestBlob::canonicalize(const char* path, std::size_t len, char* out,
                                      std::size_t outcap, std::size_t* outlen,
                                      bool follow_last) const {
  if (outcap < 2) return CanonError::kTooLong;
  if (len == 0 || path[0] != '/') return CanonError::kNotAbsolute;
  if (len > kMaxPath) return CanonError::kTooLong;
  const std::size_t cap = outcap < kMaxPath ? outcap : kMaxPath;

  // What is left to resolve sits right-aligned in `rest`, so that a symlink's target can be
  // prepended in place without moving the remainder.
  char rest[kMaxPath];
  std::size_t start = kMaxPath - len;
  copy_bytes(rest + start, path, len);
  std::size_t olen = 0;  // out[0, olen): resolved prefix, "" standing for "/"
  unsigned follows = 0;

  while (start < kMaxPath) {
    while (start < kMaxPath && rest[start] == '/') ++start;
    if (start == kMaxPath) break;
    std::size_t end = start;
    while (end < kMaxPath && rest[end] != '/') ++end;
    const char* comp = rest + start;
    const std::size_t clen = end - start;
    start = end;
    if (clen == 1 && comp[0] == '.') continue;
    if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
      while (olen > 0 && out[olen - 1] != '/') --olen;
      if (olen > 0) --olen;
      continue;
    }
    const std::size_t parent = olen;
    if (olen + 1 + clen + 1 > cap) return CanonError::kTooLong;
    out[olen++] = '/';
    copy_bytes(out + olen, comp, clen);
    olen += clen;
    if (start == kMaxPath && !follow_last) break;
    StrView target = find_symlink(out, olen);
    if (target.data == nullptr || target.size == 0) continue;
    if (++follows > kMaxSymlinkFollows) return CanonError::kLoop;
    olen = target.data[0] == '/' ? 0 : parent;
    if (target.size + 1 > start) return CanonError::kTooLong;
    rest[--start] = '/';
    start -= target.size;
    copy_bytes(rest + start, target.data, target.size);
  }
  if (olen == 0) out[olen++] = '/';
  out[olen] = '\0';
  *outlen = olen;
  return CanonError::kOk;
}

}  // namespace cocoon::manifest
