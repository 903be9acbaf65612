#include "clients/bench/wire_format.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::bench {
namespace {

using ::testing::HasSubstr;

// Decodes one masked client frame back to its payload.
std::string UnmaskPayload(const std::string& frame) {
  std::optional<WsFrameHeader> header = ParseWsFrameHeader(frame);
  EXPECT_TRUE(header.has_value());
  if (!header) return "";
  EXPECT_TRUE(header->masked);
  EXPECT_EQ(frame.size(), header->header_length + header->payload_length);
  std::string payload = frame.substr(header->header_length);
  ApplyWsMask(payload.data(), payload.size(), header->mask);
  return payload;
}

TEST(WsClientFrame, MasksASmallTextFrame) {
  std::string frame;
  AppendWsClientFrame(kWsText, "hello", 0x01020304, &frame);
  ASSERT_EQ(frame.size(), 2u + 4u + 5u);
  EXPECT_EQ(static_cast<uint8_t>(frame[0]), 0x81);  // FIN + text
  EXPECT_EQ(static_cast<uint8_t>(frame[1]), 0x85);  // masked, length 5
  EXPECT_EQ(frame[6], static_cast<char>('h' ^ 0x01));
  EXPECT_EQ(UnmaskPayload(frame), "hello");
}

TEST(WsClientFrame, UsesExtendedLengthsAt126AndAt64KiB) {
  for (size_t size : {125u, 126u, 65535u, 65536u, 70000u}) {
    std::string payload(size, 'a');
    std::string frame;
    AppendWsClientFrame(kWsText, payload, 0xdeadbeef, &frame);
    std::optional<WsFrameHeader> header = ParseWsFrameHeader(frame);
    ASSERT_TRUE(header.has_value()) << size;
    EXPECT_EQ(header->payload_length, size);
    EXPECT_EQ(header->header_length, size < 126 ? 6u : (size <= 65535 ? 8u : 14u));
    EXPECT_EQ(UnmaskPayload(frame), payload);
  }
}

TEST(ParseWsFrameHeader, ReadsAnUnmaskedServerFrame) {
  const std::string frame = std::string("\x81\x03", 2) + "abc";
  std::optional<WsFrameHeader> header = ParseWsFrameHeader(frame);
  ASSERT_TRUE(header.has_value());
  EXPECT_TRUE(header->fin);
  EXPECT_EQ(header->opcode, kWsText);
  EXPECT_FALSE(header->masked);
  EXPECT_EQ(header->payload_length, 3u);
  EXPECT_EQ(header->header_length, 2u);
}

TEST(ParseWsFrameHeader, SeesRsv1OfACompressedFrame) {
  EXPECT_TRUE(ParseWsFrameHeader(std::string("\xC1\x02zz", 4))->rsv1);
  EXPECT_FALSE(ParseWsFrameHeader(std::string("\x81\x02zz", 4))->rsv1);
}

TEST(ParseWsFrameHeader, WaitsForIncompleteHeaders) {
  EXPECT_FALSE(ParseWsFrameHeader("").has_value());
  EXPECT_FALSE(ParseWsFrameHeader(std::string("\x81", 1)).has_value());
  EXPECT_FALSE(ParseWsFrameHeader(std::string("\x81\x7e\x01", 3)).has_value());
  EXPECT_FALSE(ParseWsFrameHeader(std::string("\x81\x7f\x00\x00\x00", 5)).has_value());
  EXPECT_FALSE(ParseWsFrameHeader(std::string("\x81\x85\x01\x02", 4)).has_value());
}

TEST(ParseWsFrameHeader, ReadsCloseAndFragmentFlags) {
  std::optional<WsFrameHeader> close = ParseWsFrameHeader(std::string("\x88\x02\x10\x04", 4));
  ASSERT_TRUE(close.has_value());
  EXPECT_EQ(close->opcode, kWsClose);
  std::optional<WsFrameHeader> first = ParseWsFrameHeader(std::string("\x01\x01x", 3));
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->fin);
  EXPECT_EQ(first->opcode, kWsText);
}

TEST(WsUpgradeRequest, AsksForProtocol7OnTheAppPath) {
  const std::string request = WsUpgradeRequest("127.0.0.1:6001", "app-key");
  EXPECT_EQ(request.rfind("GET /app/app-key?protocol=7&", 0), 0u);
  EXPECT_THAT(request, HasSubstr("\r\nHost: 127.0.0.1:6001\r\n"));
  EXPECT_THAT(request, HasSubstr("\r\nUpgrade: websocket\r\n"));
  EXPECT_THAT(request, HasSubstr("\r\nSec-WebSocket-Version: 13\r\n"));
  EXPECT_EQ(request.substr(request.size() - 4), "\r\n\r\n");
}

TEST(WsUpgradeRequest, SendsAKeyOfSixteenBytesAsTheRfcRequires) {
  const std::string request = WsUpgradeRequest("127.0.0.1:6001", "app-key");
  const std::string field = "\r\nSec-WebSocket-Key: ";
  const size_t at = request.find(field);
  ASSERT_NE(at, std::string::npos);
  const std::string key = request.substr(at + field.size(), request.find("\r\n", at + 2) -
                                                                 (at + field.size()));
  // 16 bytes in base64: 22 characters of the alphabet, then "==".
  ASSERT_EQ(key.size(), 24u) << key;
  EXPECT_EQ(key.substr(22), "==") << key;
  EXPECT_EQ(key.find('='), 22u) << key;
}

TEST(WsUpgradeRequest, OffersPermessageDeflateOnlyWhenAsked) {
  EXPECT_THAT(WsUpgradeRequest("127.0.0.1:6001", "k"), ::testing::Not(HasSubstr("Extensions")));
  const std::string offer = WsUpgradeRequest("127.0.0.1:6001", "k", /*offer_deflate=*/true);
  EXPECT_THAT(
      offer,
      HasSubstr("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
  EXPECT_EQ(offer.substr(offer.size() - 4), "\r\n\r\n");
}

TEST(ParseHttpResponseHead, SeesANegotiatedPermessageDeflate) {
  EXPECT_TRUE(ParseHttpResponseHead("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Extensions: "
                                    "permessage-deflate; server_no_context_takeover\r\n\r\n")
                  ->permessage_deflate);
  EXPECT_FALSE(
      ParseHttpResponseHead("HTTP/1.1 101 Switching Protocols\r\n\r\n")->permessage_deflate);
}

TEST(ParseHttpResponseHead, ReadsStatusLengthAndKeepAlive) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\n\r\n{}";
  std::optional<HttpResponseHead> head = ParseHttpResponseHead(response);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->content_length, 2u);
  EXPECT_TRUE(head->keep_alive);
  EXPECT_FALSE(head->chunked);
  EXPECT_EQ(head->head_length, response.size() - 2);  // all but the body
}

TEST(ParseHttpResponseHead, SeesConnectionCloseAndHttp10) {
  std::optional<HttpResponseHead> closing =
      ParseHttpResponseHead("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 11\r\n\r\n");
  ASSERT_TRUE(closing.has_value());
  EXPECT_FALSE(closing->keep_alive);
  std::optional<HttpResponseHead> old = ParseHttpResponseHead("HTTP/1.0 413 Too Large\r\n\r\n");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->status, 413);
  EXPECT_FALSE(old->keep_alive);
  std::optional<HttpResponseHead> old_kept =
      ParseHttpResponseHead("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n");
  ASSERT_TRUE(old_kept.has_value());
  EXPECT_TRUE(old_kept->keep_alive);
}

TEST(ParseHttpResponseHead, WaitsForTheBlankLineAndFlagsOddResponses) {
  EXPECT_FALSE(ParseHttpResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n").has_value());
  std::optional<HttpResponseHead> chunked =
      ParseHttpResponseHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(chunked.has_value());
  EXPECT_TRUE(chunked->chunked);
  std::optional<HttpResponseHead> garbage = ParseHttpResponseHead("SSH-2.0-OpenSSH\r\n\r\n");
  ASSERT_TRUE(garbage.has_value());
  EXPECT_EQ(garbage->status, 0);
  std::optional<HttpResponseHead> upgrade = ParseHttpResponseHead(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  ASSERT_TRUE(upgrade.has_value());
  EXPECT_EQ(upgrade->status, 101);
}

}  // namespace
}  // namespace gw::bench
