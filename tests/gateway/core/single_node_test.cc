#include "gateway/core/single_node.h"

#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/core/test_server_frames.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::core {
namespace {

using ::testing::ElementsAre;
using testing::QueuedShards;
using testing::RecordingSubscriber;

App TestApp() {
  App app;
  app.id = "1";
  app.key = "key";
  app.secret = "secret";
  return app;
}

class SingleNodeTest : public ::testing::Test {
 protected:
  ChannelJoin Presence(std::string user) {
    ChannelJoin join;
    join.channel = "presence-room";
    join.presence = true;
    join.user_id = std::move(user);
    join.user_info = "null";
    return join;
  }
  // Joins and returns the member ids the joiner was shown.
  std::vector<std::string> Join(ChannelJoin join, Subscriber* subscriber, size_t shard) {
    std::vector<std::string> shown;
    cluster_.Join(app(), std::move(join), subscriber, shard,
                  [&](absl::StatusOr<ChannelJoined> joined) {
                    ASSERT_TRUE(joined.ok()) << joined.status();
                    for (const auto& m : joined->roster.members) shown.push_back(m.user_id);
                  });
    return shown;
  }
  AppState& app() { return *apps_->apps()[0]; }

  QueuedShards shards_{2};
  std::unique_ptr<AppDirectory> apps_ = *AppDirectory::Create({TestApp()}, 2);
  Fanout fanout_{shards_};
  testing::TextServerFrames frames_;
  SingleNode cluster_{*apps_, fanout_, frames_};
};

// The join race of the old known limit: A's member_added is on its way to shard 0 when B joins
// there and is shown A in its roster. B must not hear of A a second time.
TEST_F(SingleNodeTest, AJoinerIsNeverToldOfAMemberItsRosterAlreadyListed) {
  RecordingSubscriber a("1.1"), b("1.2"), c("1.3");
  Join(Presence("c"), &c, 0);
  shards_.RunAll();
  Join(Presence("a"), &a, 1);  // member_added(a) now waits in shard 0's queue
  EXPECT_THAT(Join(Presence("b"), &b, 0), ElementsAre("a", "b", "c"));
  shards_.RunAll();
  EXPECT_THAT(b.received, ::testing::IsEmpty()) << "a and b were both in b's snapshot";
  EXPECT_THAT(c.received, ElementsAre("added presence-room a null", "added presence-room b null"));
  EXPECT_THAT(a.received, ElementsAre("added presence-room b null"));
  cluster_.Leave(app(), "presence-room", "a", &a, 1);
  shards_.RunAll();
  EXPECT_THAT(b.received, ElementsAre("removed presence-room a"))
      << "what comes after the snapshot is delivered";
}

TEST_F(SingleNodeTest, ASecondConnectionOfAUserAnnouncesNothingAndItsLastLeaveDoes) {
  RecordingSubscriber watcher("1.1"), tab1("1.2"), tab2("1.3");
  Join(Presence("w"), &watcher, 0);
  Join(Presence("u"), &tab1, 0);
  Join(Presence("u"), &tab2, 1);
  shards_.RunAll();
  EXPECT_THAT(watcher.received, ElementsAre("added presence-room u null"));
  cluster_.Leave(app(), "presence-room", "u", &tab1, 0);
  shards_.RunAll();
  EXPECT_EQ(watcher.received.size(), 1u) << "u is still here on another connection";
  cluster_.Leave(app(), "presence-room", "u", &tab2, 1);
  shards_.RunAll();
  EXPECT_THAT(watcher.received,
              ElementsAre("added presence-room u null", "removed presence-room u"));
}

TEST_F(SingleNodeTest, AFullRosterRefusesANewUserAndIndexesNothing) {
  App app = TestApp();
  app.limits.max_presence_members = 1;
  apps_ = *AppDirectory::Create({app}, 2);
  SingleNode cluster(*apps_, fanout_, frames_);
  RecordingSubscriber first("1.1"), second("1.2");
  cluster.Join(this->app(), Presence("1"), &first, 0,
               [](auto joined) { ASSERT_TRUE(joined.ok()); });
  absl::Status refused;
  cluster.Join(this->app(), Presence("2"), &second, 0,
               [&](absl::StatusOr<ChannelJoined> joined) { refused = joined.status(); });
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_EQ(this->app().shard_index(0).SubscriberCount("presence-room"), 1u);
}

TEST_F(SingleNodeTest, APublishReachesEveryShardAndCountsTheChannel) {
  RecordingSubscriber one("1.1"), two("1.2");
  ChannelJoin news;
  news.channel = "news";
  Join(news, &one, 0);
  Join(news, &two, 1);
  auto receipt = std::make_shared<PublishReceipt>(1);
  PublishOptions options;
  options.except_socket_id = "1.2";
  cluster_.Publish(app(), "news", MakeFrame("hello"), options, receipt, 0);
  std::vector<ChannelCounts> counts;
  receipt->Then([&](std::vector<ChannelCounts> c) { counts = std::move(c); });
  EXPECT_TRUE(counts.empty()) << "acknowledged only after the shards ran";
  shards_.RunAll();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].subscription_count, 2u);
  EXPECT_THAT(one.received, ElementsAre("hello"));
  EXPECT_TRUE(two.received.empty()) << "the excepted socket";
}

TEST_F(SingleNodeTest, WatchersHearAUsersFirstSignInAndLastSignOut) {
  RecordingSubscriber watcher("1.1"), tab1("1.2"), tab2("1.3");
  std::vector<std::string> online_now;
  cluster_.SignIn(app(), "u", &tab1, 0);
  cluster_.Watch(app(), {"u", "v"}, &watcher, 1,
                 [&](std::vector<std::string> online) { online_now = std::move(online); });
  EXPECT_THAT(online_now, ElementsAre("u"));
  shards_.RunAll();
  // u's own announcement was still queued when the watcher started following: it may hear it
  // on top of the answer (twice rather than never).
  watcher.received.clear();
  cluster_.SignIn(app(), "u", &tab2, 1);
  cluster_.SignOut(app(), "u", &tab1, 0);
  shards_.RunAll();
  EXPECT_TRUE(watcher.received.empty()) << "u never went offline";
  cluster_.SignOut(app(), "u", &tab2, 1);
  cluster_.SignIn(app(), "v", &tab1, 0);
  shards_.RunAll();
  EXPECT_THAT(watcher.received, ElementsAre("offline u", "online v"));
  cluster_.DisconnectUser(app(), "v", 4009, "bye");
  shards_.RunAll();
  ASSERT_EQ(tab1.disconnects.size(), 1u);
  EXPECT_EQ(tab1.disconnects[0].first, 4009);
}

TEST_F(SingleNodeTest, ChannelListingsAreBuiltOffTheCallersThread) {
  // Declared before the queue, so that they outlive its thread.
  absl::Notification answered;
  std::thread::id answered_on;
  size_t listed = 0;
  WorkQueue listings(4);
  SingleNode cluster(*apps_, fanout_, frames_, &listings);
  RecordingSubscriber one("1.1");
  ChannelJoin news;
  news.channel = "news";
  Join(news, &one, 0);
  cluster.ListChannels(app(), "", [&](auto channels) {
    answered_on = std::this_thread::get_id();
    listed = channels->size();
    answered.Notify();
  });
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_NE(answered_on, std::this_thread::get_id());
  EXPECT_EQ(listed, 1u);
}

// Many users joining and leaving one presence channel from both shards, the shards' queues run in
// a random order in between: every connection's roster (its snapshot plus what it heard since)
// ends equal to the truth, and nobody hears of a member twice or of a removal it was not owed.
TEST_F(SingleNodeTest, RacingJoinsAndLeavesLeaveEveryRosterExact) {
  struct Client {
    std::unique_ptr<RecordingSubscriber> subscriber;
    size_t shard = 0;
    std::string user;
    bool joined = false;
    std::set<std::string> roster;  // snapshot, then announcements applied
    size_t heard = 0;              // frames of `subscriber` already applied
    bool ok = true;
  };
  std::mt19937 random(20261203);
  std::vector<Client> clients(40);
  for (size_t i = 0; i < clients.size(); ++i) {
    clients[i].subscriber = std::make_unique<RecordingSubscriber>("1." + std::to_string(i));
    clients[i].shard = i % 2;
    clients[i].user = "u" + std::to_string(i % 15);  // several connections per user
  }
  auto apply_heard = [](Client& client) {
    auto& frames = client.subscriber->received;
    for (; client.heard < frames.size(); ++client.heard) {
      std::istringstream words(frames[client.heard]);
      std::string kind, channel, user;
      words >> kind >> channel >> user;
      if (kind == "added") client.ok &= client.roster.insert(user).second;
      if (kind == "removed") client.ok &= client.roster.erase(user) == 1;
    }
  };
  for (int step = 0; step < 2000; ++step) {
    Client& client = clients[random() % clients.size()];
    if (!client.joined) {
      apply_heard(client);
      client.subscriber->received.clear();
      client.heard = 0;
      client.roster.clear();
      cluster_.Join(app(), Presence(client.user), client.subscriber.get(), client.shard,
                    [&](absl::StatusOr<ChannelJoined> joined) {
                      ASSERT_TRUE(joined.ok());
                      for (const auto& m : joined->roster.members) client.roster.insert(m.user_id);
                    });
      client.joined = true;
    } else {
      cluster_.Leave(app(), "presence-room", client.user, client.subscriber.get(), client.shard);
      client.joined = false;
    }
    if (random() % 3 == 0) shards_.Run(random() % 2);
  }
  shards_.RunAll();
  std::set<std::string> truth;
  for (const Client& client : clients) {
    if (client.joined) truth.insert(client.user);
  }
  for (Client& client : clients) {
    if (!client.joined) continue;
    apply_heard(client);
    EXPECT_TRUE(client.ok) << client.subscriber->socket_id()
                           << " heard a duplicate or stray change";
    EXPECT_EQ(client.roster, truth) << client.subscriber->socket_id();
  }
}

TEST_F(SingleNodeTest, ReadTrafficAnswersWithThisNodeAloneAndWhatItShared) {
  std::vector<NodeTraffic> read;
  cluster_.ReadTraffic(app(), [&](absl::StatusOr<std::vector<NodeTraffic>> nodes) {
    ASSERT_TRUE(nodes.ok());
    read = *nodes;
  });
  ASSERT_EQ(read.size(), 1u) << "answered at once, before anything was shared";
  EXPECT_TRUE(read[0].self);
  EXPECT_EQ(read[0].totals.messages_out, 0u);

  TrafficTotals totals;
  totals.connections = 3;
  totals.messages_out = 70;
  cluster_.ShareTraffic(app(), totals);
  cluster_.ReadTraffic(app(), [&](absl::StatusOr<std::vector<NodeTraffic>> nodes) {
    ASSERT_TRUE(nodes.ok());
    read = *nodes;
  });
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].self);
  EXPECT_EQ(read[0].node, "");
  EXPECT_EQ(read[0].age_ms, 0);
  EXPECT_EQ(read[0].totals.connections, 3u);
  EXPECT_EQ(read[0].totals.messages_out, 70u);
}

}  // namespace
}  // namespace gw::core
