// How an enclave thread tells a busy CPU from its own long call: after a long sched_yield to
// its worker, the worker's account of its time on that request is subtracted (channel.hpp).
#include <gtest/gtest.h>

#include <memory>

#include "proxy/channel.hpp"

namespace {

using cocoon::channel::Channel;
using cocoon::channel::kRequest;
using cocoon::channel::kResponse;
using cocoon::channel::worker_answered;
using cocoon::channel::worker_took_up;
using cocoon::channel::yield_was_contended;

constexpr std::uint64_t kThreshold = 750'000;

struct ChannelWait : ::testing::Test {
  std::unique_ptr<Channel> ch = std::make_unique<Channel>();
};

TEST_F(ChannelWait, TheWorkerRecordsWhatARequestTookIt) {
  worker_took_up(*ch, 1'000);
  EXPECT_EQ(ch->worker_busy_since, 1'000u);
  worker_answered(*ch, 901'000);
  EXPECT_EQ(ch->worker_busy_cycles, 900'000u);
  EXPECT_EQ(ch->worker_busy_since, 0u);
  worker_answered(*ch, 5'000);  // an answer without a request taken up: no time
  EXPECT_EQ(ch->worker_busy_cycles, 0u);
}

TEST_F(ChannelWait, AShortYieldIsNeverContention) {
  ch->state = kResponse;
  EXPECT_FALSE(yield_was_contended(*ch, 0, kThreshold, kThreshold));
}

TEST_F(ChannelWait, ALongYieldSpentOnTheAnsweredCallIsNotContention) {
  worker_took_up(*ch, 100);
  worker_answered(*ch, 100 + 2'000'000);  // a large read: 2 M cycles in the worker
  ch->state = kResponse;
  EXPECT_FALSE(yield_was_contended(*ch, 0, 2'100'000, kThreshold));
}

TEST_F(ChannelWait, ALongYieldBeyondTheWorkersTimeIsContention) {
  worker_took_up(*ch, 100);
  worker_answered(*ch, 100 + 10'000);  // a quick call, but the yield took 2 M cycles
  ch->state = kResponse;
  EXPECT_TRUE(yield_was_contended(*ch, 0, 2'000'000, kThreshold));
}

TEST_F(ChannelWait, AWorkerStillOnTheCallAccountsForTheYield) {
  ch->state = kRequest;
  worker_took_up(*ch, 50);  // took it up before the yield began, still at it
  EXPECT_FALSE(yield_was_contended(*ch, 100, 3'000'100, kThreshold));
  worker_took_up(*ch, 2'900'000);  // took it up only near the end: the rest was others' time
  EXPECT_TRUE(yield_was_contended(*ch, 100, 3'000'100, kThreshold));
  ch->worker_busy_since = 0;  // not taken up at all
  EXPECT_TRUE(yield_was_contended(*ch, 100, 3'000'100, kThreshold));
}

TEST_F(ChannelWait, AnyAccountTheWorkerGivesCannotOverflow) {
  ch->state = kResponse;
  ch->worker_busy_cycles = ~0ull;  // an untrusted worker's claim: only waiting changes
  EXPECT_FALSE(yield_was_contended(*ch, 0, 5'000'000, kThreshold));
  ch->state = kRequest;
  ch->worker_busy_since = ~0ull;  // "after" the yield ended: not on it
  EXPECT_TRUE(yield_was_contended(*ch, 0, 5'000'000, kThreshold));
}

}  // namespace
