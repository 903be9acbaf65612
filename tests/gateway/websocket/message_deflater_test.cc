#include "gateway/websocket/message_deflater.h"

#include <zlib.h>

#include <string>

#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

// What a browser does with a compressed frame (RFC 7692 §7.2.2), with zlib as Chromium and
// Firefox use it: append 00 00 FF FF, inflate raw DEFLATE with a sync flush, from a fresh
// window (server_no_context_takeover).
std::string InflateLikeABrowser(const std::string& payload) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, -15), Z_OK);
  std::string input = payload + std::string("\x00\x00\xff\xff", 4);
  std::string output(64 * 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(input.data());
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  const int result = inflate(&stream, Z_SYNC_FLUSH);
  EXPECT_TRUE(result == Z_OK || result == Z_STREAM_END) << result;
  output.resize(output.size() - stream.avail_out);
  inflateEnd(&stream);
  return output;
}

// A Laravel broadcast as a Pusher server sends it: `data` is JSON escaped inside JSON.
std::string ChatBroadcast() {
  std::string data;
  for (int i = 0; i < 6; ++i) {
    data += "{\\\"id\\\":" + std::to_string(48000 + i) +
            ",\\\"body\\\":\\\"Deploy finished, error rate is back to normal.\\\","
            "\\\"user\\\":{\\\"id\\\":1937,\\\"name\\\":\\\"Amelia Hartmann\\\"}},";
  }
  return "{\"event\":\"App\\\\Events\\\\MessageSent\",\"channel\":\"private-chat.42\","
         "\"data\":\"{\\\"messages\\\":[" +
         data + "{}]}\"}";
}

TEST(MessageDeflater, OutputInflatesLikeABrowserWouldToTheSameMessage) {
  MessageDeflater deflater;
  const std::string message = ChatBroadcast();
  const std::string compressed = deflater.Deflate(message);
  ASSERT_FALSE(compressed.empty());
  EXPECT_LT(compressed.size(), message.size() / 2);
  EXPECT_EQ(InflateLikeABrowser(compressed), message);
}

TEST(MessageDeflater, EachOutputStandsAlone) {
  // The same message compresses to the same bytes every time: nothing is carried over, so one
  // result can go to every connection.
  MessageDeflater deflater;
  const std::string first = deflater.Deflate(ChatBroadcast());
  deflater.Deflate("something else entirely, something else entirely");
  EXPECT_EQ(deflater.Deflate(ChatBroadcast()), first);
}

TEST(MessageDeflater, GivesUpWhenCompressingDoesNotShrink) {
  MessageDeflater deflater;
  EXPECT_EQ(deflater.Deflate(""), "");
  EXPECT_EQ(deflater.Deflate("x"), "");
  EXPECT_EQ(deflater.Deflate("q7#Zp!"), "");
  EXPECT_FALSE(deflater.Deflate(std::string(200, 'a')).empty());
}

TEST(MessageDeflater, HandlesNonAsciiText) {
  MessageDeflater deflater;
  std::string message;
  for (int i = 0; i < 20; ++i) message += "Grüße aus Köln — 東京からこんにちは 🚀 ";
  const std::string compressed = deflater.Deflate(message);
  ASSERT_FALSE(compressed.empty());
  EXPECT_EQ(InflateLikeABrowser(compressed), message);
}

}  // namespace
}  // namespace gw::websocket
