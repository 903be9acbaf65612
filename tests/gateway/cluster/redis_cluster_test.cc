#include "gateway/cluster/redis_cluster.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gateway/cluster/cluster_scripts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/cluster/redis_server.h"
#include "tests/gateway/core/test_server_frames.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::cluster {
namespace {

using core::testing::RecordingSubscriber;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Shards whose tasks the test runs on its own thread; posted to from the cluster thread.
class LockedShards : public core::ShardExecutor {
 public:
  explicit LockedShards(size_t shards) : shards_(shards) {}
  size_t shard_count() const override { return shards_; }
  void Post(size_t shard, absl::AnyInvocable<void() &&> task) override {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }
  void RunAll() {
    std::deque<absl::AnyInvocable<void() &&>> tasks;
    {
      absl::MutexLock lock(&mu_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) std::move(task)();
  }

 private:
  const size_t shards_;
  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> tasks_ ABSL_GUARDED_BY(mu_);
};

core::App TestApp(bool webhooks = false) {
  core::App app;
  app.id = "app";
  app.key = "key";
  app.secret = "secret";
  // Only whether an app has webhooks matters to the cluster; nothing is sent here.
  if (webhooks) app.webhooks.push_back({.url = "http://127.0.0.1:9/"});
  return app;
}

// One gateway node: its apps, shards, fan-out and cluster membership.
struct Node {
  explicit Node(const std::string& url, bool webhooks = false)
      : apps(*core::AppDirectory::Create({TestApp(webhooks)}, 1)) {
    ClusterOptions options;
    options.redis.url = *ParseRedisUrl(url);
    options.lease = std::chrono::milliseconds(3000);
    options.heartbeat = std::chrono::milliseconds(200);
    options.prefix = "test";
    options.redis.limits.backoff.max = std::chrono::milliseconds(500);
    cluster = std::make_unique<RedisCluster>(*apps, fanout, shards, frames, options);
    cluster->Start();
  }
  ~Node() { cluster->Stop(); }
  core::AppState& app() { return *apps->apps()[0]; }

  // Joins `subscriber` to a presence channel; the member ids it was shown, once answered.
  std::shared_ptr<std::vector<std::string>> JoinPresence(const std::string& channel,
                                                         const std::string& user,
                                                         RecordingSubscriber* subscriber) {
    auto shown = std::make_shared<std::vector<std::string>>();
    core::ChannelJoin join{channel, false, true, user, "null"};
    cluster->Join(app(), join, subscriber, 0, [shown](absl::StatusOr<core::ChannelJoined> joined) {
      shown->push_back("answered");
      if (!joined.ok()) return;
      for (const auto& m : joined->roster.members) shown->push_back(m.user_id);
    });
    return shown;
  }

  LockedShards shards{1};
  std::unique_ptr<core::AppDirectory> apps;
  core::Fanout fanout{shards};
  core::testing::TextServerFrames frames;
  std::unique_ptr<RedisCluster> cluster;
};

class RedisClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = server_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  // Runs both nodes' shard tasks until `done` holds (at most 10 s).
  bool Until(const std::function<bool()>& done, std::vector<Node*> nodes,
             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      for (Node* node : nodes) node->shards.RunAll();
      if (done()) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  bool Connected(Node& node) { return node.cluster->counters().connected.load(); }
  // What `node` reads of every node's figures (empty when the read fails or takes over 5 s).
  std::vector<core::NodeTraffic> ReadTraffic(Node& node) {
    // A std::promise: it outlives this call if the read answers after the 5 s wait.
    auto read = std::make_shared<std::promise<std::vector<core::NodeTraffic>>>();
    std::future<std::vector<core::NodeTraffic>> answer = read->get_future();
    node.cluster->ReadTraffic(
        node.app(), [read](absl::StatusOr<std::vector<core::NodeTraffic>> nodes) {
          read->set_value(nodes.ok() ? *std::move(nodes) : std::vector<core::NodeTraffic>{});
        });
    if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return {};
    return answer.get();
  }

  testing::RedisServer server_;
};

TEST_F(RedisClusterTest, MembersOnTwoNodesSeeEachOtherOnceAndPublishesCross) {
  Node a(server_.Url()), b(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(a) && Connected(b); }, {&a, &b}));
  RecordingSubscriber alice("1.1"), bob("2.1");
  auto alice_shown = a.JoinPresence("presence-room", "alice", &alice);
  ASSERT_TRUE(Until([&] { return !alice_shown->empty(); }, {&a, &b}));
  EXPECT_THAT(*alice_shown, ElementsAre("answered", "alice"));
  auto bob_shown = b.JoinPresence("presence-room", "bob", &bob);
  ASSERT_TRUE(Until([&] { return !bob_shown->empty() && !alice.received.empty(); }, {&a, &b}));
  EXPECT_THAT(*bob_shown, ElementsAre("answered", "alice", "bob"));
  EXPECT_THAT(alice.received, ElementsAre("added presence-room bob null"));

  b.cluster->Publish(b.app(), "presence-room", core::MakeFrame("hello"), {}, nullptr, 0);
  ASSERT_TRUE(Until([&] { return alice.received.size() == 2 && !bob.received.empty(); }, {&a, &b}));
  EXPECT_EQ(alice.received.back(), "hello");
  Until([] { return false; }, {&a, &b}, std::chrono::milliseconds(300));
  EXPECT_THAT(bob.received, ElementsAre("hello"))
      << "nothing about himself, and his own node's publish once (its echo from Redis skipped)";
}

// A connection blip (Redis kept everything): the node re-seeds under a new lease and retires the
// old one, which cancel out; nobody is told of a departure or an arrival.
TEST_F(RedisClusterTest, AReconnectToTheSameRedisAnnouncesNothing) {
  Node a(server_.Url()), b(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(a) && Connected(b); }, {&a, &b}));
  RecordingSubscriber alice("1.1"), bob("2.1");
  auto shown = a.JoinPresence("presence-room", "alice", &alice);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {&a, &b}));
  shown = b.JoinPresence("presence-room", "bob", &bob);
  ASSERT_TRUE(Until([&] { return !shown->empty() && alice.received.size() == 1; }, {&a, &b}));

  const uint64_t reseeds = a.cluster->counters().reseeds.load();
  auto killed = server_.Run({"CLIENT", "KILL", "TYPE", "normal"});
  ASSERT_TRUE(killed.ok()) << killed.status();
  ASSERT_TRUE(Until(
      [&] {
        return a.cluster->counters().reseeds.load() > reseeds && Connected(a) && Connected(b);
      },
      {&a, &b}));
  // Time for anything wrongly announced (the old leases' retirements) to arrive.
  Until([] { return false; }, {&a, &b}, std::chrono::milliseconds(800));
  EXPECT_THAT(alice.received, ElementsAre("added presence-room bob null"));
  EXPECT_THAT(bob.received, IsEmpty());
  auto members = server_.Run({"HKEYS", "test:a3:app:roster:presence-room"});
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->elements.size(), 2u);
  auto counts = server_.Run({"HGET", "test:a3:app:counts", "presence-room"});
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->str, "2") << "each node's share is counted once";
}

TEST_F(RedisClusterTest, ANodeThatStopsRenewingItsLeaseIsReapedWithItsMembers) {
  auto a = std::make_unique<Node>(server_.Url());
  Node b(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(*a) && Connected(b); }, {a.get(), &b}));
  RecordingSubscriber alice("1.1"), bob("2.1");
  auto shown = a->JoinPresence("presence-room", "alice", &alice);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {a.get(), &b}));
  shown = b.JoinPresence("presence-room", "bob", &bob);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {a.get(), &b}));
  // Gone without a word, as after SIGKILL: its lease (3 s) runs out and b reaps it.
  a->cluster->Stop();
  const auto stopped = std::chrono::steady_clock::now();
  ASSERT_TRUE(Until([&] { return !bob.received.empty(); }, {&b}, std::chrono::seconds(20)));
  EXPECT_THAT(bob.received, ElementsAre("removed presence-room alice"));
  // The lease (3 s), then a heartbeat and a few round trips: far less than a second more, but
  // a sanitizer on a loaded machine is slow, so the bound only tells a reap from none.
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, std::chrono::milliseconds(3000 + 8000));
  // The departure is published by the reap script, so it can arrive before b reads its reply.
  EXPECT_TRUE(Until([&] { return b.cluster->counters().nodes_reaped.load() == 1; }, {&b}));
  auto counts = server_.Run({"HGET", "test:a3:app:counts", "presence-room"});
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->str, "1");
}

// Collects the cluster's channel events as a WatchEvents stream on this node would.
class RecordingWatcher : public core::EventWatcher {
 public:
  void OnEvent(const core::ChannelEvent& event) override {
    absl::MutexLock lock(&mu_);
    events_.push_back(
        absl::StrCat(static_cast<int>(event.kind), " ", event.channel, " ", event.user_id));
  }
  std::vector<std::string> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

TEST_F(RedisClusterTest, RedisRestartedEmptyIsReseededFromTheNodes) {
  Node a(server_.Url()), b(server_.Url());
  auto watcher = std::make_shared<RecordingWatcher>();
  b.app().events().Add(watcher);
  ASSERT_TRUE(Until(
      [&] {
        auto followers = server_.Run({"PUBSUB", "NUMSUB", "test:a3:app:events"});
        return Connected(a) && Connected(b) && followers.ok() && followers->elements.size() == 2 &&
               followers->elements[1].integer == 1;
      },
      {&a, &b}));
  RecordingSubscriber alice("1.1"), bob("2.1"), carol("1.2");
  auto shown = a.JoinPresence("presence-room", "alice", &alice);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {&a, &b}));
  shown = b.JoinPresence("presence-room", "bob", &bob);
  ASSERT_TRUE(Until([&] { return !shown->empty() && alice.received.size() == 1; }, {&a, &b}));
  shown = a.JoinPresence("presence-room", "carol", &carol);
  ASSERT_TRUE(Until(
      [&] { return !shown->empty() && bob.received.size() == 1 && alice.received.size() == 2; },
      {&a, &b}));
  // occupied, then a member added for each of the three.
  ASSERT_TRUE(Until([&] { return watcher->events().size() == 4; }, {&a, &b}));

  server_.Kill();
  ASSERT_TRUE(Until([&] { return !Connected(a) && !Connected(b); }, {&a, &b}));
  // Carol leaves while Redis is away: only her own node knows.
  a.cluster->Leave(a.app(), "presence-room", "carol", &carol, 0);
  ASSERT_TRUE(Until([&] { return alice.received.size() == 3; }, {&a, &b}));
  EXPECT_EQ(alice.received.back(), "removed presence-room carol");
  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(Until(
      [&] {
        auto members = server_.Run({"HKEYS", "test:a3:app:roster:presence-room"});
        return members.ok() && members->elements.size() == 2;
      },
      {&a, &b}));
  // Once every node could have re-seeded, the rosters are whole and carol is gone everywhere.
  ASSERT_TRUE(Until([&] { return bob.received.size() == 2; }, {&a, &b}));
  EXPECT_THAT(bob.received,
              ElementsAre("added presence-room carol null", "removed presence-room carol"));
  EXPECT_THAT(alice.received,
              ElementsAre("added presence-room bob null", "added presence-room carol null",
                          "removed presence-room carol"))
      << "no one flickered out and back while the other node re-seeded";
  EXPECT_EQ(watcher->events().size(), 4u)
      << "restoring Redis announces no occupied or member_added for what never changed";
  b.cluster->Publish(b.app(), "presence-room", core::MakeFrame("after"), {}, nullptr, 0);
  ASSERT_TRUE(Until([&] { return alice.received.size() == 4; }, {&a, &b}));
  EXPECT_EQ(alice.received.back(), "after");
  EXPECT_EQ(b.cluster->counters().publishes_not_forwarded.load(), 0u);
}

// As on one node a publish is acknowledged once every shard queued it, in a cluster it is once
// every node that received it did: a closed-loop publisher is paced by the slowest node.
TEST_F(RedisClusterTest, APublishIsAcknowledgedOnceTheOtherNodesDeliveredIt) {
  // Before the nodes, whose threads write them: they outlive the nodes also when a check fails.
  std::atomic<bool> acknowledged = false;
  uint32_t counted = 0;
  Node a(server_.Url()), b(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(a) && Connected(b); }, {&a, &b}));
  RecordingSubscriber alice("1.1");
  bool joined = false;
  a.cluster->Join(a.app(), core::ChannelJoin{"news", false, false, "", ""}, &alice, 0,
                  [&](auto) { joined = true; });
  ASSERT_TRUE(Until([&] { return joined; }, {&a}));
  auto receipt = std::make_shared<core::PublishReceipt>(1);
  core::PublishOptions options;
  options.want_counts = true;
  b.cluster->Publish(b.app(), "news", core::MakeFrame("hello"), options, receipt, 0);
  receipt->Then([&](std::vector<core::ChannelCounts> counts) {
    counted = counts[0].subscription_count;
    acknowledged = true;
  });
  // Node a has the publish queued for its shard but has not run it: no acknowledgement yet.
  EXPECT_FALSE(Until([&] { return acknowledged.load(); }, {&b}, std::chrono::milliseconds(500)));
  ASSERT_TRUE(Until([&] { return acknowledged.load(); }, {&a, &b}));
  EXPECT_THAT(alice.received, ElementsAre("hello"));
  EXPECT_EQ(counted, 1u) << "the cluster's count, read when it was published";
  EXPECT_EQ(b.cluster->counters().ack_timeouts.load(), 0u);
}

TEST_F(RedisClusterTest, ForeignBytesOnTheChannelsAreCountedAndIgnored) {
  Node a(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(a); }, {&a}));
  RecordingSubscriber alice("1.1");
  core::ChannelJoin join{"news", false, false, "", ""};
  bool joined = false;
  a.cluster->Join(a.app(), join, &alice, 0, [&](auto) { joined = true; });
  ASSERT_TRUE(Until([&] { return joined; }, {&a}));
  for (std::string_view junk : {"hello", "RG1E3:abc", "RG1A1:x1:u4:null", ""}) {
    ASSERT_TRUE(server_.Run({"PUBLISH", "test:a3:app:c:news", junk}).ok());
  }
  ASSERT_TRUE(server_.Run({"PUBLISH", "test:control", "garbage"}).ok());
  ASSERT_TRUE(Until([&] { return a.cluster->counters().messages_foreign.load() >= 4; }, {&a}));
  EXPECT_THAT(alice.received, IsEmpty());
  a.cluster->Publish(a.app(), "news", core::MakeFrame("still fine"), {}, nullptr, 0);
  ASSERT_TRUE(Until([&] { return alice.received.size() == 1; }, {&a}));
}

// The dashboard's cluster view: every node's figures reach the others on the heartbeat; a node
// that dies is left out once its lease ran out, and its entry is deleted when it is reaped.
TEST_F(RedisClusterTest, EachNodeReadsEveryLiveNodesTrafficFiguresAndADeadOnesGoAway) {
  auto a = std::make_unique<Node>(server_.Url());
  Node b(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(*a) && Connected(b); }, {a.get(), &b}));
  ASSERT_TRUE(a->app().TryAddConnection());
  core::TrafficTotals figures_a, figures_b;
  figures_a.messages_out = 10;
  figures_a.subscriptions = 1;
  figures_b.messages_out = 20;
  figures_b.published = 2;
  a->cluster->ShareTraffic(a->app(), figures_a);
  b.cluster->ShareTraffic(b.app(), figures_b);
  std::vector<core::NodeTraffic> read;
  ASSERT_TRUE(Until([&] { return (read = ReadTraffic(b)).size() == 2; }, {a.get(), &b}));
  const core::NodeTraffic& from_a = read[0].self ? read[1] : read[0];
  const core::NodeTraffic& from_b = read[0].self ? read[0] : read[1];
  EXPECT_TRUE(from_b.self);
  EXPECT_FALSE(from_a.self);
  EXPECT_NE(from_a.node, from_b.node);
  EXPECT_LT(read[0].node, read[1].node) << "sorted by node id";
  EXPECT_EQ(from_a.totals.messages_out, 10u);
  EXPECT_EQ(from_a.totals.subscriptions, 1u);
  EXPECT_EQ(from_a.totals.connections, 1u) << "as counted at the heartbeat";
  EXPECT_EQ(from_b.totals.published, 2u);
  EXPECT_LE(from_a.age_ms, 3000);
  // Later figures replace earlier ones.
  figures_a.messages_out = 15;
  a->cluster->ShareTraffic(a->app(), figures_a);
  ASSERT_TRUE(Until(
      [&] {
        for (const auto& node : ReadTraffic(b)) {
          if (!node.self && node.totals.messages_out == 15) return true;
        }
        return false;
      },
      {a.get(), &b}));

  // Gone without a word (as after SIGKILL): left out once its lease (3 s) ran out, then reaped,
  // which deletes its entry.
  const std::string dead = from_a.node;
  a->cluster->Stop();
  ASSERT_TRUE(Until([&] { return ReadTraffic(b).size() == 1; }, {&b}, std::chrono::seconds(20)));
  EXPECT_TRUE(ReadTraffic(b)[0].self);
  ASSERT_TRUE(Until(
      [&] {
        // Redis deletes the entry before b has read the script's reply, so wait for both.
        auto left = server_.Run({"HEXISTS", "test:a3:app:figures", dead});
        return left.ok() && left->integer == 0 && b.cluster->counters().nodes_reaped.load() == 1;
      },
      {&b}, std::chrono::seconds(20)));
  auto remaining = server_.Run({"HKEYS", "test:a3:app:figures"});
  ASSERT_TRUE(remaining.ok());
  EXPECT_EQ(remaining->elements.size(), 1u) << "b's own entry stays";
}

// An entry nobody renews (a node cut off from Redis, not yet reaped) is left out after a lease.
TEST_F(RedisClusterTest, StaleOrForeignFiguresAreLeftOut) {
  Node a(server_.Url());
  ASSERT_TRUE(Until([&] { return Connected(a); }, {&a}));
  a.cluster->ShareTraffic(a.app(), core::TrafficTotals{});
  ASSERT_TRUE(Until([&] { return ReadTraffic(a).size() == 1; }, {&a}));
  auto time = server_.Run({"TIME"});
  ASSERT_TRUE(time.ok());
  const int64_t now_ms = std::stoll(time->elements[0].str) * 1000;
  ASSERT_TRUE(server_
                  .Run({"HSET", "test:a3:app:figures", "stale.1",
                        absl::StrCat(now_ms - 4000, " 5 0 0 0 0 0 0 0"), "z-fresh.1",
                        absl::StrCat(now_ms, " 7 0 0 0 0 0 0 0"), "foreign", "hello"})
                  .ok());
  auto read = ReadTraffic(a);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_TRUE(read[0].self) << "node ids are hex, before 'z'";
  EXPECT_EQ(read[1].node, "z-fresh.1");
  EXPECT_EQ(read[1].totals.connections, 7u);
}

// --- Webhook streams ---

// Runs the webhook_read script the way the leader does; the reply, or an error reply.
RedisReply ReadStream(testing::RedisServer& server, std::string_view node, std::string_view count,
                      std::string_view read_from = "", std::string_view commit_id = "",
                      std::string_view commit_done = "") {
  auto reply = server.Run({"EVAL", ClusterScripts::Get().webhook_read.source(), "3", "s", "c",
                           "leader", node, count, read_from, commit_id, commit_done});
  if (!reply.ok()) return RedisReply::Error(reply.status().ToString());
  return *reply;
}

std::vector<std::string> IdsOf(const RedisReply& read) {
  std::vector<std::string> ids;
  if (read.elements.size() < 5) return ids;
  for (const RedisReply& entry : read.elements[4].elements) ids.push_back(entry.elements[0].str);
  return ids;
}

std::string AddEntry(testing::RedisServer& server, std::string_view maxlen = "1000") {
  auto id = server.Run({"XADD", "s", "MAXLEN", "~", maxlen, "*", "m", "x"});
  return id.ok() ? id->str : "";
}

TEST_F(RedisClusterTest, WebhookReadIsFencedAndCommitsOnlyFromTheCursorItRead) {
  ASSERT_TRUE(server_.Run({"SET", "leader", "n1"}).ok());
  EXPECT_EQ(ReadStream(server_, "n1", "10").elements[0].str, "NOCURSOR");
  ASSERT_TRUE(server_.Run({"HSET", "c", "id", "0-0", "done", "0", "maxlen", "1000"}).ok());
  const std::string e1 = AddEntry(server_), e2 = AddEntry(server_), e3 = AddEntry(server_);
  EXPECT_EQ(ReadStream(server_, "n2", "10").elements[0].str, "NOTLEADER")
      << "only the webhook leader reads";

  RedisReply first = ReadStream(server_, "n1", "2");
  ASSERT_EQ(first.elements.size(), 6u) << first.str;
  EXPECT_EQ(first.elements[1].str, "0-0");
  EXPECT_THAT(IdsOf(first), ElementsAre(e1, e2));
  EXPECT_EQ(first.elements[3].integer, 3) << "entries ever added";
  // The next read commits the batch handed over (e2, 2 done) and reads past it.
  RedisReply second = ReadStream(server_, "n1", "2", "0-0", e2, "2");
  EXPECT_EQ(second.elements[1].str, e2);
  EXPECT_EQ(second.elements[2].integer, 2);
  EXPECT_THAT(IdsOf(second), ElementsAre(e3));
  // A reader that read from an older cursor (another leader moved it since) commits nothing.
  RedisReply stale = ReadStream(server_, "n1", "10", "0-0", e3, "3");
  EXPECT_EQ(stale.elements[1].str, e2);
  EXPECT_THAT(IdsOf(stale), ElementsAre(e3));
  // Nor does one that is no longer the leader.
  ASSERT_TRUE(server_.Run({"SET", "leader", "n2"}).ok());
  EXPECT_EQ(ReadStream(server_, "n1", "10", e2, e3, "3").elements[0].str, "NOTLEADER");
  auto cursor = server_.Run({"HGET", "c", "id"});
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->str, e2);
  // The new leader resumes where the cursor is: e3 only, nothing already handed over.
  EXPECT_THAT(IdsOf(ReadStream(server_, "n2", "10")), ElementsAre(e3));
}

TEST_F(RedisClusterTest, WebhookReadCountsEntriesTrimmedBeforeTheyWereRead) {
  // Small stream nodes, so that MAXLEN ~ trims at this scale.
  ASSERT_TRUE(server_.Run({"CONFIG", "SET", "stream-node-max-entries", "2"}).ok());
  ASSERT_TRUE(server_.Run({"SET", "leader", "n1"}).ok());
  ASSERT_TRUE(server_.Run({"HSET", "c", "id", "0-0", "done", "0", "maxlen", "4"}).ok());
  const std::string e1 = AddEntry(server_, "4");
  RedisReply first = ReadStream(server_, "n1", "10");
  ASSERT_THAT(IdsOf(first), ElementsAre(e1));
  std::vector<std::string> added;
  for (int i = 0; i < 20; ++i) added.push_back(AddEntry(server_, "4"));
  // Commits e1, then reads what is left of the 20.
  RedisReply after = ReadStream(server_, "n1", "100", "0-0", e1, "1");
  ASSERT_EQ(after.elements.size(), 6u) << after.str;
  const std::vector<std::string> left = IdsOf(after);
  const int64_t trimmed = after.elements[5].integer;
  EXPECT_GT(trimmed, 0);
  EXPECT_EQ(trimmed + static_cast<int64_t>(left.size()), 20) << "every entry read or counted";
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.back(), added.back());
  EXPECT_EQ(after.elements[2].integer, 1 + trimmed) << "done counts the trimmed ones";
  // Committing the rest leaves nothing behind and nothing counted twice.
  RedisReply rest =
      ReadStream(server_, "n1", "100", e1, left.back(), std::to_string(1 + trimmed + left.size()));
  EXPECT_THAT(IdsOf(rest), IsEmpty());
  EXPECT_EQ(rest.elements[5].integer, 0);
  EXPECT_EQ(rest.elements[3].integer, rest.elements[2].integer) << "no lag";
  // Each commit trims what the cursor passed: the stream keeps what is left to read (nothing
  // now) and at most the stream node the cursor is in, not the last `maxlen` ever added.
  ASSERT_THAT(IdsOf(ReadStream(server_, "n1", "100", left.back(), left.back(),
                               std::to_string(1 + trimmed + left.size()))),
              IsEmpty());
  auto length = server_.Run({"XLEN", "s"});
  ASSERT_TRUE(length.ok());
  EXPECT_LE(length->integer, 2) << "one stream node of 2 entries at most";
  // And a later entry is read and counted as before.
  const std::string later = AddEntry(server_, "4");
  RedisReply next = ReadStream(server_, "n1", "100");
  EXPECT_THAT(IdsOf(next), ElementsAre(later));
  EXPECT_EQ(next.elements[5].integer, 0) << "nothing counted as trimmed unread";
}

// Client events are in the stream with their data: a read answers a few MiB at most (at least one
// entry), so that 256 large ones never make a reply past the connection's bound.
TEST_F(RedisClusterTest, WebhookReadAnswersAFewMiBAtMost) {
  ASSERT_TRUE(server_.Run({"SET", "leader", "n1"}).ok());
  ASSERT_TRUE(server_.Run({"HSET", "c", "id", "0-0", "done", "0", "maxlen", "1000"}).ok());
  const std::string large(3 * 1024 * 1024, 'x');
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = server_.Run({"XADD", "s", "*", "m", large});
    ASSERT_TRUE(id.ok());
    ids.push_back(id->str);
  }
  RedisReply first = ReadStream(server_, "n1", "256");
  EXPECT_THAT(IdsOf(first), ElementsAre(ids[0])) << "3 MiB, and the next would pass 4";
  RedisReply second = ReadStream(server_, "n1", "256", "0-0", ids[0], "1");
  EXPECT_THAT(IdsOf(second), ElementsAre(ids[1]));
  RedisReply third = ReadStream(server_, "n1", "256", ids[0], ids[1], "2");
  EXPECT_THAT(IdsOf(third), ElementsAre(ids[2]));
  EXPECT_EQ(third.elements[3].integer, 3) << "entries ever added";
  EXPECT_EQ(third.elements[5].integer, 0) << "nothing trimmed unread";
}

// Stands in for the webhook dispatcher: a kOncePerCluster watcher, as it registers.
std::shared_ptr<RecordingWatcher> WatchOncePerCluster(Node& node) {
  auto watcher = std::make_shared<RecordingWatcher>();
  node.app().events().Add(watcher, core::WatchScope::kOncePerCluster);
  return watcher;
}

// The gap of issue 10's SIGKILL of the webhook sender: until its lease runs out and another node
// takes over, nobody reads; what happens on the survivor meanwhile is in the stream (transitions,
// client events, cache misses), and the next sender hands it over once, in order, after what the
// dead one had sent and nothing of it again.
TEST_F(RedisClusterTest, WebhookEventsWhileTheSenderIsDeadArriveOnceInOrderFromTheNext) {
  auto a = std::make_unique<Node>(server_.Url(), true);
  auto b = std::make_unique<Node>(server_.Url(), true);
  auto hooks_a = WatchOncePerCluster(*a), hooks_b = WatchOncePerCluster(*b);
  ASSERT_TRUE(Until([&] { return Connected(*a) && Connected(*b); }, {a.get(), b.get()}));
  // A channel on each node: the sender's is vacated by the reap after it dies.
  RecordingSubscriber on_a("1.1"), on_b("1.2");
  int joined = 0;
  a->cluster->Join(a->app(), core::ChannelJoin{"news-a", false, false, "", ""}, &on_a, 0,
                   [&](auto) { ++joined; });
  b->cluster->Join(b->app(), core::ChannelJoin{"news-b", false, false, "", ""}, &on_b, 0,
                   [&](auto) { ++joined; });
  ASSERT_TRUE(Until([&] { return joined == 2; }, {a.get(), b.get()}));
  ASSERT_TRUE(Until([&] { return hooks_a->events().size() + hooks_b->events().size() == 2; },
                    {a.get(), b.get()}));
  // The sender, whichever it is, dies once its cursor is past what it sent.
  const bool a_sends = hooks_a->events().size() == 2;
  std::unique_ptr<Node>& sender = a_sends ? a : b;
  std::unique_ptr<Node>& survivor = a_sends ? b : a;
  auto survivor_hooks = a_sends ? hooks_b : hooks_a;
  EXPECT_THAT((a_sends ? hooks_a : hooks_b)->events(),
              ::testing::UnorderedElementsAre("1 news-a ", "1 news-b "));
  EXPECT_THAT(survivor_hooks->events(), IsEmpty());
  ASSERT_TRUE(Until(
      [&] {
        auto cursor = server_.Run({"HGET", "test:a3:app:webhook-cursor", "done"});
        return cursor.ok() && cursor->str == "2";
      },
      {a.get(), b.get()}));
  sender->cluster->Stop();  // as after SIGKILL: its leases (3 s) run out

  // Meanwhile on the survivor: joins and leaves, each a once-per-cluster transition.
  RecordingSubscriber alice("2.1"), bob("2.2"), alice_again("2.3");
  Node& s = *survivor;
  auto shown = s.JoinPresence("presence-room", "alice", &alice);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {&s}));
  // And what one node emits, which no script decides: a client event, a cache miss.
  core::ChannelEvent typing;
  typing.kind = core::ChannelEvent::Kind::kClientEvent;
  typing.channel = "presence-room";
  typing.user_id = "alice";
  typing.event = "client-typing";
  typing.data = "{}";
  typing.socket_id = "2.1";
  s.app().events().Emit(typing);
  core::ChannelEvent miss;
  miss.kind = core::ChannelEvent::Kind::kCacheMiss;
  miss.channel = "cache-prices";
  s.app().events().Emit(miss);
  shown = s.JoinPresence("presence-room", "bob", &bob);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {&s}));
  s.cluster->Leave(s.app(), "presence-room", "alice", &alice, 0);
  shown = s.JoinPresence("presence-room", "alice", &alice_again);
  ASSERT_TRUE(Until([&] { return !shown->empty(); }, {&s}));
  s.cluster->Leave(s.app(), "presence-room", "bob", &bob, 0);
  s.cluster->Leave(s.app(), "presence-room", "alice", &alice_again, 0);
  const std::vector<std::string> gap = {"1 presence-room ",      "3 presence-room alice",
                                        "5 presence-room alice", "6 cache-prices ",
                                        "3 presence-room bob",   "4 presence-room alice",
                                        "3 presence-room alice", "4 presence-room bob",
                                        "4 presence-room alice", "2 presence-room "};
  // Then the dead sender is reaped (its subscription of `news`), and the survivor sends all.
  std::vector<std::string> expected = gap;
  expected.push_back(a_sends ? "2 news-a " : "2 news-b ");
  ASSERT_TRUE(Until([&] { return survivor_hooks->events().size() >= expected.size(); }, {&s},
                    std::chrono::seconds(30)))
      << ::testing::PrintToString(survivor_hooks->events());
  Until([] { return false; }, {&s}, std::chrono::milliseconds(500));  // anything more to come
  EXPECT_THAT(survivor_hooks->events(), ::testing::ElementsAreArray(expected));
  EXPECT_EQ(s.cluster->counters().webhook_events_read.load(), expected.size());
  EXPECT_EQ(s.cluster->counters().webhook_events_trimmed.load(), 0u);
}

}  // namespace
}  // namespace gw::cluster
