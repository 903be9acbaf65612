#include "gateway/websocket/message_inflater.h"

#include <zlib.h>

#include <string>

#include "gateway/websocket/frame_writer.h"
#include "gateway/websocket/message_deflater.h"
#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

// What a browser sends (RFC 7692 §7.2.1), made with zlib as Chromium does: raw DEFLATE with a
// sync flush from a fresh window, the trailing 00 00 FF FF dropped.
std::string CompressLikeABrowser(const std::string& message) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string output(deflateBound(&stream, message.size()) + 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  stream.avail_in = static_cast<uInt>(message.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  EXPECT_EQ(deflate(&stream, Z_SYNC_FLUSH), Z_OK);
  output.resize(output.size() - stream.avail_out);
  deflateEnd(&stream);
  EXPECT_EQ(output.substr(output.size() - 4), std::string("\x00\x00\xff\xff", 4));
  output.resize(output.size() - 4);
  return output;
}

TEST(MessageInflater, InflatesWhatABrowserSends) {
  MessageInflater inflater(1024);
  const std::string message = R"({"event":"pusher:subscribe","data":{"channel":"chat"}})";
  const MessageInflater::Result result = inflater.Inflate(CompressLikeABrowser(message));
  EXPECT_EQ(result.close_code, 0);
  EXPECT_EQ(result.message, message);
}

TEST(MessageInflater, InflatesMessagesOneAfterAnotherFromAnEmptyWindow) {
  MessageInflater inflater(1024);
  for (const std::string message : {"first message", "second, second, second", ""}) {
    const MessageInflater::Result result = inflater.Inflate(CompressLikeABrowser(message));
    EXPECT_EQ(result.close_code, 0);
    EXPECT_EQ(result.message, message);
  }
}

TEST(MessageInflater, InflatesAMessageEndingInAFinalBlock) {
  // RFC 7692 §7.2.3.4: a sender may end with BFINAL set (as our own deflater does).
  MessageDeflater deflater;
  const std::string message(500, 'z');
  MessageInflater inflater(1024);
  const MessageInflater::Result result = inflater.Inflate(deflater.Deflate(message));
  EXPECT_EQ(result.close_code, 0);
  EXPECT_EQ(result.message, message);
}

TEST(MessageInflater, InflatesTheEmptyMessageOfTheRfc) {
  MessageInflater inflater(1024);
  const MessageInflater::Result result = inflater.Inflate(std::string(1, '\0'));  // §7.2.3.6
  EXPECT_EQ(result.close_code, 0);
  EXPECT_EQ(result.message, "");
}

TEST(MessageInflater, InflatesAMessageOfExactlyTheLimit) {
  MessageInflater inflater(4096);
  const std::string message(4096, 'a');
  EXPECT_EQ(inflater.Inflate(CompressLikeABrowser(message)).message, message);
}

TEST(MessageInflater, RefusesABombWith1009) {
  // 10 MiB of zeros compress to about 10 KB; the inflater stops at its 64 KiB bound.
  MessageInflater inflater(64 * 1024);
  const std::string bomb = CompressLikeABrowser(std::string(10 * 1024 * 1024, '\0'));
  ASSERT_LT(bomb.size(), 16u * 1024);
  EXPECT_EQ(inflater.Inflate(bomb).close_code, kCloseMessageTooBig);
  EXPECT_EQ(inflater.Inflate(CompressLikeABrowser(std::string(4097, 'a'))).close_code, 0);
  MessageInflater small(4096);
  EXPECT_EQ(small.Inflate(CompressLikeABrowser(std::string(4097, 'a'))).close_code,
            kCloseMessageTooBig);
}

TEST(MessageInflater, RefusesDataThatIsNotDeflateWith1007) {
  MessageInflater inflater(1024);
  // Block type 11 is reserved.
  EXPECT_EQ(inflater.Inflate(std::string("\xff\xff\xff\xff", 4)).close_code, kCloseInvalidPayload);
  // A stored block whose length and its complement disagree.
  EXPECT_EQ(inflater.Inflate(std::string("\x00\x05\x00\x00\x00", 5)).close_code,
            kCloseInvalidPayload);
  // And the inflater still works after.
  EXPECT_EQ(inflater.Inflate(CompressLikeABrowser("fine")).message, "fine");
}

}  // namespace
}  // namespace gw::websocket
