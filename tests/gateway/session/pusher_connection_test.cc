#include "gateway/session/pusher_connection.h"

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/single_node.h"
#include "gateway/pusher/signature.h"
#include "gateway/session/pusher_server_frames.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::session {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

core::App TestApp() {
  core::App app;
  app.id = "1";
  app.key = "key";
  app.secret = "secret";
  app.enable_client_messages = true;
  app.limits.max_client_events_per_second = 2;
  app.limits.max_channels_per_connection = 4;
  app.limits.max_subscriptions_per_second = 10;
  app.limits.max_presence_joins_per_second = 2;
  return app;
}

// A transport that records what the rules send, and is itself the subscriber they index.
class RecordingTransport : public ConnectionTransport, public core::Subscriber {
 public:
  void Send(core::Frame frame) override { sent.push_back(frame->text()); }
  void Close(uint16_t code, std::string_view message, bool drop_queued) override {
    closes.emplace_back(code, std::string(message));
  }
  core::Subscriber* subscriber() override { return this; }
  std::shared_ptr<void> KeepAlive() override { return alive; }
  void Deliver(const core::Frame& frame) override { sent.push_back(frame->text()); }
  std::string_view socket_id() const override { return "1.1"; }
  void Disconnect(uint16_t code, std::string_view reason) override {}

  std::vector<std::string> sent;
  std::vector<std::pair<uint16_t, std::string>> closes;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
};

// A cluster that answers joins only when the test says so, as a cluster spanning nodes does.
class DeferredCluster : public core::Cluster {
 public:
  explicit DeferredCluster(core::Cluster& inner) : inner_(inner) {}
  void Join(core::AppState& app, core::ChannelJoin join, core::Subscriber* subscriber, size_t shard,
            JoinDone done) override {
    pending_.push_back(
        [this, &app, join = std::move(join), subscriber, shard, done = std::move(done)]() mutable {
          inner_.Join(app, std::move(join), subscriber, shard, std::move(done));
        });
  }
  void AnswerJoins() {
    while (!pending_.empty()) {
      auto next = std::move(pending_.front());
      pending_.pop_front();
      std::move(next)();
    }
  }
  void Leave(core::AppState& app, std::string_view channel, std::string_view user_id,
             core::Subscriber* subscriber, size_t shard) override {
    inner_.Leave(app, channel, user_id, subscriber, shard);
  }
  void SignIn(core::AppState& a, std::string_view u, core::Subscriber* s, size_t sh) override {
    inner_.SignIn(a, u, s, sh);
  }
  void SignOut(core::AppState& a, std::string_view u, core::Subscriber* s, size_t sh) override {
    inner_.SignOut(a, u, s, sh);
  }
  void Watch(core::AppState& a, std::vector<std::string> u, core::Subscriber* s, size_t sh,
             UsersDone d) override {
    inner_.Watch(a, std::move(u), s, sh, std::move(d));
  }
  void Unwatch(core::AppState& a, const std::vector<std::string>& u, core::Subscriber* s,
               size_t sh) override {
    inner_.Unwatch(a, u, s, sh);
  }
  void Publish(core::AppState& a, std::string_view c, core::Frame f, const core::PublishOptions& o,
               const std::shared_ptr<core::PublishReceipt>& r, size_t slot) override {
    inner_.Publish(a, c, std::move(f), o, r, slot);
  }
  void DisconnectUser(core::AppState& a, std::string_view u, uint16_t c,
                      std::string_view r) override {
    inner_.DisconnectUser(a, u, c, r);
  }
  void FlushCountChanges() override { inner_.FlushCountChanges(); }
  void FindChannel(core::AppState& a, std::string_view c, CountsDone d) override {
    inner_.FindChannel(a, c, std::move(d));
  }
  void ListChannels(core::AppState& a, std::string_view p, ChannelsDone d) override {
    inner_.ListChannels(a, p, std::move(d));
  }
  void PresenceMembers(core::AppState& a, std::string_view c, MembersDone d) override {
    inner_.PresenceMembers(a, c, std::move(d));
  }
  void ShareTraffic(core::AppState& a, const core::TrafficTotals& t) override {
    inner_.ShareTraffic(a, t);
  }
  void ReadTraffic(core::AppState& a, TrafficDone d) override {
    inner_.ReadTraffic(a, std::move(d));
  }

 private:
  core::Cluster& inner_;
  std::deque<absl::AnyInvocable<void() &&>> pending_;
};

class PusherConnectionTest : public ::testing::Test {
 protected:
  using Clock = PusherConnection::Clock;

  core::AppState& app() { return *apps_->apps()[0]; }
  std::string SubscribeJson(std::string_view channel, std::string_view auth = "",
                            std::string_view channel_data = "") {
    std::string json =
        R"({"event":"pusher:subscribe","data":{"channel":")" + std::string(channel) + "\"";
    if (!auth.empty()) json += R"(,"auth":")" + std::string(auth) + "\"";
    if (!channel_data.empty()) {
      std::string escaped;
      for (char c : channel_data) {
        if (c == '"') escaped += '\\';
        escaped += c;
      }
      json += R"(,"channel_data":")" + escaped + "\"";
    }
    return json + "}}";
  }
  std::string Auth(std::string_view channel, std::string_view channel_data = "") {
    return pusher::SignChannelAuth("key", "secret", "1.1", channel, channel_data);
  }
  uint32_t Subscriptions(std::string_view channel) {
    auto counts = app().channels().Find(channel);
    return counts ? counts->subscription_count : 0;
  }

  core::testing::QueuedShards shards_{1};
  std::unique_ptr<core::AppDirectory> apps_ = *core::AppDirectory::Create({TestApp()}, 1);
  core::Fanout fanout_{shards_};
  PusherServerFrames frames_;
  core::SingleNode single_node_{*apps_, fanout_, frames_};
  DeferredCluster deferred_{single_node_};
  ConnectionServices services_{single_node_, shards_, nullptr};
  RecordingTransport transport_;
  Clock::time_point start_ = Clock::now();
  PusherConnection connection_{services_, transport_, app(), 0, "1.1", {}, nullptr, start_};
};

TEST_F(PusherConnectionTest, StartsWithConnectionEstablished) {
  connection_.Start();
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("pusher:connection_established"));
  EXPECT_THAT(transport_.sent[0], HasSubstr(R"(\"socket_id\":\"1.1\")"));
}

TEST_F(PusherConnectionTest, APublicSubscriptionSucceedsAndReceivesPublishes) {
  connection_.OnText(SubscribeJson("news"));
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("pusher_internal:subscription_succeeded"));
  EXPECT_EQ(Subscriptions("news"), 1u);
  single_node_.Publish(app(), "news", core::MakeFrame("event"), {}, nullptr, 0);
  shards_.RunAll();
  EXPECT_EQ(transport_.sent.back(), "event");
  connection_.Close();
  EXPECT_EQ(Subscriptions("news"), 0u) << "closing leaves every channel";
}

TEST_F(PusherConnectionTest, APrivateChannelWithABadSignatureIsRefusedTwiceOver) {
  connection_.OnText(SubscribeJson("private-x", "key:" + std::string(64, 'a')));
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("pusher:subscription_error"));
  EXPECT_THAT(transport_.sent[1], HasSubstr("4009"));
  EXPECT_EQ(Subscriptions("private-x"), 0u);
}

TEST_F(PusherConnectionTest, AWatchedAppRecordsOpeningsSubscriptionsAndFailures) {
  connection_.Start();
  connection_.OnText(SubscribeJson("news"));
  std::vector<core::Activity> recorded;
  EXPECT_EQ(app().activity().Drain(recorded, 10), 0u) << "nothing is recorded unwatched";

  app().activity().Watch();
  PusherConnection second{services_, transport_, app(), 0, "2.2", {}, nullptr, start_};
  second.Start();
  second.OnText(SubscribeJson("news"));
  second.OnText(SubscribeJson("private-x", "key:" + std::string(64, 'a')));
  ASSERT_EQ(app().activity().Drain(recorded, 10), 3u);
  EXPECT_EQ(recorded[0].kind, core::Activity::Kind::kConnectionOpened);
  EXPECT_EQ(recorded[0].socket_id, "2.2");
  EXPECT_EQ(recorded[1].kind, core::Activity::Kind::kSubscribed);
  EXPECT_EQ(recorded[1].channel, "news");
  EXPECT_EQ(recorded[2].kind, core::Activity::Kind::kSubscriptionFailed);
  EXPECT_EQ(recorded[2].channel, "private-x");
  EXPECT_EQ(recorded[2].size, 401u);
  EXPECT_THAT(recorded[2].detail, HasSubstr("Invalid signature"));
  second.Close();
  connection_.Close();
}

TEST_F(PusherConnectionTest, APresenceSubscriptionIsShownTheRosterWithItself) {
  const std::string data = R"({"user_id":"7","user_info":{"n":1}})";
  connection_.OnText(SubscribeJson("presence-room", Auth("presence-room", data), data));
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("subscription_succeeded"));
  EXPECT_THAT(transport_.sent[0], HasSubstr(R"(\"ids\":[\"7\"])"));
}

TEST_F(PusherConnectionTest, NothingIsToldBeforeTheClusterAnswersAndALateAnswerIsOnlyUndone) {
  ConnectionServices deferred{deferred_, shards_, nullptr};
  PusherConnection connection(deferred, transport_, app(), 0, "1.1", {}, nullptr, start_);
  connection.OnText(SubscribeJson("news"));
  EXPECT_THAT(transport_.sent, IsEmpty()) << "pending until the cluster answers";
  connection.OnText(R"({"event":"pusher:unsubscribe","data":{"channel":"news"}})");
  deferred_.AnswerJoins();
  EXPECT_THAT(transport_.sent, IsEmpty()) << "unsubscribed meanwhile: no subscription_succeeded";
  EXPECT_EQ(Subscriptions("news"), 0u) << "and the join was undone";
  EXPECT_EQ(app().shard_index(0).SubscriberCount("news"), 0u);

  connection.OnText(SubscribeJson("other"));
  connection.Close();
  deferred_.AnswerJoins();
  EXPECT_THAT(transport_.sent, IsEmpty());
  EXPECT_EQ(Subscriptions("other"), 0u) << "closed meanwhile: undone too";
}

TEST_F(PusherConnectionTest, ResubscribingWhileTheJoinIsPendingAnswersOnce) {
  ConnectionServices deferred{deferred_, shards_, nullptr};
  PusherConnection connection(deferred, transport_, app(), 0, "1.1", {}, nullptr, start_);
  connection.OnText(SubscribeJson("news"));
  connection.OnText(R"({"event":"pusher:unsubscribe","data":{"channel":"news"}})");
  connection.OnText(SubscribeJson("news"));
  deferred_.AnswerJoins();
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("subscription_succeeded"));
  EXPECT_EQ(Subscriptions("news"), 1u);
  connection.Close();
}

TEST_F(PusherConnectionTest, ClientEventsNeedAJoinedPrivateChannelAndAreRateLimited) {
  connection_.OnText(R"({"event":"client-typing","channel":"private-x","data":{}})");
  EXPECT_THAT(transport_.sent.back(), HasSubstr("not subscribed"));
  connection_.OnText(SubscribeJson("private-x", Auth("private-x")));
  transport_.sent.clear();
  for (int i = 0; i < 3; ++i) {
    connection_.OnText(R"({"event":"client-typing","channel":"private-x","data":{}})");
  }
  ASSERT_EQ(transport_.sent.size(), 1u) << "two pass, the third is refused";
  EXPECT_THAT(transport_.sent[0], HasSubstr("4301"));
  shards_.RunAll();
  EXPECT_EQ(transport_.sent.size(), 1u) << "the sender does not hear its own events";
  connection_.Close();
}

TEST_F(PusherConnectionTest, ClientEventsAreTimedByTheReadThatBroughtThem) {
  connection_.OnText(SubscribeJson("private-x", Auth("private-x")));
  const std::string event = R"({"event":"client-typing","channel":"private-x","data":{}})";
  connection_.OnText(event);
  connection_.OnText(event);
  transport_.sent.clear();
  connection_.OnText(event);
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("4301"));
  transport_.sent.clear();
  connection_.NoteActivity(start_ + std::chrono::seconds(1));
  connection_.OnText(event);
  EXPECT_THAT(transport_.sent, IsEmpty()) << "a second later the bucket is full again";
  connection_.Close();
}

// Subscription limits (issue 13): the test app allows 4 channels, 10 subscribes a second from a
// bucket of 4, and 2 presence joins a second.
class SubscriptionLimitsTest : public PusherConnectionTest {
 protected:
  ConnectionCounters Counters() {
    ConnectionCounters counters;
    counters.subscriptions_refused_channel_limit = &channel_limit_;
    counters.subscriptions_refused_rate_limit = &rate_limit_;
    counters.subscriptions_refused_presence_rate_limit = &presence_rate_limit_;
    return counters;
  }
  size_t Count(std::string_view text) {
    return std::count_if(transport_.sent.begin(), transport_.sent.end(),
                         [&](const std::string& sent) { return sent.find(text) != sent.npos; });
  }
  static std::string Unsubscribe(std::string_view channel) {
    return R"({"event":"pusher:unsubscribe","data":{"channel":")" + std::string(channel) + "\"}}";
  }

  observability::Counter channel_limit_;
  observability::Counter rate_limit_;
  observability::Counter presence_rate_limit_;
};

TEST_F(SubscriptionLimitsTest, ANewChannelOverTheCapIsRefusedWith4100AndTheConnectionStays) {
  PusherConnection connection(services_, transport_, app(), 0, "1.1", Counters(), nullptr, start_);
  for (const char* channel : {"a", "b", "c", "d", "e"}) connection.OnText(SubscribeJson(channel));
  EXPECT_EQ(Count("subscription_succeeded"), 4u);
  ASSERT_EQ(transport_.sent.size(), 6u);
  EXPECT_THAT(transport_.sent[4], HasSubstr("pusher:subscription_error"));
  EXPECT_THAT(transport_.sent[4], HasSubstr(R"("channel":"e")"));
  EXPECT_THAT(transport_.sent[4], HasSubstr(R"("type":"LimitReached")"));
  EXPECT_THAT(transport_.sent[4], HasSubstr(R"("status":4100)"));
  EXPECT_THAT(transport_.sent[4], HasSubstr("a connection may hold 4 channels"));
  EXPECT_THAT(transport_.sent[5], HasSubstr("pusher:error"));
  EXPECT_THAT(transport_.sent[5], HasSubstr(R"("code":4100)"));
  EXPECT_EQ(Subscriptions("e"), 0u);
  EXPECT_EQ(channel_limit_.Value(), 1u);
  EXPECT_EQ(rate_limit_.Value(), 0u);

  transport_.sent.clear();
  connection.NoteActivity(start_ + std::chrono::seconds(1));
  connection.OnText(SubscribeJson("a"));
  EXPECT_EQ(Count("subscription_succeeded"), 1u) << "a channel it holds is no new one";
  connection.OnText(Unsubscribe("a"));
  connection.OnText(SubscribeJson("e"));
  EXPECT_EQ(Count("subscription_succeeded"), 2u) << "a channel given up makes room";
  EXPECT_EQ(Subscriptions("e"), 1u);
  EXPECT_THAT(transport_.closes, IsEmpty());
  connection.Close();
}

TEST_F(SubscriptionLimitsTest, JoinsStillOnTheirWayCountTowardTheCap) {
  ConnectionServices deferred{deferred_, shards_, nullptr};
  PusherConnection connection(deferred, transport_, app(), 0, "1.1", Counters(), nullptr, start_);
  for (const char* channel : {"a", "b", "c", "d", "e"}) connection.OnText(SubscribeJson(channel));
  EXPECT_EQ(Count("pusher:subscription_error"), 1u) << "four joins pending hold four channels";
  EXPECT_EQ(channel_limit_.Value(), 1u);
  deferred_.AnswerJoins();
  EXPECT_EQ(Count("subscription_succeeded"), 4u);
  EXPECT_EQ(Subscriptions("e"), 0u);
  connection.Close();
}

TEST_F(SubscriptionLimitsTest, SubscribesOverTheRateAreRefusedWith4301AndUnsubscribesNever) {
  PusherConnection connection(services_, transport_, app(), 0, "1.1", Counters(), nullptr, start_);
  for (int i = 0; i < 6; ++i) {
    const std::string channel = "churn-" + std::to_string(i);
    connection.OnText(SubscribeJson(channel));
    connection.OnText(Unsubscribe(channel));
  }
  EXPECT_EQ(Count("subscription_succeeded"), 4u) << "the bucket holds the cap, 4";
  EXPECT_EQ(Count("pusher:subscription_error"), 2u);
  EXPECT_EQ(Count("Subscription rate limit exceeded (10 per second)"), 4u) << "both forms, twice";
  EXPECT_EQ(Count(R"("code":4301)"), 2u);
  EXPECT_EQ(Count(R"("status":4301)"), 2u);
  EXPECT_EQ(rate_limit_.Value(), 2u);
  EXPECT_EQ(channel_limit_.Value(), 0u);
  EXPECT_EQ(app().channels().TotalSubscriptions(), 0u) << "every unsubscribe was honoured";

  transport_.sent.clear();
  connection.NoteActivity(start_ + std::chrono::milliseconds(150));
  connection.OnText(SubscribeJson("later"));
  connection.OnText(SubscribeJson("later-still"));
  EXPECT_EQ(Count("subscription_succeeded"), 1u) << "one token back after 100 ms at 10/s";
  EXPECT_EQ(rate_limit_.Value(), 3u);
  EXPECT_THAT(transport_.closes, IsEmpty());
  connection.Close();
}

TEST_F(SubscriptionLimitsTest, PresenceChurnIsHeldToThePresenceRate) {
  PusherConnection connection(services_, transport_, app(), 0, "1.1", Counters(), nullptr, start_);
  const std::string data = R"({"user_id":"7","user_info":{}})";
  for (int i = 0; i < 4; ++i) {
    connection.OnText(SubscribeJson("presence-room", Auth("presence-room", data), data));
    connection.OnText(Unsubscribe("presence-room"));
  }
  EXPECT_EQ(Count("subscription_succeeded"), 2u) << "2 presence joins a second";
  EXPECT_EQ(Count("Presence join rate limit exceeded (2 per second)"), 4u) << "both forms, twice";
  EXPECT_EQ(presence_rate_limit_.Value(), 2u);
  EXPECT_EQ(rate_limit_.Value(), 0u) << "a presence refusal spends no subscribe token";
  EXPECT_EQ(Subscriptions("presence-room"), 0u);

  transport_.sent.clear();
  connection.OnText(SubscribeJson("public-still-open"));
  EXPECT_EQ(Count("subscription_succeeded"), 1u) << "other channels are not held up";
  connection.NoteActivity(start_ + std::chrono::milliseconds(600));
  connection.OnText(SubscribeJson("presence-room", Auth("presence-room", data), data));
  EXPECT_EQ(Count("subscription_succeeded"), 2u) << "one presence join every 500 ms";
  connection.Close();
}

TEST_F(PusherConnectionTest, AnIdleClientIsPingedThenClosedWith4201) {
  const auto activity = std::chrono::seconds(app().app().limits.activity_timeout_seconds);
  connection_.OnTick(start_ + activity - std::chrono::seconds(1));
  EXPECT_THAT(transport_.sent, IsEmpty());
  connection_.OnTick(start_ + activity);
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0], HasSubstr("pusher:ping"));
  connection_.NoteActivity(start_ + activity + std::chrono::seconds(1));
  connection_.OnTick(start_ + activity * 2);
  EXPECT_THAT(transport_.closes, IsEmpty()) << "it answered";
  connection_.OnTick(start_ + activity * 2 + std::chrono::seconds(1));
  connection_.OnTick(start_ + activity * 4);
  ASSERT_EQ(transport_.closes.size(), 1u);
  EXPECT_EQ(transport_.closes[0].first, 4201);
}

}  // namespace
}  // namespace gw::session
