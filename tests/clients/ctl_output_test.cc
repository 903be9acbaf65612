#include "clients/ctl/ctl_output.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::ctl {
namespace {

namespace v1 = ::realtime::v1;
using ::testing::HasSubstr;

TEST(EventJsonLine, PrintsKindChannelTimeAndTheFieldsThatAreSet) {
  v1::ChannelEvent event;
  event.set_kind(v1::ChannelEvent::MEMBER_ADDED);
  event.set_channel("presence-room");
  event.set_time_ms(1700000000123);
  event.set_user_id("42");
  EXPECT_EQ(EventJsonLine(event),
            R"({"kind":"member_added","channel":"presence-room","time_ms":1700000000123,)"
            R"("user_id":"42"})");
}

TEST(EventJsonLine, KeepsClientEventDataAsAnEscapedString) {
  v1::ChannelEvent event;
  event.set_kind(v1::ChannelEvent::CLIENT_EVENT);
  event.set_channel("private-chat");
  event.set_time_ms(5);
  event.set_event("client-typing");
  event.set_data("{\"text\":\"a\\\"b\"}\n");
  event.set_socket_id("1.2");
  EXPECT_EQ(EventJsonLine(event),
            R"({"kind":"client_event","channel":"private-chat","time_ms":5,)"
            R"("event":"client-typing","data":"{\"text\":\"a\\\"b\"}\n","socket_id":"1.2"})");
}

TEST(EventJsonLine, PrintsAZeroCountForCountEvents) {
  v1::ChannelEvent event;
  event.set_kind(v1::ChannelEvent::CHANNEL_VACATED);
  event.set_channel("c");
  EXPECT_EQ(EventJsonLine(event),
            R"({"kind":"channel_vacated","channel":"c","time_ms":0,"subscription_count":0})");
  event.set_kind(v1::ChannelEvent::OVERFLOW);
  EXPECT_EQ(EventJsonLine(event), R"({"kind":"overflow","channel":"c","time_ms":0})");
}

TEST(JsonQuote, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonQuote("a\"b\\c\t\x01"), R"("a\"b\\c\t\u0001")");
  EXPECT_EQ(JsonQuote("héllo"), "\"héllo\"");
}

TEST(RenderAuthorize, JsonIsTheBodyOfAPusherAuthEndpoint) {
  v1::AuthorizeChannelResponse response;
  response.set_auth("key:sig");
  EXPECT_EQ(RenderAuthorize(response, /*json=*/true), "{\"auth\":\"key:sig\"}\n");
  response.set_channel_data(R"({"user_id":"1"})");
  EXPECT_EQ(RenderAuthorize(response, true),
            R"({"auth":"key:sig","channel_data":"{\"user_id\":\"1\"}"})"
            "\n");
  EXPECT_EQ(RenderAuthorize(response, false), "auth: key:sig\nchannel_data: {\"user_id\":\"1\"}\n");
}

TEST(RenderAuthenticate, JsonIsTheBodyOfAPusherUserAuthEndpoint) {
  v1::AuthenticateUserResponse response;
  response.set_auth("key:sig");
  response.set_user_data(R"({"id":"1"})");
  EXPECT_EQ(RenderAuthenticate(response, true), R"({"auth":"key:sig","user_data":"{\"id\":\"1\"}"})"
                                                "\n");
}

TEST(RenderChannels, PrintsASortedTableOrSaysThereIsNone) {
  v1::ListChannelsResponse response;
  EXPECT_EQ(RenderChannels(response, false), "no occupied channels\n");
  (*response.mutable_channels())["presence-room"].set_subscription_count(2);
  (*response.mutable_channels())["presence-room"].set_user_count(1);
  (*response.mutable_channels())["orders"].set_subscription_count(3);
  EXPECT_EQ(RenderChannels(response, false),
            "CHANNEL        SUBSCRIPTIONS  USERS\n"
            "orders         3              -\n"
            "presence-room  2              1\n");
  EXPECT_THAT(RenderChannels(response, true), HasSubstr(R"("orders":{"subscription_count":3})"));
}

TEST(RenderChannel, SaysWhetherItIsOccupiedAndItsCounts) {
  v1::GetChannelRequest request;
  request.set_channel("presence-room");
  v1::GetChannelResponse response;
  EXPECT_EQ(RenderChannel(request, response, false), "presence-room: not occupied\n");
  EXPECT_EQ(RenderChannel(request, response, true), "{\"occupied\":false}\n");
  response.set_occupied(true);
  response.mutable_info()->set_subscription_count(1);
  response.mutable_info()->set_user_count(1);
  EXPECT_EQ(RenderChannel(request, response, false),
            "presence-room: occupied, 1 subscription, 1 user\n");
}

TEST(RenderMembers, ListsEachMemberWithItsInfo) {
  v1::ListPresenceMembersRequest request;
  request.set_channel("presence-room");
  v1::ListPresenceMembersResponse response;
  v1::PresenceMember* ada = response.add_members();
  ada->set_user_id("ada");
  ada->set_user_info_json(R"({"name":"Ada"})");
  v1::PresenceMember* bo = response.add_members();
  bo->set_user_id("bo");
  bo->set_user_info_json("null");
  EXPECT_EQ(RenderMembers(request, response, false),
            "presence-room: 2 members\n"
            "  ada  {\"name\":\"Ada\"}\n"
            "  bo   null\n");
  EXPECT_EQ(RenderMembers(request, response, true),
            R"({"members":[{"user_id":"ada","user_info_json":"{\"name\":\"Ada\"}"},)"
            R"({"user_id":"bo","user_info_json":"null"}]})"
            "\n");
}

TEST(RenderPublish, NamesTheEventAndPrintsCountsWhenAskedFor) {
  v1::PublishRequest request;
  request.add_channels("orders");
  request.set_name("order.shipped");
  v1::PublishResponse response;
  EXPECT_EQ(RenderPublish(request, response, false), "published \"order.shipped\" to 1 channel\n");
  EXPECT_EQ(RenderPublish(request, response, true), "{\"channels\":{}}\n");
  (*response.mutable_channels())["orders"].set_subscription_count(2);
  EXPECT_EQ(RenderPublish(request, response, false),
            "published \"order.shipped\" to 1 channel\n  orders: 2 subscriptions\n");
}

}  // namespace
}  // namespace gw::ctl
