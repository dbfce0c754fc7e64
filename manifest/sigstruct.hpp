// SIGSTRUCT: building and signing (Intel format, 1808 bytes), parsing, verification with
// every EINIT check, MRSIGNER, and readable / JSON dumps (shared/specs/sgx-structures.md §4).
// Host code, OpenSSL 3.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "manifest/measurement.hpp"
#include "manifest/sgx_structs.hpp"

namespace cocoon::measure {

class SigningKey;

class SigstructError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kSigstructSize = sizeof(sgx::Sigstruct);
using SigstructBytes = std::array<std::uint8_t, kSigstructSize>;

// What the signer chooses; everything else (headers, key, signature, Q1/Q2) is derived.
struct SigstructFields {
  std::uint32_t vendor = 0;
  std::uint32_t date = 0;        // BCD yyyymmdd, e.g. 0x20240305
  std::uint32_t sw_defined = 0;
  std::uint32_t misc_select = 0;
  std::uint32_t misc_mask = 0;
  sgx::Attributes attributes{};
  sgx::Attributes attribute_mask{};
  Digest enclave_hash{};
  std::uint16_t isv_prod_id = 0;
  std::uint16_t isv_svn = 0;
};

// DATE helpers. parse_date accepts "YYYY-MM-DD" or "YYYYMMDD" and throws SigstructError.
std::uint32_t parse_date(const std::string& text);
bool is_valid_bcd_date(std::uint32_t date);  // 0 ("unset") counts as valid
std::uint32_t today_bcd_date();              // UTC

// Builds and signs a SIGSTRUCT. Deterministic: same key and fields give the same bytes.
SigstructBytes sign_sigstruct(const SigstructFields& fields, const SigningKey& key);

// Copies 1808 bytes into the structure; throws SigstructError("SIGSTRUCT must be 1808 bytes, got N").
sgx::Sigstruct parse_sigstruct(std::span<const std::uint8_t> bytes);

// Every structural and cryptographic check EINIT makes on the SIGSTRUCT itself (headers,
// vendor, exponent, reserved bytes, BCD date, RSA signature, Q1, Q2). Returns the problems
// in field order; empty means valid.
std::vector<std::string> check_sigstruct(const sgx::Sigstruct& ss);

// The RSA part alone: S^3 mod N is the PKCS#1 v1.5 SHA-256 encoding of `hash`, and Q1/Q2 are
// right. All big numbers are 384 bytes little-endian.
std::vector<std::string> check_rsa3072_e3(const std::uint8_t n_le[384], const std::uint8_t s_le[384],
                                          const Digest& hash, const std::uint8_t q1_le[384],
                                          const std::uint8_t q2_le[384]);

// The enclave side of EINIT: the SECS values the SIGSTRUCT must match.
struct EnclaveIdentity {
  Digest mrenclave{};
  sgx::Attributes attributes{};
  std::uint32_t misc_select = 0;
};
// check_sigstruct plus ENCLAVEHASH == MRENCLAVE and the masked ATTRIBUTES / MISCSELECT checks.
std::vector<std::string> check_einit(const sgx::Sigstruct& ss, const EnclaveIdentity& secs);

// Joins problems with "; " (the form used in error messages and expected.json).
std::string join_problems(const std::vector<std::string>& problems);

// SHA-256 of the 384 little-endian MODULUS bytes.
Digest mrsigner(const sgx::Sigstruct& ss);
Digest mrsigner_of_modulus(const std::uint8_t modulus_le[384]);

// Every field, one per line ("name: value"), followed by nothing else.
std::string describe_sigstruct(const sgx::Sigstruct& ss);
nlohmann::json sigstruct_to_json(const sgx::Sigstruct& ss);

}  // namespace cocoon::measure
