#include "gateway/cluster/redis_reply_reader.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

using ::testing::HasSubstr;
using std::string_literals::operator""s;

// Every reply in `bytes`, fed in pieces of `step` bytes.
std::vector<RedisReply> ReadAll(std::string_view bytes, size_t step, size_t bound = 1 << 20) {
  RedisReplyReader reader(bound);
  std::vector<RedisReply> replies;
  for (size_t at = 0; at < bytes.size(); at += step) {
    EXPECT_TRUE(reader.Feed(bytes.substr(at, step)).ok());
    while (true) {
      absl::StatusOr<std::optional<RedisReply>> next = reader.Next();
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok() || !next->has_value()) break;
      replies.push_back(std::move(**next));
    }
  }
  EXPECT_EQ(reader.buffered_bytes(), 0u);
  return replies;
}

// The first error the reader reports for `bytes` fed at once.
absl::Status FirstError(std::string_view bytes, size_t bound = 1 << 20) {
  RedisReplyReader reader(bound);
  if (absl::Status fed = reader.Feed(bytes); !fed.ok()) return fed;
  while (true) {
    absl::StatusOr<std::optional<RedisReply>> next = reader.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return absl::OkStatus();
  }
}

TEST(RedisReplyReader, ReadsEveryRespTwoType) {
  const std::string bytes =
      "+OK\r\n-ERR wrong\r\n:42\r\n:-7\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n";
  const std::vector<RedisReply> expected = {
      RedisReply::Status("OK"), RedisReply::Error("ERR wrong"), RedisReply::Integer(42),
      RedisReply::Integer(-7),  RedisReply::String("abc"),      RedisReply::Nil(),
      RedisReply::Nil(),        RedisReply::Array({}),          RedisReply::String("")};
  for (const size_t step : {bytes.size(), size_t{1}, size_t{3}}) {
    EXPECT_EQ(ReadAll(bytes, step), expected) << "fed " << step << " bytes at a time";
  }
}

TEST(RedisReplyReader, ReadsNestedArrays) {
  const std::string bytes = "*3\r\n:1\r\n*2\r\n$1\r\na\r\n*1\r\n$-1\r\n+x\r\n";
  const RedisReply expected = RedisReply::Array(
      {RedisReply::Integer(1),
       RedisReply::Array({RedisReply::String("a"), RedisReply::Array({RedisReply::Nil()})}),
       RedisReply::Status("x")});
  for (const size_t step : {bytes.size(), size_t{1}}) {
    const std::vector<RedisReply> replies = ReadAll(bytes, step);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0], expected) << replies[0].DebugString();
  }
}

TEST(RedisReplyReader, BulkStringsAreBinarySafe) {
  const std::string payload = "a\0b\r\nc"s;
  const std::string bytes = "*3\r\n$7\r\nmessage\r\n$2\r\n\0\xff\r\n$6\r\n"s + payload + "\r\n";
  const std::vector<RedisReply> replies = ReadAll(bytes, 2);
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(replies[0].elements.size(), 3u);
  EXPECT_EQ(replies[0].elements[1].str, "\0\xff"s);
  EXPECT_EQ(replies[0].elements[2].str, payload);
}

TEST(RedisReplyReader, RefusesABulkStringAsSoonAsMoreThanTheBoundIsBuffered) {
  RedisReplyReader reader(1024);
  ASSERT_TRUE(reader.Feed("$2000\r\n" + std::string(1000, 'x')).ok());
  ASSERT_TRUE(reader.Next().ok());
  const absl::Status status = reader.Feed(std::string(100, 'x'));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("reply larger than 1024 bytes"));
}

TEST(RedisReplyReader, RefusesAnArrayAnnouncedLargerThanTheBound) {
  // Without the bound, hiredis would have us reserve two billion elements.
  const absl::Status status = FirstError("*2000000000\r\n:1\r\n", 1 << 20);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(RedisReplyReader, CountsWhatAnArrayAlreadyHoldsAgainstTheBound) {
  // Many small strings, each under the bound, fed in pieces so that the buffer stays small.
  std::string bytes = "*1000\r\n";
  for (int i = 0; i < 1000; ++i) bytes += "$10\r\n0123456789\r\n";
  RedisReplyReader reader(16 * 1024);
  absl::Status failure;
  for (size_t at = 0; at < bytes.size() && failure.ok(); at += 100) {
    failure = reader.Feed(std::string_view(bytes).substr(at, 100));
    if (failure.ok()) failure = reader.Next().status();
  }
  EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted);
}

TEST(RedisReplyReader, ManySmallRepliesDoNotAddUpAgainstTheBound) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += "$10\r\n0123456789\r\n";
  EXPECT_EQ(ReadAll(bytes, 64, 1024).size(), 1000u);
}

TEST(RedisReplyReader, RefusesWhatIsNotRespTwo) {
  EXPECT_EQ(FirstError("%1\r\n+a\r\n+b\r\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstError("hello\r\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstError(":12x\r\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstError("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RedisReplyReader, StaysFailedAfterAnError) {
  RedisReplyReader reader(1024);
  ASSERT_TRUE(reader.Feed("?\r\n").ok());
  EXPECT_FALSE(reader.Next().ok());
  EXPECT_FALSE(reader.Feed("+OK\r\n").ok());
  EXPECT_FALSE(reader.Next().ok());
}

TEST(RedisReply, IsErrorMatchesTheFirstWord) {
  EXPECT_TRUE(RedisReply::Error("NOSCRIPT No matching script").IsError("NOSCRIPT"));
  EXPECT_FALSE(RedisReply::Error("NOSCRIPTX y").IsError("NOSCRIPT"));
  EXPECT_FALSE(RedisReply::String("NOSCRIPT").IsError("NOSCRIPT"));
}

TEST(RedisReply, DebugStringShowsStructure) {
  const RedisReply reply =
      RedisReply::Array({RedisReply::String("a\n"), RedisReply::Integer(3), RedisReply::Nil(),
                         RedisReply::Error("ERR x"), RedisReply::Status("OK")});
  EXPECT_EQ(reply.DebugString(),
            "[\"a\\n\", (integer) 3, (nil), (error) \"ERR x\", (status) \"OK\"]");
  EXPECT_EQ(RedisReply::String(std::string(300, 'x')).DebugString().size(), 200u + 5u);
}

}  // namespace
}  // namespace gw::cluster
