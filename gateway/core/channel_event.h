#ifndef GATEWAY_CORE_CHANNEL_EVENT_H_
#define GATEWAY_CORE_CHANNEL_EVENT_H_

#include <cstdint>
#include <string>

namespace gw::core {

// Something that happened on one of an app's channels, for watchers (gRPC WatchEvents, webhooks).
// The numbering matches realtime.v1.ChannelEvent.Kind.
struct ChannelEvent {
  enum class Kind : int {
    kChannelOccupied = 1,
    kChannelVacated = 2,
    kMemberAdded = 3,
    kMemberRemoved = 4,
    kClientEvent = 5,
    kCacheMiss = 6,
    kSubscriptionCount = 7,
  };
  Kind kind = Kind::kChannelOccupied;
  std::string channel;
  int64_t time_ms = 0;  // set by the hub when 0
  std::string user_id;
  std::string event;      // client events
  std::string data;       // client events: JSON text
  std::string socket_id;  // client events: the sender
  uint32_t subscription_count = 0;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_CHANNEL_EVENT_H_
