#include "quote_verifier.hpp"

#include <algorithm>
#include <stdexcept>

namespace cocoon::quote {

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto c : bytes) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

std::vector<std::uint8_t> from_hex(const std::string& hex, const char* what) {
  std::string h;
  for (char c : hex)
    if (c != ' ' && c != ':' && c != '\n' && c != '\t') h += c;
  if (h.size() >= 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X')) h = h.substr(2);
  if (h.size() % 2) throw std::invalid_argument(std::string(what) + ": odd number of hex digits");
  auto val = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument(std::string(what) + ": '" + c + "' is not a hex digit");
  };
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(val(h[i]) * 16 + val(h[i + 1])));
  return out;
}

void check_isv_signature(const ParsedQuote& q) {
  PkeyPtr key = p256_public_from_raw(q.sig.attest_key);
  if (!key) throw QuoteError(QuotePart::AttestationKey, "x ‖ y is not a point on P-256");
  if (!p256_verify(key.get(), q.signed_part, q.sig.isv_signature))
    throw QuoteError(QuotePart::IsvSignature,
                     "does not verify with the attestation key over the quote header ‖ ISV enclave report body "
                     "(one of the header, the report body or the signature was altered)");
}

void check_qe_binding(const ParsedQuote& q) {
  std::vector<std::uint8_t> msg(q.sig.attest_key.begin(), q.sig.attest_key.end());
  msg.insert(msg.end(), q.qe_auth_data.begin(), q.qe_auth_data.end());
  Bytes32 h = sha256(msg);
  const Bytes64 rd = field(q.sig.qe_report.report_data);
  if (!std::equal(h.begin(), h.end(), rd.begin()))
    throw QuoteError(QuotePart::AttestationKey,
                     "SHA-256(attestation key ‖ QE authentication data) is " + to_hex(h) +
                         " but the QE report's REPORTDATA binds " + to_hex(std::span(rd.data(), 32)) +
                         " (the attestation key or the QE authentication data was altered)");
  if (!std::all_of(rd.begin() + 32, rd.end(), [](std::uint8_t b) { return b == 0; }))
    throw QuoteError(QuotePart::QeReport, "REPORTDATA bytes 32..63 must be zero, are " +
                                              to_hex(std::span(rd.data() + 32, 32)));
}

void check_qe_report_signature(const ParsedQuote& q, EVP_PKEY* pck_key) {
  auto body = std::span(reinterpret_cast<const std::uint8_t*>(&q.sig.qe_report), sizeof(ReportBody));
  if (!p256_verify(pck_key, body, q.sig.qe_report_signature))
    throw QuoteError(QuotePart::QeReportSignature,
                     "does not verify with the PCK leaf certificate's key over the QE report "
                     "(the QE report or its signature was altered, or the QE report was signed by another PCK key)");
}

void check_qe_identity(const ParsedQuote& q, const TrustAnchor& anchor) {
  const ReportBody& qe = q.sig.qe_report;
  if (field(qe.mr_signer) != anchor.qe_mr_signer)
    throw QuoteError(QuotePart::QeReport, "MRSIGNER is " + to_hex(field(qe.mr_signer)) + ", expected " +
                                              to_hex(anchor.qe_mr_signer) + " for a quoting enclave trusted by " +
                                              anchor.name);
  if (qe.isv_prod_id != anchor.qe_isv_prod_id)
    throw QuoteError(QuotePart::QeReport, "ISVPRODID is " + std::to_string(qe.isv_prod_id) + ", expected " +
                                              std::to_string(anchor.qe_isv_prod_id));
  if (qe.attributes.flags & kAttributeDebug)
    throw QuoteError(QuotePart::QeReport, "the quoting enclave runs in DEBUG mode; its quotes prove nothing");
}

VerifiedQuote verify_quote(std::span<const std::uint8_t> bytes, const VerifyOptions& opts) {
  VerifiedQuote out;
  out.quote = parse_quote(bytes, opts.allow_zero_padding);
  const ParsedQuote& q = out.quote;
  if (q.cert_data_type != static_cast<std::uint16_t>(CertDataType::PckCertChain))
    throw QuoteError(QuotePart::CertificationData,
                     "type " + std::to_string(q.cert_data_type) +
                         " carries no PCK certificate chain: only type 5 can be verified offline (types 1-3 need "
                         "the PCK certificate from Intel PCS or a PCCS, type 4 also its intermediate CA)");
  if (opts.anchors.empty()) throw QuoteError(QuotePart::PckCertChain, "no trusted root given");
  VerifiedChain chain = verify_pck_chain(parse_pem_certificates(q.cert_data), opts.anchors, opts.at);
  check_qe_report_signature(q, chain.leaf_key.get());
  check_qe_identity(q, *chain.anchor);
  check_qe_binding(q);
  check_isv_signature(q);
  out.chain_subjects = std::move(chain.subjects);
  out.anchor_name = chain.anchor->name;
  out.simulated = chain.anchor->simulated;
  return out;
}

void check_policy(const ReportBody& isv, const QuotePolicy& p) {
  auto fail = [](const std::string& what) { throw QuoteError(QuotePart::Policy, what); };
  if (p.mr_enclave && *p.mr_enclave != field(isv.mr_enclave))
    fail("MRENCLAVE is " + to_hex(field(isv.mr_enclave)) + ", expected " + to_hex(*p.mr_enclave));
  if (p.mr_signer && *p.mr_signer != field(isv.mr_signer))
    fail("MRSIGNER is " + to_hex(field(isv.mr_signer)) + ", expected " + to_hex(*p.mr_signer));
  if (p.isv_prod_id && *p.isv_prod_id != isv.isv_prod_id)
    fail("ISVPRODID is " + std::to_string(isv.isv_prod_id) + ", expected " + std::to_string(*p.isv_prod_id));
  if (p.min_isv_svn && isv.isv_svn < *p.min_isv_svn)
    fail("ISVSVN is " + std::to_string(isv.isv_svn) + ", below the required minimum " + std::to_string(*p.min_isv_svn));
  if (p.report_data) {
    if (p.report_data->size() > 64)
      fail("the expected REPORTDATA is " + std::to_string(p.report_data->size()) + " bytes; at most 64 are allowed");
    Bytes64 want{};
    std::copy(p.report_data->begin(), p.report_data->end(), want.begin());
    if (want != field(isv.report_data))
      fail("REPORTDATA is " + to_hex(field(isv.report_data)) + ", expected " + to_hex(want));
  }
  if (!p.allow_debug && (isv.attributes.flags & kAttributeDebug))
    fail("the enclave runs in DEBUG mode (ATTRIBUTES.FLAGS has DEBUG set); its memory is not protected. "
         "Pass --allow-debug to accept it anyway");
}

}  // namespace cocoon::quote
