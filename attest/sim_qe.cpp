#include "sim_qe.hpp"

#include <cstring>
#include <string_view>

namespace cocoon::quote {

namespace {
Bytes32 hash_of(std::string_view s) {
  return sha256(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}
constexpr std::size_t kQeAuthDataSize = 32;

template <typename T>
void append(std::vector<std::uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}
}  // namespace

const Bytes32& sim_qe_mr_enclave() {
  static const Bytes32 h = hash_of("cocoon simulated quoting enclave: MRENCLAVE v1");
  return h;
}
const Bytes32& sim_qe_mr_signer() {
  static const Bytes32 h = hash_of("cocoon simulated quoting enclave: MRSIGNER v1");
  return h;
}

attest::EnclaveIdentity sim_qe_identity() {
  attest::EnclaveIdentity id{};
  set_field(id.mr_enclave, sim_qe_mr_enclave());
  set_field(id.mr_signer, sim_qe_mr_signer());
  id.attributes.flags = sgx::kAttrInit | sgx::kAttrMode64Bit;  // not DEBUG
  id.attributes.xfrm = 0x3;
  id.isv_prod_id = kSimQeIsvProdId;
  id.isv_svn = kSimQeIsvSvn;
  return id;
}

SimQuotingEnclave::ReportMacCheck SimQuotingEnclave::mac_check_on(const attest::SimCpu& cpu) {
  return [&cpu](const Report& r) -> std::string {
    if (cpu.verify_report(sim_qe_identity(), r)) return "";
    return "the REPORT was not made for this host's simulated quoting enclave (EREPORT with the TARGETINFO "
           "from InitQuoteEx, on the same host and COCOON_SIM_DIR)";
  };
}

SimQuotingEnclave::SimQuotingEnclave(SimPki pki, ReportMacCheck mac_check)
    : pki_(std::move(pki)), mac_check_(std::move(mac_check)) {
  attest_pub_ = p256_public_to_raw(pki_.attest_key.get());
}

TargetInfo SimQuotingEnclave::target_info() const { return attest::make_target_info(sim_qe_identity()); }

Bytes32 SimQuotingEnclave::pub_key_id() const { return sha256(attest_pub_); }

std::size_t SimQuotingEnclave::quote_size() const {
  return sizeof(QuotePrefix) + sizeof(EcdsaSignatureFixed) + 2 + kQeAuthDataSize + 2 + 4 + pki_.chain_pem.size();
}

std::vector<std::uint8_t> SimQuotingEnclave::make_quote(const Report& report) const {
  if (mac_check_) {
    std::string why = mac_check_(report);
    if (!why.empty()) throw ReportRejected("REPORT MAC does not verify: " + why);
  }
  QuoteHeader h{};
  h.version = kQuoteVersion3;
  h.att_key_type = kAttKeyTypeEcdsaP256;
  h.qe_svn = kSimQeIsvSvn;
  h.pce_svn = kSimPceSvn;
  h.qe_vendor_id = kSimQeVendorId;
  Bytes32 qe_id = sha256(attest_pub_);
  std::memcpy(h.user_data, qe_id.data(), 16);

  std::vector<std::uint8_t> quote;
  quote.reserve(quote_size());
  append(quote, h);
  append(quote, report.body);

  std::vector<std::uint8_t> auth(kQeAuthDataSize);
  for (std::size_t i = 0; i < auth.size(); ++i) auth[i] = static_cast<std::uint8_t>(i);

  EcdsaSignatureFixed sig{};
  sig.isv_signature = p256_sign(pki_.attest_key.get(), quote);
  sig.attest_key = attest_pub_;
  ReportBody& qe = sig.qe_report;
  const attest::EnclaveIdentity id = sim_qe_identity();
  std::memcpy(qe.mr_enclave, id.mr_enclave, 32);
  std::memcpy(qe.mr_signer, id.mr_signer, 32);
  qe.isv_prod_id = id.isv_prod_id;
  qe.isv_svn = id.isv_svn;
  qe.attributes = id.attributes;
  std::vector<std::uint8_t> bind(attest_pub_.begin(), attest_pub_.end());
  bind.insert(bind.end(), auth.begin(), auth.end());
  Bytes32 bh = sha256(bind);
  std::memcpy(qe.report_data, bh.data(), 32);
  sig.qe_report_signature = p256_sign(
      pki_.pck_leaf_key.get(), std::span(reinterpret_cast<const std::uint8_t*>(&qe), sizeof(ReportBody)));

  const std::uint32_t sig_len =
      static_cast<std::uint32_t>(sizeof(EcdsaSignatureFixed) + 2 + auth.size() + 2 + 4 + pki_.chain_pem.size());
  append(quote, sig_len);
  append(quote, sig);
  append(quote, static_cast<std::uint16_t>(auth.size()));
  quote.insert(quote.end(), auth.begin(), auth.end());
  append(quote, static_cast<std::uint16_t>(CertDataType::PckCertChain));
  append(quote, static_cast<std::uint32_t>(pki_.chain_pem.size()));
  quote.insert(quote.end(), pki_.chain_pem.begin(), pki_.chain_pem.end());
  return quote;
}

}  // namespace cocoon::quote
