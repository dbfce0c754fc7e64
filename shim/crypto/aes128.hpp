// AES-128 block encryption (FIPS 197) and AES-128-CMAC (RFC 4493, NIST SP 800-38B), freestanding.
//
// Two implementations behind one key-schedule format (the 11 round keys, 176 bytes, in FIPS 197
// byte order):
//   * AES-NI, in aes128_ni.S. Constant time. Saves and restores every XMM register it touches,
//     so the program's vector state survives a call from the shim.
//   * Portable C++ with S-box table look-ups. NOT constant time: the table index depends on
//     key and data, so cache timing can leak the key to a co-resident attacker. It exists only
//     so that CPUs without AES-NI still work; AesImpl::Auto picks AES-NI whenever CPUID has it.
//
// SGX REPORT MACs are AES-128-CMAC over the report body (sgx-structures.md §5).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::crypto {

inline constexpr std::size_t kAes128KeySize = 16;
inline constexpr std::size_t kAesBlockSize = 16;
inline constexpr std::size_t kAes128RoundKeysSize = 176;

enum class AesImpl : std::uint8_t {
  Auto,      // AES-NI if the CPU has it, else portable
  Portable,  // table based, not constant time (see above)
  AesNi,     // AES-NI; falls back to portable when the CPU lacks it (never faults)
};

// True when this CPU has AES-NI (and the SSSE3/SSE4.1 the routines may use).
bool aes128_ni_available();

struct Aes128Key {
  alignas(16) std::uint8_t round_keys[kAes128RoundKeysSize];
  AesImpl impl;  // Portable or AesNi (never Auto once expanded)
};

void aes128_expand_key(const std::uint8_t key[kAes128KeySize], Aes128Key& out,
                       AesImpl impl = AesImpl::Auto);
void aes128_encrypt_block(const Aes128Key& key, const std::uint8_t in[kAesBlockSize],
                          std::uint8_t out[kAesBlockSize]);
// CBC-MAC chaining: for each block, state = E(state XOR block).
void aes128_cbc_mac_blocks(const Aes128Key& key, std::uint8_t state[kAesBlockSize],
                           const std::uint8_t* data, std::size_t nblocks);

class Aes128Cmac {
 public:
  explicit Aes128Cmac(const std::uint8_t key[kAes128KeySize], AesImpl impl = AesImpl::Auto);
  ~Aes128Cmac();
  Aes128Cmac(const Aes128Cmac&) = delete;
  Aes128Cmac& operator=(const Aes128Cmac&) = delete;

  void update(const void* data, std::size_t size);
  // Writes the 16-byte tag; the object is spent afterwards.
  void final(std::uint8_t mac[kAesBlockSize]);

 private:
  Aes128Key key_;
  std::uint8_t k1_[kAesBlockSize];
  std::uint8_t k2_[kAesBlockSize];
  std::uint8_t state_[kAesBlockSize];
  std::uint8_t buffer_[kAesBlockSize];
  std::size_t buffered_;
};

void aes128_cmac(const std::uint8_t key[kAes128KeySize], const void* data, std::size_t size,
                 std::uint8_t mac[kAesBlockSize], AesImpl impl = AesImpl::Auto);

}  // namespace cocoon::crypto
