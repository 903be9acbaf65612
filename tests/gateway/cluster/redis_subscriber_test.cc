#include "gateway/cluster/redis_subscriber.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gateway/cluster/redis_server.h"
#include "tests/gateway/cluster/test_loop.h"

namespace gw::cluster {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using std::string_literals::operator""s;
using testing::RedisServer;
using testing::TestLoop;

class RedisSubscriberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = server_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  RedisOptions Options() {
    RedisOptions options;
    options.url = *ParseRedisUrl(server_.Url());
    options.client_name = "redis-subscriber-test";
    options.limits = SubscriberLimits();
    return options;
  }

  void Connect(RedisOptions options) {
    RedisSubscriber::Handlers handlers;
    handlers.on_connected = [this] { ++connected_; };
    handlers.on_disconnected = [this](const absl::Status& why) { disconnects_.push_back(why); };
    handlers.on_subscribed = [this](std::string_view channel) { confirmed_.emplace_back(channel); };
    handlers.on_message = [this](std::string_view channel, std::string_view payload) {
      messages_.emplace_back(channel, payload);
    };
    subscriber_ = RedisSubscriber::Create(loop_.io(), std::move(options), std::move(handlers));
    subscriber_->Start();
  }

  void ConnectAndWait(RedisOptions options) {
    Connect(std::move(options));
    ASSERT_TRUE(loop_.RunUntil([&] { return connected_ > 0; })) << subscriber_->last_error();
  }

  // Subscribers Redis counts on `channel`.
  int64_t NumSub(std::string_view channel) {
    const absl::StatusOr<RedisReply> reply = server_.Run({"PUBSUB", "NUMSUB", channel});
    if (!reply.ok() || reply->elements.size() != 2) return -1;
    return reply->elements[1].integer;
  }

  void Publish(std::string_view channel, std::string_view payload) {
    ASSERT_TRUE(server_.Run({"PUBLISH", channel, payload}).ok());
  }

  // How many PINGs the server has answered (INFO commandstats).
  int64_t PingsServed() {
    const absl::StatusOr<RedisReply> info = server_.Run({"INFO", "commandstats"});
    if (!info.ok()) return -1;
    const size_t at = info->str.find("cmdstat_ping:calls=");
    if (at == std::string::npos) return 0;
    const size_t start = at + std::string_view("cmdstat_ping:calls=").size();
    int64_t calls = 0;
    absl::SimpleAtoi(info->str.substr(start, info->str.find(',', start) - start), &calls);
    return calls;
  }

  TestLoop loop_;
  RedisServer server_;
  std::shared_ptr<RedisSubscriber> subscriber_;
  int connected_ = 0;
  std::vector<absl::Status> disconnects_;
  std::vector<std::string> confirmed_;
  std::vector<std::pair<std::string, std::string>> messages_;
};

TEST_F(RedisSubscriberTest, ConfirmsSubscriptionsThenDeliversMessages) {
  ConnectAndWait(Options());
  subscriber_->Subscribe("a");
  subscriber_->Subscribe("b");
  subscriber_->Subscribe("a");
  EXPECT_TRUE(confirmed_.empty()) << "never from inside Subscribe";
  EXPECT_EQ(subscriber_->channel_count(), 2u);
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2; }));
  EXPECT_THAT(confirmed_, ElementsAre("a", "b"));
  EXPECT_TRUE(subscriber_->IsConfirmed("a"));
  EXPECT_EQ(NumSub("a"), 1);
  Publish("b", "one");
  Publish("a", "two");
  Publish("nobody", "three");
  Publish("b", "four");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 3; }));
  EXPECT_THAT(messages_, ElementsAre(Pair("b", "one"), Pair("a", "two"), Pair("b", "four")));
  EXPECT_EQ(RedisCounters::Get(subscriber_->counters().messages), 3u);
}

TEST_F(RedisSubscriberTest, SubscribesManyChannelsInBatchesOf512) {
  ConnectAndWait(Options());
  for (int i = 0; i < 2000; ++i) subscriber_->Subscribe(absl::StrCat("channel-", i));
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2000; }));
  // Four SUBSCRIBE commands: 512 + 512 + 512 + 464 names.
  EXPECT_EQ(RedisCounters::Get(subscriber_->counters().commands_sent), 4u);
  EXPECT_EQ(NumSub("channel-0"), 1);
  EXPECT_EQ(NumSub("channel-1999"), 1);
  const absl::StatusOr<RedisReply> count = server_.Run({"PUBSUB", "NUMPAT"});
  EXPECT_EQ(count->integer, 0);
  for (int i = 0; i < 2000; ++i) subscriber_->Unsubscribe(absl::StrCat("channel-", i));
  EXPECT_EQ(subscriber_->channel_count(), 0u);
  ASSERT_TRUE(loop_.RunUntil([&] { return NumSub("channel-1999") == 0; }));
  EXPECT_EQ(RedisCounters::Get(subscriber_->counters().commands_sent), 8u);
}

TEST_F(RedisSubscriberTest, ChannelsAndPayloadsAreBinarySafe) {
  ConnectAndWait(Options());
  const std::string channel = "ch\0\r\n"s;
  std::string payload(1 << 20, '\0');
  for (size_t i = 0; i < payload.size(); i += 3) payload[i] = static_cast<char>(i * 7);
  subscriber_->Subscribe(channel);
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  EXPECT_EQ(confirmed_[0], channel);
  Publish(channel, payload);
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
  EXPECT_EQ(messages_[0].first, channel);
  EXPECT_TRUE(messages_[0].second == payload);
}

TEST_F(RedisSubscriberTest, NoMessageAfterUnsubscribe) {
  ConnectAndWait(Options());
  subscriber_->Subscribe("a");
  subscriber_->Subscribe("b");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2; }));
  subscriber_->Unsubscribe("a");
  EXPECT_FALSE(subscriber_->IsWanted("a"));
  // Published before the UNSUBSCRIBE reaches Redis: dropped here, counted.
  Publish("a", "late");
  Publish("b", "marker");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
  EXPECT_THAT(messages_, ElementsAre(Pair("b", "marker")));
  ASSERT_TRUE(loop_.RunUntil([&] { return NumSub("a") == 0; }));
  EXPECT_EQ(NumSub("b"), 1);
  EXPECT_EQ(RedisCounters::Get(subscriber_->counters().messages_ignored), 1u);
}

TEST_F(RedisSubscriberTest, ResubscribingBeforeTheUnsubscribeLeftConfirmsAgain) {
  ConnectAndWait(Options());
  subscriber_->Subscribe("a");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  subscriber_->Unsubscribe("a");
  subscriber_->Subscribe("a");
  EXPECT_FALSE(subscriber_->IsConfirmed("a"));
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2; }));
  EXPECT_TRUE(subscriber_->IsConfirmed("a"));
  Publish("a", "still here");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
  EXPECT_EQ(NumSub("a"), 1);
}

TEST_F(RedisSubscriberTest, SubscribeUnsubscribeSubscribeInFlightEndsSubscribed) {
  ConnectAndWait(Options());
  subscriber_->Subscribe("a");
  loop_.Drain();  // the SUBSCRIBE leaves
  subscriber_->Unsubscribe("a");
  loop_.Drain();  // the UNSUBSCRIBE leaves
  subscriber_->Subscribe("a");
  ASSERT_TRUE(loop_.RunUntil([&] { return subscriber_->IsConfirmed("a"); }));
  EXPECT_EQ(NumSub("a"), 1);
  Publish("a", "x");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
}

TEST_F(RedisSubscriberTest, SubscriptionsMadeBeforeConnectingAreSentOnConnect) {
  Connect(Options());
  subscriber_->Subscribe("early");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  EXPECT_EQ(NumSub("early"), 1);
}

TEST_F(RedisSubscriberTest, PingWhileSubscribedKeepsTheLinkUp) {
  RedisOptions options = Options();
  options.limits.ping_interval = milliseconds(20);
  options.limits.ping_timeout = milliseconds(2000);
  ConnectAndWait(std::move(options));
  subscriber_->Subscribe("a");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  const int64_t before = PingsServed();
  ASSERT_TRUE(loop_.RunUntil([&] { return PingsServed() >= before + 10; }));
  EXPECT_TRUE(disconnects_.empty());
  EXPECT_EQ(RedisCounters::Get(subscriber_->counters().messages_ignored), 0u);
  Publish("a", "after pings");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
}

TEST_F(RedisSubscriberTest, ResubscribesEverythingAfterRedisRestarts) {
  ConnectAndWait(Options());
  subscriber_->Subscribe("a");
  subscriber_->Subscribe("b");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2; }));
  subscriber_->Unsubscribe("b");
  server_.Kill();
  ASSERT_TRUE(loop_.RunUntil([&] { return disconnects_.size() == 1; }));
  EXPECT_FALSE(subscriber_->IsConfirmed("a"));
  EXPECT_TRUE(subscriber_->IsWanted("a"));
  subscriber_->Subscribe("c");  // while down
  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 4; }));
  EXPECT_EQ(connected_, 2);
  EXPECT_THAT(std::vector<std::string>(confirmed_.begin() + 2, confirmed_.end()),
              ::testing::UnorderedElementsAre("a", "c"));
  EXPECT_EQ(NumSub("a"), 1);
  EXPECT_EQ(NumSub("b"), 0);
  Publish("c", "back");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
}

TEST_F(RedisSubscriberTest, StoppedServerIsDetectedAndTheLinkComesBack) {
  RedisOptions options = Options();
  options.limits.ping_interval = milliseconds(100);
  options.limits.ping_timeout = milliseconds(300);
  ConnectAndWait(std::move(options));
  subscriber_->Subscribe("a");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  server_.Pause();
  ASSERT_TRUE(loop_.RunUntil([&] { return disconnects_.size() == 1; }, milliseconds(5000)));
  EXPECT_THAT(disconnects_[0].message(), HasSubstr("no answer within 300 ms of a PING"));
  server_.Resume();
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2; }));
  Publish("a", "again");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
}

TEST_F(RedisSubscriberTest, MessageOverTheBoundDropsTheLinkAndItRecovers) {
  RedisOptions options = Options();
  options.limits.max_reply_bytes = 16 * 1024;
  ConnectAndWait(std::move(options));
  subscriber_->Subscribe("a");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  Publish("a", std::string(32 * 1024, 'x'));
  ASSERT_TRUE(loop_.RunUntil([&] { return disconnects_.size() == 1; }));
  EXPECT_EQ(disconnects_[0].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RedisCounters::Get(subscriber_->counters().replies_too_large), 1u);
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 2; }));
  Publish("a", "small");
  ASSERT_TRUE(loop_.RunUntil([&] { return messages_.size() == 1; }));
  EXPECT_EQ(messages_[0].second, "small");
}

TEST_F(RedisSubscriberTest, StopEndsEverything) {
  ConnectAndWait(Options());
  subscriber_->Subscribe("a");
  ASSERT_TRUE(loop_.RunUntil([&] { return confirmed_.size() == 1; }));
  subscriber_->Stop();
  EXPECT_FALSE(subscriber_->connected());
  ASSERT_TRUE(loop_.RunUntil([&] { return NumSub("a") == 0; }));
  subscriber_->Subscribe("b");
  loop_.Drain();
  EXPECT_EQ(confirmed_.size(), 1u);
  EXPECT_TRUE(disconnects_.empty());
}

}  // namespace
}  // namespace gw::cluster
