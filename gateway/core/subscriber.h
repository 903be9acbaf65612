#ifndef GATEWAY_CORE_SUBSCRIBER_H_
#define GATEWAY_CORE_SUBSCRIBER_H_

#include <cstdint>
#include <string_view>

#include "gateway/core/frame.h"

namespace gw::core {

// Something that receives frames for the channels it joined: a WebSocket connection at the edge,
// a recorder in tests. Called only on the shard (thread) the subscriber lives on.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Queues `frame` for delivery; must not block, and must not add or remove subscriptions
  // synchronously (the caller is iterating the channel's subscribers): a subscriber that decides
  // to leave, e.g. a slow consumer over its queue cap, defers that to a later turn of its shard.
  virtual void Deliver(const Frame& frame) = 0;
  // The Pusher socket id, used to skip the sender of an event.
  virtual std::string_view socket_id() const = 0;
  // Ends the connection with a reconnect-or-not `code` (Pusher close code) and a reason. Same
  // rule as Deliver: the subscriber leaves its channels on a later turn, not inside this call.
  virtual void Disconnect(uint16_t code, std::string_view reason) = 0;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SUBSCRIBER_H_
