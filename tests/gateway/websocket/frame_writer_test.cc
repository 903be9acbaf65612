#include "gateway/websocket/frame_writer.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

TEST(EncodeFrameHeader, UsesTheShortestLengthForm) {
  FrameHeader small = EncodeFrameHeader(Opcode::kText, 125);
  EXPECT_EQ(small.view(), std::string("\x81\x7D", 2));

  FrameHeader medium = EncodeFrameHeader(Opcode::kText, 126);
  EXPECT_EQ(medium.view(), std::string("\x81\x7E\x00\x7E", 4));
  EXPECT_EQ(EncodeFrameHeader(Opcode::kBinary, 65535).view(), std::string("\x82\x7E\xFF\xFF", 4));

  FrameHeader large = EncodeFrameHeader(Opcode::kText, 65536);
  EXPECT_EQ(large.view(), std::string("\x81\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(EncodeFrameHeader, MarksControlFramesFinalAndUnmasked) {
  EXPECT_EQ(EncodeFrameHeader(Opcode::kClose, 2).view(), std::string("\x88\x02", 2));
  EXPECT_EQ(EncodeFrameHeader(Opcode::kPong, 0).view(), std::string("\x8A\x00", 2));
}

TEST(EncodeFrameHeader, SetsRsv1ForACompressedPayload) {
  EXPECT_EQ(EncodeFrameHeader(Opcode::kText, 5, /*compressed=*/true).view(),
            std::string("\xC1\x05", 2));
  EXPECT_EQ(EncodeFrameHeader(Opcode::kText, 300, /*compressed=*/true).view(),
            std::string("\xC1\x7E\x01\x2C", 4));
}

TEST(ClosePayload, PutsTheCodeInNetworkOrderBeforeTheReason) {
  EXPECT_EQ(ClosePayload(4100, "slow"), std::string("\x10\x04slow", 6));
  EXPECT_EQ(ClosePayload(1000, ""), std::string("\x03\xE8", 2));
}

TEST(ClosePayload, CutsLongReasonsAtACharacterBoundary) {
  std::string reason(122, 'x');
  reason += "\xC3\xA9";  // a two-byte character straddling byte 123
  std::string payload = ClosePayload(4200, reason);
  EXPECT_EQ(payload.size(), 2u + 122u);
  EXPECT_LE(ClosePayload(4200, std::string(500, 'y')).size(), 125u);
}

}  // namespace
}  // namespace gw::websocket
