#include "gateway/webhooks/webhook_payload.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/gateway/webhooks/channel_events.h"

namespace gw::webhooks {
namespace {

using Kind = core::ChannelEvent::Kind;
using testing::Event;

core::ChannelEvent ClientEvent(std::string data_json, std::string user_id = "") {
  core::ChannelEvent event = Event(Kind::kClientEvent, "private-chat");
  event.event = "client-typing";
  event.data = std::move(data_json);
  event.socket_id = "123.456";
  event.user_id = std::move(user_id);
  return event;
}

TEST(EncodeWebhookEvent, ChannelOccupiedHasNameAndChannel) {
  EXPECT_EQ(EncodeWebhookEvent(Event(Kind::kChannelOccupied, "orders")),
            R"({"name":"channel_occupied","channel":"orders"})");
}

TEST(EncodeWebhookEvent, ChannelVacatedHasNameAndChannel) {
  EXPECT_EQ(EncodeWebhookEvent(Event(Kind::kChannelVacated, "orders")),
            R"({"name":"channel_vacated","channel":"orders"})");
}

TEST(EncodeWebhookEvent, CacheMissHasNameAndChannel) {
  EXPECT_EQ(EncodeWebhookEvent(Event(Kind::kCacheMiss, "cache-prices")),
            R"({"name":"cache_miss","channel":"cache-prices"})");
}

TEST(EncodeWebhookEvent, MemberEventsCarryTheUserId) {
  core::ChannelEvent added = Event(Kind::kMemberAdded, "presence-room");
  added.user_id = "42";
  added.subscription_count = 3;  // not part of the webhook
  EXPECT_EQ(EncodeWebhookEvent(added),
            R"({"name":"member_added","channel":"presence-room","user_id":"42"})");
  core::ChannelEvent removed = Event(Kind::kMemberRemoved, "presence-room");
  removed.user_id = "42";
  EXPECT_EQ(EncodeWebhookEvent(removed),
            R"({"name":"member_removed","channel":"presence-room","user_id":"42"})");
}

TEST(EncodeWebhookEvent, SubscriptionCountIsANumber) {
  core::ChannelEvent event = Event(Kind::kSubscriptionCount, "orders");
  event.subscription_count = 17;
  EXPECT_EQ(EncodeWebhookEvent(event),
            R"({"name":"subscription_count","channel":"orders","subscription_count":17})");
}

TEST(EncodeWebhookEvent, ClientEventDataObjectIsSentAsItsJsonText) {
  EXPECT_EQ(EncodeWebhookEvent(ClientEvent(R"({"typing":true,"n":[1,2]})")),
            R"({"name":"client_event","channel":"private-chat","event":"client-typing",)"
            R"("data":"{\"typing\":true,\"n\":[1,2]}","socket_id":"123.456"})");
}

TEST(EncodeWebhookEvent, ClientEventDataStringIsSentAsTheStringItself) {
  EXPECT_EQ(EncodeWebhookEvent(ClientEvent(R"("hello \"you\"\n")")),
            R"({"name":"client_event","channel":"private-chat","event":"client-typing",)"
            R"("data":"hello \"you\"\n","socket_id":"123.456"})");
}

TEST(EncodeWebhookEvent, ClientEventDataOfOtherTypesIsTheirJsonText) {
  for (const char* data : {"42", "true", "null", "[1,2]", "-1.5e3"}) {
    const std::string encoded = EncodeWebhookEvent(ClientEvent(data));
    EXPECT_NE(encoded.find(std::string("\"data\":\"") + data + "\""), std::string::npos) << encoded;
  }
}

TEST(EncodeWebhookEvent, ClientEventDataStringWithUnicodeEscapesIsDecoded) {
  EXPECT_EQ(EncodeWebhookEvent(ClientEvent(R"("caf\u00e9")")),
            "{\"name\":\"client_event\",\"channel\":\"private-chat\",\"event\":\"client-typing\","
            "\"data\":\"caf\xC3\xA9\",\"socket_id\":\"123.456\"}");
}

TEST(EncodeWebhookEvent, ClientEventOnPresenceChannelCarriesTheUserId) {
  core::ChannelEvent event = ClientEvent(R"({"x":1})", "alice");
  event.channel = "presence-room";
  EXPECT_EQ(EncodeWebhookEvent(event),
            R"({"name":"client_event","channel":"presence-room","event":"client-typing",)"
            R"("data":"{\"x\":1}","socket_id":"123.456","user_id":"alice"})");
}

TEST(EncodeWebhookEvent, NamesAreEscaped) {
  EXPECT_EQ(EncodeWebhookEvent(Event(Kind::kChannelOccupied, "a\"b\\c")),
            R"({"name":"channel_occupied","channel":"a\"b\\c"})");
}

TEST(EncodeWebhookBody, WrapsEventsWithTheTime) {
  const std::vector<EncodedEvent> events = {
      std::make_shared<const std::string>(R"({"name":"channel_occupied","channel":"a"})"),
      std::make_shared<const std::string>(R"({"name":"channel_vacated","channel":"b"})")};
  EXPECT_EQ(EncodeWebhookBody(1700000000123, events),
            R"({"time_ms":1700000000123,"events":[{"name":"channel_occupied","channel":"a"},)"
            R"({"name":"channel_vacated","channel":"b"}]})");
}

TEST(EncodeWebhookBody, EmptyListIsValidJson) {
  EXPECT_EQ(EncodeWebhookBody(5, {}), R"({"time_ms":5,"events":[]})");
}

TEST(WebhookName, RoundTripsEveryKind) {
  for (Kind kind :
       {Kind::kChannelOccupied, Kind::kChannelVacated, Kind::kMemberAdded, Kind::kMemberRemoved,
        Kind::kClientEvent, Kind::kCacheMiss, Kind::kSubscriptionCount}) {
    EXPECT_EQ(WebhookKind(WebhookName(kind)), kind);
  }
  EXPECT_EQ(WebhookKind("channel_existence"), std::nullopt);
}

}  // namespace
}  // namespace gw::webhooks
