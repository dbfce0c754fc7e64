// Choosing the quote source: in process (simulated QE) without SGX_AESM_ADDR, the AESM service
// with it (socket path from COCOON_AESM_SOCKET), and the client's default address order
// (fixed path, then the legacy abstract socket).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "aesm_client.hpp"
#include "quote_source.hpp"
#include "quote_verifier.hpp"
#include "sim_cpu_store.hpp"
#include "sim_qe.hpp"
#include "test_util.hpp"

using namespace cocoon;
using cocoon::attest_test::TempDir;

namespace {

quote::Report report_for(const quote::TargetInfo& target, const std::string& sim_dir) {
  attest::SimCpu cpu = quote::load_or_create_sim_cpu(sim_dir);
  attest::EnclaveIdentity app{};
  std::memset(app.mr_signer, 0x33, 32);
  app.attributes.flags = sgx::kAttrInit | sgx::kAttrMode64Bit;
  app.attributes.xfrm = 3;
  std::uint8_t rd[64] = {9};
  quote::Report r{};
  cpu.ereport(app, target, rd, r);
  return r;
}

void expect_verifies(const std::vector<std::uint8_t>& q, const std::string& sim_dir) {
  quote::VerifyOptions vo;
  vo.anchors.push_back(quote::sim_root_anchor(sim_dir));
  quote::VerifiedQuote v = quote::verify_quote(q, vo);
  EXPECT_EQ(v.quote.isv_report.mr_signer[0], 0x33);
  EXPECT_EQ(v.quote.isv_report.report_data[0], 9);
}

}  // namespace

TEST(QuoteSource, InProcessWithoutSgxAesmAddr) {
  TempDir dir{"qs-in"};
  unsetenv("SGX_AESM_ADDR");
  setenv("COCOON_SIM_DIR", dir.path.c_str(), 1);
  EXPECT_FALSE(aesm::use_out_of_process_quoting());
  auto src = quote::make_quote_source();
  EXPECT_NE(src->describe().find("in-process simulated QE"), std::string::npos);
  auto q = src->quote(report_for(src->target_info(), dir.path.string()));
  expect_verifies(q, dir.path.string());
}

TEST(QuoteSource, OutOfProcessWhenSgxAesmAddrIsSetEvenEmpty) {
  TempDir dir{"qs-out"};
  std::string sim = (dir.path / "sim").string();
  std::string sock = (dir.path / "aesm.socket").string();
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    std::string exe = std::string(COCOON_BINARY_DIR) + "/cocoon";
    execl(exe.c_str(), exe.c_str(), "quote-helper", "--socket", sock.c_str(), "--sim-dir", sim.c_str(), "--json",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  char line[1024] = {};
  ASSERT_GT(read(out[0], line, sizeof line - 1), 0) << "quote-helper did not start";
  close(out[0]);

  setenv("SGX_AESM_ADDR", "", 1);  // presence is what counts
  setenv(quote::kAesmSocketEnv, sock.c_str(), 1);
  EXPECT_TRUE(aesm::use_out_of_process_quoting());
  auto src = quote::make_quote_source();
  EXPECT_EQ(src->describe(), "aesm:" + sock);
  auto q = src->quote(report_for(src->target_info(), sim));
  expect_verifies(q, sim);

  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(AesmClientAddress, FallsBackToTheAbstractSocket) {
  if (std::filesystem::exists(aesm::kAesmSocketPath)) GTEST_SKIP() << aesm::kAesmSocketPath << " exists on this host";
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::size_t n = std::strlen(aesm::kAesmAbstractName);
  std::memcpy(a.sun_path + 1, aesm::kAesmAbstractName, n);
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  if (bind(ls, reinterpret_cast<sockaddr*>(&a), len) != 0) {
    close(ls);
    GTEST_SKIP() << "the abstract AESM socket is in use on this host";
  }
  ASSERT_EQ(listen(ls, 1), 0);
  std::thread server([ls] {
    int c = accept(ls, nullptr, nullptr);
    if (c < 0) return;
    try {
      auto body = aesm::recv_frame(c, aesm::kMaxRequestBody);
      if (std::holds_alternative<aesm::GetQuoteSizeExRequest>(aesm::decode_request(body)))
        aesm::send_all(c, aesm::frame(aesm::encode_response(aesm::GetQuoteSizeExResponse{0, 1234})));
    } catch (...) {
    }
    close(c);
  });
  aesm::AesmClient client;  // default address order
  std::uint32_t size = 0;
  EXPECT_NO_THROW(size = client.get_quote_size_ex());
  EXPECT_EQ(size, 1234u);
  server.join();
  close(ls);
  // With nothing listening anywhere, the error names both addresses.
  try {
    client.get_quote_size_ex();
    FAIL();
  } catch (const aesm::AesmTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("/var/run/aesmd/aesm.socket"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("@sgx_aesm_socket_base"), std::string::npos) << e.what();
  }
}
