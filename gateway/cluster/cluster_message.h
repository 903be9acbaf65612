#ifndef GATEWAY_CLUSTER_CLUSTER_MESSAGE_H_
#define GATEWAY_CLUSTER_CLUSTER_MESSAGE_H_

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/core/channel_event.h"

namespace gw::cluster {

// What nodes say to each other on the deployment's pub/sub channels: "RG1", a type byte, then
// each field as "<decimal length>:<bytes>". Length-prefixed, so payloads (frames are JSON text,
// user info anything) need no escaping, and simple enough that the Lua scripts write the same
// form with string concatenation. Another program's or another version's bytes on these
// channels fail to decode and are dropped and counted, never acted upon.
struct ClusterMessage {
  enum class Type : char {
    kEvent = 'E',          // origin node, publish id ("" = no ack wanted), except socket id,
                           // traceparent, frame
    kMemberAdded = 'A',    // roster version, user id, user info
    kMemberRemoved = 'R',  // roster version, user id
    kWatchlist = 'W',      // "1" online / "0" offline, user id
    kCount = 'N',          // subscription count
    kTerminate = 'T',      // origin node, close code, reason
    kChannelEvent = 'V',   // kind, channel, user id, event, data, socket id, subscription count
    kFollowing = 'F',      // app id: a node follows the app's channel events
    kAcks = 'K',           // acking node, its deepest shard backlog, publish ids ("1,2,3")
  };

  Type type = Type::kEvent;
  // Views into the decoded payload: valid while it is.
  std::vector<std::string_view> fields;
};

// The number of fields each type carries.
size_t FieldCount(ClusterMessage::Type type);

std::string EncodeClusterMessage(ClusterMessage::Type type,
                                 std::initializer_list<std::string_view> fields);
// InvalidArgument for anything but a well-formed message of a known type with exactly its
// fields and nothing after them.
absl::StatusOr<ClusterMessage> DecodeClusterMessage(std::string_view payload);

// The event a kChannelEvent message carries (its time left 0); InvalidArgument for another
// type, an unknown kind or a count that is not a number.
absl::StatusOr<core::ChannelEvent> ChannelEventOf(const ClusterMessage& message);

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_CLUSTER_MESSAGE_H_
