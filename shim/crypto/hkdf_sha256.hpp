// HKDF with HMAC-SHA256 (RFC 5869), for deriving keys from a secret (freestanding).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::crypto {

inline constexpr std::size_t kHkdfSha256MaxOutput = 255 * 32;  // RFC 5869 §2.3: L <= 255*HashLen

// PRK = HMAC-SHA256(salt, ikm). An empty salt means 32 zero bytes (RFC 5869 §2.2).
void hkdf_sha256_extract(const void* salt, std::size_t salt_size, const void* ikm,
                         std::size_t ikm_size, std::uint8_t prk[32]);

// OKM = T(1) ‖ T(2) ‖ … truncated to out_size. Returns false (and writes nothing) when out_size
// exceeds kHkdfSha256MaxOutput.
bool hkdf_sha256_expand(const void* prk, std::size_t prk_size, const void* info,
                        std::size_t info_size, std::uint8_t* out, std::size_t out_size);

// Extract then expand.
bool hkdf_sha256(const void* salt, std::size_t salt_size, const void* ikm, std::size_t ikm_size,
                 const void* info, std::size_t info_size, std::uint8_t* out, std::size_t out_size);

}  // namespace cocoon::crypto
