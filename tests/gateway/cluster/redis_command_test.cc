#include "gateway/cluster/redis_command.h"

#include <string>
#include <vector>

#include "gateway/cluster/redis_reply_reader.h"
#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

using std::string_literals::operator""s;

TEST(RedisCommand, FormatsRespArrayOfBulkStrings) {
  const RedisCommand command = RedisCommand::Format({"SET", "key", "value"});
  EXPECT_EQ(command.bytes(), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  EXPECT_EQ(command.size(), command.bytes().size());
}

TEST(RedisCommand, ArgumentsAreBinarySafe) {
  const std::string key = "k\0\r\n"s;
  const std::string value(1 << 20, '\0');
  const RedisCommand command = RedisCommand::Format({"SET", key, value});
  // Read back with the reply reader: a command is an array of bulk strings too.
  RedisReplyReader reader(4 << 20);
  ASSERT_TRUE(reader.Feed(command.bytes()).ok());
  absl::StatusOr<std::optional<RedisReply>> parsed = reader.Next();
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  ASSERT_EQ((*parsed)->elements.size(), 3u);
  EXPECT_EQ((*parsed)->elements[1].str, key);
  EXPECT_EQ((*parsed)->elements[2].str, value);
}

TEST(RedisCommand, HeadKeysAndArgsFollowEachOther) {
  const std::vector<std::string_view> keys = {"k1", "k2"};
  const std::vector<std::string_view> args = {"a"};
  const RedisCommand command = RedisCommand::Format({"EVALSHA", "abc", "2"}, keys, args);
  EXPECT_EQ(command.bytes(),
            RedisCommand::Format({"EVALSHA", "abc", "2", "k1", "k2", "a"}).bytes());
}

TEST(RedisCommand, SpanOfArguments) {
  const std::vector<std::string_view> args = {"PING"};
  EXPECT_EQ(RedisCommand::Format(args).bytes(), "*1\r\n$4\r\nPING\r\n");
}

}  // namespace
}  // namespace gw::cluster
