// The DCAP quote vectors of shared/vectors/quotes behave as shared/vectors/README.md §4 says.
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "intel_root.hpp"
#include "quote_verifier.hpp"
#include "test_util.hpp"

using namespace cocoon::quote;
using cocoon::attest_test::read_bytes;
using cocoon::attest_test::vector_path;

namespace {

// The vectors' PCK leaf certificates expire in May 2027; verify as of a fixed date inside
// every certificate's validity so the test does not rot.
constexpr std::time_t kVerifyAt = 1704067200;  // 2024-01-01T00:00:00Z

VerifyOptions intel_options() {
  VerifyOptions o;
  o.anchors.push_back(intel_root_anchor());
  o.at = kVerifyAt;
  return o;
}

std::string error_of(const std::vector<std::uint8_t>& q, const VerifyOptions& o) {
  try {
    verify_quote(q, o);
  } catch (const QuoteError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(QuoteVectors, FortanixQuoteVerifiesAgainstPinnedIntelRoot) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote.bin"));
  ASSERT_EQ(bytes.size(), 4575u);
  VerifiedQuote v = verify_quote(bytes, intel_options());
  EXPECT_FALSE(v.simulated);
  EXPECT_EQ(v.anchor_name, intel_root_anchor().name);
  EXPECT_EQ(to_hex(field(v.quote.isv_report.mr_enclave)),
            "2531fd89facb97c6bab5f343805afe4dc051c2bef0d11309ac553c404326dda2");
  EXPECT_EQ(to_hex(field(v.quote.isv_report.mr_signer)),
            "9affcfae47b848ec2caf1c49b4b283531e1cc425f93582b36806e52a43d78d1a");
  EXPECT_EQ(to_hex(field(v.quote.sig.qe_report.mr_signer)),
            "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  EXPECT_EQ(v.quote.sig.qe_report.isv_prod_id, 1);
  EXPECT_EQ(v.quote.sig.qe_report.isv_svn, 5);
  EXPECT_EQ(v.quote.header.qe_svn, 5);
  EXPECT_EQ(v.quote.header.pce_svn, 10);
  EXPECT_EQ(v.quote.header.qe_vendor_id, kIntelQeVendorId);
  ASSERT_EQ(v.chain_subjects.size(), 3u);
  EXPECT_NE(v.chain_subjects[0].find("Intel SGX PCK Certificate"), std::string::npos);
  EXPECT_NE(v.chain_subjects[1].find("Intel SGX PCK Processor CA"), std::string::npos);
  EXPECT_NE(v.chain_subjects[2].find("Intel SGX Root CA"), std::string::npos);
}

TEST(QuoteVectors, ChainInLeafRootIntermediateOrderIsChainedByIssuer) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote_pck_cert_chain.bin"));
  ASSERT_EQ(bytes.size(), 4578u);
  // The PEM order really is leaf, root, intermediate.
  ParsedQuote q = parse_quote(bytes);
  auto certs = parse_pem_certificates(q.cert_data);
  ASSERT_EQ(certs.size(), 3u);
  EXPECT_NE(x509_subject(certs[1].get()).find("Root CA"), std::string::npos);
  VerifiedQuote v = verify_quote(bytes, intel_options());
  ASSERT_EQ(v.chain_subjects.size(), 3u);
  EXPECT_NE(v.chain_subjects[1].find("Processor CA"), std::string::npos);
  EXPECT_NE(v.chain_subjects[2].find("Root CA"), std::string::npos);
}

TEST(QuoteVectors, CorruptedQuoteIsRejectedForItsIsvSignature) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote_pck_cert_chain_corrupted.bin"));
  try {
    verify_quote(bytes, intel_options());
    FAIL() << "corrupted quote accepted";
  } catch (const QuoteError& e) {
    EXPECT_EQ(e.part(), QuotePart::IsvSignature) << e.what();
    EXPECT_NE(std::string(e.what()).find("ISV report signature"), std::string::npos);
  }
}

TEST(QuoteVectors, RawTcbQuoteHasValidSignaturesButNoChain) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote_raw_tcb.bin"));
  ASSERT_EQ(bytes.size(), 1456u);
  ParsedQuote q = parse_quote(bytes);
  EXPECT_EQ(q.cert_data_type, 3);
  EXPECT_EQ(q.cert_data.size(), 404u);
  EXPECT_NO_THROW(check_isv_signature(q));
  EXPECT_NO_THROW(check_qe_binding(q));
  std::string err = error_of(bytes, intel_options());
  EXPECT_NE(err.find("certification data: type 3 carries no PCK certificate chain"), std::string::npos) << err;
}

TEST(QuoteVectors, QeBindingHoldsForAllVectors) {
  for (const char* f : {"fortanix_quote.bin", "fortanix_quote_pck_cert_chain.bin",
                        "fortanix_quote_pck_cert_chain_corrupted.bin", "fortanix_quote_raw_tcb.bin"}) {
    ParsedQuote q = parse_quote(read_bytes(vector_path(std::string("quotes/") + f)));
    EXPECT_NO_THROW(check_qe_binding(q)) << f;
  }
}

TEST(QuoteVectors, PinnedIntelRootMatchesTheRootCertificateInTheVectors) {
  for (const char* f : {"fortanix_quote.bin", "fortanix_quote_pck_cert_chain.bin"}) {
    ParsedQuote q = parse_quote(read_bytes(vector_path(std::string("quotes/") + f)));
    int roots = 0;
    for (auto& c : parse_pem_certificates(q.cert_data)) {
      if (x509_subject(c.get()).find("Intel SGX Root CA") == std::string::npos) continue;
      ++roots;
      EXPECT_EQ(p256_public_to_raw(X509_get0_pubkey(c.get())), kIntelSgxRootPublicKey) << f;
      unsigned char* der = nullptr;
      int n = i2d_X509(c.get(), &der);
      ASSERT_GT(n, 0);
      EXPECT_EQ(sha256(std::span<const std::uint8_t>(der, static_cast<std::size_t>(n))), kIntelSgxRootCertSha256);
      OPENSSL_free(der);
    }
    EXPECT_EQ(roots, 1) << f;
  }
}

TEST(QuoteVectors, ExpiredAtVerificationTimeIsRejected) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote.bin"));
  VerifyOptions o = intel_options();
  o.at = 2000000000;  // 2033-05-18: the PCK leaf has expired
  std::string err = error_of(bytes, o);
  EXPECT_NE(err.find("PCK certificate chain"), std::string::npos) << err;
  EXPECT_NE(err.find("expired"), std::string::npos) << err;
}

TEST(QuoteVectors, RealQuoteIsNotTrustedUnderAnotherRoot) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote.bin"));
  TrustAnchor other = intel_root_anchor();
  other.name = "some other root";
  other.root_public_key[5] ^= 1;
  VerifyOptions o;
  o.anchors.push_back(std::move(other));
  o.at = kVerifyAt;
  std::string err = error_of(bytes, o);
  EXPECT_NE(err.find("not a trusted root"), std::string::npos) << err;
}

TEST(QuoteParser, TruncatedOversizedAndPaddedInputs) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote.bin"));
  auto err = [](std::vector<std::uint8_t> b, bool pad = false) -> std::string {
    try {
      parse_quote(b, pad);
    } catch (const QuoteError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(err({}).find("quote size: quote is 0 bytes"), std::string::npos);
  EXPECT_NE(err({bytes.begin(), bytes.begin() + 1200}).find("signature data length: signature_data_len is 4139 but only"),
            std::string::npos);
  EXPECT_NE(err(std::vector<std::uint8_t>(kMaxQuoteSize + 1)).find("more than the"), std::string::npos);
  auto padded = bytes;
  padded.resize(8192, 0);
  EXPECT_NE(err(padded).find("more bytes"), std::string::npos);
  EXPECT_EQ(err(padded, true), "");
  EXPECT_EQ(quote_length(padded), 4575u);
  padded[8000] = 1;
  EXPECT_NE(err(padded, true).find("not zero padding"), std::string::npos);

  auto b = bytes;
  b[0] = 4;
  EXPECT_NE(err(b).find("quote header: version is 4"), std::string::npos);
  b = bytes;
  b[2] = 3;
  EXPECT_NE(err(b).find("quote header: att_key_type is 3"), std::string::npos);
  // QE auth data size larger than what is left.
  b = bytes;
  b[436 + 576] = 0xff;
  b[436 + 577] = 0xff;
  EXPECT_NE(err(b).find("QE authentication data: size 65535"), std::string::npos);
  // Certification data type and size.
  b = bytes;
  b[436 + 578 + 32] = 9;
  EXPECT_NE(err(b).find("certification data: type 9"), std::string::npos);
  b = bytes;
  b[436 + 580 + 32] ^= 1;
  EXPECT_NE(err(b).find("certification data: size is"), std::string::npos);
  // signature_data_len too small for the fixed fields.
  b = bytes;
  b[432] = 10;
  b[433] = 0;
  b.resize(446);
  b.resize(kMinQuoteSize, 0);
  EXPECT_NE(err(b).find("signature data length"), std::string::npos);
}

TEST(QuoteParser, GarbledCertificationDataIsNamed) {
  auto bytes = read_bytes(vector_path("quotes/fortanix_quote.bin"));
  std::size_t cert_at = 436 + 584 + 32;
  auto b = bytes;
  b[cert_at + 3] = 'X';  // inside "-----BEGIN CERTIFICATE-----"
  std::string err = error_of(b, intel_options());
  EXPECT_NE(err.find("PCK certificate chain"), std::string::npos) << err;
  b = bytes;
  b[cert_at + 200] = b[cert_at + 200] == 'A' ? 'B' : 'A';  // inside the leaf's base64
  err = error_of(b, intel_options());
  EXPECT_NE(err.find("PCK certificate chain"), std::string::npos) << err;
}
