#include "gateway/service/event_publisher.h"

#include <vector>

#include "gtest/gtest.h"
#include "gateway/core/single_node.h"
#include "tests/gateway/core/test_server_frames.h"
#include "tests/gateway/core/test_shards.h"

namespace gw::service {
namespace {

using core::testing::QueuedShards;
using core::testing::RecordingSubscriber;

core::App TestApp() {
  core::App app;
  app.id = "1";
  app.key = "key";
  app.secret = "secret";
  return app;
}

PublishCommand Event(std::string channel, std::string data) {
  return PublishCommand{"update", std::move(data), {std::move(channel)}, ""};
}

// One shard with a ceiling of 1 and a subscriber on "news", counted then indexed as a session
// joins.
class EventPublisherTest : public ::testing::Test {
 protected:
  EventPublisherTest() {
    app_.channels().Subscribe("news");
    app_.shard_index(0).Add("news", &subscriber_);
  }

  QueuedShards shards_{1};
  core::AppState app_{TestApp(), 1};
  core::Fanout fanout_{shards_, {.max_backlog = 1}};
  core::testing::TextServerFrames frames_;
  std::unique_ptr<core::AppDirectory> apps_ = *core::AppDirectory::Create({}, 1);
  core::SingleNode cluster_{*apps_, fanout_, frames_};
  EventPublisher publisher_{fanout_, cluster_};
  RecordingSubscriber subscriber_{"1.1"};
};

TEST_F(EventPublisherTest, EveryPublishIsCountedAndAWatchingConsoleSeesItsDoor) {
  PublishCommand command = Event("news", R"({"n":1})");
  ASSERT_TRUE(publisher_.Publish(app_, command).ok());
  shards_.RunAll();
  EXPECT_EQ(app_.activity().published(), 1u);
  std::vector<core::Activity> recorded;
  EXPECT_EQ(app_.activity().Drain(recorded, 10), 0u);

  app_.activity().Watch();
  command.door = "grpc";
  ASSERT_TRUE(publisher_.Publish(app_, command).ok());
  shards_.RunAll();
  EXPECT_EQ(app_.activity().published(), 2u);
  ASSERT_EQ(app_.activity().Drain(recorded, 10), 1u);
  EXPECT_EQ(recorded[0].kind, core::Activity::Kind::kPublished);
  EXPECT_EQ(recorded[0].channel, "news");
  EXPECT_EQ(recorded[0].event, "update");
  EXPECT_EQ(recorded[0].detail, "grpc");
  EXPECT_EQ(recorded[0].data, R"({"n":1})");
  EXPECT_EQ(recorded[0].size, 7u);
}

TEST_F(EventPublisherTest, APublishIsDeliveredBeforeItIsAcknowledged) {
  auto published = publisher_.Publish(app_, Event("news", "1"));
  ASSERT_TRUE(published.ok()) << published.status();
  size_t received_at_ack = 0;
  bool acknowledged = false;
  (*published)->Then([&](std::vector<core::ChannelCounts>) {
    acknowledged = true;
    received_at_ack = subscriber_.received.size();
  });
  EXPECT_FALSE(acknowledged);
  shards_.RunAll();
  EXPECT_TRUE(acknowledged);
  EXPECT_EQ(received_at_ack, 1u);
}

TEST_F(EventPublisherTest, OverTheCeilingAPublishIsRefusedAndNothingOfItIsQueued) {
  fanout_.Publish(app_, "news", core::MakeFrame("member_added"), "");
  fanout_.Publish(app_, "news", core::MakeFrame("member_added"), "");
  auto refused = publisher_.Publish(app_, Event("cache-news", "1"));
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  auto refused_batch = publisher_.PublishBatch(app_, {Event("news", "2")}, "batch");
  EXPECT_TRUE(absl::IsUnavailable(refused_batch.status())) << refused_batch.status();
  EXPECT_EQ(shards_.pending(0), 2u);
  EXPECT_EQ(app_.cache().Get("cache-news", core::ChannelCache::Clock::now()), nullptr)
      << "a refused publish is not cached either";
  shards_.RunAll();
  EXPECT_TRUE(publisher_.Publish(app_, Event("news", "3")).ok()) << "room again once caught up";
}

TEST_F(EventPublisherTest, AnInvalidPublishIsReportedAsInvalidEvenWhenTheShardsAreBehind) {
  fanout_.Publish(app_, "news", core::MakeFrame("x"), "");
  fanout_.Publish(app_, "news", core::MakeFrame("x"), "");
  auto invalid = publisher_.Publish(app_, Event("bad channel!", "1"));
  EXPECT_TRUE(absl::IsInvalidArgument(invalid.status())) << invalid.status();
}

TEST_F(EventPublisherTest, ABatchIsAdmittedAsOneAndAcknowledgedAfterItsLastEvent) {
  std::vector<PublishCommand> batch = {Event("news", "1"), Event("news", "2"), Event("other", "3")};
  auto published = publisher_.PublishBatch(app_, batch, "batch");
  ASSERT_TRUE(published.ok()) << published.status() << ": the whole batch takes room once";
  EXPECT_EQ((*published)->slots(), 3u);
  EXPECT_EQ(shards_.pending(0), 2u) << "nobody watches \"other\": no task for it";
  bool acknowledged = false;
  (*published)->Then([&](std::vector<core::ChannelCounts>) { acknowledged = true; });
  EXPECT_FALSE(acknowledged);
  EXPECT_TRUE(absl::IsUnavailable(publisher_.Publish(app_, Event("news", "4")).status()))
      << "the batch's own tasks count toward the ceiling";
  shards_.RunAll();
  EXPECT_TRUE(acknowledged);
  EXPECT_EQ(subscriber_.received.size(), 2u);
}

TEST_F(EventPublisherTest, APublishToAChannelNobodyWatchesIsAcknowledgedWithoutTheShards) {
  auto published = publisher_.Publish(app_, Event("nobody-here", "1"));
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(shards_.pending(0), 0u);
  bool acknowledged = false;
  std::vector<core::ChannelCounts> counts;
  (*published)->Then([&](std::vector<core::ChannelCounts> c) {
    acknowledged = true;
    counts = std::move(c);
  });
  EXPECT_TRUE(acknowledged);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].subscription_count, 0u);
}

TEST_F(EventPublisherTest, ACacheChannelNobodyWatchesStillKeepsTheEventForLaterSubscribers) {
  auto published = publisher_.Publish(app_, Event("cache-quiet", "1"));
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(shards_.pending(0), 0u);
  core::Frame cached = app_.cache().Get("cache-quiet", core::ChannelCache::Clock::now());
  ASSERT_NE(cached, nullptr);
  EXPECT_NE(cached->text().find("cache-quiet"), std::string::npos);
}

}  // namespace
}  // namespace gw::service
