#include "gateway/webhooks/departure_hold.h"

#include <utility>

namespace gw::webhooks {
namespace {

using Kind = core::ChannelEvent::Kind;

// A channel's departure and a user's departure from a channel never share a key: the channel
// name cannot hold a NUL, and only member keys have a second part.
std::string ChannelKey(const std::string& channel) { return channel; }
std::string MemberKey(const std::string& channel, const std::string& user_id) {
  std::string key = channel;
  key.push_back('\0');
  key.append(user_id);
  return key;
}

}  // namespace

DepartureHold::DepartureHold(Clock::duration delay, size_t max_held)
    : delay_(delay), max_held_(max_held == 0 ? 1 : max_held) {}

void DepartureHold::Offer(core::ChannelEvent event, Clock::time_point now,
                          std::vector<core::ChannelEvent>* ready) {
  if (delay_ <= Clock::duration::zero()) {
    ready->push_back(std::move(event));
    return;
  }
  switch (event.kind) {
    case Kind::kChannelVacated:
    case Kind::kMemberRemoved: {
      std::string key = event.kind == Kind::kChannelVacated
                            ? ChannelKey(event.channel)
                            : MemberKey(event.channel, event.user_id);
      // The same departure twice without a return in between cannot come from the registry;
      // if it did, the earlier one is simply released on time.
      by_key_.insert_or_assign(key, front_sequence_ + queue_.size());
      queue_.push_back(Held{now + delay_, std::move(event), std::move(key)});
      // Cancelled entries count too: they hold memory until they reach the front.
      if (queue_.size() > max_held_) {
        DropCancelledFront();
        if (queue_.size() > max_held_) PopFront(ready);
      }
      return;
    }
    case Kind::kChannelOccupied:
    case Kind::kMemberAdded: {
      const std::string key = event.kind == Kind::kChannelOccupied
                                  ? ChannelKey(event.channel)
                                  : MemberKey(event.channel, event.user_id);
      auto it = by_key_.find(key);
      if (it == by_key_.end()) {
        ready->push_back(std::move(event));
        return;
      }
      queue_[it->second - front_sequence_].cancelled = true;
      by_key_.erase(it);
      DropCancelledFront();
      return;
    }
    case Kind::kClientEvent:
    case Kind::kCacheMiss:
    case Kind::kSubscriptionCount:
      ready->push_back(std::move(event));
      return;
  }
}

void DepartureHold::Release(Clock::time_point now, std::vector<core::ChannelEvent>* ready) {
  DropCancelledFront();
  while (!queue_.empty() && queue_.front().due <= now) {
    PopFront(ready);
    DropCancelledFront();
  }
}

void DepartureHold::ReleaseAll(std::vector<core::ChannelEvent>* ready) {
  DropCancelledFront();
  while (!queue_.empty()) {
    PopFront(ready);
    DropCancelledFront();
  }
}

std::optional<DepartureHold::Clock::time_point> DepartureHold::NextRelease() const {
  for (const Held& held : queue_) {
    if (!held.cancelled) return held.due;
  }
  return std::nullopt;
}

void DepartureHold::PopFront(std::vector<core::ChannelEvent>* ready) {
  Held& front = queue_.front();
  if (!front.cancelled) {
    auto it = by_key_.find(front.key);
    if (it != by_key_.end() && it->second == front_sequence_) by_key_.erase(it);
    ready->push_back(std::move(front.event));
  }
  queue_.pop_front();
  ++front_sequence_;
}

void DepartureHold::DropCancelledFront() {
  while (!queue_.empty() && queue_.front().cancelled) {
    queue_.pop_front();
    ++front_sequence_;
  }
}

}  // namespace gw::webhooks
