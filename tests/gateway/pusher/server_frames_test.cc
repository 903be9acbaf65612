#include "gateway/pusher/server_frames.h"

#include <boost/json.hpp>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::pusher {
namespace {

namespace json = boost::json;

// Parses a frame the way a client does; a frame that is not valid JSON fails the test.
json::value Decode(std::string_view frame) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(frame.data(), frame.size()), ec);
  EXPECT_FALSE(ec) << "not JSON: " << frame;
  return value;
}

// pusher-js decodes `data` a second time when it is a string that parses as JSON.
json::value DecodeData(std::string_view frame) {
  const json::value outer = Decode(frame);
  const json::object* object = outer.if_object();
  const json::value* member = object == nullptr ? nullptr : object->if_contains("data");
  const json::string* data = member == nullptr ? nullptr : member->if_string();
  EXPECT_NE(data, nullptr) << "data is not a string: " << frame;
  if (data == nullptr) return nullptr;
  return Decode(std::string_view(data->data(), data->size()));
}

// The string at `pointer`, or a description of what is there instead.
std::string StringAt(const json::value& value, std::string_view pointer) {
  boost::system::error_code ec;
  const json::value* found =
      value.find_pointer(json::string_view(pointer.data(), pointer.size()), ec);
  if (found == nullptr) return "<nothing at " + std::string(pointer) + ">";
  const json::string* string = found->if_string();
  if (string == nullptr) return "<not a string: " + json::serialize(*found) + ">";
  return std::string(string->data(), string->size());
}

// The JSON text at `pointer`, for non-string members.
std::string JsonAt(const json::value& value, std::string_view pointer) {
  boost::system::error_code ec;
  const json::value* found =
      value.find_pointer(json::string_view(pointer.data(), pointer.size()), ec);
  return found == nullptr ? "<nothing at " + std::string(pointer) + ">" : json::serialize(*found);
}

TEST(ConnectionEstablishedFrame, DoubleEncodesSocketIdAndActivityTimeout) {
  EXPECT_EQ(ConnectionEstablishedFrame("123.456", 120),
            R"({"event":"pusher:connection_established",)"
            R"("data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"})");
}

TEST(ConnectionEstablishedFrame, DecodesAsPusherJsExpects) {
  const json::value data = DecodeData(ConnectionEstablishedFrame("1.2", 30));
  EXPECT_EQ(StringAt(data, "/socket_id"), "1.2");
  EXPECT_EQ(JsonAt(data, "/activity_timeout"), "30");
}

TEST(ErrorFrame, CarriesAnObjectWithCodeAndMessage) {
  EXPECT_EQ(
      ErrorFrame(4009, "Connection is unauthorized"),
      R"({"event":"pusher:error","data":{"code":4009,"message":"Connection is unauthorized"}})");
}

TEST(ErrorFrame, SendsANullCodeWhenThereIsNone) {
  EXPECT_EQ(ErrorFrame(std::nullopt, "bad"),
            R"({"event":"pusher:error","data":{"code":null,"message":"bad"}})");
}

TEST(ErrorFrame, EscapesTheMessage) {
  const std::string frame = ErrorFrame(4301, "quote \" backslash \\ newline \n tab \t nul " +
                                                 std::string(1, '\0') + " bell \x07 end");
  EXPECT_THAT(frame, ::testing::HasSubstr(
                         R"(quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 end)"));
  EXPECT_EQ(
      StringAt(Decode(frame), "/data/message"),
      "quote \" backslash \\ newline \n tab \t nul " + std::string(1, '\0') + " bell \x07 end");
}

TEST(PingFrame, MatchesTheProtocol) {
  EXPECT_EQ(PingFrame(), R"({"event":"pusher:ping","data":"{}"})");
  EXPECT_EQ(PongFrame(), R"({"event":"pusher:pong","data":"{}"})");
}

TEST(SubscriptionSucceededFrame, CarriesTheChannelAndAnEmptyObjectString) {
  EXPECT_EQ(
      SubscriptionSucceededFrame("private-a"),
      R"({"event":"pusher_internal:subscription_succeeded","channel":"private-a","data":"{}"})");
}

TEST(PresenceSubscriptionSucceededFrame, ListsMembersWithUserInfoVerbatim) {
  const std::string frame = PresenceSubscriptionSucceededFrame(
      "presence-room", {{"1", R"({"name":"Ann"})"}, {"2", "null"}, {"3", R"("three")"}});
  EXPECT_EQ(frame,
            R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room",)"
            R"("data":"{\"presence\":{\"ids\":[\"1\",\"2\",\"3\"],)"
            R"(\"hash\":{\"1\":{\"name\":\"Ann\"},\"2\":null,\"3\":\"three\"},\"count\":3}}"})");
  const json::value data = DecodeData(frame);
  EXPECT_EQ(JsonAt(data, "/presence/count"), "3");
  EXPECT_EQ(StringAt(data, "/presence/hash/1/name"), "Ann");
}

TEST(PresenceSubscriptionSucceededFrame, HandlesAnEmptyRoster) {
  const json::value data = DecodeData(PresenceSubscriptionSucceededFrame("presence-a", {}));
  EXPECT_EQ(json::serialize(data), R"({"presence":{"ids":[],"hash":{},"count":0}})");
}

TEST(PresenceSubscriptionSucceededFrame, EscapesUserIdsAndSurvivesDoubleDecoding) {
  const std::string tricky_id = "a\"b\\c\n";
  const json::value data = DecodeData(PresenceSubscriptionSucceededFrame(
      "presence-a", {{tricky_id, R"({"bio":"line1\nline2 \"q\" \\ \u00e9"})"}}));
  EXPECT_EQ(StringAt(data, "/presence/ids/0"), tricky_id);
  // A JSON pointer cannot name this key without escaping it, so look it up directly.
  const json::value* hash = data.is_object() ? data.get_object().if_contains("presence") : nullptr;
  hash = hash != nullptr && hash->is_object() ? hash->get_object().if_contains("hash") : nullptr;
  ASSERT_NE(hash, nullptr);
  const json::value* info = hash->is_object() ? hash->get_object().if_contains(tricky_id) : nullptr;
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(StringAt(*info, "/bio"), "line1\nline2 \"q\" \\ \xc3\xa9");
}

TEST(PresenceSubscriptionSucceededFrame, WritesNullForAnEmptyUserInfo) {
  const json::value data =
      DecodeData(PresenceSubscriptionSucceededFrame("presence-a", {{"1", ""}}));
  EXPECT_EQ(JsonAt(data, "/presence/hash/1"), "null");
}

TEST(SubscriptionErrorFrame, CarriesAnObjectLikeSoketi) {
  EXPECT_EQ(SubscriptionErrorFrame("private-a", "AuthError", "Invalid signature", 401),
            R"({"event":"pusher:subscription_error","channel":"private-a",)"
            R"("data":{"type":"AuthError","error":"Invalid signature","status":401}})");
}

TEST(MemberAddedFrame, DoubleEncodesUserIdAndInfo) {
  const std::string frame = MemberAddedFrame("presence-a", "7", R"({"name":"Bo"})");
  EXPECT_EQ(frame, R"({"event":"pusher_internal:member_added","channel":"presence-a",)"
                   R"("data":"{\"user_id\":\"7\",\"user_info\":{\"name\":\"Bo\"}}"})");
  EXPECT_EQ(StringAt(DecodeData(frame), "/user_info/name"), "Bo");
  EXPECT_EQ(JsonAt(DecodeData(MemberAddedFrame("presence-a", "7", "")), "/user_info"), "null");
}

TEST(MemberRemovedFrame, DoubleEncodesTheUserId) {
  EXPECT_EQ(MemberRemovedFrame("presence-a", "7"),
            R"({"event":"pusher_internal:member_removed","channel":"presence-a",)"
            R"("data":"{\"user_id\":\"7\"}"})");
}

TEST(EventFrame, SendsThePublishersDataAsAJsonString) {
  EXPECT_EQ(EventFrame("news", "update", R"({"some":"data"})"),
            R"({"event":"update","channel":"news","data":"{\"some\":\"data\"}"})");
}

TEST(EventFrame, KeepsNonJsonDataAsAPlainString) {
  const std::string frame = EventFrame("news", "update", "plain \"text\"\r\n\x1f");
  EXPECT_EQ(StringAt(Decode(frame), "/data"), "plain \"text\"\r\n\x1f");
  EXPECT_EQ(frame, R"({"event":"update","channel":"news","data":"plain \"text\"\r\n\u001f"})");
}

TEST(EventFrame, PassesUtf8AndDelThroughUnchanged) {
  const std::string frame = EventFrame("news", "update", "caf\xc3\xa9 \xf0\x9f\x98\x80 \x7f");
  EXPECT_EQ(frame,
            "{\"event\":\"update\",\"channel\":\"news\",\"data\":\"caf\xc3\xa9 "
            "\xf0\x9f\x98\x80 \x7f\"}");
}

TEST(EventFrame, EscapesEventAndChannelNames) {
  const json::value frame = Decode(EventFrame("a\"b", "e\\v", ""));
  EXPECT_EQ(StringAt(frame, "/channel"), "a\"b");
  EXPECT_EQ(StringAt(frame, "/event"), "e\\v");
  EXPECT_EQ(StringAt(frame, "/data"), "");
}

TEST(EventFrame, EncodesLargePayloads) {
  const std::string data(1 << 20, '"');
  EXPECT_EQ(StringAt(Decode(EventFrame("c", "e", data)), "/data"), data);
}

TEST(ClientEventFrame, KeepsTheSendersJsonType) {
  EXPECT_EQ(ClientEventFrame("private-a", "client-x", R"({"n":1})", std::nullopt),
            R"({"event":"client-x","channel":"private-a","data":{"n":1}})");
  EXPECT_EQ(ClientEventFrame("private-a", "client-x", R"("hi")", std::nullopt),
            R"({"event":"client-x","channel":"private-a","data":"hi"})");
}

TEST(ClientEventFrame, AddsTheUserIdOnPresenceChannels) {
  EXPECT_EQ(ClientEventFrame("presence-a", "client-x", "null", "u\"1"),
            R"({"event":"client-x","channel":"presence-a","data":null,"user_id":"u\"1"})");
}

TEST(ClientEventFrame, WritesNullForEmptyData) {
  EXPECT_EQ(ClientEventFrame("private-a", "client-x", "", std::nullopt),
            R"({"event":"client-x","channel":"private-a","data":null})");
}

}  // namespace
}  // namespace gw::pusher
