#ifndef TESTS_GATEWAY_WEBHOOKS_CHANNEL_EVENTS_H_
#define TESTS_GATEWAY_WEBHOOKS_CHANNEL_EVENTS_H_

#include <string>
#include <utility>

#include "gateway/core/channel_event.h"

namespace gw::webhooks::testing {

// A channel event as the core emits it, with only what the webhook tests look at.
inline core::ChannelEvent Event(core::ChannelEvent::Kind kind, std::string channel,
                                std::string user_id = "") {
  core::ChannelEvent event;
  event.kind = kind;
  event.channel = std::move(channel);
  event.user_id = std::move(user_id);
  return event;
}

}  // namespace gw::webhooks::testing

#endif  // TESTS_GATEWAY_WEBHOOKS_CHANNEL_EVENTS_H_
