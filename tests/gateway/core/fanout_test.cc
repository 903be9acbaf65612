#include "gateway/core/fanout.h"

#include "gtest/gtest.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::core {
namespace {

using testing::QueuedShards;
using testing::RecordingSubscriber;

TEST(Fanout, PostsOneTaskPerShardAndDeliversOnlyWhenTheShardRuns) {
  QueuedShards shards(3);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  RecordingSubscriber on_shard0("1.1"), on_shard2("1.2");
  app.shard_index(0).Add("news", &on_shard0);
  app.shard_index(2).Add("news", &on_shard2);

  Fanout fanout(shards);
  fanout.Publish(app, "news", MakeFrame("payload"), "");
  for (size_t shard = 0; shard < 3; ++shard) EXPECT_EQ(shards.pending(shard), 1u);
  EXPECT_TRUE(on_shard0.received.empty()) << "delivery happens on the shard's own turn";

  shards.RunAll();
  ASSERT_EQ(on_shard0.frames.size(), 1u);
  ASSERT_EQ(on_shard2.frames.size(), 1u);
  EXPECT_EQ(on_shard0.frames[0].get(), on_shard2.frames[0].get())
      << "one encoded frame serves every shard";
}

TEST(Fanout, ExcludedSocketIsSkippedOnEveryShard) {
  QueuedShards shards(2);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  RecordingSubscriber sender("9.9"), receiver("1.1");
  app.shard_index(0).Add("private-chat", &sender);
  app.shard_index(1).Add("private-chat", &receiver);
  Fanout(shards).Publish(app, "private-chat", MakeFrame("x"), "9.9");
  shards.RunAll();
  EXPECT_TRUE(sender.received.empty());
  EXPECT_EQ(receiver.received.size(), 1u);
}

TEST(Fanout, AppsAreIsolated) {
  QueuedShards shards(1);
  AppState first(App{"1", "k1", "s1"}, 1), second(App{"2", "k2", "s2"}, 1);
  RecordingSubscriber a("1.1"), b("1.2");
  first.shard_index(0).Add("news", &a);
  second.shard_index(0).Add("news", &b);
  Fanout(shards).Publish(first, "news", MakeFrame("x"), "");
  shards.RunAll();
  EXPECT_EQ(a.received.size(), 1u);
  EXPECT_TRUE(b.received.empty());
}

}  // namespace
}  // namespace gw::core

namespace gw::core {
namespace {

TEST(Fanout, DisconnectUserReachesEveryConnectionOfThatUserOnEveryShard) {
  testing::QueuedShards shards(2);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  testing::RecordingSubscriber tab1("1.1"), tab2("1.2"), someone_else("1.3");
  app.shard_index(0).AddUser("42", &tab1);
  app.shard_index(1).AddUser("42", &tab2);
  app.shard_index(1).AddUser("7", &someone_else);
  Fanout(shards).DisconnectUser(app, "42", 4009, "terminated");
  shards.RunAll();
  ASSERT_EQ(tab1.disconnects.size(), 1u);
  EXPECT_EQ(tab1.disconnects[0].first, 4009);
  EXPECT_EQ(tab2.disconnects.size(), 1u);
  EXPECT_TRUE(someone_else.disconnects.empty());
}

TEST(ShardIndex, RemovedUserIsNoLongerDisconnected) {
  ShardIndex index;
  testing::RecordingSubscriber tab("1.1");
  index.AddUser("42", &tab);
  EXPECT_EQ(index.UserConnectionCount("42"), 1u);
  index.RemoveUser("42", &tab);
  EXPECT_EQ(index.DisconnectUser("42", 4009, "x"), 0u);
  EXPECT_TRUE(tab.disconnects.empty());
}

}  // namespace
}  // namespace gw::core
