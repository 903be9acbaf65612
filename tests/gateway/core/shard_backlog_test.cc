#include "gateway/core/shard_backlog.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(ShardBacklog, CountsWhatEachShardWasGivenAndHasNotRun) {
  ShardBacklog backlog(3);
  backlog.Posted(0);
  backlog.Posted(2);
  backlog.Posted(2);
  EXPECT_EQ(backlog.Depth(0), 1u);
  EXPECT_EQ(backlog.Depth(1), 0u);
  EXPECT_EQ(backlog.Depth(2), 2u);
  backlog.Ran(2);
  EXPECT_EQ(backlog.Depth(2), 1u);
}

TEST(ShardBacklog, DeepestIsTheShardFurthestBehindLowestIndexFirst) {
  ShardBacklog backlog(3);
  EXPECT_EQ(backlog.FindDeepest().depth, 0u) << "nothing waiting anywhere";
  backlog.Posted(1);
  backlog.Posted(2);
  ShardBacklog::Deepest deepest = backlog.FindDeepest();
  EXPECT_EQ(deepest.shard, 1u);
  EXPECT_EQ(deepest.depth, 1u);
  backlog.Posted(2);
  deepest = backlog.FindDeepest();
  EXPECT_EQ(deepest.shard, 2u);
  EXPECT_EQ(deepest.depth, 2u);
}

TEST(ShardBacklog, StaysExactWithManyPostersAndTheShardRunningAtOnce) {
  constexpr int kPosters = 4;
  constexpr int kTasksEach = 20000;
  ShardBacklog backlog(2);
  std::vector<std::thread> posters;
  for (int i = 0; i < kPosters; ++i) {
    posters.emplace_back([&backlog] {
      for (int n = 0; n < kTasksEach; ++n) backlog.Posted(1);
    });
  }
  // The shard runs half of what is posted while the posters still post.
  std::thread shard([&backlog] {
    for (int n = 0; n < kPosters * kTasksEach / 2;) {
      if (backlog.Depth(1) > 0) {
        backlog.Ran(1);
        ++n;
      }
    }
  });
  for (std::thread& poster : posters) poster.join();
  shard.join();
  EXPECT_EQ(backlog.Depth(1), static_cast<size_t>(kPosters * kTasksEach / 2));
  EXPECT_EQ(backlog.Depth(0), 0u);
}

}  // namespace
}  // namespace gw::core
