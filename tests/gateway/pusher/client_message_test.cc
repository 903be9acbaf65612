#include "gateway/pusher/client_message.h"

#include <string>
#include <variant>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::pusher {
namespace {

using ::testing::HasSubstr;

template <typename T>
T ParseAs(std::string_view text) {
  absl::StatusOr<ClientMessage> message = ParseClientMessage(text);
  EXPECT_TRUE(message.ok()) << text << ": " << message.status();
  if (!message.ok()) return T{};
  const T* typed = std::get_if<T>(&*message);
  EXPECT_NE(typed, nullptr) << text << " parsed as alternative " << message->index();
  return typed == nullptr ? T{} : *typed;
}

// The rejection message, which is what a client reads in pusher:error.
std::string RejectionOf(std::string_view text) {
  absl::StatusOr<ClientMessage> message = ParseClientMessage(text);
  EXPECT_FALSE(message.ok()) << text;
  if (message.ok()) return "";
  EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument) << message.status();
  return std::string(message.status().message());
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseClientMessage, ReadsASubscribeWithAnObjectAsPusherJsSendsIt) {
  const SubscribeMessage message =
      ParseAs<SubscribeMessage>(R"({"event":"pusher:subscribe","data":{"channel":"news"}})");
  EXPECT_EQ(message.channel, "news");
  EXPECT_EQ(message.auth, "");
  EXPECT_FALSE(message.channel_data.has_value());
}

TEST(ParseClientMessage, ReadsASubscribeWhoseDataIsAJsonEncodedString) {
  const SubscribeMessage message = ParseAs<SubscribeMessage>(
      R"({"event":"pusher:subscribe","data":"{\"channel\":\"private-a\",\"auth\":\"k:sig\"}"})");
  EXPECT_EQ(message.channel, "private-a");
  EXPECT_EQ(message.auth, "k:sig");
}

TEST(ParseClientMessage, KeepsPresenceChannelDataExactlyAsSigned) {
  const SubscribeMessage message = ParseAs<SubscribeMessage>(
      R"({"event":"pusher:subscribe","data":{"channel":"presence-a","auth":"k:s",)"
      R"("channel_data":"{\"user_id\":\"1\",  \"user_info\":{\"b\":1,\"a\":2}}"}})");
  ASSERT_TRUE(message.channel_data.has_value());
  // Whitespace and member order are part of what was signed and must survive untouched.
  EXPECT_EQ(*message.channel_data, R"({"user_id":"1",  "user_info":{"b":1,"a":2}})");
}

TEST(ParseClientMessage, TreatsNullAuthAndChannelDataAsAbsent) {
  const SubscribeMessage message = ParseAs<SubscribeMessage>(
      R"({"event":"pusher:subscribe","data":{"channel":"a","auth":null,"channel_data":null}})");
  EXPECT_EQ(message.auth, "");
  EXPECT_FALSE(message.channel_data.has_value());
}

TEST(ParseClientMessage, IgnoresUnknownMembers) {
  const SubscribeMessage message = ParseAs<SubscribeMessage>(
      R"({"event":"pusher:subscribe","extra":[1,2],"data":{"channel":"a","x":{"y":true}}})");
  EXPECT_EQ(message.channel, "a");
}

TEST(ParseClientMessage, ReadsAnUnsubscribeInBothDataForms) {
  EXPECT_EQ(ParseAs<UnsubscribeMessage>(R"({"event":"pusher:unsubscribe","data":{"channel":"a"}})")
                .channel,
            "a");
  EXPECT_EQ(
      ParseAs<UnsubscribeMessage>(R"({"event":"pusher:unsubscribe","data":"{\"channel\":\"b\"}"})")
          .channel,
      "b");
}

TEST(ParseClientMessage, ReadsPingAndPongWithAnyData) {
  ParseAs<PingMessage>(R"({"event":"pusher:ping","data":{}})");
  ParseAs<PingMessage>(R"({"event":"pusher:ping"})");
  ParseAs<PingMessage>(R"({"event":"pusher:ping","data":[1,"x",null]})");
  ParseAs<PongMessage>(R"({"event":"pusher:pong","data":"{}"})");
  ParseAs<PongMessage>(R"({"event":"pusher:pong","data":42})");
}

TEST(ParseClientMessage, ReadsASignin) {
  const SigninMessage message = ParseAs<SigninMessage>(
      R"({"event":"pusher:signin","data":{"auth":"k:sig","user_data":"{\"id\":\"7\"}"}})");
  EXPECT_EQ(message.auth, "k:sig");
  EXPECT_EQ(message.user_data, R"({"id":"7"})");
}

TEST(ParseClientMessage, ReadsASigninWhoseDataIsAString) {
  const SigninMessage message = ParseAs<SigninMessage>(
      R"({"event":"pusher:signin","data":"{\"auth\":\"k:s\",\"user_data\":\"{}\"}"})");
  EXPECT_EQ(message.auth, "k:s");
  EXPECT_EQ(message.user_data, "{}");
}

TEST(ParseClientMessage, RequiresSigninAuthAndUserDataAsStrings) {
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:signin","data":{"user_data":"{}"}})"),
              HasSubstr("auth is missing"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:signin","data":{"auth":"a"}})"),
              HasSubstr("user_data is missing"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:signin","data":{"auth":"a","user_data":{}}})"),
              HasSubstr("user_data must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:signin","data":{"auth":1,"user_data":"{}"}})"),
              HasSubstr("auth must be a string"));
}

TEST(ParseClientMessage, ReadsAClientEventWithObjectData) {
  const ClientEventMessage message = ParseAs<ClientEventMessage>(
      R"({"event":"client-typing","channel":"private-chat","data":{"who": "ann", "n": 2}})");
  EXPECT_EQ(message.event, "client-typing");
  EXPECT_EQ(message.channel, "private-chat");
  EXPECT_EQ(message.data_json, R"({"who":"ann","n":2})");
}

TEST(ParseClientMessage, KeepsTheJsonTypeOfClientEventData) {
  EXPECT_EQ(ParseAs<ClientEventMessage>(R"({"event":"client-a","channel":"private-c","data":"hi"})")
                .data_json,
            R"("hi")");
  EXPECT_EQ(ParseAs<ClientEventMessage>(R"({"event":"client-a","channel":"private-c","data":[1]})")
                .data_json,
            "[1]");
  EXPECT_EQ(ParseAs<ClientEventMessage>(R"({"event":"client-a","channel":"private-c","data":7})")
                .data_json,
            "7");
}

TEST(ParseClientMessage, RendersAbsentClientEventDataAsNull) {
  EXPECT_EQ(ParseAs<ClientEventMessage>(R"({"event":"client-a","channel":"private-c"})").data_json,
            "null");
}

TEST(ParseClientMessage, ReEscapesClientEventDataSafely) {
  const ClientEventMessage message = ParseAs<ClientEventMessage>(
      R"({"event":"client-a","channel":"private-c","data":{"q":"\"</script>\\\n\u0001\u00e9"}})");
  EXPECT_EQ(message.data_json, "{\"q\":\"\\\"</script>\\\\\\n\\u0001\xc3\xa9\"}");
}

TEST(ParseClientMessage, RequiresAStringChannelOnClientEvents) {
  EXPECT_THAT(RejectionOf(R"({"event":"client-a","data":{}})"), HasSubstr("channel is missing"));
  EXPECT_THAT(RejectionOf(R"({"event":"client-a","channel":7,"data":{}})"),
              HasSubstr("channel must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"client-a","channel":null})"),
              HasSubstr("channel must be a string"));
}

TEST(ParseClientMessage, RejectsInvalidJson) {
  EXPECT_THAT(RejectionOf(""), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf("{"), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:ping",})"), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:ping"} trailing)"), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf("{'event':'pusher:ping'}"), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf(std::string("{\"event\":\"pusher:ping\"}\0", 24)),
              HasSubstr("not valid JSON"));
}

TEST(ParseClientMessage, RejectsInvalidUtf8) {
  EXPECT_THAT(RejectionOf("{\"event\":\"client-\xff\",\"channel\":\"private-a\"}"),
              HasSubstr("not valid JSON"));
}

TEST(ParseClientMessage, RejectsMessagesThatAreNotObjects) {
  for (std::string_view text :
       {"[]", R"(["pusher:ping"])", "42", R"("pusher:ping")", "null", "true"}) {
    EXPECT_THAT(RejectionOf(text), HasSubstr("must be a JSON object")) << text;
  }
}

TEST(ParseClientMessage, RequiresAStringEvent) {
  EXPECT_THAT(RejectionOf("{}"), HasSubstr("no event"));
  EXPECT_THAT(RejectionOf(R"({"event":42})"), HasSubstr("event must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":null})"), HasSubstr("event must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":["pusher:ping"]})"), HasSubstr("event must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":{"name":"pusher:ping"}})"),
              HasSubstr("event must be a string"));
}

TEST(ParseClientMessage, RejectsUnknownPusherEvents) {
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:connection_established","data":{}})"),
              HasSubstr("unsupported event \"pusher:connection_established\""));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher_internal:subscription_succeeded"})"),
              HasSubstr("unsupported event"));
}

TEST(ParseClientMessage, RejectsEventsWithoutTheClientPrefix) {
  EXPECT_THAT(RejectionOf(R"({"event":"my-event","channel":"private-a","data":{}})"),
              HasSubstr("unsupported event \"my-event\""));
  EXPECT_THAT(RejectionOf(R"({"event":"Client-a","channel":"private-a"})"),
              HasSubstr("unsupported event"));
  EXPECT_THAT(RejectionOf(R"({"event":"","channel":"private-a"})"), HasSubstr("unsupported event"));
}

TEST(ParseClientMessage, EchoesOnlyAShortPrintableExcerptOfAnUnknownEvent) {
  const std::string message =
      RejectionOf(R"({"event":"x\n\u00e9)" + std::string(100000, 'y') + R"("})");
  EXPECT_THAT(message, HasSubstr("unsupported event \"x???yyy"));
  EXPECT_LT(message.size(), 300u);
}

TEST(ParseClientMessage, RequiresDataForSubscribe) {
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe"})"), HasSubstr("has no data"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","channel":"a"})"),
              HasSubstr("has no data"));
}

TEST(ParseClientMessage, RejectsSubscribeDataOfTheWrongShape) {
  for (std::string_view text : {
           R"({"event":"pusher:subscribe","data":null})",
           R"({"event":"pusher:subscribe","data":["a"]})",
           R"({"event":"pusher:subscribe","data":42})",
           R"({"event":"pusher:subscribe","data":"\"a\""})",
           R"({"event":"pusher:subscribe","data":"[\"a\"]"})",
       }) {
    EXPECT_THAT(RejectionOf(text), HasSubstr("data must be an object or a JSON string of one"))
        << text;
  }
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":"{not json"})"),
              HasSubstr("pusher:subscribe data is not valid JSON"));
}

TEST(ParseClientMessage, RejectsWrongTypesInSubscribeData) {
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":{}})"),
              HasSubstr("data.channel is missing"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":{"channel":1}})"),
              HasSubstr("data.channel must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":{"channel":["a"]}})"),
              HasSubstr("data.channel must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":{"channel":"a","auth":1}})"),
              HasSubstr("data.auth must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":{"channel":"a","auth":{}}})"),
              HasSubstr("data.auth must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":{"channel":"presence-a",)"
                          R"("channel_data":{"user_id":"1"}}})"),
              HasSubstr("data.channel_data must be a string"));
  EXPECT_THAT(
      RejectionOf(R"({"event":"pusher:subscribe","data":{"channel":"a","channel_data":false}})"),
      HasSubstr("data.channel_data must be a string"));
}

TEST(ParseClientMessage, RejectsWrongTypesInUnsubscribeData) {
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:unsubscribe","data":{"channel":{}}})"),
              HasSubstr("data.channel must be a string"));
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:unsubscribe","data":{}})"),
              HasSubstr("data.channel is missing"));
}

TEST(ParseClientMessage, AcceptsNestingUpToTheParserDepthLimit) {
  // The envelope is one level, so 31 more arrays reach Boost.JSON's default limit of 32.
  const ClientEventMessage message = ParseAs<ClientEventMessage>(
      R"({"event":"client-a","channel":"private-c","data":)" + Nested(31) + "}");
  EXPECT_EQ(message.data_json, Nested(31));
}

TEST(ParseClientMessage, RejectsNestingBeyondTheParserDepthLimit) {
  EXPECT_THAT(
      RejectionOf(R"({"event":"client-a","channel":"private-c","data":)" + Nested(32) + "}"),
      HasSubstr("not valid JSON"));
}

TEST(ParseClientMessage, SurvivesVeryDeepNesting) {
  EXPECT_THAT(RejectionOf(Nested(1000000)), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf(std::string(1000000, '{')), HasSubstr("not valid JSON"));
  EXPECT_THAT(RejectionOf(R"({"event":"client-a","channel":"private-c","data":)" +
                          std::string(500000, '[')),
              HasSubstr("not valid JSON"));
}

TEST(ParseClientMessage, LimitsNestingInsideStringEncodedDataToo) {
  const std::string deep = std::string(100, '{') + "\\\"a\\\":1" + std::string(100, '}');
  EXPECT_THAT(RejectionOf(R"({"event":"pusher:subscribe","data":")" + deep + R"("})"),
              HasSubstr("pusher:subscribe data is not valid JSON"));
}

TEST(ParseClientMessage, HandlesHugeStrings) {
  const std::string big(4 << 20, 'x');
  const ClientEventMessage message = ParseAs<ClientEventMessage>(
      R"({"event":"client-a","channel":"private-c","data":")" + big + R"("})");
  EXPECT_EQ(message.data_json.size(), big.size() + 2);

  const SubscribeMessage subscribe = ParseAs<SubscribeMessage>(
      R"({"event":"pusher:subscribe","data":{"channel":")" + big + R"("}})");
  EXPECT_EQ(subscribe.channel.size(), big.size());
}

TEST(ParseClientMessage, HandlesManyMembers) {
  std::string data = "{";
  for (int i = 0; i < 100000; ++i)
    data += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  data += "\"end\":true}";
  const ClientEventMessage message = ParseAs<ClientEventMessage>(
      R"({"event":"client-a","channel":"private-c","data":)" + data + "}");
  EXPECT_EQ(message.data_json, data);
}

TEST(ParseClientMessage, UsesTheLastOfDuplicateMembers) {
  // Boost.JSON keeps the last value of a repeated key, as JSON.parse does.
  EXPECT_EQ(ParseAs<SubscribeMessage>(
                R"({"event":"pusher:subscribe","data":{"channel":"a","channel":"b"}})")
                .channel,
            "b");
}

TEST(ParsePresenceChannelData, ReadsAStringUserIdAndUserInfo) {
  absl::StatusOr<PresenceMember> member =
      ParsePresenceChannelData(R"({"user_id":"10","user_info":{"name":"Mr. Channels"}})");
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_EQ(member->user_id, "10");
  EXPECT_EQ(member->user_info_json, R"({"name":"Mr. Channels"})");
}

TEST(ParsePresenceChannelData, RendersAnIntegerUserIdAsItsDigits) {
  absl::StatusOr<PresenceMember> member = ParsePresenceChannelData(R"({"user_id":42})");
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_EQ(member->user_id, "42");
  EXPECT_EQ(member->user_info_json, "null");

  EXPECT_EQ(ParsePresenceChannelData(R"({"user_id":-7})")->user_id, "-7");
  EXPECT_EQ(ParsePresenceChannelData(R"({"user_id":18446744073709551615})")->user_id,
            "18446744073709551615");
}

TEST(ParsePresenceChannelData, KeepsAnyJsonUserInfo) {
  EXPECT_EQ(ParsePresenceChannelData(R"({"user_id":"1","user_info":"Ann"})")->user_info_json,
            R"("Ann")");
  EXPECT_EQ(ParsePresenceChannelData(R"({"user_id":"1","user_info":[1, 2]})")->user_info_json,
            "[1,2]");
  EXPECT_EQ(ParsePresenceChannelData(R"({"user_id":"1","user_info":null})")->user_info_json,
            "null");
}

TEST(ParsePresenceChannelData, RejectsUserIdsOfOtherTypes) {
  for (std::string_view text :
       {R"({"user_id":4.5})", R"({"user_id":1e3})", R"({"user_id":true})", R"({"user_id":null})",
        R"({"user_id":["1"]})", R"({"user_id":{"id":"1"}})"}) {
    absl::StatusOr<PresenceMember> member = ParsePresenceChannelData(text);
    ASSERT_FALSE(member.ok()) << text;
    EXPECT_EQ(member.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(member.status().message()),
                HasSubstr("user_id must be a string or an integer"));
  }
}

TEST(ParsePresenceChannelData, RejectsAMissingOrEmptyUserId) {
  EXPECT_THAT(std::string(ParsePresenceChannelData(R"({"user_info":{}})").status().message()),
              HasSubstr("user_id is missing"));
  EXPECT_THAT(std::string(ParsePresenceChannelData(R"({"user_id":""})").status().message()),
              HasSubstr("user_id is empty"));
}

TEST(ParsePresenceChannelData, AcceptsUserIdsUpTo128Characters) {
  EXPECT_TRUE(ParsePresenceChannelData(R"({"user_id":")" + std::string(128, 'u') + R"("})").ok());
  absl::StatusOr<PresenceMember> too_long =
      ParsePresenceChannelData(R"({"user_id":")" + std::string(129, 'u') + R"("})");
  EXPECT_THAT(std::string(too_long.status().message()), HasSubstr("longer than 128"));
}

TEST(ParsePresenceChannelData, RejectsNonObjectsAndInvalidJson) {
  for (std::string_view text : {"", "[]", R"("{\"user_id\":\"1\"}")", "42", "{"}) {
    absl::StatusOr<PresenceMember> member = ParsePresenceChannelData(text);
    ASSERT_FALSE(member.ok()) << text;
    EXPECT_EQ(member.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(ParsePresenceChannelData(R"({"user_id":"1","user_info":)" + Nested(40) + "}").ok());
}

TEST(ParseSigninUserData, ReadsTheIdAndUserInfo) {
  absl::StatusOr<PresenceMember> member = ParseSigninUserData(
      R"({"id":"12345","user_info":{"name":"Mr. Channels"},"watchlist":["1","2"]})");
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_EQ(member->user_id, "12345");
  EXPECT_EQ(member->user_info_json, R"({"name":"Mr. Channels"})");
}

TEST(ParseSigninUserData, RequiresAnIdRatherThanAUserId) {
  EXPECT_THAT(std::string(ParseSigninUserData(R"({"user_id":"1"})").status().message()),
              HasSubstr("user_data.id is missing"));
  EXPECT_EQ(ParseSigninUserData(R"({"id":9})")->user_id, "9");
  EXPECT_FALSE(ParseSigninUserData(R"({"id":""})").ok());
}

}  // namespace
}  // namespace gw::pusher
