#include "gateway/cluster/reconnect_backoff.h"

#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoff, DoublesFromInitialUpToMax) {
  ReconnectBackoff backoff;  // 100 ms doubling to 5 s
  const milliseconds expected[] = {milliseconds(100),  milliseconds(200),  milliseconds(400),
                                   milliseconds(800),  milliseconds(1600), milliseconds(3200),
                                   milliseconds(5000), milliseconds(5000)};
  for (const milliseconds wait : expected) EXPECT_EQ(backoff.NextDelay(0.0), wait);
  EXPECT_EQ(backoff.failures(), 8);
}

TEST(ReconnectBackoff, JitterOnlyShortensTheWait) {
  ReconnectBackoff backoff(
      {.initial = milliseconds(1000), .max = milliseconds(1000), .jitter = 0.2});
  EXPECT_EQ(backoff.NextDelay(0.0), milliseconds(1000));
  EXPECT_EQ(backoff.NextDelay(0.5), milliseconds(900));
  const auto shortest = backoff.NextDelay(0.999999);
  EXPECT_GE(shortest, milliseconds(800));
  EXPECT_LT(shortest, milliseconds(801));
}

TEST(ReconnectBackoff, ResetStartsOverAtInitial) {
  ReconnectBackoff backoff;
  backoff.NextDelay(0.0);
  backoff.NextDelay(0.0);
  backoff.NextDelay(0.0);
  backoff.Reset();
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_EQ(backoff.NextDelay(0.0), milliseconds(100));
}

TEST(ReconnectBackoff, NeverOverflowsAfterManyFailures) {
  ReconnectBackoff backoff;
  for (int i = 0; i < 10000; ++i) backoff.NextDelay(0.3);
  const auto wait = backoff.NextDelay(0.0);
  EXPECT_EQ(wait, milliseconds(5000));
}

TEST(ReconnectBackoff, RandomOutsideTheUnitRangeIsClamped) {
  ReconnectBackoff backoff;
  EXPECT_EQ(backoff.NextDelay(-3.0), milliseconds(100));
  EXPECT_EQ(backoff.NextDelay(7.0), milliseconds(160));
}

}  // namespace
}  // namespace gw::cluster
