#include "gateway/webhooks/delivery_queue.h"

#include <algorithm>
#include <utility>

namespace gw::webhooks {

DeliveryQueue::DeliveryQueue(size_t max_events, size_t max_batch, Clock::duration window)
    : max_events_(std::max<size_t>(max_events, 1)),
      max_batch_(std::max<size_t>(max_batch, 1)),
      window_(window) {}

size_t DeliveryQueue::Push(EncodedEvent event, Clock::time_point now) {
  size_t dropped = 0;
  if (events_.size() >= max_events_) {
    events_.pop_front();
    ++dropped_;
    dropped = 1;
  }
  events_.push_back(Waiting{std::move(event), now});
  return dropped;
}

bool DeliveryQueue::Ready(Clock::time_point now) const {
  if (events_.empty()) return false;
  return events_.size() >= max_batch_ || now >= events_.front().arrived + window_;
}

std::optional<DeliveryQueue::Clock::time_point> DeliveryQueue::ReadyAt() const {
  if (events_.empty()) return std::nullopt;
  return events_.front().arrived + window_;
}

std::vector<EncodedEvent> DeliveryQueue::TakeBatch() {
  const size_t count = std::min(events_.size(), max_batch_);
  std::vector<EncodedEvent> batch;
  batch.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    batch.push_back(std::move(events_.front().event));
    events_.pop_front();
  }
  return batch;
}

size_t DeliveryQueue::Clear() {
  const size_t count = events_.size();
  events_.clear();
  return count;
}

}  // namespace gw::webhooks
