// The compiled manifest: the binary form of a Manifest that is measured into the enclave
// (manifest pages of the enclave image) and read by the shim.
//
// Freestanding-safe: only <cstdint>/<cstddef> and no allocation. The reader never trusts
// the bytes: ManifestBlob::open() validates every offset, length, string and sort order
// before any other member may be used. The host writer is compile_blob() (manifest.hpp).
//
// Format, version 1 (all integers little-endian; Cocoon targets x86-64 only):
//
//   offset 0   BlobHeader (160 bytes): magic "COCOONMF", version, total size, flags,
//              entrypoint and working dir (string refs), a section table, enclave settings
//   then       the sections, each 8-byte aligned, in this order:
//                strings      raw bytes; every string is referenced as {offset, length}
//                             into it and followed by a NUL (not counted in the length)
//                argv         BlobStr[count]
//                env          BlobPair[count]   (name, value), sorted by name, unique
//                passthrough  BlobStr[count]    host variable names, sorted, unique
//                mounts       BlobMount[count]  in manifest order
//                trusted      BlobTrusted[count] sorted by path (bytewise), unique
//                allowed      BlobStr[count]    sorted, unique
//                symlinks     BlobPair[count]   (link path, target), sorted by path, unique
//   then       only when the manifest has net.bind (header field net_offset != 0), 8-byte
//              aligned, after the sections:
//                net          BlobNet, then BlobBindRule[bind_count] in manifest order
//              A manifest without net.bind has net_offset 0 and no net part: its bytes are
//              those of the format before [net] existed (tests/manifest pins them).
//
// Strings never contain NUL. Paths in trusted/allowed/symlink keys are absolute.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::manifest {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the manifest blob is little-endian");

inline constexpr std::uint8_t kBlobMagic[8] = {'C', 'O', 'C', 'O', 'O', 'N', 'M', 'F'};
inline constexpr std::uint32_t kBlobVersion = 1;
inline constexpr std::uint32_t kBlobFlagAllowHostArgv = 1u << 0;
inline constexpr std::uint32_t kBlobFlagDebug = 1u << 1;
inline constexpr std::uint32_t kBlobKnownFlags = kBlobFlagAllowHostArgv | kBlobFlagDebug;
// Largest blob the reader accepts (offsets are 32-bit).
inline constexpr std::size_t kBlobMaxSize = 0x7fffffff;
// Longest path canonicalize() produces or accepts (Linux PATH_MAX).
inline constexpr std::size_t kMaxPath = 4096;
// Symlinks followed by one canonicalize() call before it gives up (Linux: 40, ELOOP).
inline constexpr unsigned kMaxSymlinkFollows = 40;

// ---- wire structures (format version 1, see the file comment) ----

struct BlobStr {  // a string: strings[offset, offset+length), then a NUL
  std::uint32_t offset;
  std::uint32_t length;
};
static_assert(sizeof(BlobStr) == 8 && offsetof(BlobStr, length) == 4);

struct BlobPair {
  BlobStr first;
  BlobStr second;
};
static_assert(sizeof(BlobPair) == 16 && offsetof(BlobPair, second) == 8);

struct BlobMount {
  BlobStr path;
  BlobStr uri;
  BlobStr type;
};
static_assert(sizeof(BlobMount) == 24 && offsetof(BlobMount, uri) == 8 &&
              offsetof(BlobMount, type) == 16);

struct BlobTrusted {
  BlobStr path;
  std::uint8_t sha256[32];
};
static_assert(sizeof(BlobTrusted) == 40 && offsetof(BlobTrusted, sha256) == 8);

// One net.bind rule: any address ("*"), one IPv4 or one IPv6 address, and an inclusive
// port range (0-65535 for "*").
inline constexpr std::uint8_t kBindAnyAddress = 0;
inline constexpr std::uint8_t kBindIpv4 = 4;
inline constexpr std::uint8_t kBindIpv6 = 6;
struct BlobBindRule {
  std::uint8_t kind;         // kBindAnyAddress, kBindIpv4 or kBindIpv6
  std::uint8_t reserved[3];  // 0
  std::uint16_t port_low;    // host byte order, port_low <= port_high
  std::uint16_t port_high;
  std::uint8_t addr[16];     // network byte order; IPv4: the first 4 bytes; unused bytes 0
};
static_assert(sizeof(BlobBindRule) == 24 && offsetof(BlobBindRule, port_low) == 4 &&
              offsetof(BlobBindRule, port_high) == 6 && offsetof(BlobBindRule, addr) == 8);

struct BlobNet {
  std::uint32_t bind_count;  // BlobBindRule entries that follow
  std::uint32_t reserved;    // 0
};
static_assert(sizeof(BlobNet) == 8);

struct BlobSection {  // entries at blob[offset]; for `strings`, count is the byte size
  std::uint32_t offset;
  std::uint32_t count;
};
static_assert(sizeof(BlobSection) == 8);

enum BlobSectionId : std::uint32_t {
  kSecStrings = 0,
  kSecArgv,
  kSecEnv,
  kSecPassthrough,
  kSecMounts,
  kSecTrusted,
  kSecAllowed,
  kSecSymlinks,
  kSecCount
};

struct BlobEnclave {
  std::uint64_t size;
  std::uint64_t attributes;
  std::uint64_t attributes_mask;
  std::uint64_t xfrm;
  std::uint64_t xfrm_mask;
  std::uint32_t misc_select;
  std::uint32_t misc_mask;
  std::uint32_t max_threads;
  std::uint16_t isv_prod_id;
  std::uint16_t isv_svn;
};
static_assert(sizeof(BlobEnclave) == 56 && offsetof(BlobEnclave, attributes) == 8 &&
              offsetof(BlobEnclave, xfrm_mask) == 32 && offsetof(BlobEnclave, misc_select) == 40 &&
              offsetof(BlobEnclave, max_threads) == 48 && offsetof(BlobEnclave, isv_prod_id) == 52 &&
              offsetof(BlobEnclave, isv_svn) == 54);

struct BlobHeader {
  std::uint8_t magic[8];
  std::uint32_t version;
  std::uint32_t total_size;   // bytes, header included
  std::uint32_t flags;        // kBlobFlag*
  std::uint32_t net_offset;   // BlobNet when the manifest has net.bind; 0 when it has none
                              // (every bind allowed). Was a reserved 0 before [net] existed.
  BlobStr entrypoint;
  BlobStr working_dir;
  BlobSection sections[kSecCount];
  BlobEnclave enclave;
};
static_assert(offsetof(BlobHeader, version) == 8 && offsetof(BlobHeader, total_size) == 12 &&
              offsetof(BlobHeader, flags) == 16 && offsetof(BlobHeader, net_offset) == 20 &&
              offsetof(BlobHeader, entrypoint) == 24 &&
              offsetof(BlobHeader, working_dir) == 32 && offsetof(BlobHeader, sections) == 40 &&
              offsetof(BlobHeader, enclave) == 104 && sizeof(BlobHeader) == 160);

// ---- reader ----

enum class BlobError : std::uint32_t {
  kOk = 0,
  kTooSmall,          // shorter than the header
  kBadMagic,
  kBadVersion,
  kBadSize,           // total_size does not match the buffer, or too large
  kBadFlags,          // unknown flag bits set
  kSectionOutOfRange, // a section does not fit in the blob
  kStringOutOfRange,  // a string ref points outside the string section or misses its NUL
  kStringHasNul,
  kNotAbsolute,       // a path that must be absolute is not
  kNotSorted,         // trusted/allowed/symlinks/env/passthrough not strictly sorted
  kBadSettings,       // enclave size not a power of two, zero threads
  kBadNetRule,        // a net.bind rule with an unknown kind, an empty port range or
                      // nonzero unused bytes
};
const char* blob_error_name(BlobError e);

struct StrView {
  const char* data = nullptr;
  std::size_t size = 0;
};

struct MountView {
  StrView path, uri, type;
};

enum class CanonError : std::uint32_t {
  kOk = 0,
  kNotAbsolute,  // input does not start with '/'
  kTooLong,      // result or intermediate path longer than the output / kMaxPath
  kLoop,         // more than kMaxSymlinkFollows symlinks
};

class ManifestBlob {
 public:
  // Validates everything; on kOk the reader is usable. `data` must stay alive and unchanged.
  BlobError open(const std::uint8_t* data, std::size_t size);

  StrView entrypoint() const { return str(hdr_.entrypoint); }
  StrView working_dir() const { return str(hdr_.working_dir); }
  bool allow_host_argv() const { return (hdr_.flags & kBlobFlagAllowHostArgv) != 0; }
  bool debug() const { return (hdr_.flags & kBlobFlagDebug) != 0; }
  const BlobEnclave& enclave() const { return hdr_.enclave; }

  std::size_t argv_count() const { return hdr_.sections[kSecArgv].count; }
  StrView argv(std::size_t i) const;
  std::size_t env_count() const { return hdr_.sections[kSecEnv].count; }
  StrView env_name(std::size_t i) const;
  StrView env_value(std::size_t i) const;
  std::size_t passthrough_count() const { return hdr_.sections[kSecPassthrough].count; }
  StrView passthrough(std::size_t i) const;
  std::size_t mount_count() const { return hdr_.sections[kSecMounts].count; }
  MountView mount(std::size_t i) const;
  std::size_t trusted_count() const { return hdr_.sections[kSecTrusted].count; }
  StrView trusted_path(std::size_t i) const;
  std::size_t allowed_count() const { return hdr_.sections[kSecAllowed].count; }
  StrView allowed(std::size_t i) const;
  std::size_t symlink_count() const { return hdr_.sections[kSecSymlinks].count; }
  StrView symlink_path(std::size_t i) const;
  StrView symlink_target(std::size_t i) const;

  // net.bind: whether the manifest has it (without it every bind is allowed), and its rules.
  bool has_bind_policy() const { return net_ != nullptr; }
  std::size_t bind_rule_count() const { return net_count_; }
  BlobBindRule bind_rule(std::size_t i) const;

  // SHA-256 of a trusted file (canonical path), or nullptr when the path is not trusted.
  const std::uint8_t* find_trusted(const char* path, std::size_t len) const;
  // Whether a canonical path is an allowed file, or lies under an allowed directory
  // (an entry "/tmp" or "/tmp/" allows "/tmp" and "/tmp/x", not "/tmpx"; "/" allows all).
  bool is_allowed(const char* path, std::size_t len) const;
  // Target of a symlink in the table (exact path), or {nullptr, 0}.
  StrView find_symlink(const char* path, std::size_t len) const;

  // Canonical form of an absolute path: '.', '..' and '//' removed lexically, symlinks in
  // the measured table followed (for the last component only when follow_last). Writes a
  // NUL-terminated result to out (outcap bytes incl. the NUL) and its length to *outlen.
  CanonError canonicalize(const char* path, std::size_t len, char* out, std::size_t outcap,
                          std::size_t* outlen, bool follow_last = true) const;

 private:
  StrView str(BlobStr s) const { return {strings_ + s.offset, s.length}; }
  template <typename T>
  T entry(BlobSectionId sec, std::size_t i) const;

  const std::uint8_t* data_ = nullptr;
  const char* strings_ = nullptr;
  const std::uint8_t* net_ = nullptr;  // the first BlobBindRule, or nullptr without net.bind
  std::size_t net_count_ = 0;
  BlobHeader hdr_{};
};

}  // namespace cocoon::manifest
