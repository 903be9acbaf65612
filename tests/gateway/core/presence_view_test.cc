#include "gateway/core/presence_view.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

using Kind = PresenceView::Change::Kind;

PresenceView::Change Added(std::string user, std::string info = "null") {
  return {Kind::kAdded, std::move(user), std::move(info)};
}
PresenceView::Change Removed(std::string user) { return {Kind::kRemoved, std::move(user), ""}; }

TEST(PresenceView, NumbersOnlyChangesTheClientsMustHear) {
  PresenceView view;
  EXPECT_EQ(view.Apply(Added("1")), 1u);
  EXPECT_EQ(view.Apply(Added("2")), 2u);
  EXPECT_EQ(view.Apply(Added("1", R"({"new":1})")), 0u) << "already listed: no announcement";
  EXPECT_EQ(view.Members()[0].user_info, R"({"new":1})") << "but the newer info is kept";
  EXPECT_EQ(view.Apply(Removed("3")), 0u) << "never listed: no removal";
  EXPECT_EQ(view.Apply(Removed("1")), 3u);
  EXPECT_EQ(view.seq(), 3u);
  EXPECT_EQ(view.size(), 1u);
}

TEST(PresenceView, ReplaceAnnouncesRemovalsThenAdditionsInIdOrder) {
  PresenceView view;
  view.Apply(Added("a"));
  view.Apply(Added("c"));
  view.Apply(Added("b"));
  auto changes = view.Replace({{"b", "null"}, {"d", "x"}, {"e", "y"}});
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].change.kind, Kind::kRemoved);
  EXPECT_EQ(changes[0].change.user_id, "a");
  EXPECT_EQ(changes[1].change.user_id, "c");
  EXPECT_EQ(changes[2].change.kind, Kind::kAdded);
  EXPECT_EQ(changes[2].change.user_id, "d");
  EXPECT_EQ(changes[2].change.user_info, "x");
  EXPECT_EQ(changes[3].change.user_id, "e");
  EXPECT_EQ(changes[0].seq, 4u);
  EXPECT_EQ(changes[3].seq, 7u);
  ASSERT_EQ(view.size(), 3u);
  EXPECT_TRUE(view.Contains("b"));
  EXPECT_TRUE(view.Replace({{"b", "null"}, {"d", "x"}, {"e", "y"}}).empty())
      << "replacing with the same list tells nobody anything";
}

}  // namespace
}  // namespace gw::core
