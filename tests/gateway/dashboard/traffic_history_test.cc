#include "gateway/dashboard/traffic_history.h"

#include "gtest/gtest.h"

namespace gw::dashboard {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // a bucket boundary (divisible by 5000)

TrafficTotals Totals(uint64_t connections, uint64_t messages_out) {
  TrafficTotals totals;
  totals.connections = connections;
  totals.messages_out = messages_out;
  return totals;
}

TEST(TrafficHistory, HasNothingBeforeTheFirstSample) {
  TrafficHistory history;
  EXPECT_FALSE(history.Current().has_value());
  EXPECT_TRUE(history.Since(-1).empty());
}

TEST(TrafficHistory, TheBucketInProgressShowsGrowthSoFarAndTheGaugeNow) {
  TrafficHistory history;
  history.Sample(kStart, Totals(1, 100));
  history.Sample(kStart + 2000, Totals(3, 160));
  auto current = history.Current();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->index, kStart / TrafficHistory::kResolutionMs);
  EXPECT_EQ(current->covered_ms, 2000u);
  EXPECT_EQ(current->figures.connections, 3u);
  EXPECT_EQ(current->figures.messages_out, 60u);
  EXPECT_TRUE(history.Since(-1).empty());
}

TEST(TrafficHistory, ABucketClosesAtTheFirstSamplePastItsEnd) {
  TrafficHistory history;
  history.Sample(kStart, Totals(1, 100));
  history.Sample(kStart + 4000, Totals(2, 150));
  history.Sample(kStart + 5000, Totals(2, 200));  // the next bucket's first sample
  const auto closed = history.Since(-1);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].index, kStart / TrafficHistory::kResolutionMs);
  EXPECT_EQ(closed[0].covered_ms, 5000u);
  EXPECT_EQ(closed[0].figures.messages_out, 100u);  // measured sample to sample
  EXPECT_EQ(closed[0].figures.connections, 2u);
  // The next bucket starts measuring from there.
  history.Sample(kStart + 6000, Totals(2, 230));
  EXPECT_EQ(history.Current()->figures.messages_out, 30u);
  EXPECT_TRUE(history.Since(closed[0].index).empty());
}

TEST(TrafficHistory, BucketsNoSampleReachedAreFilledAsIdle) {
  TrafficHistory history;
  history.Sample(kStart, Totals(4, 0));
  history.Sample(kStart + 3 * TrafficHistory::kResolutionMs, Totals(4, 90));
  const auto closed = history.Since(-1);
  ASSERT_EQ(closed.size(), 3u);
  EXPECT_EQ(closed[0].figures.messages_out, 90u);
  for (size_t i = 1; i < closed.size(); ++i) {
    EXPECT_EQ(closed[i].index, closed[0].index + static_cast<int64_t>(i));
    EXPECT_EQ(closed[i].figures.messages_out, 0u);
    EXPECT_EQ(closed[i].figures.connections, 4u);
  }
}

TEST(TrafficHistory, KeepsOnlyTheLastHour) {
  TrafficHistory history;
  for (int64_t i = 0; i <= 2 * static_cast<int64_t>(TrafficHistory::kBuckets); ++i) {
    history.Sample(kStart + i * TrafficHistory::kResolutionMs, Totals(1, static_cast<uint64_t>(i)));
  }
  const auto closed = history.Since(-1);
  ASSERT_EQ(closed.size(), TrafficHistory::kBuckets);
  EXPECT_EQ(closed.back().index + 1, history.Current()->index);
  EXPECT_EQ(closed.back().index - closed.front().index,
            static_cast<int64_t>(TrafficHistory::kBuckets) - 1);
}

TEST(TrafficHistory, AClockThatStepsBackKeepsFillingTheBucketInProgress) {
  TrafficHistory history;
  history.Sample(kStart + 3000, Totals(1, 10));
  history.Sample(kStart + 1000, Totals(1, 30));
  EXPECT_TRUE(history.Since(-1).empty());
  EXPECT_EQ(history.Current()->figures.messages_out, 20u);
}

}  // namespace
}  // namespace gw::dashboard
