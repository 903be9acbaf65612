#include "gateway/webhooks/retry_policy.h"

#include <chrono>

#include "gtest/gtest.h"

namespace gw::webhooks {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RetryPolicy WithoutJitter() {
  RetryPolicy policy;
  policy.jitter = 0;
  return policy;
}

TEST(RetryPolicy, DefaultsAreOneSecondDoublingToAMinuteForFiveMinutes) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.initial, seconds(1));
  EXPECT_EQ(policy.max, seconds(60));
  EXPECT_EQ(policy.give_up_after, seconds(300));
}

TEST(RetryPolicy, BackoffDoublesFromOneSecondAndStopsAtSixty) {
  const RetryPolicy policy = WithoutJitter();
  const int expected_seconds[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
  for (int retry = 1; retry <= 9; ++retry) {
    EXPECT_EQ(policy.Backoff(retry, 0.5), seconds(expected_seconds[retry - 1])) << retry;
  }
  EXPECT_EQ(policy.Backoff(1000, 0.5), seconds(60));  // no overflow however long it fails
}

TEST(RetryPolicy, JitterSpreadsAroundTheBaseWithinItsFraction) {
  const RetryPolicy policy;  // ±20 %
  EXPECT_EQ(policy.Backoff(3, 0.0), milliseconds(3200));
  EXPECT_EQ(policy.Backoff(3, 0.5), milliseconds(4000));
  EXPECT_NEAR(std::chrono::duration<double>(policy.Backoff(3, 0.999999)).count(), 4.8, 1e-3);
}

TEST(RetryPolicy, JitterNeverExceedsTheCap) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.Backoff(7, 0.999), seconds(60));
  EXPECT_EQ(policy.Backoff(7, 0.0), seconds(48));
}

TEST(RetryPolicy, RetriesWhileTheNextAttemptStartsWithinTheWindow) {
  const RetryPolicy policy = WithoutJitter();
  // 1 + 2 + 4 + 8 + 16 + 32 + 60 + 60 + 60 = 243 s; the next 60 s would reach 303 s.
  RetryPolicy::Duration elapsed{};
  int retries = 0;
  for (int retry = 1;; ++retry) {
    const auto wait = policy.NextRetry(retry, elapsed, 0.5);
    if (!wait) break;
    elapsed += *wait;
    ++retries;
  }
  EXPECT_EQ(retries, 9);
  EXPECT_EQ(elapsed, seconds(243));
}

TEST(RetryPolicy, ZeroWindowNeverRetries) {
  RetryPolicy policy;
  policy.give_up_after = seconds(0);
  EXPECT_EQ(policy.NextRetry(1, seconds(0), 0.5), std::nullopt);
}

TEST(RetryPolicy, ExactlyAtTheEndOfTheWindowStillRetries) {
  const RetryPolicy policy = WithoutJitter();
  EXPECT_EQ(policy.NextRetry(1, seconds(299), 0.5), seconds(1));
  EXPECT_EQ(policy.NextRetry(1, milliseconds(299001), 0.5), std::nullopt);
}

}  // namespace
}  // namespace gw::webhooks
