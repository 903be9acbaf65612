#include "clients/bench/rate_pacer.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace gw::bench {
namespace {

constexpr int64_t kStart = 5'000'000'000;  // an arbitrary monotonic instant

TEST(RatePacer, SpacesMessagesEvenly) {
  RatePacer pacer(1000, kStart);  // one per millisecond
  EXPECT_EQ(pacer.DueAt(0), kStart);
  EXPECT_EQ(pacer.DueAt(1), kStart + 1'000'000);
  EXPECT_EQ(pacer.DueAt(1000), kStart + 1'000'000'000);
}

TEST(RatePacer, RoundsFractionalPeriodsUp) {
  RatePacer pacer(3, kStart);  // 333,333,333.3 ns apart
  EXPECT_EQ(pacer.DueAt(1), kStart + 333'333'334);
  EXPECT_EQ(pacer.DueAt(3), kStart + 1'000'000'000);
}

TEST(RatePacer, CountsWhatIsDueByNow) {
  RatePacer pacer(1000, kStart);
  EXPECT_EQ(pacer.DueCount(kStart - 1), 0u);
  EXPECT_EQ(pacer.DueCount(kStart), 1u);  // message 0 is due at the start
  EXPECT_EQ(pacer.DueCount(kStart + 999'999), 1u);
  EXPECT_EQ(pacer.DueCount(kStart + 1'000'000), 2u);
  EXPECT_EQ(pacer.DueCount(kStart + 10'000'000'000), 10'001u);
}

TEST(RatePacer, DueCountAndDueAtAgreeEverywhere) {
  for (double rate : {1.0, 3.0, 7.5, 999.0, 12345.678, 1e6, 9.99e6}) {
    RatePacer pacer(rate, kStart);
    for (uint64_t i : {0ull, 1ull, 2ull, 17ull, 1000ull, 123457ull, 99'999'999ull}) {
      const int64_t due = pacer.DueAt(i);
      EXPECT_GT(pacer.DueCount(due), i) << "rate " << rate << " message " << i;
      EXPECT_LE(pacer.DueCount(due - 1), i) << "rate " << rate << " message " << i;
    }
  }
}

TEST(RatePacer, AFallingBehindSenderCatchesUpInOneBatch) {
  // Open loop: a sender that wakes late owes every message due meanwhile, not one.
  RatePacer pacer(100, kStart);
  EXPECT_EQ(pacer.DueCount(kStart + 500'000'000), 51u);
}

TEST(RatePacer, ZeroRateMeansUnpaced) {
  RatePacer pacer(0, kStart);
  EXPECT_FALSE(pacer.paced());
  EXPECT_EQ(pacer.DueAt(123), kStart);
  EXPECT_EQ(pacer.DueCount(kStart - 100), UINT64_MAX);
  RatePacer negative(-5, kStart);
  EXPECT_FALSE(negative.paced());
}

}  // namespace
}  // namespace gw::bench
