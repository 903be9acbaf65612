#ifndef GATEWAY_PUSHER_CLIENT_MESSAGE_H_
#define GATEWAY_PUSHER_CLIENT_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::pusher {

// Typed messages a client sends over the WebSocket (protocol 7). The codec only checks shape
// (JSON, field presence and types); channel rules, signatures and limits are checked by callers.

struct SubscribeMessage {
  std::string channel;
  std::string auth;                         // "" when absent
  std::optional<std::string> channel_data;  // presence: the exact JSON string that was signed
};
struct UnsubscribeMessage {
  std::string channel;
};
struct PingMessage {};
struct PongMessage {};
struct SigninMessage {
  std::string auth;
  std::string user_data;  // the exact JSON string that was signed
};
struct ClientEventMessage {
  std::string event;    // starts with "client-"
  std::string channel;
  std::string data_json;  // the `data` member re-serialized as JSON text ("null" when absent)
};

using ClientMessage = std::variant<SubscribeMessage, UnsubscribeMessage, PingMessage, PongMessage,
                                   SigninMessage, ClientEventMessage>;

// Parses one text frame. InvalidArgument (with a message fit to send back in pusher:error) for
// invalid JSON, a non-object, a missing or non-string `event`, wrong field types, or an event
// that is neither a known pusher: event nor a client- event. `data` may be an object or a
// JSON-encoded string of one for pusher: events (both are seen from real clients).
absl::StatusOr<ClientMessage> ParseClientMessage(std::string_view text);

// A presence member as a client's channel_data or sign-in user_data declares it.
struct PresenceMember {
  std::string user_id;         // a JSON number user_id is accepted and rendered as its digits
  std::string user_info_json;  // JSON text of user_info, "null" when absent
};

// Parses presence channel_data {"user_id": string|number, "user_info"?: any}. InvalidArgument if
// not an object or user_id is missing, empty, longer than 128 characters or of another type.
absl::StatusOr<PresenceMember> ParsePresenceChannelData(std::string_view channel_data);

// Parses pusher:signin user_data {"id": string|number, "user_info"?: any, ...} into the member a
// signed-in connection is on presence channels it joins without channel_data. Same rules for
// `id` as for user_id above; other members (watchlist, ...) are ignored here.
absl::StatusOr<PresenceMember> ParseSigninUserData(std::string_view user_data);

// The user ids of user_data.watchlist (strings, or integers rendered as digits); empty when
// absent. InvalidArgument if it is not an array of such ids.
absl::StatusOr<std::vector<std::string>> ParseSigninWatchlist(std::string_view user_data);

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_CLIENT_MESSAGE_H_
