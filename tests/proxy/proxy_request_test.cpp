// The proxy executes only well-formed requests: pointer arguments must lie inside the
// channel's data area, and only forwarded operations run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/proxy.hpp"

namespace {

using cocoon::channel::Request;
using cocoon::proxy::execute_request;

class ProxyRequest : public ::testing::Test {
 protected:
  std::vector<std::uint8_t> data = std::vector<std::uint8_t>(64 * 1024);
  Request rq{};
  int fd = -1;
  void SetUp() override {
    char path[] = "/tmp/cocoon-proxy-test-XXXXXX";
    fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    unlink(path);
    ASSERT_EQ(write(fd, "hello world", 11), 11);
  }
  void TearDown() override { close(fd); }
  void pread_at(std::uint64_t off, std::uint64_t len, std::uint64_t extent) {
    rq = Request{};
    rq.op = SYS_pread64;
    rq.args[0] = fd;
    rq.args[1] = static_cast<long>(off);
    rq.args[2] = static_cast<long>(len);
    rq.args[3] = 0;
    rq.ptr_mask = 1u << 1;
    rq.extent[1] = extent;
  }
  // readv(fd, one iovec at offset 0 of the data area, {base, len}) after seeking to 0.
  void readv_of(std::uint64_t base, std::uint64_t len, std::uint64_t extent) {
    lseek(fd, 0, SEEK_SET);
    std::uint64_t iov[2] = {base, len};
    std::memcpy(data.data(), iov, 16);
    rq = Request{};
    rq.op = SYS_readv;
    rq.args[0] = fd;
    rq.args[1] = 0;
    rq.args[2] = 1;
    rq.iov_mask = 1u << 1;
    rq.extent[1] = extent;
  }
};

TEST_F(ProxyRequest, PointerArgumentsBecomeAddressesInTheDataArea) {
  pread_at(100, 11, 11);
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), 11);
  EXPECT_EQ(std::memcmp(data.data() + 100, "hello world", 11), 0);
}

TEST_F(ProxyRequest, ExtentPastTheDataAreaIsRefused) {
  pread_at(data.size() - 4, 11, 11);
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  pread_at(~0ull - 2, 11, 11);  // offset + extent overflows
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
}

TEST_F(ProxyRequest, OperationsThatAreNotForwardedAreRefused) {
  rq = Request{};
  rq.op = SYS_ptrace;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -ENOSYS);
  rq.op = SYS_mmap;  // served in the shim, never by the proxy
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -ENOSYS);
  rq.op = 100000;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -ENOSYS);
  EXPECT_FALSE(cocoon::proxy::operation_allowed(SYS_process_vm_readv));
  EXPECT_TRUE(cocoon::proxy::operation_allowed(SYS_openat));
  EXPECT_TRUE(cocoon::proxy::operation_allowed(SYS_close));  // the shim's fd table forwards it
}

TEST_F(ProxyRequest, PingAnswersZero) {
  rq = Request{};
  rq.op = cocoon::channel::kOpPing;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), 0);
}

TEST_F(ProxyRequest, IovecBaseIsTranslatedAndChecked) {
  readv_of(64, 5, 16 + 5);  // the iovec's base is an offset into the data area
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), 5);
  EXPECT_EQ(std::memcmp(data.data() + 64, "hello", 5), 0);
  readv_of(data.size() - 2, 5, 16 + 5);  // buffer would run past the area
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
}

// An argument marked both as a plain pointer and as an iovec must not slip through as an
// iovec whose base was never translated (the kernel would write to that raw address).
TEST_F(ProxyRequest, AnArgumentMarkedPointerAndIovecIsRefused) {
  char outside[8] = "intact";
  readv_of(reinterpret_cast<std::uint64_t>(outside), 5, 16);
  rq.ptr_mask = 1u << 1;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  EXPECT_STREQ(outside, "intact");
  rq.iov_mask = 0;  // a plain pointer where the table wants an iovec
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  EXPECT_STREQ(outside, "intact");
  pread_at(0, 11, 11);  // ... and an iovec where the table wants a plain pointer
  rq.ptr_mask = 0;
  rq.iov_mask = 1u << 1;
  std::uint64_t iov2[2] = {64, 11};
  std::memcpy(data.data(), iov2, 16);
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
}

// The attestation operations check their buffers before anything else (no quote source is
// even created for a malformed request).
TEST_F(ProxyRequest, AttestationOperationsCheckTheirBuffers) {
  rq = Request{};
  rq.op = cocoon::channel::kOpQeTargetInfo;
  rq.ptr_mask = 1u << 1;
  rq.args[1] = 0;
  rq.extent[1] = 100;  // a TARGETINFO is 512 bytes
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  rq = Request{};
  rq.op = cocoon::channel::kOpQuote;
  rq.ptr_mask = (1u << 1) | (1u << 2);
  rq.args[1] = 0;
  rq.extent[1] = 432;
  rq.args[2] = 1024;
  rq.extent[2] = 4096;
  rq.args[3] = 8192;  // more room claimed than the output buffer has
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  rq.extent[1] = 431;  // not a whole REPORT
  rq.args[3] = 4096;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  rq.args[2] = static_cast<long>(data.size());  // output outside the data area
  rq.extent[1] = 432;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
}

// kOpAcceptNames: accept4, then the new socket's own and peer addresses, as getsockname and
// getpeername give them; the names buffer must be exactly an AcceptNames in the data area.
TEST_F(ProxyRequest, AcceptNamesGivesTheSocketAndBothAddresses) {
  int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(l, 4), 0);
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto request = [&](std::uint64_t names_at, std::uint64_t extent) {
    rq = Request{};
    rq.op = cocoon::channel::kOpAcceptNames;
    rq.args[0] = l;
    rq.args[3] = SOCK_CLOEXEC;
    rq.args[4] = static_cast<long>(names_at);
    rq.ptr_mask = 1u << 4;
    rq.extent[4] = extent;
  };
  request(0, sizeof(cocoon::channel::AcceptNames) - 1);
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  request(data.size() - 8, sizeof(cocoon::channel::AcceptNames));
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);
  request(64, sizeof(cocoon::channel::AcceptNames));
  rq.ptr_mask = 0;  // names not in the data area
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EFAULT);

  request(64, sizeof(cocoon::channel::AcceptNames));
  long got = execute_request(rq, data.data(), data.size());
  ASSERT_GE(got, 0);
  int accepted = static_cast<int>(got);
  EXPECT_EQ(fcntl(accepted, F_GETFD), FD_CLOEXEC);
  cocoon::channel::AcceptNames names;
  std::memcpy(&names, data.data() + 64, sizeof names);
  sockaddr_in own{}, peer{}, client{};
  socklen_t own_len = sizeof own, peer_len = sizeof peer, client_len = sizeof client;
  ASSERT_EQ(getsockname(accepted, reinterpret_cast<sockaddr*>(&own), &own_len), 0);
  ASSERT_EQ(getpeername(accepted, reinterpret_cast<sockaddr*>(&peer), &peer_len), 0);
  ASSERT_EQ(getsockname(c, reinterpret_cast<sockaddr*>(&client), &client_len), 0);
  EXPECT_EQ(names.len[0], own_len);
  EXPECT_EQ(std::memcmp(names.addr[0], &own, own_len), 0);
  EXPECT_EQ(names.len[1], peer_len);
  EXPECT_EQ(std::memcmp(names.addr[1], &peer, peer_len), 0);
  EXPECT_EQ(peer.sin_port, client.sin_port);
  close(accepted);

  // Nothing pending on a non-blocking listener: accept4's errno, nothing written.
  fcntl(l, F_SETFL, O_NONBLOCK);
  std::memset(data.data() + 64, 0xAB, sizeof names);
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EAGAIN);
  EXPECT_EQ(data[64], 0xAB);
  close(c);
  close(l);
}

TEST_F(ProxyRequest, ErrnoComesBackNegative) {
  rq = Request{};
  rq.op = SYS_close;
  rq.args[0] = 987654;
  EXPECT_EQ(execute_request(rq, data.data(), data.size()), -EBADF);
}

TEST(ProxyHostile, ModesParseAndUnknownModesAreRejected) {
  using cocoon::proxy::Hostile;
  EXPECT_EQ(cocoon::proxy::parse_hostile(""), Hostile::None);
  EXPECT_EQ(cocoon::proxy::parse_hostile("read-too-long"), Hostile::ReadTooLong);
  EXPECT_EQ(cocoon::proxy::parse_hostile("peek"), Hostile::Peek);
  EXPECT_THROW(cocoon::proxy::parse_hostile("nice"), std::invalid_argument);
}

}  // namespace
