#ifndef GATEWAY_WEBHOOKS_DEPARTURE_HOLD_H_
#define GATEWAY_WEBHOOKS_DEPARTURE_HOLD_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/channel_event.h"
#include "gateway/core/string_map.h"

namespace gw::webhooks {

// Pusher's vacate delay for one app: channel_vacated and member_removed wait `delay` before they
// are sent. If the channel is occupied again (the same user is added again to that channel)
// before then, the held departure and the event that cancelled it are both dropped, so a page
// reload makes no webhook noise. Every other event passes at once.
//
// Pure logic driven with time values: the dispatcher calls it from its own thread, tests with
// whatever times they like. Not thread-safe.
class DepartureHold {
 public:
  using Clock = std::chrono::steady_clock;

  // At most `max_held` departures wait (cancelled ones included until their time); one more
  // releases the oldest early.
  DepartureHold(Clock::duration delay, size_t max_held);

  // Takes the app's next event, in emission order, and appends to `ready` what may be sent now:
  // the event itself, or nothing when it was held or cancelled a held departure (plus any
  // departure pushed out by `max_held`).
  void Offer(core::ChannelEvent event, Clock::time_point now,
             std::vector<core::ChannelEvent>* ready);
  // Appends the departures due at `now`, oldest first.
  void Release(Clock::time_point now, std::vector<core::ChannelEvent>* ready);
  // Appends every held departure (shutdown: the channels are gone for good).
  void ReleaseAll(std::vector<core::ChannelEvent>* ready);
  // When the oldest held departure is due; nullopt when nothing is held.
  std::optional<Clock::time_point> NextRelease() const;
  size_t held() const { return by_key_.size(); }

 private:
  struct Held {
    Clock::time_point due;
    core::ChannelEvent event;
    std::string key;
    bool cancelled = false;
  };
  // Held departures in order of `due` (the delay is one constant); cancelled entries stay until
  // they reach the front, so cancelling is O(1) through their sequence number.
  void PopFront(std::vector<core::ChannelEvent>* ready);
  void DropCancelledFront();

  const Clock::duration delay_;
  const size_t max_held_;
  std::deque<Held> queue_;
  uint64_t front_sequence_ = 0;       // sequence number of queue_.front()
  core::StringMap<uint64_t> by_key_;  // live (not cancelled) departures
};

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_DEPARTURE_HOLD_H_
