#include "gateway/webhooks/delivery_queue.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::webhooks {
namespace {

using Clock = DeliveryQueue::Clock;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

EncodedEvent Text(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

std::vector<std::string> Texts(const std::vector<EncodedEvent>& batch) {
  std::vector<std::string> out;
  for (const auto& event : batch) out.push_back(*event);
  return out;
}

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

TEST(DeliveryQueue, WithoutBatchingEveryEventIsReadyAloneAtOnce) {
  DeliveryQueue queue(10, 1, Clock::duration::zero());
  EXPECT_FALSE(queue.Ready(kT0));
  queue.Push(Text("a"), kT0);
  queue.Push(Text("b"), kT0);
  EXPECT_TRUE(queue.Ready(kT0));
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("a"));
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("b"));
  EXPECT_TRUE(queue.empty());
}

TEST(DeliveryQueue, BatchIsReadyWhenTheOldestHasWaitedTheWindow) {
  DeliveryQueue queue(1000, 100, milliseconds(50));
  queue.Push(Text("a"), kT0);
  queue.Push(Text("b"), kT0 + milliseconds(30));
  EXPECT_FALSE(queue.Ready(kT0 + milliseconds(49)));
  EXPECT_EQ(queue.ReadyAt(), kT0 + milliseconds(50));
  EXPECT_TRUE(queue.Ready(kT0 + milliseconds(50)));
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("a", "b"));
  EXPECT_EQ(queue.ReadyAt(), std::nullopt);
}

TEST(DeliveryQueue, FullBatchIsReadyBeforeTheWindow) {
  DeliveryQueue queue(1000, 3, milliseconds(50));
  for (const char* text : {"a", "b", "c", "d"}) queue.Push(Text(text), kT0);
  EXPECT_TRUE(queue.Ready(kT0));
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("a", "b", "c"));
  EXPECT_FALSE(queue.Ready(kT0));  // d waits for its window
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("d"));
}

TEST(DeliveryQueue, BeyondTheBoundTheOldestAreDroppedAndCounted) {
  DeliveryQueue queue(3, 100, milliseconds(50));
  EXPECT_EQ(queue.Push(Text("a"), kT0), 0u);
  EXPECT_EQ(queue.Push(Text("b"), kT0), 0u);
  EXPECT_EQ(queue.Push(Text("c"), kT0), 0u);
  EXPECT_EQ(queue.Push(Text("d"), kT0), 1u);
  EXPECT_EQ(queue.Push(Text("e"), kT0), 1u);
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.dropped(), 2u);
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("c", "d", "e"));
}

TEST(DeliveryQueue, TakenBatchNoLongerCountsAgainstTheBound) {
  DeliveryQueue queue(2, 2, Clock::duration::zero());
  queue.Push(Text("a"), kT0);
  queue.Push(Text("b"), kT0);
  EXPECT_THAT(Texts(queue.TakeBatch()), ElementsAre("a", "b"));
  EXPECT_EQ(queue.Push(Text("c"), kT0), 0u);
  EXPECT_EQ(queue.Push(Text("d"), kT0), 0u);
  EXPECT_EQ(queue.dropped(), 0u);
}

TEST(DeliveryQueue, ClearReportsWhatWasWaiting) {
  DeliveryQueue queue(10, 1, Clock::duration::zero());
  queue.Push(Text("a"), kT0);
  queue.Push(Text("b"), kT0);
  EXPECT_EQ(queue.Clear(), 2u);
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace gw::webhooks
