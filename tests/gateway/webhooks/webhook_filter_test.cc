#include "gateway/webhooks/webhook_filter.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::webhooks {
namespace {

using Kind = core::ChannelEvent::Kind;

core::ChannelEvent Event(Kind kind, std::string channel) {
  core::ChannelEvent event;
  event.kind = kind;
  event.channel = std::move(channel);
  return event;
}

TEST(WebhookFilter, EmptyTargetWantsEverything) {
  const WebhookFilter filter(core::WebhookTarget{.url = "http://x/"});
  for (Kind kind : {Kind::kChannelOccupied, Kind::kChannelVacated, Kind::kMemberAdded,
                    Kind::kMemberRemoved, Kind::kClientEvent, Kind::kCacheMiss,
                    Kind::kSubscriptionCount}) {
    EXPECT_TRUE(filter.Wants(Event(kind, "any")));
  }
}

TEST(WebhookFilter, EventTypesLimitTheKinds) {
  const WebhookFilter filter(
      core::WebhookTarget{.url = "http://x/", .event_types = {"channel_vacated", "client_event"}});
  EXPECT_TRUE(filter.Wants(Event(Kind::kChannelVacated, "a")));
  EXPECT_TRUE(filter.Wants(Event(Kind::kClientEvent, "a")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "a")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kMemberAdded, "a")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kSubscriptionCount, "a")));
}

TEST(WebhookFilter, ChannelPrefixLimitsTheChannels) {
  const WebhookFilter filter(core::WebhookTarget{.url = "http://x/", .channel_prefix = "presence-"});
  EXPECT_TRUE(filter.Wants(Event(Kind::kMemberAdded, "presence-room")));
  EXPECT_TRUE(filter.Wants(Event(Kind::kChannelOccupied, "presence-")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "private-presence-room")));
  EXPECT_FALSE(filter.Wants(Event(Kind::kChannelOccupied, "presence")));
}

TEST(WebhookFilter, KindAndPrefixMustBothMatch) {
  const WebhookFilter filter(core::WebhookTarget{
      .url = "http://x/", .event_types = {"cache_miss"}, .channel_prefix = "cache-"});
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
