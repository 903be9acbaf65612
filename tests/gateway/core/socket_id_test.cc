#include "gateway/core/socket_id.h"

#include <regex>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(SocketIdGenerator, IdsHaveThePusherShape) {
  SocketIdGenerator generator(42);
  const std::regex shape(R"(^\d+\.\d+$)");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(std::regex_match(generator.Next(), shape));
}

TEST(SocketIdGenerator, IdsAreUniqueAcrossGeneratorsWithTheSameSeed) {
  SocketIdGenerator a(7), b(7);
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    EXPECT_TRUE(seen.insert(a.Next()).second);
    EXPECT_TRUE(seen.insert(b.Next()).second);
  }
}

}  // namespace
}  // namespace gw::core
