#include "gateway/session/subscription_admission.h"

#include <chrono>

#include "gtest/gtest.h"

namespace gw::session {
namespace {

using Verdict = SubscriptionAdmission::Verdict;
using Clock = SubscriptionAdmission::Clock;
using std::chrono::milliseconds;

const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1);

core::AppLimits Limits(uint32_t channels, uint32_t per_second, uint32_t presence_per_second) {
  core::AppLimits limits;
  limits.max_channels_per_connection = channels;
  limits.max_subscriptions_per_second = per_second;
  limits.max_presence_joins_per_second = presence_per_second;
  return limits;
}

TEST(SubscriptionAdmission, TheDefaultsLetAClientJoinOneHundredChannelsAtOnce) {
  SubscriptionAdmission admission{core::AppLimits()};
  for (size_t held = 0; held < 100; ++held) {
    ASSERT_EQ(admission.AdmitNew(held, false, kStart), Verdict::kAdmitted) << held;
  }
}

TEST(SubscriptionAdmission, AConnectionAtTheCapIsRefusedANewChannelWithoutSpendingATokenOn) {
  SubscriptionAdmission admission(Limits(3, 1, 1));
  for (size_t held = 0; held < 3; ++held) {
    ASSERT_EQ(admission.AdmitNew(held, false, kStart), Verdict::kAdmitted) << held;
  }
  EXPECT_EQ(admission.AdmitNew(3, false, kStart), Verdict::kChannelLimit);
  EXPECT_EQ(admission.AdmitNew(3, false, kStart), Verdict::kChannelLimit)
      << "the cap is asked before the bucket, which is empty by now";
  EXPECT_EQ(admission.AdmitNew(2, false, kStart), Verdict::kRateLimit);
}

TEST(SubscriptionAdmission, TheSubscribeBucketHoldsTheCapAndRefillsAtTheRate) {
  SubscriptionAdmission admission(Limits(50, 10, 0));
  for (int i = 0; i < 50; ++i) ASSERT_EQ(admission.AdmitRepeat(kStart), Verdict::kAdmitted) << i;
  EXPECT_EQ(admission.AdmitNew(0, false, kStart), Verdict::kRateLimit);
  EXPECT_EQ(admission.AdmitRepeat(kStart + milliseconds(50)), Verdict::kRateLimit);
  EXPECT_EQ(admission.AdmitNew(0, false, kStart + milliseconds(150)), Verdict::kAdmitted)
      << "one more every 100 ms at 10/s";
  EXPECT_EQ(admission.AdmitNew(0, false, kStart + milliseconds(160)), Verdict::kRateLimit);
}

TEST(SubscriptionAdmission, WithoutACapTheBucketHoldsWhatTheDefaultCapWould) {
  SubscriptionAdmission admission(Limits(0, 10, 0));
  for (uint32_t i = 0; i < SubscriptionAdmission::kBurstWithoutChannelCap; ++i) {
    ASSERT_EQ(admission.AdmitNew(100000 + i, false, kStart), Verdict::kAdmitted) << i;
  }
  EXPECT_EQ(admission.AdmitNew(0, false, kStart), Verdict::kRateLimit);
}

TEST(SubscriptionAdmission, PresenceJoinsHaveAStricterBucketOfTheirOwn) {
  SubscriptionAdmission admission(Limits(500, 10, 5));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(admission.AdmitNew(i, true, kStart), Verdict::kAdmitted);
  EXPECT_EQ(admission.AdmitNew(5, true, kStart), Verdict::kPresenceRateLimit);
  EXPECT_EQ(admission.AdmitNew(5, false, kStart), Verdict::kAdmitted)
      << "other channels still have subscribe tokens";
  EXPECT_EQ(admission.AdmitNew(6, true, kStart + milliseconds(250)), Verdict::kAdmitted)
      << "one presence join every 200 ms at 5/s";
  EXPECT_EQ(admission.AdmitNew(7, true, kStart + milliseconds(260)), Verdict::kPresenceRateLimit);
}

TEST(SubscriptionAdmission, AChurnerIsHeldToTheRatesHoweverFastItAsks) {
  SubscriptionAdmission admission(Limits(500, 10, 5));
  int presence_joins = 0;
  int joins = 0;
  // 10 s of a subscribe every 100 µs alternating presence and public channels.
  for (int i = 0; i < 100000; ++i) {
    const Clock::time_point now = kStart + std::chrono::microseconds(100) * i;
    const bool presence = i % 2 == 0;
    if (admission.AdmitNew(1, presence, now) == Verdict::kAdmitted)
      ++(presence ? presence_joins : joins);
  }
  EXPECT_LE(presence_joins, 5 + 5 * 10 + 1);
  EXPECT_GE(presence_joins, 5 * 10);
  EXPECT_LE(presence_joins + joins, 500 + 10 * 10 + 1);
}

TEST(SubscriptionAdmission, ZeroTurnsEachLimitOff) {
  SubscriptionAdmission admission(Limits(0, 0, 0));
  for (int i = 0; i < 10000; ++i)
    ASSERT_EQ(admission.AdmitNew(i, i % 2 == 0, kStart), Verdict::kAdmitted);
}

}  // namespace
}  // namespace gw::session
