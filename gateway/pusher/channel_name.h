#ifndef GATEWAY_PUSHER_CHANNEL_NAME_H_
#define GATEWAY_PUSHER_CHANNEL_NAME_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace gw::pusher {

enum class ChannelKind {
  kPublic,
  kPrivate,           // private-, private-cache-
  kPrivateEncrypted,  // private-encrypted-, private-encrypted-cache-
  kPresence,          // presence-, presence-cache-
  kServerToUser,      // #server-to-user-{user_id}
};

struct ChannelTraits {
  ChannelKind kind = ChannelKind::kPublic;
  // cache-, private-cache-, private-encrypted-cache-, presence-cache-: last event is replayed.
  bool cache = false;

  bool RequiresAuth() const {
    return kind == ChannelKind::kPrivate || kind == ChannelKind::kPrivateEncrypted ||
           kind == ChannelKind::kPresence;
  }
  // Client events are allowed on private and presence channels, never encrypted ones.
  bool AllowsClientEvents() const {
    return kind == ChannelKind::kPrivate || kind == ChannelKind::kPresence;
  }
};

// Pusher's channel naming rules: 1..164 characters of [A-Za-z0-9_\-=@,.;], except the reserved
// `#server-to-user-{id}` form. InvalidArgument names what is wrong.
inline constexpr size_t kMaxChannelNameLength = 164;
absl::StatusOr<ChannelTraits> ClassifyChannel(std::string_view name);

// A low-cardinality name of a channel's family, for traces: "private-encrypted-*", "private-*",
// "presence-*", "cache-*", "#server-to-user-*" or "public" ("invalid" for a name that breaks
// the rules). Never the channel name itself, which may carry user ids.
std::string_view ChannelTemplate(std::string_view name);

// Event names: 1..200 characters (Pusher server libraries enforce 200).
inline constexpr size_t kMaxEventNameLength = 200;
absl::Status ValidateEventName(std::string_view name);

inline bool IsClientEventName(std::string_view name) { return name.starts_with("client-"); }

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_CHANNEL_NAME_H_
