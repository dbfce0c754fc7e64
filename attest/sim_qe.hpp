// The simulated quoting enclave: turns an SGX REPORT targeted at it into a DCAP quote v3
// (certification data type 5) signed with the simulated attestation key, whose QE report is
// signed by the simulated PCK key. Used by `cocoon quote-helper` and in-process quoting.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "attest/sim_keys.hpp"
#include "quote_format.hpp"
#include "sim_pki.hpp"

namespace cocoon::quote {

// Simulated QE identity. These are NOT measurements of any code: they are
// SHA-256("cocoon simulated quoting enclave: MRENCLAVE v1") and
// SHA-256("cocoon simulated quoting enclave: MRSIGNER v1"), fixed so that verifiers can tell a
// simulated quote apart from one made by Intel's QE (MRSIGNER 8c4f…7bff).
const Bytes32& sim_qe_mr_enclave();
const Bytes32& sim_qe_mr_signer();
inline constexpr std::uint16_t kSimQeIsvProdId = 1;
// The simulated QE as an enclave the simulated CPU knows (for its REPORT key).
attest::EnclaveIdentity sim_qe_identity();
inline constexpr std::uint16_t kSimQeIsvSvn = 1;
inline constexpr std::uint16_t kSimPceSvn = 1;
// "COCOON-SIM-QE" padded with zeros: the header's qe_vendor_id of simulated quotes.
inline constexpr Bytes16 kSimQeVendorId = {'C', 'O', 'C', 'O', 'O', 'N', '-', 'S', 'I', 'M', '-', 'Q', 'E', 0, 0, 0};

class ReportRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SimQuotingEnclave {
 public:
  // Checks a REPORT's MAC (with the simulated report key of the QE); returns an empty string
  // if it is valid, else why not. Without one, reports are accepted unchecked.
  using ReportMacCheck = std::function<std::string(const Report&)>;

  explicit SimQuotingEnclave(SimPki pki, ReportMacCheck mac_check = {});

  // The check a QE on simulated CPU `cpu` performs: EGETKEY(REPORT, report.KEYID) as the QE
  // and compare the CMAC (SimCpu::verify_report). `cpu` must outlive the QE.
  static ReportMacCheck mac_check_on(const attest::SimCpu& cpu);

  // The QE's TARGETINFO, returned by InitQuoteEx; enclaves EREPORT against it.
  TargetInfo target_info() const;
  // SHA-256 of the attestation public key (InitQuoteEx pub_key_id).
  Bytes32 pub_key_id() const;
  // Exact size of every quote this QE produces.
  std::size_t quote_size() const;
  // Throws ReportRejected when the report's MAC does not verify.
  std::vector<std::uint8_t> make_quote(const Report& report) const;
  bool checks_report_mac() const { return static_cast<bool>(mac_check_); }
  const SimPki& pki() const { return pki_; }

 private:
  SimPki pki_;
  ReportMacCheck mac_check_;
  Bytes64 attest_pub_{};
};

}  // namespace cocoon::quote
