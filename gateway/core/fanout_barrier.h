#ifndef GATEWAY_CORE_FANOUT_BARRIER_H_
#define GATEWAY_CORE_FANOUT_BARRIER_H_

#include <atomic>
#include <cstddef>

#include "absl/functional/any_invocable.h"

namespace gw::core {

// Tells a publisher when its fan-out has run on every shard: from then on the frame is in the
// write queue of every local subscriber, which is when a publish is acknowledged (as soketi and
// Reverb do). A closed-loop publisher, as every Pusher SDK is, then cannot outrun the shards.
//
// Use: make one per publish (or per batch), pass it to every Fanout::Publish of that publish,
// then call Then once. The Fanout calls Expect before it posts a task and the task calls Arrive
// after it ran. Thread-safe; shared by the publisher and the tasks (shared_ptr).
//
// A task that never runs (its shard stopped for good and dropped it) never arrives, so `done` is
// then never called, only destroyed with the barrier: whatever waited for it is being torn down
// too, and must not be reached from the thread that destroys the task.
class FanoutBarrier {
 public:
  using Done = absl::AnyInvocable<void() &&>;

  FanoutBarrier() = default;
  FanoutBarrier(const FanoutBarrier&) = delete;
  FanoutBarrier& operator=(const FanoutBarrier&) = delete;

  // `tasks` more tasks will arrive. Before they are posted, and before Then.
  void Expect(size_t tasks) { pending_.fetch_add(tasks, std::memory_order_relaxed); }
  // One expected task has run.
  void Arrive();
  // Runs `done` once every expected task has arrived: at once, on this thread, if they all
  // have; otherwise later, on the thread of the shard whose task arrives last. Call once, after
  // the last Expect.
  void Then(Done done);

 private:
  Done done_;
  // Expected tasks not yet arrived, plus one until Then: no early arrival can reach zero before
  // `done_` is set.
  std::atomic<size_t> pending_{1};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_FANOUT_BARRIER_H_
