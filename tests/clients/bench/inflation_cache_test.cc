#include "clients/bench/inflation_cache.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gw::bench {
namespace {

TEST(InflationCache, FindsWhatWasInsertedAndNothingElse) {
  InflationCache cache;
  EXPECT_EQ(cache.Find("abc"), nullptr);
  EXPECT_EQ(cache.Insert("abc", "inflated abc"), "inflated abc");
  ASSERT_NE(cache.Find("abc"), nullptr);
  EXPECT_EQ(*cache.Find("abc"), "inflated abc");
  EXPECT_EQ(cache.Find("abd"), nullptr);
  EXPECT_EQ(cache.Find("ab"), nullptr);
  EXPECT_EQ(cache.Find(""), nullptr) << "an empty slot is no entry for an empty frame";
}

// Frames of several publishes in flight arrive interleaved: each is still found.
TEST(InflationCache, KeepsTheLastEntriesAndForgetsTheOldest) {
  InflationCache cache;
  const size_t n = InflationCache::kEntries;
  for (size_t i = 0; i <= n; ++i) cache.Insert(absl::StrCat("frame ", i), absl::StrCat("msg ", i));
  EXPECT_EQ(cache.Find("frame 0"), nullptr) << "the oldest made room";
  for (size_t i = 1; i <= n; ++i) {
    const std::string* found = cache.Find(absl::StrCat("frame ", i));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(*found, absl::StrCat("msg ", i));
  }
}

}  // namespace
}  // namespace gw::bench
