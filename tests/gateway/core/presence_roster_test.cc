#include "gateway/core/presence_roster.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

using ::testing::ElementsAre;

TEST(PresenceRoster, FirstConnectionOfAUserIsAnnounced) {
  PresenceRoster roster;
  auto first = roster.Join("1", R"({"name":"Ann"})", 100);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  EXPECT_EQ(roster.user_count(), 1u);
}

TEST(PresenceRoster, SecondConnectionOfSameUserAddsNoMember) {
  PresenceRoster roster;
  ASSERT_TRUE(roster.Join("1", "null", 100).ok());
  auto second = roster.Join("1", "null", 100);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  EXPECT_EQ(roster.user_count(), 1u);
}

TEST(PresenceRoster, MemberIsRemovedOnlyAfterTheLastConnectionLeaves) {
  PresenceRoster roster;
  ASSERT_TRUE(roster.Join("1", "null", 100).ok());
  ASSERT_TRUE(roster.Join("1", "null", 100).ok());
  EXPECT_FALSE(roster.Leave("1"));
  EXPECT_EQ(roster.user_count(), 1u);
  EXPECT_TRUE(roster.Leave("1"));
  EXPECT_TRUE(roster.empty());
}

TEST(PresenceRoster, LeavingAnUnknownUserChangesNothing) {
  PresenceRoster roster;
  ASSERT_TRUE(roster.Join("1", "null", 100).ok());
  EXPECT_FALSE(roster.Leave("2"));
  EXPECT_EQ(roster.user_count(), 1u);
}

TEST(PresenceRoster, NewUserBeyondTheLimitIsRefusedButKnownUserMayAddConnections) {
  PresenceRoster roster;
  ASSERT_TRUE(roster.Join("1", "null", 2).ok());
  ASSERT_TRUE(roster.Join("2", "null", 2).ok());
  auto third = roster.Join("3", "null", 2);
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(roster.Join("2", "null", 2).ok());
  EXPECT_EQ(roster.user_count(), 2u);
}

TEST(PresenceRoster, ZeroLimitMeansUnlimited) {
  PresenceRoster roster;
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(roster.Join(std::to_string(i), "null", 0).ok());
  EXPECT_EQ(roster.user_count(), 500u);
}

TEST(PresenceRoster, MembersAreSortedAndCarryTheNewestUserInfo) {
  PresenceRoster roster;
  ASSERT_TRUE(roster.Join("b", R"({"v":1})", 0).ok());
  ASSERT_TRUE(roster.Join("a", R"({"v":2})", 0).ok());
  ASSERT_TRUE(roster.Join("b", R"({"v":3})", 0).ok());
  auto members = roster.Members();
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].user_id, "a");
  EXPECT_EQ(members[1].user_id, "b");
  EXPECT_EQ(members[1].user_info, R"({"v":3})");
  EXPECT_THAT(roster.UserIds(), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace gw::core
