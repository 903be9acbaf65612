#ifndef GATEWAY_WEBHOOKS_DELIVERY_QUEUE_H_
#define GATEWAY_WEBHOOKS_DELIVERY_QUEUE_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "gateway/webhooks/webhook_payload.h"

namespace gw::webhooks {

// The events waiting for one endpoint, oldest first, and the batches cut from them.
//
// A batch goes when `max_batch` events wait or the oldest has waited `window` (one event per
// POST: max_batch 1, window 0). Bounded: beyond `max_events` waiting, the oldest is dropped and
// counted, so an endpoint that is down costs bounded memory. A batch already taken (in flight or
// being retried) no longer counts. Pure logic; not thread-safe.
class DeliveryQueue {
 public:
  using Clock = std::chrono::steady_clock;

  DeliveryQueue(size_t max_events, size_t max_batch, Clock::duration window);

  // Returns how many events were dropped to make room (0 or 1).
  size_t Push(EncodedEvent event, Clock::time_point now);
  // Whether a batch should be cut at `now`.
  bool Ready(Clock::time_point now) const;
  // When a batch will be ready without more events: the oldest event's arrival plus `window`;
  // nullopt when empty.
  std::optional<Clock::time_point> ReadyAt() const;
  // Up to max_batch events, oldest first.
  std::vector<EncodedEvent> TakeBatch();
  // Empties the queue; returns how many events were in it.
  size_t Clear();

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  uint64_t dropped() const { return dropped_; }

 private:
  struct Waiting {
    EncodedEvent event;
    Clock::time_point arrived;
  };
  const size_t max_events_;
  const size_t max_batch_;
  const Clock::duration window_;
  std::deque<Waiting> events_;
  uint64_t dropped_ = 0;
};

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_DELIVERY_QUEUE_H_
