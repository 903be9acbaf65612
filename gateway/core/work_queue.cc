#include "gateway/core/work_queue.h"

#include <utility>

namespace gw::core {

WorkQueue::WorkQueue(size_t max_pending)
    : max_pending_(max_pending), thread_([this] { Run(); }) {}

WorkQueue::~WorkQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool WorkQueue::Post(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || tasks_.size() >= max_pending_) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  tasks_.push_back(std::move(task));
  return true;
}

size_t WorkQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return tasks_.size();
}

void WorkQueue::Run() {
  while (true) {
    absl::AnyInvocable<void() &&> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkQueue* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->tasks_.empty();
          },
          this));
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    std::move(task)();
  }
}

}  // namespace gw::core
