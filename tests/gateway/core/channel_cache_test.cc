#include "gateway/core/channel_cache.h"

#include "gtest/gtest.h"

namespace gw::core {
namespace {

using Clock = ChannelCache::Clock;
using std::chrono::seconds;

TEST(ChannelCache, ReturnsTheLastFrameUntilItExpires) {
  ChannelCache cache;
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  cache.Put("cache-a", MakeFrame("first"), t0 + seconds(10));
  cache.Put("cache-a", MakeFrame("second"), t0 + seconds(10));
  ASSERT_NE(cache.Get("cache-a", t0), nullptr);
  EXPECT_EQ(cache.Get("cache-a", t0 + seconds(9))->text(), "second");
  EXPECT_EQ(cache.Get("cache-a", t0 + seconds(10)), nullptr);
  EXPECT_EQ(cache.size(), 0u) << "an expired entry is dropped when read";
}

TEST(ChannelCache, UnknownChannelHasNothing) {
  ChannelCache cache;
  EXPECT_EQ(cache.Get("cache-none", Clock::now()), nullptr);
}

TEST(ChannelCache, PurgeDropsOnlyExpiredEntries) {
  ChannelCache cache;
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  cache.Put("cache-old", MakeFrame("x"), t0 + seconds(1));
  cache.Put("cache-new", MakeFrame("y"), t0 + seconds(100));
  EXPECT_EQ(cache.PurgeExpired(t0 + seconds(5)), 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.Get("cache-new", t0 + seconds(5)), nullptr);
}

}  // namespace
}  // namespace gw::core
