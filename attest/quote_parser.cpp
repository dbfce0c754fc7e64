#include "quote_parser.hpp"

#include <cstring>

namespace cocoon::quote {

const char* part_name(QuotePart part) {
  switch (part) {
    case QuotePart::Size: return "quote size";
    case QuotePart::Header: return "quote header";
    case QuotePart::IsvReportBody: return "ISV enclave report body";
    case QuotePart::SignatureDataLength: return "signature data length";
    case QuotePart::IsvSignature: return "ISV report signature";
    case QuotePart::AttestationKey: return "attestation key";
    case QuotePart::QeReport: return "QE report";
    case QuotePart::QeReportSignature: return "QE report signature";
    case QuotePart::QeAuthData: return "QE authentication data";
    case QuotePart::CertificationData: return "certification data";
    case QuotePart::PckCertChain: return "PCK certificate chain (certification data)";
    case QuotePart::Policy: return "policy";
  }
  return "quote";
}

namespace {

// A bounds-checked cursor over the quote: every read names the part it belongs to.
class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> d) : d_(d) {}
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return d_.size() - pos_; }

  void need(std::size_t n, QuotePart part, const char* what) const {
    if (n > left())
      throw QuoteError(part, std::string(what) + " needs " + std::to_string(n) + " bytes at offset " +
                                 std::to_string(pos_) + " but only " + std::to_string(left()) +
                                 " remain (quote truncated?)");
  }
  template <typename T>
  T read(QuotePart part, const char* what) {
    need(sizeof(T), part, what);
    T v;
    std::memcpy(&v, d_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::vector<std::uint8_t> bytes(std::size_t n, QuotePart part, const char* what) {
    need(n, part, what);
    std::vector<std::uint8_t> v(d_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                d_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return v;
  }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t pos_ = 0;
};

bool all_zero(std::span<const std::uint8_t> d) {
  for (auto b : d)
    if (b) return false;
  return true;
}

}  // namespace

std::size_t quote_length(std::span<const std::uint8_t> data) {
  if (data.size() < sizeof(QuotePrefix))
    throw QuoteError(QuotePart::Size, "quote is " + std::to_string(data.size()) +
                                          " bytes, shorter than the 436-byte header, report body and length field");
  std::uint32_t sig_len;
  std::memcpy(&sig_len, data.data() + offsetof(QuotePrefix, signature_data_len), 4);
  std::uint64_t total = sizeof(QuotePrefix) + static_cast<std::uint64_t>(sig_len);
  if (total > data.size())
    throw QuoteError(QuotePart::SignatureDataLength,
                     "signature_data_len " + std::to_string(sig_len) + " says the quote is " + std::to_string(total) +
                         " bytes but only " + std::to_string(data.size()) + " are present (quote truncated?)");
  return static_cast<std::size_t>(total);
}

ParsedQuote parse_quote(std::span<const std::uint8_t> data, bool allow_zero_padding) {
  if (data.size() > kMaxQuoteSize)
    throw QuoteError(QuotePart::Size, "quote is " + std::to_string(data.size()) + " bytes, more than the " +
                                          std::to_string(kMaxQuoteSize) + "-byte limit");
  if (data.size() < kMinQuoteSize)
    throw QuoteError(QuotePart::Size, "quote is " + std::to_string(data.size()) +
                                          " bytes, shorter than the smallest possible v3 quote (" +
                                          std::to_string(kMinQuoteSize) + ")");
  ParsedQuote q;
  Cursor c(data);
  q.header = c.read<QuoteHeader>(QuotePart::Header, "header");
  if (q.header.version != kQuoteVersion3)
    throw QuoteError(QuotePart::Header,
                     "version is " + std::to_string(q.header.version) + ", only version 3 (SGX ECDSA) is supported");
  if (q.header.att_key_type != kAttKeyTypeEcdsaP256)
    throw QuoteError(QuotePart::Header, "att_key_type is " + std::to_string(q.header.att_key_type) +
                                            ", only 2 (ECDSA-256-with-P-256) is supported");
  if (q.header.att_key_data_0 != 0)
    throw QuoteError(QuotePart::Header, "att_key_data_0 is " + std::to_string(q.header.att_key_data_0) +
                                            ", must be 0 for an SGX quote (TDX quotes are v4)");
  q.isv_report = c.read<ReportBody>(QuotePart::IsvReportBody, "ISV report body");
  q.signed_part.assign(data.begin(), data.begin() + kSignedPartSize);

  q.signature_data_len = c.read<std::uint32_t>(QuotePart::SignatureDataLength, "signature_data_len");
  const std::size_t remaining = c.left();
  if (q.signature_data_len > remaining)
    throw QuoteError(QuotePart::SignatureDataLength,
                     "signature_data_len is " + std::to_string(q.signature_data_len) + " but only " +
                         std::to_string(remaining) + " bytes follow (quote truncated?)");
  if (q.signature_data_len < sizeof(EcdsaSignatureFixed) + 8)
    throw QuoteError(QuotePart::SignatureDataLength,
                     "signature_data_len is " + std::to_string(q.signature_data_len) + ", less than the " +
                         std::to_string(sizeof(EcdsaSignatureFixed) + 8) + " bytes of the fixed ECDSA fields");
  q.size = sizeof(QuotePrefix) + q.signature_data_len;
  if (q.size < data.size()) {
    auto tail = data.subspan(q.size);
    if (!allow_zero_padding || !all_zero(tail))
      throw QuoteError(QuotePart::SignatureDataLength,
                       "signature_data_len " + std::to_string(q.signature_data_len) + " ends the quote at byte " +
                           std::to_string(q.size) + " but the input has " + std::to_string(tail.size()) +
                           " more bytes" + (allow_zero_padding ? " that are not zero padding" : ""));
  }
  // From here on, reads are limited to the signature data.
  Cursor s(data.subspan(sizeof(QuotePrefix), q.signature_data_len));
  q.sig.isv_signature = s.read<Bytes64>(QuotePart::IsvSignature, "ISV report signature");
  q.sig.attest_key = s.read<Bytes64>(QuotePart::AttestationKey, "attestation key");
  q.sig.qe_report = s.read<ReportBody>(QuotePart::QeReport, "QE report body");
  q.sig.qe_report_signature = s.read<Bytes64>(QuotePart::QeReportSignature, "QE report signature");
  auto auth_size = s.read<std::uint16_t>(QuotePart::QeAuthData, "QE authentication data size");
  if (auth_size > s.left())
    throw QuoteError(QuotePart::QeAuthData, "size " + std::to_string(auth_size) + " is larger than the " +
                                                std::to_string(s.left()) + " bytes left in the signature data");
  q.qe_auth_data = s.bytes(auth_size, QuotePart::QeAuthData, "QE authentication data");
  q.cert_data_type = s.read<std::uint16_t>(QuotePart::CertificationData, "certification data type");
  if (q.cert_data_type < 1 || q.cert_data_type > 6)
    throw QuoteError(QuotePart::CertificationData,
                     "type " + std::to_string(q.cert_data_type) + " is not one of the defined types 1..6 (it follows " +
                         std::to_string(auth_size) + " bytes of QE authentication data: is that size right?)");
  auto cert_size = s.read<std::uint32_t>(QuotePart::CertificationData, "certification data size");
  if (cert_size != s.left())
    throw QuoteError(QuotePart::CertificationData,
                     "size is " + std::to_string(cert_size) + " but the signature data has " + std::to_string(s.left()) +
                         " bytes left for it (signature_data_len, the QE authentication data size and the "
                         "certification data size disagree)");
  q.cert_data = s.bytes(cert_size, QuotePart::CertificationData, "certification data");
  return q;
}

}  // namespace cocoon::quote
