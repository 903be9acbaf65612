#include "gateway/core/rate_limiter.h"

#include "gtest/gtest.h"

namespace gw::core {
namespace {

using Clock = RateLimiter::Clock;
using std::chrono::milliseconds;

TEST(RateLimiter, AllowsABurstUpToTheRateThenRefuses) {
  RateLimiter limiter(10);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.TryAcquire(t0)) << i;
  EXPECT_FALSE(limiter.TryAcquire(t0));
}

TEST(RateLimiter, RefillsContinuously) {
  RateLimiter limiter(10);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.TryAcquire(t0));
  EXPECT_FALSE(limiter.TryAcquire(t0 + milliseconds(50)));
  EXPECT_TRUE(limiter.TryAcquire(t0 + milliseconds(150))) << "one token per 100 ms at 10/s";
  EXPECT_FALSE(limiter.TryAcquire(t0 + milliseconds(160)));
}

TEST(RateLimiter, ASteadySenderAtTheLimitIsNeverRefused) {
  RateLimiter limiter(5);
  Clock::time_point t = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limiter.TryAcquire(t)) << i;
    t += milliseconds(200);
  }
}

TEST(RateLimiter, IdleTimeDoesNotBankMoreThanOneSecond) {
  RateLimiter limiter(3);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  ASSERT_TRUE(limiter.TryAcquire(t0));
  const Clock::time_point later = t0 + std::chrono::minutes(5);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryAcquire(later));
  EXPECT_FALSE(limiter.TryAcquire(later));
}

TEST(RateLimiter, ABucketLargerThanTheRateTakesItsBurstThenRefillsAtTheRate) {
  RateLimiter limiter(10, 500);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(limiter.TryAcquire(t0)) << i;
  EXPECT_FALSE(limiter.TryAcquire(t0));
  EXPECT_FALSE(limiter.TryAcquire(t0 + milliseconds(50)));
  EXPECT_TRUE(limiter.TryAcquire(t0 + milliseconds(150))) << "one token per 100 ms at 10/s";
  EXPECT_FALSE(limiter.TryAcquire(t0 + milliseconds(160)));
  const Clock::time_point later = t0 + std::chrono::minutes(5);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(limiter.TryAcquire(later)) << i;
  EXPECT_FALSE(limiter.TryAcquire(later)) << "idle time banks no more than the bucket";
}

TEST(RateLimiter, ABucketOfZeroStillHoldsOneToken) {
  RateLimiter limiter(1, 0);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  EXPECT_TRUE(limiter.TryAcquire(t0));
  EXPECT_FALSE(limiter.TryAcquire(t0));
}

TEST(RateLimiter, ZeroMeansUnlimited) {
  RateLimiter limiter(0);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.TryAcquire(t0));
}

}  // namespace
}  // namespace gw::core
