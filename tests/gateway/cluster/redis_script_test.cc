#include "gateway/cluster/redis_script.h"

#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

// Expected values from `printf ... | sha1sum` and from Redis's own SCRIPT LOAD answer.
TEST(RedisScript, Sha1IsWhatRedisComputes) {
  const RedisScript script("return redis.call('GET', KEYS[1])");
  EXPECT_EQ(script.sha1(), "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f");
  EXPECT_EQ(script.source(), "return redis.call('GET', KEYS[1])");
}

TEST(Sha1Hex, KnownVectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

}  // namespace
}  // namespace gw::cluster
