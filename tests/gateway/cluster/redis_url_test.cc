#include "gateway/cluster/redis_url.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ErrorOf(std::string_view text) {
  const absl::StatusOr<RedisUrl> url = ParseRedisUrl(text);
  if (url.ok()) {
    ADD_FAILURE() << "expected an error for " << text;
    return "";
  }
  EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(url.status().message());
}

TEST(ParseRedisUrl, HostAloneGetsDefaults) {
  const absl::StatusOr<RedisUrl> url = ParseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "cache.internal");
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->username, "");
  EXPECT_EQ(url->password, "");
  EXPECT_EQ(url->db, 0u);
  EXPECT_EQ(url->Address(), "cache.internal:6379");
}

TEST(ParseRedisUrl, ReadsEveryPart) {
  const absl::StatusOr<RedisUrl> url = ParseRedisUrl("rediss://alice:s3cret@10.0.0.5:6380/3");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "10.0.0.5");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->username, "alice");
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->db, 3u);
}

TEST(ParseRedisUrl, PasswordWithoutUserAuthenticatesWithPasswordOnly) {
  const absl::StatusOr<RedisUrl> url = ParseRedisUrl("redis://:pw@localhost/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->username, "");
  EXPECT_EQ(url->password, "pw");
  EXPECT_EQ(url->db, 0u);
}

TEST(ParseRedisUrl, PercentDecodesUserAndPassword) {
  const absl::StatusOr<RedisUrl> url = ParseRedisUrl("redis://us%40er:p%3Aw%2Fd%25@h:1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->username, "us@er");
  EXPECT_EQ(url->password, "p:w/d%");
}

TEST(ParseRedisUrl, Ipv6LiteralLosesItsBrackets) {
  const absl::StatusOr<RedisUrl> url = ParseRedisUrl("redis://[::1]:7000");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 7000);
  EXPECT_EQ(url->Address(), "[::1]:7000");
}

TEST(ParseRedisUrl, RefusesWhatItCannotUse) {
  EXPECT_THAT(ErrorOf("http://localhost"), HasSubstr("redis:// or rediss://"));
  EXPECT_THAT(ErrorOf("localhost:6379"), HasSubstr("redis:// or rediss://"));
  EXPECT_THAT(ErrorOf("redis://"), HasSubstr("no host"));
  EXPECT_THAT(ErrorOf("redis://h:0"), HasSubstr("port"));
  EXPECT_THAT(ErrorOf("redis://h:65536"), HasSubstr("port"));
  EXPECT_THAT(ErrorOf("redis://h:63x"), Not(HasSubstr("63x")));
  EXPECT_THAT(ErrorOf("redis://h/db1"), HasSubstr("database number"));
  EXPECT_THAT(ErrorOf("redis://h/1/2"), HasSubstr("database number"));
  EXPECT_THAT(ErrorOf("redis://h/-1"), HasSubstr("database number"));
  EXPECT_THAT(ErrorOf("redis://h/0?timeout=1"), HasSubstr("query"));
  EXPECT_THAT(ErrorOf("redis://h/0#x"), HasSubstr("fragment"));
  EXPECT_THAT(ErrorOf("redis://alice@h"), HasSubstr("needs a password"));
  EXPECT_THAT(ErrorOf("redis://h h"), HasSubstr("not a URL"));
}

TEST(ParseRedisUrl, ErrorsNeverRepeatThePassword) {
  EXPECT_THAT(ErrorOf("redis://:hunter2@h/x"), Not(HasSubstr("hunter2")));
  EXPECT_THAT(ErrorOf("ftp://:hunter2@h"), Not(HasSubstr("hunter2")));
}

TEST(FormatRedisUrl, ReadsBackAsTheSameParts) {
  RedisUrl url;
  url.tls = true;
  url.host = "::1";
  url.port = 6380;
  url.username = "a:b@c";
  url.password = "p@ss word/%:";
  url.db = 7;
  const std::string text = FormatRedisUrl(url);
  EXPECT_THAT(text, Not(HasSubstr("p@ss word")));
  const absl::StatusOr<RedisUrl> parsed = ParseRedisUrl(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << " for " << text;
  EXPECT_EQ(*parsed, url);
}

TEST(FormatRedisUrl, WritesNoUserInfoWithoutPassword) {
  RedisUrl url;
  url.host = "127.0.0.1";
  EXPECT_EQ(FormatRedisUrl(url), "redis://127.0.0.1:6379/0");
}

}  // namespace
}  // namespace gw::cluster
