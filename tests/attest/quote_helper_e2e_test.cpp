// End to end: the real `cocoon quote-helper` binary on a temporary socket, driven by the AESM
// client — the flow an enclave uses with SGX_AESM_ADDR=1 — with concurrent clients, malformed
// and oversized requests, a report for the wrong target, and SIGTERM shutdown.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "aesm_client.hpp"
#include "quote_verifier.hpp"
#include "sim_cpu_store.hpp"
#include "sim_qe.hpp"
#include "test_util.hpp"

using namespace cocoon;
using cocoon::attest_test::TempDir;

namespace {

class QuoteHelperProcess {
 public:
  QuoteHelperProcess(const std::string& socket, const std::string& sim_dir) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::string exe = std::string(COCOON_BINARY_DIR) + "/cocoon";
      execl(exe.c_str(), exe.c_str(), "quote-helper", "--socket", socket.c_str(), "--sim-dir", sim_dir.c_str(),
            "--json", "--max-clients", "4", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[4096] = {};
    if (f && fgets(line, sizeof line, f)) status_line_ = line;
    if (f) fclose(f);
  }
  ~QuoteHelperProcess() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& status_line() const { return status_line_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits up to `seconds`; returns the exit status or -1 on timeout.
  int terminate(int seconds) {
    kill(pid_, SIGTERM);
    for (int i = 0; i < seconds * 100; ++i) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string status_line_;
};

int connect_raw(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  aesm::set_timeouts(fd, 5000);
  return fd;
}

aesm::Response raw_exchange(const std::string& path, const aesm::Blob& bytes) {
  int fd = connect_raw(path);
  EXPECT_GE(fd, 0);
  aesm::send_all(fd, bytes);
  aesm::Blob body = aesm::recv_frame(fd, aesm::kMaxResponseBody);
  close(fd);
  return aesm::decode_response(body);
}

struct HelperFixture : ::testing::Test {
  TempDir dir{"qh"};
  std::string socket = (dir.path / "run" / "aesm.socket").string();
  std::string sim = (dir.path / "sim").string();
};

}  // namespace

TEST_F(HelperFixture, ServesQuotesConcurrentlyRejectsBadInputAndStopsOnSigterm) {
  QuoteHelperProcess helper(socket, sim);
  ASSERT_FALSE(helper.status_line().empty()) << "quote-helper printed no status line";
  auto status = nlohmann::json::parse(helper.status_line());
  EXPECT_EQ(status["socket"], socket);
  EXPECT_EQ(status["pid"], helper.pid());
  EXPECT_EQ(status["mode"], "simulation");
  EXPECT_EQ(status["report_mac_check"], true);
  struct stat st{};
  ASSERT_EQ(stat(socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));

  // The enclave side: same host secret (same sim dir), REPORT targeted at the QE from InitQuoteEx.
  aesm::AesmClient client({socket, 5000});
  auto init = client.init_quote_ex();
  EXPECT_EQ(init.pub_key_id.size(), 32u);
  attest::SimCpu cpu = quote::load_or_create_sim_cpu(sim);
  attest::EnclaveIdentity app{};
  std::memset(app.mr_enclave, 0x5e, 32);
  app.attributes.flags = sgx::kAttrInit | sgx::kAttrMode64Bit;
  app.attributes.xfrm = 3;
  std::uint8_t rd[64] = {'h', 'i'};
  quote::Report report{};
  cpu.ereport(app, init.target_info, rd, report);

  quote::VerifyOptions vo;
  vo.anchors.push_back(quote::sim_root_anchor(sim));
  std::vector<std::uint8_t> q = client.get_quote(report);
  EXPECT_EQ(q.size(), client.get_quote_size_ex());  // zero padding stripped
  quote::VerifiedQuote v = quote::verify_quote(q, vo);
  EXPECT_EQ(v.quote.isv_report.mr_enclave[7], 0x5e);
  EXPECT_EQ(v.quote.isv_report.report_data[1], 'i');

  // A buffer larger than the quote comes back zero padded; the client strips it.
  auto padded = client.get_quote_ex(report, 8192);
  EXPECT_EQ(padded.size(), q.size());

  // Concurrent clients (more than --max-clients 4 at once: the rest queue).
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i)
    threads.emplace_back([&] {
      try {
        aesm::AesmClient c({socket, 10000});
        auto quote_bytes = c.get_quote(report);
        quote::verify_quote(quote_bytes, vo);
        ++ok;
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);

  // A report for another target: AESM_INVALID_REPORT (47).
  quote::Report wrong{};
  cpu.ereport(app, attest::make_target_info(app), rd, wrong);
  try {
    client.get_quote(wrong);
    ADD_FAILURE() << "report for the wrong target was quoted";
  } catch (const aesm::AesmServiceError& e) {
    EXPECT_EQ(e.code(), 47u);
  }

  // Malformed protobuf, an unknown request, a missing required field, an oversized frame.
  auto un = std::get<aesm::UnsupportedRequestResponse>(raw_exchange(socket, {3, 0, 0, 0, 0x7a, 0x05, 0x08}));
  EXPECT_EQ(un.error_code, 1u);
  un = std::get<aesm::UnsupportedRequestResponse>(raw_exchange(socket, aesm::frame(aesm::Blob{0x0a, 0x00})));
  EXPECT_EQ(un.error_code, 1u);
  auto missing = std::get<aesm::GetQuoteExResponse>(
      raw_exchange(socket, aesm::frame(aesm::encode_request(aesm::GetQuoteExRequest{}))));
  EXPECT_EQ(missing.error_code, 1u);
  un = std::get<aesm::UnsupportedRequestResponse>(raw_exchange(socket, {0xff, 0xff, 0xff, 0x7f}));
  EXPECT_EQ(un.error_code, 1u);
  auto big = std::get<aesm::GetQuoteExResponse>(raw_exchange(
      socket, aesm::frame(aesm::encode_request(aesm::GetQuoteExRequest{
                  aesm::Blob(432, 0), std::nullopt, std::nullopt, 0x7fffffff, std::nullopt}))));
  EXPECT_EQ(big.error_code, 3u);  // a 2 GiB buffer is refused, not allocated
  // The vector frames, as libsgx_quote_ex sends them, byte for byte.
  auto vec = [](const char* n) { return cocoon::attest_test::read_bytes(cocoon::attest_test::vector_path(std::string("aesm/") + n)); };
  auto vinit = std::get<aesm::InitQuoteExResponse>(raw_exchange(socket, vec("init_quote_ex_request.bin")));
  EXPECT_EQ(vinit.error_code, 0u);
  EXPECT_EQ(vinit.target_info.value_or(aesm::Blob{}).size(), 512u);
  EXPECT_EQ(vinit.pub_key_id.value_or(aesm::Blob{}).size(), 32u);
  auto vsize = std::get<aesm::GetQuoteSizeExResponse>(raw_exchange(socket, vec("get_quote_size_ex_request.bin")));
  EXPECT_EQ(vsize.error_code, 0u);
  EXPECT_EQ(vsize.quote_size, static_cast<std::uint32_t>(q.size()));
  auto vquote = std::get<aesm::GetQuoteExResponse>(raw_exchange(socket, vec("get_quote_ex_request.bin")));
  EXPECT_EQ(vquote.error_code, 47u);  // an all-zero REPORT has no valid MAC
  // The DCAP wrapper's first InitQuoteEx: b_pub_key_id=false with an uninitialised buf_size.
  auto first = std::get<aesm::InitQuoteExResponse>(raw_exchange(
      socket, aesm::frame(aesm::encode_request(aesm::InitQuoteExRequest{aesm::default_ecdsa_att_key_id(), false,
                                                                        0xdeadbeefcafeull, 15000}))));
  EXPECT_EQ(first.error_code, 0u);
  EXPECT_EQ(first.pub_key_id_size, 32u);
  EXPECT_FALSE(first.pub_key_id);
  // An EPID key id is not supported: AESM_UNSUPPORTED_ATT_KEY_ID.
  aesm::Blob epid(256, 0);
  auto unsup = std::get<aesm::GetQuoteSizeExResponse>(
      raw_exchange(socket, aesm::frame(aesm::encode_request(aesm::GetQuoteSizeExRequest{epid, 15000}))));
  EXPECT_EQ(unsup.error_code, 38u);

  // Half a frame, then the client goes quiet: still connected while we shut down.
  int stalled = connect_raw(socket);
  ASSERT_GE(stalled, 0);
  aesm::send_all(stalled, {100, 0, 0, 0, 0x7a});

  // Still serving after all that.
  EXPECT_NO_THROW(client.get_quote_size_ex());

  EXPECT_EQ(helper.terminate(5), 0);
  close(stalled);
  EXPECT_NE(stat(socket.c_str(), &st), 0) << "socket file left behind";
  // Nobody listens any more.
  aesm::AesmClient gone({socket, 1000});
  EXPECT_THROW(gone.get_quote_size_ex(), aesm::AesmTransportError);
}

TEST_F(HelperFixture, RefusesASocketInUseAndReplacesAStaleOne) {
  QuoteHelperProcess first(socket, sim);
  ASSERT_FALSE(first.status_line().empty());
  {
    QuoteHelperProcess second(socket, sim);
    EXPECT_TRUE(second.status_line().empty());
    EXPECT_NE(second.terminate(5), 0);
  }
  // Kill the first without cleanup: the socket file stays, stale. A new helper replaces it.
  kill(first.pid(), SIGKILL);
  EXPECT_EQ(first.terminate(5), 128 + SIGKILL);
  struct stat st{};
  ASSERT_EQ(stat(socket.c_str(), &st), 0);
  QuoteHelperProcess third(socket, sim);
  EXPECT_FALSE(third.status_line().empty());
  aesm::AesmClient client({socket, 5000});
  EXPECT_NO_THROW(client.init_quote_ex());
  EXPECT_EQ(third.terminate(5), 0);
}

TEST(AesmClientDefaults, DefaultKeyIdMatchesTheVectorAndUnavailableServiceIsNamed) {
  EXPECT_EQ(aesm::default_ecdsa_att_key_id(),
            cocoon::attest_test::read_bytes(cocoon::attest_test::vector_path("aesm/default_ecdsa_att_key_id.bin")));
  aesm::AesmClient c({std::string(COCOON_BINARY_DIR) + "/no-such-dir/aesm.socket", 1000});
  try {
    c.get_quote_size_ex();
    FAIL();
  } catch (const aesm::AesmTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to the AESM socket"), std::string::npos) << e.what();
  }
}
