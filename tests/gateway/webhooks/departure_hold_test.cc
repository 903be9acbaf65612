#include "gateway/webhooks/departure_hold.h"

#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/webhooks/channel_events.h"

namespace gw::webhooks {
namespace {

using Kind = core::ChannelEvent::Kind;
using testing::Event;
using Clock = DepartureHold::Clock;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "kind:channel[:user]" for readable expectations.
std::string Describe(const core::ChannelEvent& event) {
  std::string text = std::to_string(static_cast<int>(event.kind)) + ":" + event.channel;
  if (!event.user_id.empty()) text += ":" + event.user_id;
  return text;
}

class DepartureHoldTest : public ::testing::Test {
 protected:
  // Offers at `at_ms` after t0 and returns what became ready.
  std::vector<std::string> Offer(core::ChannelEvent event, int at_ms) {
    std::vector<core::ChannelEvent> ready;
    hold_.Offer(std::move(event), t0_ + milliseconds(at_ms), &ready);
    return Described(ready);
  }
  std::vector<std::string> Release(int at_ms) {
    std::vector<core::ChannelEvent> ready;
    hold_.Release(t0_ + milliseconds(at_ms), &ready);
    return Described(ready);
  }
  static std::vector<std::string> Described(const std::vector<core::ChannelEvent>& events) {
    std::vector<std::string> out;
    for (const auto& event : events) out.push_back(Describe(event));
    return out;
  }

  const Clock::time_point t0_ = Clock::time_point() + std::chrono::hours(1);
  DepartureHold hold_{milliseconds(3000), 100};
};

TEST_F(DepartureHoldTest, OtherEventsPassAtOnce) {
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "a"), 0), ElementsAre("1:a"));
  EXPECT_THAT(Offer(Event(Kind::kMemberAdded, "presence-a", "u"), 0),
              ElementsAre("3:presence-a:u"));
  EXPECT_THAT(Offer(Event(Kind::kClientEvent, "a"), 0), ElementsAre("5:a"));
  EXPECT_THAT(Offer(Event(Kind::kCacheMiss, "cache-a"), 0), ElementsAre("6:cache-a"));
  EXPECT_THAT(Offer(Event(Kind::kSubscriptionCount, "a"), 0), ElementsAre("7:a"));
  EXPECT_EQ(hold_.held(), 0u);
}

TEST_F(DepartureHoldTest, VacatedIsReleasedWhenTheDelayHasPassed) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_EQ(hold_.NextRelease(), t0_ + milliseconds(3000));
  EXPECT_THAT(Release(2999), IsEmpty());
  EXPECT_THAT(Release(3000), ElementsAre("2:a"));
  EXPECT_EQ(hold_.NextRelease(), std::nullopt);
  EXPECT_EQ(hold_.held(), 0u);
}

TEST_F(DepartureHoldTest, OccupiedWithinTheDelayDropsBothEvents) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "a"), 2999), IsEmpty());
  EXPECT_THAT(Release(10000), IsEmpty());
  EXPECT_EQ(hold_.NextRelease(), std::nullopt);
}

TEST_F(DepartureHoldTest, OccupiedAfterTheReleaseIsSent) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_THAT(Release(3000), ElementsAre("2:a"));
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "a"), 3001), ElementsAre("1:a"));
}

TEST_F(DepartureHoldTest, OccupiedOfAnotherChannelCancelsNothing) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "b"), 10), ElementsAre("1:b"));
  EXPECT_THAT(Release(3000), ElementsAre("2:a"));
}

TEST_F(DepartureHoldTest, MemberReAddedWithinTheDelayDropsBothEvents) {
  EXPECT_THAT(Offer(Event(Kind::kMemberRemoved, "presence-a", "u"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kMemberAdded, "presence-a", "u"), 100), IsEmpty());
  EXPECT_THAT(Release(5000), IsEmpty());
}

TEST_F(DepartureHoldTest, AnotherUserOrChannelDoesNotCancelAMemberRemoval) {
  EXPECT_THAT(Offer(Event(Kind::kMemberRemoved, "presence-a", "u"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kMemberAdded, "presence-a", "v"), 1),
              ElementsAre("3:presence-a:v"));
  EXPECT_THAT(Offer(Event(Kind::kMemberAdded, "presence-b", "u"), 2),
              ElementsAre("3:presence-b:u"));
  EXPECT_THAT(Release(3000), ElementsAre("4:presence-a:u"));
}

TEST_F(DepartureHoldTest, ChannelAndMemberDeparturesAreIndependent) {
  // A channel named like a member key does not cancel the member's removal, and vice versa.
  EXPECT_THAT(Offer(Event(Kind::kMemberRemoved, "presence-a", "u"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "presence-a"), 1), ElementsAre("1:presence-a"));
  EXPECT_THAT(Release(3000), ElementsAre("4:presence-a:u"));
}

TEST_F(DepartureHoldTest, PageReloadOnPresenceChannelMakesNoNoise) {
  EXPECT_THAT(Offer(Event(Kind::kMemberRemoved, "presence-a", "u"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "presence-a"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "presence-a"), 800), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kMemberAdded, "presence-a", "u"), 800), IsEmpty());
  EXPECT_THAT(Release(60000), IsEmpty());
  EXPECT_EQ(hold_.held(), 0u);
}

TEST_F(DepartureHoldTest, ReleasesInOrderOfDeparture) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "b"), 10), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "a"), 20), IsEmpty());  // cancels a
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "c"), 30), IsEmpty());
  EXPECT_EQ(hold_.NextRelease(), t0_ + milliseconds(3010));
  EXPECT_THAT(Release(3015), ElementsAre("2:b"));
  EXPECT_EQ(hold_.NextRelease(), t0_ + milliseconds(3030));
  EXPECT_THAT(Release(3030), ElementsAre("2:c"));
}

TEST_F(DepartureHoldTest, SecondDepartureAfterACancelledOneIsHeldAgain) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelOccupied, "a"), 100), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 200), IsEmpty());
  EXPECT_THAT(Release(3100), IsEmpty());
  EXPECT_THAT(Release(3200), ElementsAre("2:a"));
}

TEST_F(DepartureHoldTest, ReleaseAllEmptiesTheHold) {
  EXPECT_THAT(Offer(Event(Kind::kChannelVacated, "a"), 0), IsEmpty());
  EXPECT_THAT(Offer(Event(Kind::kMemberRemoved, "presence-b", "u"), 1), IsEmpty());
  std::vector<core::ChannelEvent> ready;
  hold_.ReleaseAll(&ready);
  EXPECT_THAT(Described(ready), ElementsAre("2:a", "4:presence-b:u"));
  EXPECT_EQ(hold_.held(), 0u);
}

TEST(DepartureHold, ZeroDelayPassesEverythingAtOnce) {
  DepartureHold hold(Clock::duration::zero(), 100);
  std::vector<core::ChannelEvent> ready;
  hold.Offer(Event(Kind::kChannelVacated, "a"), Clock::now(), &ready);
  hold.Offer(Event(Kind::kChannelOccupied, "a"), Clock::now(), &ready);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].kind, Kind::kChannelVacated);
  EXPECT_EQ(ready[1].kind, Kind::kChannelOccupied);
}

TEST(DepartureHold, BeyondTheBoundTheOldestIsReleasedEarly) {
  const Clock::time_point t0 = Clock::now();
  DepartureHold hold(milliseconds(3000), 2);
  std::vector<core::ChannelEvent> ready;
  hold.Offer(Event(Kind::kChannelVacated, "a"), t0, &ready);
  hold.Offer(Event(Kind::kChannelVacated, "b"), t0, &ready);
  EXPECT_TRUE(ready.empty());
  hold.Offer(Event(Kind::kChannelVacated, "c"), t0, &ready);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].channel, "a");
  EXPECT_EQ(hold.held(), 2u);
}

TEST(DepartureHold, CancelledEntriesCountTowardsTheBound) {
  const Clock::time_point t0 = Clock::now();
  DepartureHold hold(milliseconds(3000), 2);
  std::vector<core::ChannelEvent> ready;
  hold.Offer(Event(Kind::kChannelVacated, "a"), t0, &ready);
  hold.Offer(Event(Kind::kChannelVacated, "b"), t0, &ready);
  hold.Offer(Event(Kind::kChannelOccupied, "b"), t0, &ready);  // b cancelled, still queued
  hold.Offer(Event(Kind::kChannelVacated, "c"), t0, &ready);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].channel, "a");
  hold.Release(t0 + milliseconds(3000), &ready);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[1].channel, "c");
}

}  // namespace
}  // namespace gw::webhooks
