#ifndef GATEWAY_WEBHOOKS_WEBHOOK_PAYLOAD_H_
#define GATEWAY_WEBHOOKS_WEBHOOK_PAYLOAD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/core/channel_event.h"

namespace gw::webhooks {

// One event of a webhook body, encoded once and shared by every endpoint that sends it.
using EncodedEvent = std::shared_ptr<const std::string>;

// The Pusher webhook name of a kind: "channel_occupied", "channel_vacated", "member_added",
// "member_removed", "client_event", "cache_miss", "subscription_count".
std::string_view WebhookName(core::ChannelEvent::Kind kind);
// The kind a Pusher webhook name stands for; nullopt for anything else.
std::optional<core::ChannelEvent::Kind> WebhookKind(std::string_view name);

// One entry of a webhook's "events", as Pusher sends it:
//   {"name":"channel_occupied","channel":C}            (channel_vacated, cache_miss alike)
//   {"name":"member_added","channel":C,"user_id":U}    (member_removed alike)
//   {"name":"client_event","channel":C,"event":E,"data":D,"socket_id":S[,"user_id":U]}
//   {"name":"subscription_count","channel":C,"subscription_count":N}
// A client event's `data` is always a string: the client's data itself when it sent a JSON
// string, else the JSON text it sent. user_id only on presence channels (where the event has one).
std::string EncodeWebhookEvent(const core::ChannelEvent& event);

// The POST body: {"time_ms":T,"events":[...]} around events already encoded.
std::string EncodeWebhookBody(int64_t time_ms, std::span<const EncodedEvent> events);

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_WEBHOOK_PAYLOAD_H_
