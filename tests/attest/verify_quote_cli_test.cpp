// `cocoon verify-quote` as a user runs it: exit status, the one-line error naming the part,
// --json fields, trust anchors (pinned Intel root, this host's simulated root, --root).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim_qe.hpp"
#include "test_util.hpp"

using namespace cocoon::quote;
using cocoon::attest_test::TempDir;
using cocoon::attest_test::vector_path;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

// Runs `cocoon verify-quote` with `args` (already shell-quoted), capturing stdout and stderr separately.
Result cocoon_cli(const std::string& env, const std::string& args, const std::string& tmp) {
  std::string errfile = tmp + "/stderr.txt";
  std::string cmd = env + " " + std::string(COCOON_BINARY_DIR) + "/cocoon verify-quote " + args + " 2>" + errfile;
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream in(errfile);
  r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

constexpr const char* kAt = " --at 1704067200";  // inside the vector chain's validity

struct CliFixture : ::testing::Test {
  TempDir dir{"vq"};
  std::string sim = (dir.path / "sim").string();
  std::string env = "COCOON_SIM_DIR=" + sim;
  Result run(const std::string& args) { return cocoon_cli(env, args, dir.path.string()); }
};

}  // namespace

TEST_F(CliFixture, RealQuoteVerifiesAgainstPinnedIntelRoot) {
  Result r = run(vector_path("quotes/fortanix_quote.bin") + " --allow-debug" + kAt);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("OK: SGX quote, MRENCLAVE 2531fd89"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Intel SGX Root CA (pinned public key)"), std::string::npos) << r.out;
  r = run(vector_path("quotes/fortanix_quote_pck_cert_chain.bin") + " --allow-debug" + kAt);
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(CliFixture, JsonPrintsEveryField) {
  Result r = run(vector_path("quotes/fortanix_quote.bin") + " --allow-debug --json" + kAt);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["simulated"], false);
  EXPECT_EQ(j["header"]["version"], 3);
  EXPECT_EQ(j["header"]["qe_svn"], 5);
  EXPECT_EQ(j["header"]["pce_svn"], 10);
  EXPECT_EQ(j["header"]["qe_vendor_id"], "939a7233f79c4ca9940a0db3957f0607");
  EXPECT_EQ(j["isv_report"]["mr_enclave"], "2531fd89facb97c6bab5f343805afe4dc051c2bef0d11309ac553c404326dda2");
  EXPECT_EQ(j["isv_report"]["mr_signer"], "9affcfae47b848ec2caf1c49b4b283531e1cc425f93582b36806e52a43d78d1a");
  EXPECT_EQ(j["isv_report"]["debug"], true);
  EXPECT_EQ(j["qe_report"]["mr_signer"], "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  EXPECT_EQ(j["qe_report"]["isv_svn"], 5);
  EXPECT_EQ(j["certification_data_type"], 5);
  EXPECT_EQ(j["pck_chain"].size(), 3u);
  EXPECT_EQ(j["size"], 4575);
  EXPECT_EQ(j["qe_auth_data"], "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}

TEST_F(CliFixture, FailuresNameThePartOnOneLine) {
  auto expect_error = [&](const std::string& args, const std::string& needle) {
    Result r = run(args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_EQ(r.err.rfind("cocoon verify-quote: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
  };
  const std::string q = vector_path("quotes/fortanix_quote.bin");
  expect_error(vector_path("quotes/fortanix_quote_pck_cert_chain_corrupted.bin") + " --allow-debug" + kAt,
               "ISV report signature: does not verify");
  expect_error(vector_path("quotes/fortanix_quote_raw_tcb.bin") + kAt, "certification data: type 3");
  expect_error(q + kAt, "policy: the enclave runs in DEBUG mode");
  expect_error(q + " --allow-debug --mrenclave " + std::string(64, '0') + kAt,
               "policy: MRENCLAVE is 2531fd89facb97c6bab5f343805afe4dc051c2bef0d11309ac553c404326dda2, expected 0000");
  expect_error(q + " --allow-debug --isvprodid 9" + kAt, "policy: ISVPRODID is 0, expected 9");
  expect_error(q + " --allow-debug --report-data zz" + kAt, "--report-data: 'z' is not a hex digit");
  expect_error(q + " --allow-debug --at 2000000000", "certificate has expired");
  expect_error("/nonexistent.quote", "/nonexistent.quote: no such file");
  // A truncated quote.
  std::string truncated = (dir.path / "truncated.bin").string();
  {
    auto b = cocoon::attest_test::read_bytes(q);
    std::ofstream(truncated, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), 2000);
  }
  expect_error(truncated, "signature data length: signature_data_len is 4139 but only");
  // An oversized file is refused before reading it.
  std::string huge = (dir.path / "huge.bin").string();
  { std::ofstream(huge, std::ios::binary) << std::string(100000, 'x'); }
  expect_error(huge, "more than the 65536-byte limit");
}

TEST_F(CliFixture, SimulatedQuoteVerifiesUnderThisHostsRootOnly) {
  SimQuotingEnclave qe(load_or_create_sim_pki(sim));
  Report r{};
  std::memset(r.body.mr_enclave, 0x77, 32);
  r.body.isv_svn = 4;
  auto quote = qe.make_quote(r);
  std::string qf = (dir.path / "sim.quote").string();
  std::ofstream(qf, std::ios::binary).write(reinterpret_cast<const char*>(quote.data()),
                                             static_cast<std::streamsize>(quote.size()));
  Result ok = run(qf + " --mrenclave " + std::string(64, '7') + " --min-isvsvn 4");
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("OK: simulated quote"), std::string::npos) << ok.out;
  Result with_root = run(qf + " --root " + sim + "/root-ca.pem --json");
  ASSERT_EQ(with_root.status, 0) << with_root.err;
  EXPECT_EQ(nlohmann::json::parse(with_root.out)["simulated"], true);
  // Another host (another sim dir) does not trust it, nor does Intel's root alone.
  std::string other = (dir.path / "other").string();
  load_or_create_sim_pki(other);
  Result foreign = cocoon_cli("COCOON_SIM_DIR=" + other, qf, dir.path.string());
  EXPECT_EQ(foreign.status, 1);
  EXPECT_NE(foreign.err.find("not a trusted root"), std::string::npos) << foreign.err;
  Result bad_root = run(qf + " --root " + vector_path("quotes/fortanix_quote.bin"));
  EXPECT_EQ(bad_root.status, 1);
  EXPECT_NE(bad_root.err.find("not a PEM certificate"), std::string::npos) << bad_root.err;
}
