#include "gateway/core/fanout.h"

#include <memory>

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
  Fanout fanout(shards);
  fanout.Publish(app, "private-chat", MakeFrame("x"), "9.9");
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
  Fanout fanout(shards);
  fanout.Publish(first, "news", MakeFrame("x"), "");
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
  Fanout fanout(shards);
  fanout.DisconnectUser(app, "42", 4009, "terminated");
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

TEST(Fanout, AcknowledgesAPublishOnlyOnceEveryShardRanItsTask) {
  QueuedShards shards(2);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  RecordingSubscriber on_shard0("1.1"), on_shard1("1.2");
  app.shard_index(0).Add("news", &on_shard0);
  app.shard_index(1).Add("news", &on_shard1);
  Fanout fanout(shards);

  auto barrier = std::make_shared<FanoutBarrier>();
  fanout.Publish(app, "news", MakeFrame("x"), "", barrier);
  int acknowledged = 0;
  size_t queued_at_ack = 0;
  barrier->Then([&] {
    ++acknowledged;
    queued_at_ack = on_shard0.received.size() + on_shard1.received.size();
  });
  shards.Run(0);
  EXPECT_EQ(acknowledged, 0) << "shard 1 has not fanned out yet";
  shards.Run(1);
  EXPECT_EQ(acknowledged, 1);
  EXPECT_EQ(queued_at_ack, 2u) << "every subscriber had the frame when it was acknowledged";
}

TEST(Fanout, AcknowledgesABatchOnceEveryEventOfItIsFannedOut) {
  QueuedShards shards(2);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  Fanout fanout(shards);
  auto barrier = std::make_shared<FanoutBarrier>();
  fanout.Publish(app, "a", MakeFrame("1"), "", barrier);
  shards.RunAll();  // the first event is out before the second is even posted
  fanout.Publish(app, "b", MakeFrame("2"), "", barrier);
  int acknowledged = 0;
  barrier->Then([&] { ++acknowledged; });
  EXPECT_EQ(acknowledged, 0);
  shards.RunAll();
  EXPECT_EQ(acknowledged, 1);
}

TEST(Fanout, ATaskLeavesTheBacklogBeforeItsPublishIsAcknowledged) {
  QueuedShards shards(2);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  Fanout fanout(shards);
  auto barrier = std::make_shared<FanoutBarrier>();
  fanout.Publish(app, "news", MakeFrame("x"), "", barrier);
  EXPECT_EQ(fanout.backlog().Depth(0), 1u);
  EXPECT_EQ(fanout.backlog().Depth(1), 1u);
  size_t deepest_at_ack = 99;
  barrier->Then([&] { deepest_at_ack = fanout.backlog().FindDeepest().depth; });
  shards.RunAll();
  // A closed-loop publisher that sends again on the acknowledgement finds room.
  EXPECT_EQ(deepest_at_ack, 0u);
}

TEST(Fanout, RefusesABackendPublishOnlyWhileSomeShardIsOverTheCeiling) {
  QueuedShards shards(2);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  Fanout fanout(shards, {.max_backlog = 2});
  fanout.Publish(app, "news", MakeFrame("1"), "");
  fanout.Publish(app, "news", MakeFrame("2"), "");
  EXPECT_TRUE(fanout.AdmitPublish().ok()) << "at the ceiling is not over it";
  fanout.Publish(app, "news", MakeFrame("3"), "");
  shards.Run(0);  // shard 0 caught up; shard 1 still has 3 waiting

  const absl::Status refused = fanout.AdmitPublish();
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_NE(refused.message().find("thread 1 has 3"), absl::string_view::npos) << refused;
  EXPECT_NE(refused.message().find("limit of 2"), absl::string_view::npos) << refused;
  EXPECT_EQ(fanout.refused(), 1u);

  shards.Run(1);
  EXPECT_TRUE(fanout.AdmitPublish().ok());
  EXPECT_EQ(fanout.refused(), 1u);
}

TEST(Fanout, TheServersOwnEventsAreNeverRefusedButCountTowardTheCeiling) {
  QueuedShards shards(1);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  RecordingSubscriber member("1.1");
  app.shard_index(0).Add("presence-room", &member);
  Fanout fanout(shards, {.max_backlog = 1});
  for (int i = 0; i < 5; ++i) fanout.Publish(app, "presence-room", MakeFrame("member_added"), "");
  fanout.DisconnectUser(app, "42", 4009, "terminated");
  EXPECT_EQ(shards.pending(0), 6u) << "nothing the server makes itself is refused";
  EXPECT_EQ(fanout.backlog().Depth(0), 6u);
  EXPECT_TRUE(absl::IsUnavailable(fanout.AdmitPublish()));
  shards.RunAll();
  EXPECT_EQ(member.received.size(), 5u);
  EXPECT_EQ(fanout.backlog().Depth(0), 0u);
}

TEST(Fanout, WithoutACeilingEveryPublishIsAdmitted) {
  QueuedShards shards(1);
  AppState app(App{"1", "key", "secret"}, shards.shard_count());
  Fanout fanout(shards);
  for (int i = 0; i < 100; ++i) fanout.Publish(app, "news", MakeFrame("x"), "");
  EXPECT_TRUE(fanout.AdmitPublish().ok());
  EXPECT_EQ(fanout.refused(), 0u);
}

TEST(Fanout, ATaskDroppedByAStoppedShardNeverAcknowledges) {
  auto shards = std::make_unique<QueuedShards>(2);
  AppState app(App{"1", "key", "secret"}, shards->shard_count());
  Fanout fanout(*shards);
  auto barrier = std::make_shared<FanoutBarrier>();
  fanout.Publish(app, "news", MakeFrame("x"), "", barrier);
  bool acknowledged = false;
  barrier->Then([&] { acknowledged = true; });
  barrier.reset();
  shards->Run(0);
  shards.reset();  // shard 1 stops for good with its task still waiting
  EXPECT_FALSE(acknowledged);
}

}  // namespace
}  // namespace gw::core
