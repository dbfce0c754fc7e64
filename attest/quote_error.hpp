// The error every quote check throws: which part of the quote is at fault and what is wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace cocoon::quote {

// The parts of a DCAP quote v3 (sgx-structures.md §7), as named in error messages.
enum class QuotePart {
  Size,
  Header,
  IsvReportBody,
  SignatureDataLength,
  IsvSignature,
  AttestationKey,
  QeReport,
  QeReportSignature,
  QeAuthData,
  CertificationData,
  PckCertChain,
  Policy,
};

const char* part_name(QuotePart part);

class QuoteError : public std::runtime_error {
 public:
  QuoteError(QuotePart part, const std::string& what)
      : std::runtime_error(std::string(part_name(part)) + ": " + what), part_(part) {}
  QuotePart part() const { return part_; }

 private:
  QuotePart part_;
};

}  // namespace cocoon::quote
