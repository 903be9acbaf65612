#include "gateway/core/bounded_queue.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(BoundedQueue, CapacityIsRoundedUpToAPowerOfTwo) {
  EXPECT_EQ(BoundedQueue<int>(5).capacity(), 8u);
  EXPECT_EQ(BoundedQueue<int>(8).capacity(), 8u);
  EXPECT_EQ(BoundedQueue<int>(0).capacity(), 2u);
}

TEST(BoundedQueue, PopsInPushOrder) {
  BoundedQueue<std::string> queue(4);
  EXPECT_TRUE(queue.TryPush("a"));
  EXPECT_TRUE(queue.TryPush("b"));
  std::string out;
  ASSERT_TRUE(queue.TryPop(out));
  EXPECT_EQ(out, "a");
  ASSERT_TRUE(queue.TryPop(out));
  EXPECT_EQ(out, "b");
  EXPECT_FALSE(queue.TryPop(out));
}

TEST(BoundedQueue, RefusesWhenFullAndKeepsWhatItHolds) {
  BoundedQueue<int> queue(4);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(queue.TryPush(int{i}));
  EXPECT_FALSE(queue.TryPush(99));
  int out = -1;
  ASSERT_TRUE(queue.TryPop(out));
  EXPECT_EQ(out, 0);
  EXPECT_TRUE(queue.TryPush(4));  // a slot came free
  std::vector<int> rest;
  while (queue.TryPop(out)) rest.push_back(out);
  EXPECT_EQ(rest, (std::vector<int>{1, 2, 3, 4}));
}

TEST(BoundedQueue, WrapsAroundManyTimes) {
  BoundedQueue<int> queue(2);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(queue.TryPush(int{i}));
    int out = -1;
    ASSERT_TRUE(queue.TryPop(out));
    ASSERT_EQ(out, i);
  }
}

// Producers on several threads and one consumer: every value pushed is popped exactly once,
// and each producer's values come out in the order it pushed them.
TEST(BoundedQueue, ManyProducersLoseNothingTheyWereToldWasQueued) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 20000;
  BoundedQueue<int> queue(64);
  std::atomic<int> done{0};
  std::vector<std::vector<int>> accepted(kProducers);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        const int value = p * kPerProducer + i;
        if (queue.TryPush(int{value})) accepted[p].push_back(value);
      }
      done.fetch_add(1);
    });
  }
  std::vector<std::vector<int>> popped(kProducers);
  int out = 0;
  for (;;) {
    const bool finished = done.load() == kProducers;
    while (queue.TryPop(out)) popped[out / kPerProducer].push_back(out);
    if (finished) break;
  }
  for (auto& thread : producers) thread.join();
  while (queue.TryPop(out)) popped[out / kPerProducer].push_back(out);
  size_t total = 0;
  for (int p = 0; p < kProducers; ++p) {
    EXPECT_EQ(popped[p], accepted[p]) << "producer " << p;
    total += accepted[p].size();
  }
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace gw::core
