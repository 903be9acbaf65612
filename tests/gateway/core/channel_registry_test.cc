#include "gateway/core/channel_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(ChannelRegistry, CountsSubscriptionsAndForgetsEmptyChannels) {
  ChannelRegistry registry;
  EXPECT_EQ(registry.Subscribe("news"), 1u);
  EXPECT_EQ(registry.Subscribe("news"), 2u);
  EXPECT_EQ(registry.Find("news")->subscription_count, 2u);
  EXPECT_FALSE(registry.Find("news")->user_count.has_value());
  EXPECT_EQ(registry.Unsubscribe("news"), 1u);
  EXPECT_EQ(registry.Unsubscribe("news"), 0u);
  EXPECT_FALSE(registry.Find("news").has_value());
  EXPECT_EQ(registry.Unsubscribe("news"), 0u) << "unsubscribing an empty channel stays at zero";
}

TEST(ChannelRegistry, ListsOccupiedChannelsByPrefixInNameOrder) {
  ChannelRegistry registry;
  registry.Subscribe("presence-b");
  registry.Subscribe("private-a");
  registry.Subscribe("presence-a");
  auto listed = registry.List("presence-");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].first, "presence-a");
  EXPECT_EQ(listed[1].first, "presence-b");
  EXPECT_EQ(registry.List("").size(), 3u);
}

TEST(ChannelRegistry, PresenceAnnouncesOnlyAUsersFirstJoinAndLastLeave) {
  ChannelRegistry registry;
  int added = 0, removed = 0;
  auto add = [&](uint64_t) { ++added; };
  auto remove = [&](uint64_t) { ++removed; };
  auto first = registry.JoinPresence("presence-room", "7", R"({"n":1})", 100, add);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->first_connection);
  auto second_tab = registry.JoinPresence("presence-room", "7", R"({"n":1})", 100, add);
  ASSERT_TRUE(second_tab.ok());
  EXPECT_FALSE(second_tab->first_connection);
  EXPECT_EQ(added, 1);
  EXPECT_EQ(registry.Find("presence-room")->subscription_count, 2u);
  EXPECT_EQ(registry.Find("presence-room")->user_count, 1u);

  registry.LeavePresence("presence-room", "7", remove);
  EXPECT_EQ(removed, 0);
  registry.LeavePresence("presence-room", "7", remove);
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(registry.Find("presence-room").has_value());
}

TEST(ChannelRegistry, JoinReturnsTheRosterIncludingTheJoiner) {
  ChannelRegistry registry;
  ASSERT_TRUE(registry.JoinPresence("presence-r", "1", R"({"a":1})", 100, [](uint64_t) {}).ok());
  auto join = registry.JoinPresence("presence-r", "2", R"({"b":2})", 100, [](uint64_t) {});
  ASSERT_TRUE(join.ok());
  ASSERT_EQ(join->snapshot.members.size(), 2u);
  EXPECT_EQ(join->snapshot.members[0].user_id, "1");
  EXPECT_EQ(join->snapshot.members[1].user_info, R"({"b":2})");
  EXPECT_THAT(registry.PresenceUserIds("presence-r"), ElementsAre("1", "2"));
}

TEST(ChannelRegistry, FullRosterRefusesANewUserAndLeavesCountsUntouched) {
  ChannelRegistry registry;
  ASSERT_TRUE(registry.JoinPresence("presence-r", "1", "null", 1, [](uint64_t) {}).ok());
  bool announced = false;
  auto refused = registry.JoinPresence("presence-r", "2", "null", 1, [&](uint64_t) { announced = true; });
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(announced);
  EXPECT_EQ(registry.Find("presence-r")->subscription_count, 1u);
}

TEST(ChannelRegistry, PresenceAndPlainSubscriptionsAreCountedSeparatelyPerChannel) {
  ChannelRegistry registry;
  ASSERT_TRUE(registry.JoinPresence("presence-a", "1", "null", 0, [](uint64_t) {}).ok());
  registry.Subscribe("public");
  EXPECT_EQ(registry.OccupiedChannelCount(), 2u);
  registry.LeavePresence("presence-a", "1", [](uint64_t) {});
  EXPECT_EQ(registry.OccupiedChannelCount(), 1u);
  EXPECT_TRUE(registry.PresenceUserIds("presence-a").empty());
}

}  // namespace
}  // namespace gw::core

namespace gw::core {
namespace {

class RecordingWatcher : public EventWatcher {
 public:
  void OnEvent(const ChannelEvent& event) override {
    kinds.push_back(event.kind);
    users.push_back(event.user_id);
  }
  std::vector<ChannelEvent::Kind> kinds;
  std::vector<std::string> users;
};

using Kind = ChannelEvent::Kind;

TEST(ChannelRegistryEvents, OccupiedAndVacatedAreEmittedOnceEach) {
  EventHub hub;
  auto watcher = std::make_shared<RecordingWatcher>();
  hub.Add(watcher);
  ChannelRegistry registry(&hub);
  registry.Subscribe("news");
  registry.Subscribe("news");
  registry.Unsubscribe("news");
  registry.Unsubscribe("news");
  EXPECT_THAT(watcher->kinds, ElementsAre(Kind::kChannelOccupied, Kind::kChannelVacated));
}

TEST(ChannelRegistryEvents, PresenceEmitsMemberEventsPerUserInRosterOrder) {
  EventHub hub;
  auto watcher = std::make_shared<RecordingWatcher>();
  hub.Add(watcher);
  ChannelRegistry registry(&hub);
  ASSERT_TRUE(registry.JoinPresence("presence-r", "1", "null", 0, [](uint64_t) {}).ok());
  ASSERT_TRUE(registry.JoinPresence("presence-r", "1", "null", 0, [](uint64_t) {}).ok());  // 2nd tab
  ASSERT_TRUE(registry.JoinPresence("presence-r", "2", "null", 0, [](uint64_t) {}).ok());
  registry.LeavePresence("presence-r", "1", [](uint64_t) {});
  registry.LeavePresence("presence-r", "2", [](uint64_t) {});
  registry.LeavePresence("presence-r", "1", [](uint64_t) {});
  EXPECT_THAT(watcher->kinds,
              ElementsAre(Kind::kChannelOccupied, Kind::kMemberAdded, Kind::kMemberAdded,
                          Kind::kMemberRemoved, Kind::kMemberRemoved, Kind::kChannelVacated));
  EXPECT_THAT(watcher->users, ElementsAre("", "1", "2", "2", "1", ""));
}

TEST(EventHub, RemovedWatcherHearsNothingAndTimeIsStamped) {
  EventHub hub;
  auto kept = std::make_shared<RecordingWatcher>();
  auto removed = std::make_shared<RecordingWatcher>();
  hub.Add(kept);
  hub.Add(removed);
  hub.Remove(removed.get());
  EXPECT_TRUE(hub.HasWatchers());
  hub.Emit(ChannelEvent{Kind::kCacheMiss, "cache-x"});
  EXPECT_EQ(kept->kinds.size(), 1u);
  EXPECT_TRUE(removed->kinds.empty());
  hub.Remove(kept.get());
  EXPECT_FALSE(hub.HasWatchers());
}

}  // namespace
}  // namespace gw::core
