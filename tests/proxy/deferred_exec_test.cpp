// The proxy makes the calls the shim deferred (channel::DeferredCall) before the request they
// travel with, in the order of their sequence numbers across channels, and nothing else.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "proxy/proxy.hpp"

namespace {

using cocoon::channel::Channel;
using cocoon::channel::DeferredCall;
using cocoon::channel::WindowHeader;
using cocoon::proxy::Hostile;
using cocoon::proxy::make_deferred_calls;

struct Deferred : ::testing::Test {
  std::unique_ptr<WindowHeader> window = std::make_unique<WindowHeader>();
  std::unique_ptr<Channel> a = std::make_unique<Channel>(), b = std::make_unique<Channel>();
  int sv[2] = {-1, -1};
  void SetUp() override {
    std::memset(window.get(), 0, sizeof *window);
    std::memset(a.get(), 0, sizeof *a);
    std::memset(b.get(), 0, sizeof *b);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  }
  void TearDown() override {
    close(sv[0]);
    close(sv[1]);
  }
  static void put(Channel& ch, std::uint32_t k, std::uint64_t op, long a0, long a1, long a2, const void* v = nullptr,
                  unsigned len = 0) {
    DeferredCall& c = ch.deferred[k];
    c = DeferredCall{};
    c.op = op;
    c.args[0] = a0, c.args[1] = a1, c.args[2] = a2;
    if (len) std::memcpy(c.value, v, len);
  }
};

TEST_F(Deferred, MakesEachCallInOrderAndReportsItsResult) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(ep, 0);
  std::uint8_t ev[12] = {};
  std::uint32_t in = EPOLLIN;
  std::memcpy(ev, &in, 4);
  int copy = dup(sv[0]);
  put(*a, 0, 72, sv[0], F_SETFL, O_NONBLOCK);
  put(*a, 1, 233, ep, EPOLL_CTL_ADD, sv[0], ev, sizeof ev);
  put(*a, 2, 233, ep, EPOLL_CTL_ADD, sv[0], ev, sizeof ev);  // again: EEXIST, reported
  put(*a, 3, 3, copy, 0, 0);
  a->deferred_count = 4;
  make_deferred_calls(a.get(), window.get(), Hostile::None);
  EXPECT_EQ(a->deferred_ret[0], 0);
  EXPECT_EQ(a->deferred_ret[1], 0);
  EXPECT_EQ(a->deferred_ret[2], -EEXIST);
  EXPECT_EQ(a->deferred_ret[3], 0);
  EXPECT_EQ(window->deferred_done, 4u);
  EXPECT_NE(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(fcntl(copy, F_GETFD), -1);  // closed
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  epoll_event out{};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 1000), 1);
  close(ep);
}

TEST_F(Deferred, SetsockoptTakesItsIntValue) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  int one = 1;
  put(*a, 0, 54, s, SOL_SOCKET, SO_KEEPALIVE, &one, 4);
  a->deferred_count = 1;
  make_deferred_calls(a.get(), window.get(), Hostile::None);
  int v = 0;
  socklen_t len = sizeof v;
  EXPECT_EQ(a->deferred_ret[0], 0);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
  EXPECT_EQ(v, 1);
  close(s);
}

TEST_F(Deferred, OtherCallsAndOtherFcntlCommandsAreRefused) {
  put(*a, 0, 1, sv[1], 0, 0);                   // write: not a deferred call
  put(*a, 1, 72, sv[0], F_SETFD, FD_CLOEXEC);   // fcntl, but not F_SETFL
  put(*a, 2, 59, 0, 0, 0);                      // execve
  a->deferred_count = 3;
  make_deferred_calls(a.get(), window.get(), Hostile::None);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(a->deferred_ret[k], -EINVAL) << k;
  EXPECT_EQ(fcntl(sv[0], F_GETFD), 0);
}

TEST_F(Deferred, ACountAboveTheArrayMakesNothing) {
  put(*a, 0, 3, sv[0], 0, 0);
  a->deferred_count = cocoon::channel::kMaxDeferred + 1;
  a->run_after = 0;
  make_deferred_calls(a.get(), window.get(), Hostile::None);
  EXPECT_EQ(window->deferred_done, 0u);
  EXPECT_EQ(fcntl(sv[0], F_GETFD), 0);  // still open
}

// A request that must follow calls another channel carries waits until they are made; a
// batch numbered after another waits for it too.
TEST_F(Deferred, RequestsWaitForEarlierCallsOfOtherChannels) {
  put(*a, 0, 72, sv[0], F_SETFL, O_NONBLOCK);
  a->deferred_first = 0;
  a->deferred_count = 1;
  put(*b, 0, 72, sv[0], F_SETFL, 0);
  b->deferred_first = 1;
  b->deferred_count = 1;
  std::atomic<bool> b_done{false};
  std::thread later([&] {
    make_deferred_calls(b.get(), window.get(), Hostile::None);
    b_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(b_done);  // call 1 waits for call 0
  make_deferred_calls(a.get(), window.get(), Hostile::None);
  later.join();
  EXPECT_EQ(window->deferred_done, 2u);
  EXPECT_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);  // 0 then 1: blocking in the end

  Channel& c = *a;
  c.deferred_count = 0;
  c.run_after = 3;  // a call numbered 2 is not made yet
  std::atomic<bool> c_done{false};
  std::thread waiting([&] {
    make_deferred_calls(&c, window.get(), Hostile::None);
    c_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(c_done);
  put(*b, 0, 72, sv[0], F_SETFL, O_NONBLOCK);
  b->deferred_first = 2;
  b->deferred_count = 1;
  make_deferred_calls(b.get(), window.get(), Hostile::None);
  waiting.join();
  EXPECT_TRUE(c_done);
}

TEST_F(Deferred, HostileModeFailsEveryCall) {
  put(*a, 0, 72, sv[0], F_SETFL, O_NONBLOCK);
  a->deferred_count = 1;
  make_deferred_calls(a.get(), window.get(), Hostile::FailDeferred);
  EXPECT_EQ(a->deferred_ret[0], -EIO);
  EXPECT_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
}

}  // namespace
