#ifndef GATEWAY_CORE_SHARD_INDEX_H_
#define GATEWAY_CORE_SHARD_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gateway/core/frame.h"
#include "gateway/core/string_map.h"
#include "gateway/core/subscriber.h"

namespace gw::core {

// One shard's view of one app: channel -> the local subscribers. Owned by the app, touched only
// from its shard's thread, so no lock is taken on the message path. Holds raw pointers: a
// subscriber removes itself from every channel before it is destroyed.
class ShardIndex {
 public:
  // False if `subscriber` was already in `channel` (its `since` is then updated). `since`
  // (presence channels) is the sequence number of the roster snapshot the subscriber was given:
  // announcements numbered up to it are not delivered to it (PresenceView).
  bool Add(std::string_view channel, Subscriber* subscriber, uint64_t since = 0);
  // False if `subscriber` was not in `channel`.
  bool Remove(std::string_view channel, Subscriber* subscriber);
  // Delivers `frame` to every local subscriber of `channel` whose socket id differs from
  // `except_socket_id` (empty = none skipped) and, when `seq` is not 0 (a presence
  // announcement), whose snapshot predates it. Returns how many received it.
  size_t Deliver(std::string_view channel, const Frame& frame, std::string_view except_socket_id,
                 uint64_t seq = 0) const;
  size_t SubscriberCount(std::string_view channel) const;
  size_t ChannelCount() const { return channels_.size(); }

  // Signed-in users (pusher:signin) on this shard: user id -> its connections here.
  void AddUser(std::string_view user_id, Subscriber* subscriber);
  void RemoveUser(std::string_view user_id, Subscriber* subscriber);
  // Disconnects every local connection of `user_id`; returns how many.
  size_t DisconnectUser(std::string_view user_id, uint16_t code, std::string_view reason) const;
  size_t UserConnectionCount(std::string_view user_id) const;

 private:
  // Hashed, for constant-time joins and leaves: with a vector, finding a subscriber to remove (or
  // to refuse twice) walked the whole channel, so n connections joining and leaving one channel
  // cost O(n^2). Walking a flat table for fan-out stays cheap beside the write each delivery
  // makes. A channel's table maps each subscriber to its roster snapshot's sequence number.
  using SubscriberSet = absl::flat_hash_set<Subscriber*>;
  using ChannelSubscribers = absl::flat_hash_map<Subscriber*, uint64_t>;
  StringMap<ChannelSubscribers> channels_;
  StringMap<SubscriberSet> users_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SHARD_INDEX_H_
