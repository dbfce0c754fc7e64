// Simulated quoting: the per-host PKI, quote round trip, one-byte tampering of every part, and
// policy pass/fail messages.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>

#include "intel_root.hpp"
#include "quote_verifier.hpp"
#include "sim_cpu_store.hpp"
#include "sim_qe.hpp"
#include "test_util.hpp"

using namespace cocoon::quote;
using cocoon::attest_test::TempDir;

namespace {

Report sample_report() {
  Report r{};
  for (std::size_t i = 0; i < 32; ++i) {
    r.body.mr_enclave[i] = static_cast<std::uint8_t>(0xa0 + i);
    r.body.mr_signer[i] = static_cast<std::uint8_t>(0x10 + i);
  }
  r.body.isv_prod_id = 7;
  r.body.isv_svn = 3;
  r.body.attributes.flags = cocoon::sgx::kAttrInit | cocoon::sgx::kAttrMode64Bit;
  r.body.attributes.xfrm = 3;
  std::memcpy(r.body.report_data, "nonce-1234", 10);
  return r;
}

struct SimFixture : ::testing::Test {
  TempDir dir{"simq"};
  SimQuotingEnclave qe{load_or_create_sim_pki(dir.path.string())};
  VerifyOptions sim_options() {
    VerifyOptions o;
    o.anchors.push_back(sim_root_anchor(dir.path.string()));
    return o;
  }
  std::string error_of(const std::vector<std::uint8_t>& q) {
    try {
      verify_quote(q, sim_options());
    } catch (const QuoteError& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace

TEST_F(SimFixture, PkiFilesArePrivateAndReusedOnSecondLoad) {
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path)) {
    if (e.path().filename() == ".lock") continue;
    struct stat st{};
    ASSERT_EQ(stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 7);  // 3 certificates, 4 keys
  struct stat st{};
  ASSERT_EQ(stat(dir.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  SimPki again = load_or_create_sim_pki(dir.path.string());
  EXPECT_EQ(again.chain_pem, qe.pki().chain_pem);
  EXPECT_EQ(p256_public_to_raw(again.attest_key.get()), p256_public_to_raw(qe.pki().attest_key.get()));
}

TEST_F(SimFixture, QuoteRoundTrip) {
  Report r = sample_report();
  auto quote = qe.make_quote(r);
  EXPECT_EQ(quote.size(), qe.quote_size());
  VerifiedQuote v = verify_quote(quote, sim_options());
  EXPECT_TRUE(v.simulated);
  EXPECT_EQ(std::memcmp(&v.quote.isv_report, &r.body, sizeof(ReportBody)), 0);
  EXPECT_EQ(v.quote.cert_data_type, 5);
  EXPECT_EQ(field(v.quote.sig.qe_report.mr_signer), sim_qe_mr_signer());
  EXPECT_EQ(field(v.quote.sig.qe_report.mr_enclave), sim_qe_mr_enclave());
  ASSERT_EQ(v.chain_subjects.size(), 3u);
  EXPECT_NE(v.chain_subjects[0].find("Cocoon Simulated SGX PCK Certificate"), std::string::npos);
  // target_info names the simulated QE.
  TargetInfo t = qe.target_info();
  EXPECT_EQ(field(t.measurement), sim_qe_mr_enclave());
  EXPECT_EQ(t.attributes.flags & kAttributeDebug, 0u);
}

TEST_F(SimFixture, SimulatedQuoteIsNotAcceptedUnderIntelRoot) {
  auto quote = qe.make_quote(sample_report());
  VerifyOptions o;
  o.anchors.push_back(intel_root_anchor());
  try {
    verify_quote(quote, o);
    FAIL() << "simulated quote accepted under Intel's root";
  } catch (const QuoteError& e) {
    EXPECT_EQ(e.part(), QuotePart::PckCertChain);
    EXPECT_NE(std::string(e.what()).find("Cocoon Simulated SGX Root CA"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a trusted root"), std::string::npos) << e.what();
  }
}

TEST_F(SimFixture, AnotherHostsRootDoesNotVerify) {
  auto quote = qe.make_quote(sample_report());
  TempDir other{"simq-other"};
  load_or_create_sim_pki(other.path.string());
  VerifyOptions o;
  o.anchors.push_back(sim_root_anchor(other.path.string()));
  try {
    verify_quote(quote, o);
    FAIL() << "accepted under another host's simulated root";
  } catch (const QuoteError& e) {
    EXPECT_EQ(e.part(), QuotePart::PckCertChain) << e.what();
  }
}

TEST_F(SimFixture, TamperingOneByteOfEachPartIsRejectedNamingThePart) {
  auto quote = qe.make_quote(sample_report());
  const std::size_t s = kSignatureDataOffset;
  const std::size_t auth = s + 578;  // 32 bytes of QE auth data
  const std::size_t cert = auth + 32 + 6;
  struct Case {
    const char* part;
    std::size_t offset;
    const char* expect;
  };
  const Case cases[] = {
      {"header version", 0, "quote header"},
      {"header user data", 30, "quote header"},
      {"header qe_svn", 8, "quote header"},
      {"ISV report body", 48 + 100, "ISV enclave report body"},
      {"ISV report body REPORTDATA", 48 + 320, "ISV enclave report body"},
      {"signature data length", 432, "signature data length"},
      {"ISV report signature", s + 5, "ISV report signature"},
      {"attestation key", s + 64 + 5, "attestation key"},
      {"QE report", s + 128 + 70, "QE report"},
      {"QE report signature", s + 512 + 40, "QE report signature"},
      {"QE auth data size", s + 576, "QE authentication data"},
      {"QE auth data", auth + 3, "QE authentication data"},
      {"certification data type", auth + 32, "certification data"},
      {"certification data size", auth + 34, "certification data"},
      {"certification data (PEM header)", cert + 5, "certification data"},
      {"certification data (leaf body)", cert + 300, "certification data"},
      {"certification data (root)", quote.size() - 100, "certification data"},
  };
  for (const auto& c : cases) {
    auto t = quote;
    ASSERT_LT(c.offset, t.size());
    t[c.offset] ^= (c.offset == cert + 300 || c.offset == quote.size() - 100) ? 0x01 : 0x40;
    std::string err = error_of(t);
    EXPECT_FALSE(err.empty()) << c.part << " tampering was accepted";
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.part << ": " << err;
  }
  EXPECT_EQ(error_of(quote), "");
}

TEST_F(SimFixture, PolicyPassesAndFailsWithPreciseMessages) {
  Report r = sample_report();
  auto quote = qe.make_quote(r);
  VerifiedQuote v = verify_quote(quote, sim_options());
  auto policy_error = [&](const QuotePolicy& p) -> std::string {
    try {
      check_policy(v.quote.isv_report, p);
    } catch (const QuoteError& e) {
      EXPECT_EQ(e.part(), QuotePart::Policy);
      return e.what();
    }
    return "";
  };
  QuotePolicy good;
  good.mr_enclave = field(r.body.mr_enclave);
  good.mr_signer = field(r.body.mr_signer);
  good.isv_prod_id = 7;
  good.min_isv_svn = 3;
  good.report_data = from_hex("6e6f6e63652d31323334", "report data");  // "nonce-1234"
  EXPECT_EQ(policy_error(good), "");

  QuotePolicy p = good;
  p.mr_enclave->at(0) ^= 1;
  EXPECT_NE(policy_error(p).find("policy: MRENCLAVE is a0a1"), std::string::npos) << policy_error(p);
  p = good;
  p.mr_signer->at(31) ^= 1;
  EXPECT_NE(policy_error(p).find("policy: MRSIGNER is 1011"), std::string::npos);
  p = good;
  p.isv_prod_id = 8;
  EXPECT_EQ(policy_error(p), "policy: ISVPRODID is 7, expected 8");
  p = good;
  p.min_isv_svn = 4;
  EXPECT_EQ(policy_error(p), "policy: ISVSVN is 3, below the required minimum 4");
  p = good;
  p.report_data = from_hex("6e6f6e63652d31323335", "report data");
  EXPECT_NE(policy_error(p).find("policy: REPORTDATA is 6e6f6e63652d31323334"), std::string::npos);
  p = good;
  p.report_data = std::vector<std::uint8_t>(65, 0);
  EXPECT_NE(policy_error(p).find("at most 64"), std::string::npos);

  // DEBUG enclaves are refused unless allowed.
  Report dbg = r;
  dbg.body.attributes.flags |= kAttributeDebug;
  VerifiedQuote vd = verify_quote(qe.make_quote(dbg), sim_options());
  QuotePolicy none;
  try {
    check_policy(vd.quote.isv_report, none);
    FAIL() << "debug enclave accepted";
  } catch (const QuoteError& e) {
    EXPECT_NE(std::string(e.what()).find("DEBUG"), std::string::npos);
  }
  none.allow_debug = true;
  EXPECT_NO_THROW(check_policy(vd.quote.isv_report, none));
}

TEST_F(SimFixture, ReportMacCheckRejectsBadReports) {
  SimQuotingEnclave checked(load_or_create_sim_pki(dir.path.string()), [](const Report& r) -> std::string {
    return r.mac[0] == 0x5a ? "" : "MAC mismatch";
  });
  Report r = sample_report();
  EXPECT_THROW(checked.make_quote(r), ReportRejected);
  r.mac[0] = 0x5a;
  EXPECT_NO_THROW(checked.make_quote(r));
}

TEST_F(SimFixture, RealSimulatedEreportIsQuotedAndForeignReportsAreRejected) {
  cocoon::attest::SimCpu cpu = load_or_create_sim_cpu(dir.path.string());
  SimQuotingEnclave checked(load_or_create_sim_pki(dir.path.string()), SimQuotingEnclave::mac_check_on(cpu));
  cocoon::attest::EnclaveIdentity app{};
  app.mr_enclave[0] = 0x42;
  app.attributes.flags = cocoon::sgx::kAttrInit | cocoon::sgx::kAttrMode64Bit;
  app.attributes.xfrm = 3;
  std::uint8_t rd[64] = {1, 2, 3};
  Report r{};
  cpu.ereport(app, checked.target_info(), rd, r);
  auto quote = checked.make_quote(r);
  VerifiedQuote v = verify_quote(quote, sim_options());
  EXPECT_EQ(v.quote.isv_report.mr_enclave[0], 0x42);
  EXPECT_EQ(v.quote.isv_report.report_data[2], 3);

  // The same CPU secret is found again by a second process (same directory).
  cocoon::attest::SimCpu again = load_or_create_sim_cpu(dir.path.string());
  EXPECT_TRUE(again.verify_report(sim_qe_identity(), r));

  // A report targeted at another enclave, or made on another host, is refused.
  Report wrong{};
  cpu.ereport(app, cocoon::attest::make_target_info(app), rd, wrong);
  EXPECT_THROW(checked.make_quote(wrong), ReportRejected);
  TempDir other{"simcpu-other"};
  cocoon::attest::SimCpu foreign = load_or_create_sim_cpu(other.path.string());
  Report alien{};
  foreign.ereport(app, checked.target_info(), rd, alien);
  EXPECT_THROW(checked.make_quote(alien), ReportRejected);
  Report tampered = r;
  tampered.body.isv_svn ^= 1;
  EXPECT_THROW(checked.make_quote(tampered), ReportRejected);
}

TEST(SimPki, MissingRootIsAnActionableError) {
  TempDir dir{"simq-empty"};
  try {
    sim_root_anchor(dir.path.string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no simulated root CA at"), std::string::npos);
  }
}

TEST(SimPki, CorruptKeyFileIsNamed) {
  TempDir dir{"simq-corrupt"};
  load_or_create_sim_pki(dir.path.string());
  { std::ofstream(dir.path / "qe-attest.key") << "garbage"; }
  try {
    load_or_create_sim_pki(dir.path.string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("qe-attest.key: not a P-256 private key"), std::string::npos) << e.what();
  }
}
