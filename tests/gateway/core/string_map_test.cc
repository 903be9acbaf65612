#include "gateway/core/string_map.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(ShrinkIfSparse, ATableEmptiedAfterABurstGivesItsSlotsBack) {
  StringMap<int> channels;
  for (int i = 0; i < 200000; ++i) channels[std::to_string(i)] = i;
  const size_t peak = channels.capacity();
  for (int i = 0; i < 200000; ++i) {
    channels.erase(std::to_string(i));
    ShrinkIfSparse(channels);
  }
  EXPECT_GE(peak, 200000u);
  EXPECT_LE(channels.capacity(), 128u);
}

TEST(ShrinkIfSparse, KeepsWhatIsStillInTheTable) {
  StringMap<int> channels;
  for (int i = 0; i < 1000; ++i) channels[std::to_string(i)] = i;
  for (int i = 0; i < 990; ++i) {
    channels.erase(std::to_string(i));
    ShrinkIfSparse(channels);
  }
  ASSERT_EQ(channels.size(), 10u);
  for (int i = 990; i < 1000; ++i) EXPECT_EQ(channels.at(std::to_string(i)), i);
}

TEST(ShrinkIfSparse, LeavesAFairlyFullTableAlone) {
  StringMap<int> channels;
  for (int i = 0; i < 1000; ++i) channels[std::to_string(i)] = i;
  const size_t capacity = channels.capacity();
  for (int i = 0; i < 300; ++i) {
    channels.erase(std::to_string(i));
    ShrinkIfSparse(channels);
  }
  EXPECT_EQ(channels.capacity(), capacity);
}

}  // namespace
}  // namespace gw::core
