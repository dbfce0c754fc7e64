// Verification of a DCAP ECDSA quote v3 without collateral (sgx-structures.md §7 checklist),
// in trust order: PCK chain up to an anchor → QE report signature with the PCK key → QE
// identity → QE REPORTDATA binds the attestation key → ISV signature with the attestation key.
// Each failure is a QuoteError naming the part at fault.
#pragma once

#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pck_chain.hpp"
#include "quote_parser.hpp"

namespace cocoon::quote {

struct VerifyOptions {
  std::vector<TrustAnchor> anchors;      // at least one
  std::optional<std::time_t> at;         // certificate validity time (default: now)
  bool allow_zero_padding = false;       // accept trailing zeros (an AESM buffer)
};

struct VerifiedQuote {
  ParsedQuote quote;
  std::vector<std::string> chain_subjects;  // leaf first
  std::string anchor_name;
  bool simulated = false;
};

VerifiedQuote verify_quote(std::span<const std::uint8_t> bytes, const VerifyOptions& opts);

// The individual checks (used by verify_quote, exposed for tests and for quotes without a
// certificate chain). Each throws QuoteError.
void check_isv_signature(const ParsedQuote& q);
void check_qe_binding(const ParsedQuote& q);
void check_qe_report_signature(const ParsedQuote& q, EVP_PKEY* pck_key);
void check_qe_identity(const ParsedQuote& q, const TrustAnchor& anchor);

// What a relying party requires of the application enclave.
struct QuotePolicy {
  std::optional<Bytes32> mr_enclave;
  std::optional<Bytes32> mr_signer;
  std::optional<std::uint16_t> isv_prod_id;
  std::optional<std::uint16_t> min_isv_svn;
  std::optional<std::vector<std::uint8_t>> report_data;  // up to 64 bytes, zero-extended, compared exactly
  bool allow_debug = false;
};
// Throws QuoteError(Policy) naming the field, the expected and the actual value.
void check_policy(const ReportBody& isv, const QuotePolicy& policy);

std::string to_hex(std::span<const std::uint8_t> bytes);
// Parses hex (whitespace and an optional 0x ignored); throws std::invalid_argument naming `what`.
std::vector<std::uint8_t> from_hex(const std::string& hex, const char* what);

}  // namespace cocoon::quote
