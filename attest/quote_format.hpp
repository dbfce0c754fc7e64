// Wire layouts of the DCAP ECDSA quote v3 and the SGX REPORT/TARGETINFO it is built from.
// Spec: shared/specs/sgx-structures.md §5 (REPORT, TARGETINFO) and §7 (quote v3). All
// integers are little-endian (x86 hosts only); ECDSA values inside the quote are big-endian
// r‖s and x‖y. Every struct is packed byte-for-byte like the hardware/wire format.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "manifest/sgx_structs.hpp"

namespace cocoon::quote {

using Bytes16 = std::array<std::uint8_t, 16>;
using Bytes32 = std::array<std::uint8_t, 32>;
using Bytes64 = std::array<std::uint8_t, 64>;

inline constexpr std::uint16_t kQuoteVersion3 = 3;
inline constexpr std::uint16_t kAttKeyTypeEcdsaP256 = 2;
inline constexpr std::uint64_t kAttributeDebug = sgx::kAttrDebug;

// §5 REPORT, its body and TARGETINFO are the architectural layouts of manifest/sgx_structs.hpp.
using ReportBody = sgx::ReportBody;
using Report = sgx::Report;
using TargetInfo = sgx::TargetInfo;

// A fixed-size field of an architectural struct as a comparable std::array.
template <std::size_t N>
std::array<std::uint8_t, N> field(const std::uint8_t (&a)[N]) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
  return out;
}
template <std::size_t N>
void set_field(std::uint8_t (&a)[N], const std::array<std::uint8_t, N>& v) {
  for (std::size_t i = 0; i < N; ++i) a[i] = v[i];
}

// §7 quote header (48 bytes).
struct QuoteHeader {
  std::uint16_t version;
  std::uint16_t att_key_type;
  std::uint32_t att_key_data_0;
  std::uint16_t qe_svn;
  std::uint16_t pce_svn;
  Bytes16 qe_vendor_id;
  std::uint8_t user_data[20];
};
static_assert(sizeof(QuoteHeader) == 48);
static_assert(offsetof(QuoteHeader, att_key_type) == 2);
static_assert(offsetof(QuoteHeader, qe_svn) == 8);
static_assert(offsetof(QuoteHeader, pce_svn) == 10);
static_assert(offsetof(QuoteHeader, qe_vendor_id) == 12);
static_assert(offsetof(QuoteHeader, user_data) == 28);

// §7 start of a quote: header ‖ ISV report body ‖ u32 signature_data_len. Packed: the u32
// at 432 leaves the struct at 436 bytes, not a multiple of the report body's alignment.
struct QuotePrefix {
  QuoteHeader header;
  ReportBody isv_report;
  std::uint32_t signature_data_len;
} __attribute__((packed));
static_assert(sizeof(QuotePrefix) == 436);
static_assert(offsetof(QuotePrefix, isv_report) == 48);
static_assert(offsetof(QuotePrefix, signature_data_len) == 432);

// §7 fixed part of the ECDSA signature data (at quote offset 436), followed by
// u16 qe_auth_size, qe_auth_data, u16 cert_type, u32 cert_size, cert_data.
struct EcdsaSignatureFixed {
  Bytes64 isv_signature;  // r ‖ s over quote bytes 0..431
  Bytes64 attest_key;     // x ‖ y
  ReportBody qe_report;
  Bytes64 qe_report_signature;  // r ‖ s over qe_report, by the PCK key
};
static_assert(sizeof(EcdsaSignatureFixed) == 576);
static_assert(offsetof(EcdsaSignatureFixed, attest_key) == 64);
static_assert(offsetof(EcdsaSignatureFixed, qe_report) == 128);
static_assert(offsetof(EcdsaSignatureFixed, qe_report_signature) == 512);

inline constexpr std::size_t kSignedPartSize = 432;  // header ‖ ISV report body
inline constexpr std::size_t kSignatureDataOffset = sizeof(QuotePrefix);
// Smallest well-formed quote: prefix, fixed signature part, empty auth data, empty cert data.
inline constexpr std::size_t kMinQuoteSize = sizeof(QuotePrefix) + sizeof(EcdsaSignatureFixed) + 2 + 2 + 4;
// Real quotes are ~1.5–5 KiB; AESM clients use 8 KiB buffers. Anything larger is refused.
inline constexpr std::size_t kMaxQuoteSize = 64 * 1024;

// §7 certification data types.
enum class CertDataType : std::uint16_t {
  PpidCleartext = 1,
  PpidRsa2048 = 2,
  PpidRsa3072 = 3,
  PckLeafCert = 4,
  PckCertChain = 5,
  EcdsaSigAuxData = 6,
};

// Intel's QE vendor id and QE identity (§7 verifier checklist step 6).
inline constexpr Bytes16 kIntelQeVendorId = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                             0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
inline constexpr Bytes32 kIntelQeMrSigner = {
    0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f, 0x77, 0xc6, 0x8a, 0x82, 0x9a,
    0x00, 0x56, 0xac, 0x8d, 0xed, 0x70, 0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};
inline constexpr std::uint16_t kIntelQeIsvProdId = 1;

}  // namespace cocoon::quote
