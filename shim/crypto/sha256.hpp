// SHA-256 (FIPS 180-4), incremental and one-shot. Freestanding: used by the shim and, compiled
// as ordinary host code, by the host tools and tests.
//
// Two compression functions:
//   * sha256_blocks_portable: plain C++ on general registers (any x86-64 CPU);
//   * sha256_blocks_shani:    the SHA extensions, in sha256_shani.S. It saves and restores
//     every XMM register it touches, so the program's vector state survives a call from the
//     shim (the shim itself is built with -mgeneral-regs-only).
// Sha256Impl::Auto picks SHA-NI when CPUID reports it (checked once, then cached).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::crypto {

inline constexpr std::size_t kSha256DigestSize = 32;
inline constexpr std::size_t kSha256BlockSize = 64;

enum class Sha256Impl : std::uint8_t {
  Auto,      // SHA-NI if the CPU has it, else portable
  Portable,
  ShaNi,     // SHA-NI; falls back to portable when the CPU lacks it (never faults)
};

// True when this CPU has SHA-NI (and the SSSE3/SSE4.1 the routine also uses).
bool sha256_shani_available();

// Compress `nblocks` 64-byte blocks into state[8] (a..h as in FIPS 180-4).
// sha256_blocks_shani must only be called when sha256_shani_available() is true.
void sha256_blocks_portable(std::uint32_t state[8], const std::uint8_t* data, std::size_t nblocks);
void sha256_blocks_shani(std::uint32_t state[8], const std::uint8_t* data, std::size_t nblocks);

class Sha256 {
 public:
  explicit Sha256(Sha256Impl impl = Sha256Impl::Auto) { reset(impl); }

  // Start over (keeps nothing from previous input).
  void reset(Sha256Impl impl = Sha256Impl::Auto);
  void update(const void* data, std::size_t size);
  // Copies src to dst and hashes the copy, reading each byte of src once (with SHA-NI, in the
  // same pass): what is hashed is exactly what dst gets, even if src changes meanwhile.
  // The ranges must not overlap.
  void update_copy(void* dst, const void* src, std::size_t size);
  // Writes the 32-byte digest. The object must be reset() before further use.
  void final(std::uint8_t out[kSha256DigestSize]);

 private:
  using BlockFn = void (*)(std::uint32_t*, const std::uint8_t*, std::size_t);
  std::uint32_t state_[8];
  std::uint8_t buffer_[kSha256BlockSize];
  std::uint64_t total_bytes_;
  std::size_t buffered_;
  BlockFn blocks_;
};

// One-shot digest.
void sha256(const void* data, std::size_t size, std::uint8_t out[kSha256DigestSize],
            Sha256Impl impl = Sha256Impl::Auto);

}  // namespace cocoon::crypto
