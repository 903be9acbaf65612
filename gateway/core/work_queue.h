#ifndef GATEWAY_CORE_WORK_QUEUE_H_
#define GATEWAY_CORE_WORK_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace gw::core {

// Runs tasks in order on one thread of its own, so that work that may take long (listing every
// channel of an app, then encoding the answer) never runs on an I/O thread, where it would stall
// every connection of that thread. At most `max_pending` tasks wait; Post refuses more, so a
// caller flooding it costs bounded memory. Thread-safe. The destructor drops what still waits
// (unrun) and joins the thread.
class WorkQueue {
 public:
  explicit WorkQueue(size_t max_pending);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False (and `task` destroyed unrun) when `max_pending` tasks already wait.
  bool Post(absl::AnyInvocable<void() &&> task);
  size_t pending() const;
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const size_t max_pending_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> refused_{0};
  std::thread thread_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_WORK_QUEUE_H_
