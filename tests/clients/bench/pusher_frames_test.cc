#include "clients/bench/pusher_frames.h"

#include <boost/json.hpp>
#include <string>

#include "gtest/gtest.h"

namespace gw::bench {
namespace {

TEST(WriteTimedPayload, WritesTheStampThenPadsToTheSize) {
  std::string payload;
  WriteTimedPayload(42, 1234567890123, 40, &payload);
  EXPECT_EQ(payload, "rtb:42:1234567890123:xxxxxxxxxxxxxxxxxxx");
  EXPECT_EQ(payload.size(), 40u);
}

TEST(WriteTimedPayload, NeverCutsTheStampAndReusesTheString) {
  std::string payload = "previous contents that are long";
  WriteTimedPayload(18446744073709551615ull, 9223372036854775807, 10, &payload);
  EXPECT_EQ(payload, "rtb:18446744073709551615:9223372036854775807:");
}

TEST(WriteTimedJsonPayload, WritesValidJsonOfExactlyTheSizeWithTheStamp) {
  std::string payload;
  for (size_t size : {120u, 1000u, 1500u, 10000u}) {
    WriteTimedJsonPayload(7, 123456789, size, &payload);
    EXPECT_EQ(payload.size(), size);
    boost::system::error_code ec;
    boost::json::value json = boost::json::parse(payload, ec);
    ASSERT_FALSE(ec) << payload;
    EXPECT_EQ(json.at("stamp").as_string(), "rtb:7:123456789:");
    if (size >= 1000) {
      EXPECT_GE(json.at("messages").as_array().size(), 2u) << size;
    }
  }
}

TEST(WriteTimedJsonPayload, SurvivesEscapingIntoAPusherFrame) {
  std::string payload;
  WriteTimedJsonPayload(42, 99, 1000, &payload);
  std::string frame = R"({"event":"bench","channel":"c","data":")";
  AppendJsonEscaped(payload, &frame);
  frame += "\"}";
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(frame, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(json.at("data").as_string(), payload);
  std::optional<Stamp> stamp = FindStamp(frame);
  ASSERT_TRUE(stamp.has_value());
  EXPECT_EQ(stamp->seq, 42u);
  EXPECT_EQ(stamp->send_ns, 99);
}

TEST(AppendJsonEscaped, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonEscaped("a\"b\\c\n", &out);
  EXPECT_EQ(out, "a\\\"b\\\\c\\u000a");
}

TEST(FindStamp, ReadsTheStampFromAGatewayFrame) {
  const std::string frame =
      R"({"event":"bench","channel":"bench-0","data":"rtb:7:5000000123:xxxxxxxx"})";
  std::optional<Stamp> stamp = FindStamp(frame);
  ASSERT_TRUE(stamp.has_value());
  EXPECT_EQ(stamp->seq, 7u);
  EXPECT_EQ(stamp->send_ns, 5000000123);
}

TEST(FindStamp, ReadsTheStampWhateverTheKeyOrder) {
  // A presence client event as relayed with user_id, keys in another order.
  const std::string frame =
      R"({"data":"rtb:99:123:xx","user_id":"u3","channel":"presence-bench-1","event":"client-bench"})";
  std::optional<Stamp> stamp = FindStamp(frame);
  ASSERT_TRUE(stamp.has_value());
  EXPECT_EQ(stamp->seq, 99u);
  EXPECT_EQ(stamp->send_ns, 123);
}

TEST(FindStamp, RoundTripsWhatWriteTimedPayloadWrote) {
  std::string payload;
  WriteTimedPayload(31337, 987654321987, 100, &payload);
  std::optional<Stamp> stamp = FindStamp(payload);
  ASSERT_TRUE(stamp.has_value());
  EXPECT_EQ(stamp->seq, 31337u);
  EXPECT_EQ(stamp->send_ns, 987654321987);
}

TEST(FindStamp, RejectsBrokenStamps) {
  EXPECT_FALSE(FindStamp(R"({"event":"bench","data":"hello"})").has_value());
  EXPECT_FALSE(FindStamp("rtb:").has_value());
  EXPECT_FALSE(FindStamp("rtb:12").has_value());
  EXPECT_FALSE(FindStamp("rtb:12:").has_value());
  EXPECT_FALSE(FindStamp("rtb:12:34").has_value());  // cut before the closing colon
  EXPECT_FALSE(FindStamp("rtb:x:34:").has_value());
  EXPECT_FALSE(FindStamp("rtb:-1:34:").has_value());
}

TEST(ClassifyFrame, KnowsTheFramesTheBenchReactsTo) {
  EXPECT_EQ(ClassifyFrame(R"({"event":"bench","channel":"bench-0","data":"rtb:1:2:"})"),
            FrameKind::kTimed);
  EXPECT_EQ(ClassifyFrame(R"({"event":"client-bench","channel":"presence-x","data":"rtb:1:2:"})"),
            FrameKind::kTimed);
  EXPECT_EQ(
      ClassifyFrame(
          R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":30}"})"),
      FrameKind::kConnectionEstablished);
  EXPECT_EQ(
      ClassifyFrame(
          R"({"event":"pusher_internal:subscription_succeeded","channel":"bench-0","data":"{}"})"),
      FrameKind::kSubscriptionSucceeded);
  EXPECT_EQ(ClassifyFrame(R"({"event":"pusher:ping","data":"{}"})"), FrameKind::kPing);
  EXPECT_EQ(ClassifyFrame(R"({"event":"pusher:error","data":{"message":"x","code":4301}})"),
            FrameKind::kError);
  EXPECT_EQ(
      ClassifyFrame(
          R"({"event":"pusher:subscription_error","channel":"presence-x","data":{"type":"AuthError","status":401}})"),
      FrameKind::kSubscriptionError);
  EXPECT_EQ(ClassifyFrame(R"({"event":"pusher_internal:member_added","channel":"p","data":"{}"})"),
            FrameKind::kOther);
  EXPECT_EQ(ClassifyFrame("not json"), FrameKind::kOther);
}

TEST(ClassifyFrame, IsNotFooledByAnEventKeyInsideData) {
  // The escaped "event" inside data must not be taken for the frame's own.
  EXPECT_EQ(
      ClassifyFrame(
          R"({"channel":"c","data":"{\"event\":\"bench\"}","event":"pusher_internal:member_added"})"),
      FrameKind::kOther);
}

TEST(ClassifyFrame, ToleratesSpacesAfterTheColon) {
  EXPECT_EQ(ClassifyFrame(R"({"event": "pusher:ping", "data": "{}"})"), FrameKind::kPing);
}

TEST(FindSocketId, ReadsItFromBothServersEncodings) {
  EXPECT_EQ(
      FindSocketId(
          R"({"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":30}"})"),
      "123.456");
  EXPECT_EQ(FindSocketId(R"({"event":"pusher:connection_established","data":{"socket_id":"9.8"}})"),
            "9.8");
  EXPECT_EQ(FindSocketId(R"({"event":"pusher:connection_established","data":"{}"})"), std::nullopt);
}

TEST(FindErrorCode, ReadsTheCodeWhereverTheMessageMentionsCode) {
  EXPECT_EQ(
      FindErrorCode(R"({"event":"pusher:error","data":{"message":"bad code here","code":4301}})"),
      4301);
  EXPECT_EQ(FindErrorCode(R"({"event":"pusher:error","data":"{\"message\":\"x\",\"code\":4009}"})"),
            4009);
  EXPECT_EQ(FindErrorCode(R"({"event":"pusher:error","data":{"message":"x","code":null}})"),
            std::nullopt);
}

TEST(SubscribeMessage, EscapesChannelDataAsAJsonString) {
  EXPECT_EQ(SubscribeMessage("bench-0", "", ""),
            R"({"event":"pusher:subscribe","data":{"channel":"bench-0"}})");
  EXPECT_EQ(SubscribeMessage("presence-x", "key:abc", R"({"user_id":"u1"})"),
            R"({"event":"pusher:subscribe","data":{"channel":"presence-x","auth":"key:abc",)"
            R"("channel_data":"{\"user_id\":\"u1\"}"}})");
}

TEST(WriteClientEvent, WritesAClientEventOnTheChannel) {
  std::string out = "old";
  WriteClientEvent("presence-bench-2", "rtb:1:2:xx", &out);
  EXPECT_EQ(out, R"({"event":"client-bench","channel":"presence-bench-2","data":"rtb:1:2:xx"})");
}

TEST(WritePublishBody, WritesAnHttpApiEventsBody) {
  std::string out;
  WritePublishBody("bench-3", "rtb:5:6:", &out);
  EXPECT_EQ(out, R"({"name":"bench","channels":["bench-3"],"data":"rtb:5:6:"})");
}

TEST(WriteBatchPublishBody, WritesOneEventPerChannelAndPayload) {
  std::string out = "old";
  WriteBatchPublishBody({{"bench-0", "rtb:1:2:"}, {"bench-1", "rtb:2:2:"}}, &out);
  EXPECT_EQ(out, R"({"batch":[{"name":"bench","channel":"bench-0","data":"rtb:1:2:"},)"
                 R"({"name":"bench","channel":"bench-1","data":"rtb:2:2:"}]})");
}

}  // namespace
}  // namespace gw::bench
