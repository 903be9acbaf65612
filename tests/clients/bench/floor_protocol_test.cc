#include "clients/bench/floor_protocol.h"

#include <string>

#include "clients/bench/pusher_frames.h"
#include "clients/bench/wire_format.h"
#include "gtest/gtest.h"

namespace gw::bench {
namespace {

std::string PayloadOf(const std::string& frame) {
  std::optional<WsFrameHeader> header = ParseWsFrameHeader(frame);
  EXPECT_TRUE(header.has_value());
  if (!header) return "";
  EXPECT_FALSE(header->masked);
  EXPECT_TRUE(header->fin);
  EXPECT_EQ(header->header_length + header->payload_length, frame.size());
  return frame.substr(header->header_length);
}

TEST(ServerFrame, UsesEachLengthEncoding) {
  EXPECT_EQ(ServerFrame("hi"), std::string("\x81\x02hi"));
  for (size_t size : {125u, 126u, 65535u, 65536u}) {
    const std::string payload(size, 'x');
    EXPECT_EQ(PayloadOf(ServerFrame(payload)), payload) << size;
  }
  EXPECT_EQ(ServerFrame("", kWsPong), std::string("\x8A\x00", 2));
}

TEST(DeliveriesOfPublish, FramesAnEventOncePerChannel) {
  absl::StatusOr<std::vector<FloorDelivery>> deliveries =
      DeliveriesOfPublish(R"({"name":"bench","channels":["a","b"],"data":"rtb:1:2:xx"})", false);
  ASSERT_TRUE(deliveries.ok()) << deliveries.status();
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ((*deliveries)[0].channel, "a");
  EXPECT_EQ(PayloadOf((*deliveries)[1].frame),
            R"({"event":"bench","channel":"b","data":"rtb:1:2:xx"})");
  // What the bench reads from it: the event, then the stamp.
  const std::string text = PayloadOf((*deliveries)[0].frame);
  EXPECT_EQ(ClassifyFrame(text), FrameKind::kTimed);
  EXPECT_EQ(FindStamp(text)->seq, 1u);
}

TEST(DeliveriesOfPublish, ReadsBatchesAndSendsNonStringDataAsText) {
  absl::StatusOr<std::vector<FloorDelivery>> deliveries = DeliveriesOfPublish(
      R"({"batch":[{"name":"e","channel":"a","data":"x"},{"name":"f","channel":"b","data":{"n":1}}]})",
      true);
  ASSERT_TRUE(deliveries.ok()) << deliveries.status();
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ(PayloadOf((*deliveries)[1].frame), R"({"event":"f","channel":"b","data":"{\"n\":1}"})");
  EXPECT_FALSE(DeliveriesOfPublish("[]", false).ok());
  EXPECT_FALSE(DeliveriesOfPublish(R"({"name":"e"})", true).ok());
}

TEST(SubscribedChannel, ReadsOnlySubscribeMessages) {
  EXPECT_EQ(SubscribedChannel(R"({"event":"pusher:subscribe","data":{"channel":"bench-0"}})"),
            "bench-0");
  EXPECT_EQ(SubscribedChannel(R"({"event":"pusher:ping","data":{}})"), std::nullopt);
  EXPECT_EQ(SubscribedChannel("not json"), std::nullopt);
  EXPECT_TRUE(IsPusherPing(R"({"event":"pusher:ping","data":{}})"));
  EXPECT_FALSE(IsPusherPing(R"({"event":"pusher:pong","data":{}})"));
}

TEST(FloorMessages, AreWhatTheBenchRecognises) {
  EXPECT_EQ(ClassifyFrame(ConnectionEstablishedMessage("1.2")), FrameKind::kConnectionEstablished);
  EXPECT_EQ(FindSocketId(ConnectionEstablishedMessage("1.2")), "1.2");
  EXPECT_EQ(ClassifyFrame(SubscriptionSucceededMessage("bench-0")),
            FrameKind::kSubscriptionSucceeded);
}

}  // namespace
}  // namespace gw::bench
