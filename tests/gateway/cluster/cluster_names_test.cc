#include "gateway/cluster/cluster_names.h"

#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

TEST(ClusterNames, NamesCarryThePrefixAndTheAppWithItsLength) {
  ClusterNames names("realtime");
  EXPECT_EQ(names.Counts("app-id"), "realtime:a6:app-id:counts");
  EXPECT_EQ(names.Traffic("app-id", "presence-room"), "realtime:a6:app-id:c:presence-room");
  EXPECT_EQ(names.Roster("app-id", "presence-room"), "realtime:a6:app-id:roster:presence-room");
  EXPECT_EQ(names.Node("abc.1"), "realtime:node:abc.1");
  // The scripts build these two from the app prefix (cluster_scripts.cc: channel_event).
  EXPECT_EQ(names.WebhookEvents("app-id"), "realtime:a6:app-id:webhook-events");
  EXPECT_EQ(names.WebhookCursor("app-id"), "realtime:a6:app-id:webhook-cursor");
}

TEST(ClusterNames, NoAppAndChannelSpellAnotherPairsChannel) {
  ClusterNames names("p");
  EXPECT_NE(names.Traffic("a:c:b", "x"), names.Traffic("a", "b:c:x"));
  EXPECT_NE(names.Traffic("a", "b"), names.Traffic("a:c", "b"));
}

}  // namespace
}  // namespace gw::cluster
