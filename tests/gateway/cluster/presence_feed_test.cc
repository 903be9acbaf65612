#include "gateway/cluster/presence_feed.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

using Change = core::PresenceView::Change;

Change Added(std::string user) { return {Change::Kind::kAdded, std::move(user), "null"}; }
Change Removed(std::string user) { return {Change::Kind::kRemoved, std::move(user), ""}; }

std::vector<std::string> Describe(const std::vector<PresenceFeed::Step>& steps) {
  std::vector<std::string> out;
  for (const auto& step : steps) {
    if (step.replace) {
      std::string s = "replace";
      for (const auto& m : *step.replace) s += " " + m.user_id;
      out.push_back(s);
    } else {
      out.push_back((step.change.kind == Change::Kind::kAdded ? "+" : "-") + step.change.user_id);
    }
  }
  return out;
}

TEST(PresenceFeed, BuffersUntilTheSnapshotThenAppliesOnlyWhatCameAfterIt) {
  PresenceFeed feed;
  EXPECT_TRUE(feed.syncing());
  EXPECT_TRUE(feed.OnAnnouncement(5, Added("a")).empty());
  EXPECT_TRUE(feed.OnAnnouncement(6, Added("b")).empty());
  EXPECT_TRUE(feed.OnAnnouncement(7, Removed("a")).empty());
  auto steps = feed.OnSnapshot(6, {{"a", "null"}, {"b", "null"}});
  EXPECT_THAT(Describe(steps), ::testing::ElementsAre("replace a b", "-a"));
  EXPECT_FALSE(feed.syncing());
  EXPECT_FALSE(feed.needs_resync());
  EXPECT_EQ(feed.applied(), 7u);
}

TEST(PresenceFeed, DropsWhatASnapshotCoveredAndAsksAgainAfterAGap) {
  PresenceFeed feed;
  feed.OnSnapshot(3, {{"a", "null"}});
  EXPECT_TRUE(feed.OnAnnouncement(3, Added("a")).empty()) << "covered by the snapshot";
  EXPECT_THAT(Describe(feed.OnAnnouncement(4, Added("b"))), ::testing::ElementsAre("+b"));
  EXPECT_FALSE(feed.needs_resync());
  EXPECT_THAT(Describe(feed.OnAnnouncement(6, Removed("b"))), ::testing::ElementsAre("-b"));
  EXPECT_TRUE(feed.needs_resync()) << "5 was missed";
  EXPECT_THAT(Describe(feed.OnSnapshot(6, {{"a", "null"}})), ::testing::IsEmpty())
      << "nothing newer";
  EXPECT_THAT(Describe(feed.OnSnapshot(8, {{"c", "null"}})), ::testing::ElementsAre("replace c"));
  EXPECT_FALSE(feed.needs_resync());
}

TEST(PresenceFeed, AResyncAcceptsANumberingThatStartedAgain) {
  PresenceFeed feed;
  feed.OnSnapshot(40, {{"a", "null"}});
  feed.Resync();  // a new Redis: versions start from 1
  EXPECT_TRUE(feed.OnAnnouncement(2, Added("b")).empty());
  EXPECT_THAT(Describe(feed.OnSnapshot(1, {{"a", "null"}})),
              ::testing::ElementsAre("replace a", "+b"));
  EXPECT_EQ(feed.applied(), 2u);
}

TEST(PresenceFeed, AFullBufferLosesTheOldestAndAsksForAnotherSnapshot) {
  PresenceFeed feed;
  for (uint64_t v = 1; v <= PresenceFeed::kMaxBuffered + 10; ++v) feed.OnAnnouncement(v, Added("x"));
  feed.OnSnapshot(0, {});
  EXPECT_TRUE(feed.needs_resync());
}

}  // namespace
}  // namespace gw::cluster
