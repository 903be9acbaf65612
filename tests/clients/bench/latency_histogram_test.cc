#include "clients/bench/latency_histogram.h"

#include <cstdint>
#include <random>

#include "gtest/gtest.h"

namespace gw::bench {
namespace {

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Count(), 0u);
  EXPECT_EQ(histogram.Percentile(0.5), 0);
  EXPECT_EQ(histogram.Max(), 0);
  EXPECT_EQ(histogram.Min(), 0);
  EXPECT_EQ(histogram.Mean(), 0);
}

TEST(LatencyHistogram, PercentilesOfOneToHundredAreNearestRank) {
  LatencyHistogram histogram;
  for (int v = 100; v >= 1; --v) histogram.Record(v);  // order must not matter
  EXPECT_EQ(histogram.Count(), 100u);
  EXPECT_EQ(histogram.Percentile(0.50), 50);
  EXPECT_EQ(histogram.Percentile(0.90), 90);
  EXPECT_EQ(histogram.Percentile(0.99), 99);
  EXPECT_EQ(histogram.Percentile(1.0), 100);
  EXPECT_EQ(histogram.Percentile(0.0), 1);
  EXPECT_EQ(histogram.Percentile(0.001), 1);
  EXPECT_EQ(histogram.Percentile(0.505), 51);  // rank ceil(50.5) = 51
  EXPECT_EQ(histogram.Min(), 1);
  EXPECT_EQ(histogram.Max(), 100);
  EXPECT_DOUBLE_EQ(histogram.Mean(), 50.5);
}

TEST(LatencyHistogram, ATailOfOnePercentShowsOnlyAtP99AndAbove) {
  LatencyHistogram histogram;
  for (int i = 0; i < 990; ++i) histogram.Record(1'000'000);   // 1 ms
  for (int i = 0; i < 10; ++i) histogram.Record(250'000'000);  // 250 ms
  EXPECT_NEAR(histogram.Percentile(0.50), 1'000'000, 1'000'000 / 128);
  EXPECT_NEAR(histogram.Percentile(0.99), 1'000'000, 1'000'000 / 128);
  EXPECT_NEAR(histogram.Percentile(0.991), 250'000'000, 250'000'000 / 128);
  EXPECT_EQ(histogram.Max(), 250'000'000);
}

TEST(LatencyHistogram, KeepsEveryValueWithinItsPrecision) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t value = random() >> (random() % 64);
    const int bucket = LatencyHistogram::BucketOf(value);
    ASSERT_GE(bucket, 0);
    ASSERT_LT(bucket, LatencyHistogram::kBucketCount);
    const uint64_t low = LatencyHistogram::BucketLow(bucket);
    const uint64_t high = LatencyHistogram::BucketHigh(bucket);
    ASSERT_LE(low, value);
    ASSERT_GE(high, value);
    ASSERT_LE(static_cast<double>(high - low), static_cast<double>(value) / 128.0) << value;
  }
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  for (int bucket = 0; bucket + 1 < LatencyHistogram::kBucketCount; ++bucket) {
    ASSERT_EQ(LatencyHistogram::BucketHigh(bucket) + 1, LatencyHistogram::BucketLow(bucket + 1))
        << bucket;
    ASSERT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketLow(bucket)), bucket);
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, ValuesBelow256AreExact) {
  for (int v = 0; v < 256; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketLow(LatencyHistogram::BucketOf(v)), static_cast<uint64_t>(v));
    EXPECT_EQ(LatencyHistogram::BucketHigh(LatencyHistogram::BucketOf(v)),
              static_cast<uint64_t>(v));
  }
}

TEST(LatencyHistogram, PercentileNeverExceedsTheMaximumSeen) {
  LatencyHistogram histogram;
  histogram.Record(1'000'001);  // its bucket's upper end is above it
  EXPECT_EQ(histogram.Percentile(0.5), 1'000'001);
  EXPECT_EQ(histogram.Percentile(1.0), 1'000'001);
}

TEST(LatencyHistogram, NegativeValuesCountAsZero) {
  LatencyHistogram histogram;
  histogram.Record(-5);
  EXPECT_EQ(histogram.Count(), 1u);
  EXPECT_EQ(histogram.Max(), 0);
  EXPECT_EQ(histogram.Percentile(0.5), 0);
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsExtremes) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (int v = 1; v <= 50; ++v) a.Record(v);
  for (int v = 51; v <= 100; ++v) b.Record(v);
  LatencyHistogram empty;
  a.Merge(empty);
  empty.Merge(a);
  EXPECT_EQ(empty.Min(), 1);
  a.Merge(b);
  EXPECT_EQ(a.Count(), 100u);
  EXPECT_EQ(a.Min(), 1);
  EXPECT_EQ(a.Max(), 100);
  EXPECT_EQ(a.Percentile(0.9), 90);
  a.Clear();
  EXPECT_EQ(a.Count(), 0u);
}

}  // namespace
}  // namespace gw::bench
