// ECDSA P-256 / SHA-256 in the raw form quotes use (sgx-structures.md §7): signatures are
// r ‖ s and public keys x ‖ y, 32 big-endian bytes each. Thin wrappers over OpenSSL 3.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <span>
#include <string>

#include "quote_format.hpp"

namespace cocoon::quote {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

Bytes32 sha256(std::span<const std::uint8_t> data);

// nullptr when x ‖ y is not a point on P-256.
PkeyPtr p256_public_from_raw(const Bytes64& xy);
// x ‖ y of a P-256 key; throws std::runtime_error for another key type.
Bytes64 p256_public_to_raw(EVP_PKEY* key);
bool is_p256_key(EVP_PKEY* key);

bool p256_verify(EVP_PKEY* key, std::span<const std::uint8_t> msg, const Bytes64& rs);
Bytes64 p256_sign(EVP_PKEY* key, std::span<const std::uint8_t> msg);
PkeyPtr p256_generate();

// The most recent OpenSSL error as text (and clears the error queue).
std::string openssl_error();

}  // namespace cocoon::quote
