// The PCK certificate chain carried in a quote's certification data (type 5: PEM certificates,
// in any order, possibly with a trailing NUL) and its verification up to a trust anchor.
#pragma once

#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "quote_ecdsa.hpp"
#include "quote_format.hpp"

namespace cocoon::quote {

// Whom a verifier trusts at the top of the chain, and which QE identity it then expects.
struct TrustAnchor {
  std::string name;                 // "Intel SGX Root CA (pinned)", "Cocoon simulated root CA (…)"
  Bytes64 root_public_key{};        // x ‖ y of the root's P-256 key: the pin
  X509Ptr root_cert;                // the root certificate, when the verifier has it (not needed for a pin)
  Bytes32 qe_mr_signer{};           // expected QE MRSIGNER
  std::uint16_t qe_isv_prod_id = 1; // expected QE ISVPRODID
  bool simulated = false;
};

// Intel's SGX Root CA, pinned by its public key (see intel_root.cpp for where it came from).
TrustAnchor intel_root_anchor();
// A root certificate loaded from a PEM file (--root); the QE identity defaults to Intel's.
TrustAnchor anchor_from_pem_file(const std::string& path);

std::vector<X509Ptr> parse_pem_certificates(std::span<const std::uint8_t> pem);

struct VerifiedChain {
  PkeyPtr leaf_key;                         // the PCK key that signs the QE report
  std::vector<std::string> subjects;        // leaf first, root last
  const TrustAnchor* anchor = nullptr;
};

// Orders `certs` by issuer/subject from the leaf upwards, requires it to end at one of the
// anchors (matched by public key), and checks every signature and validity period (at `at`,
// default now). Throws QuoteError(PckCertChain) naming the certificate at fault.
VerifiedChain verify_pck_chain(std::vector<X509Ptr> certs, const std::vector<TrustAnchor>& anchors,
                               std::optional<std::time_t> at);

std::string x509_subject(X509* cert);
std::string to_pem(X509* cert);

}  // namespace cocoon::quote
