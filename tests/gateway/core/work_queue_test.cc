#include "gateway/core/work_queue.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace gw::core {
namespace {

TEST(WorkQueue, RunsTasksInOrderOffTheCallersThread) {
  // Declared before the queue, so that they outlive its thread.
  std::vector<int> order;
  std::thread::id ran_on;
  absl::Notification done;
  WorkQueue queue(8);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.Post([&order, i] { order.push_back(i); }));
  ASSERT_TRUE(queue.Post([&] {
    ran_on = std::this_thread::get_id();
    done.Notify();
  }));
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(WorkQueue, RefusesBeyondItsBoundAndCountsIt) {
  absl::Notification release;
  absl::Notification started;
  WorkQueue queue(2);
  ASSERT_TRUE(queue.Post([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  // EXPECT, not ASSERT: the first task is released below whatever happened.
  EXPECT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(queue.Post([] {}));
  EXPECT_TRUE(queue.Post([] {}));
  EXPECT_FALSE(queue.Post([] {})) << "two already wait";
  EXPECT_EQ(queue.refused(), 1u);
  release.Notify();
}

}  // namespace
}  // namespace gw::core
