#include "gateway/webhooks/webhook_filter.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/gateway/webhooks/channel_events.h"

namespace gw::webhooks {
namespace {

using Kind = core::ChannelEvent::Kind;
using testing::Event;

core::WebhookTarget Target(std::vector<std::string> event_types, std::string channel_prefix) {
  core::WebhookTarget target;
  target.url = "http://127.0.0.1/hook";
  target.event_types = std::move(event_types);
  target.channel_prefix = std::move(channel_prefix);
  return target;
}

TEST(WebhookFilter, EmptyTargetWantsEverything) {
  const WebhookFilter filter(Target({}, ""));
  for (Kind kind :
       {Kind::kChannelOccupied, Kind::kChannelVacated, Kind::kMemberAdded, Kind::kMemberRemoved,
        Kind::kClientEvent, Kind::kCacheMiss, Kind::kSubscriptionCount}) {
    EXPECT_TRUE(filter.Wants(Event(kind, "any")));
  }
}

TEST(WebhookFilter, EventTypesLimitTheKinds) {
  const WebhookFilter filter(Target({"channel_vacated", "client_event"}, ""));
  EXPECT_TRUE(filter.Wants(Event(Kind::kChannelVacated, "a")));
  EXPECT_TRUE(filter.Wants(Event(Kind::kClientEvent, "a")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "a")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kMemberAdded, "a")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kSubscriptionCount, "a")));
}

TEST(WebhookFilter, ChannelPrefixLimitsTheChannels) {
  const WebhookFilter filter(Target({}, "presence-"));
  EXPECT_TRUE(filter.Wants(Event(Kind::kMemberAdded, "presence-room")));
  EXPECT_TRUE(filter.Wants(Event(Kind::kChannelOccupied, "presence-")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "private-presence-room")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "presence")));
}

TEST(WebhookFilter, KindAndPrefixMustBothMatch) {
  const WebhookFilter filter(Target({"cache_miss"}, "cache-"));
  EXPECT_TRUE(filter.Wants(Event(Kind::kCacheMiss, "cache-prices")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kCacheMiss, "prices")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "cache-prices")));
}

TEST(AppSendsWebhook, SubscriptionCountOnlyWithTheSetting) {
  core::App app;
  EXPECT_FALSE(AppSendsWebhook(app, Kind::kSubscriptionCount));
  EXPECT_TRUE(AppSendsWebhook(app, Kind::kChannelOccupied));
  EXPECT_TRUE(AppSendsWebhook(app, Kind::kClientEvent));
  app.enable_subscription_count = true;
  EXPECT_TRUE(AppSendsWebhook(app, Kind::kSubscriptionCount));
}

}  // namespace
}  // namespace gw::webhooks
