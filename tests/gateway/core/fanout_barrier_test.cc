#include "gateway/core/fanout_barrier.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(FanoutBarrier, DoneWaitsForEveryExpectedTask) {
  FanoutBarrier barrier;
  barrier.Expect(3);
  int done = 0;
  barrier.Then([&done] { ++done; });
  barrier.Arrive();
  barrier.Arrive();
  EXPECT_EQ(done, 0) << "one task has not run yet";
  barrier.Arrive();
  EXPECT_EQ(done, 1);
}

TEST(FanoutBarrier, TasksThatArriveBeforeThenLeaveDoneToRunAtThen) {
  FanoutBarrier barrier;
  barrier.Expect(2);
  barrier.Arrive();
  barrier.Arrive();
  int done = 0;
  barrier.Then([&done] { ++done; });
  EXPECT_EQ(done, 1) << "everything had run: Then answers at once";
}

TEST(FanoutBarrier, SeveralPublishesOnOneBarrierAreDoneTogether) {
  FanoutBarrier barrier;
  barrier.Expect(2);  // one event of a batch, two shards
  barrier.Arrive();
  barrier.Arrive();
  barrier.Expect(2);  // the next event, posted after the first one already ran
  int done = 0;
  barrier.Then([&done] { ++done; });
  EXPECT_EQ(done, 0);
  barrier.Arrive();
  barrier.Arrive();
  EXPECT_EQ(done, 1);
}

TEST(FanoutBarrier, DoneRunsExactlyOnceAfterArrivalsFromManyThreads) {
  constexpr int kShards = 8;
  for (int round = 0; round < 50; ++round) {
    auto barrier = std::make_shared<FanoutBarrier>();
    barrier->Expect(kShards);
    std::atomic<int> done{0};
    std::atomic<int> arrived{0};
    std::atomic<bool> all_arrived_before_done{true};
    std::vector<std::thread> shards;
    for (int shard = 0; shard < kShards; ++shard) {
      shards.emplace_back([barrier, &arrived] {
        arrived.fetch_add(1);
        barrier->Arrive();
      });
    }
    barrier->Then([&] {
      if (arrived.load() != kShards) all_arrived_before_done = false;
      done.fetch_add(1);
    });
    for (std::thread& shard : shards) shard.join();
    EXPECT_EQ(done.load(), 1) << "round " << round;
    EXPECT_TRUE(all_arrived_before_done.load()) << "round " << round;
  }
}

TEST(FanoutBarrier, ATaskThatNeverArrivesDropsDoneUncalled) {
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  bool called = false;
  {
    auto barrier = std::make_shared<FanoutBarrier>();
    barrier->Expect(2);
    barrier->Then([alive = std::move(alive), &called] { called = true; });
    barrier->Arrive();
    // The other shard stopped for good: its task is destroyed with the barrier's last holder.
  }
  EXPECT_FALSE(called);
  EXPECT_TRUE(watch.expired()) << "what `done` held was released";
}

}  // namespace
}  // namespace gw::core
