#ifndef GATEWAY_CORE_CLUSTER_H_
#define GATEWAY_CORE_CLUSTER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "gateway/core/app_state.h"
#include "gateway/core/channel_registry.h"
#include "gateway/core/frame.h"
#include "gateway/core/presence_roster.h"
#include "gateway/core/publish_receipt.h"
#include "gateway/core/subscriber.h"
#include "gateway/core/traffic_totals.h"

namespace gw::core {

// What one of this node's connections asks to join.
struct ChannelJoin {
  std::string channel;
  bool cache = false;  // a cache channel: its last event is replayed to the joiner
  bool presence = false;
  std::string user_id;    // presence
  std::string user_info;  // presence: JSON text
};

// What the joining connection is told once it is in.
struct ChannelJoined {
  Frame cached;  // cache channels: the last event; null on a miss
  // Presence: the members, the joiner included, and the sequence number they stand at.
  ChannelRegistry::RosterSnapshot roster;
};

struct PublishOptions {
  std::string except_socket_id;  // "" = deliver to everyone
  // Cache channels: how long the event is kept for later subscribers; 0 = not a cache channel.
  std::chrono::seconds cache_ttl{0};
  // W3C traceparent of the publish span, carried to the nodes that deliver it ("" = none).
  std::string traceparent;
  // The publisher wants the channel's counts (the HTTP API's `info`): worth a read in a cluster.
  bool want_counts = false;
};

// Where this node's connections and backends meet every other node: the one seam between a
// single server and a cluster of them. SingleNode (the default) is the whole truth on its own;
// the Redis implementation (gateway/cluster) keeps the totals in Redis and carries traffic
// between nodes. Either way a client or backend cannot tell one node from many.
//
// Threads. Methods that take a `shard` are called on that shard's thread by one of its
// connections, and run their `done` on that same thread, perhaps before they return. Other
// methods may be called from any thread; query results arrive on any thread.
//
// Ordering. Everything one caller publishes to a channel reaches each subscriber in the order
// it was published. Presence announcements reach a subscriber exactly once each, numbered after
// the roster it was given (ChannelRegistry::RosterSnapshot, ShardIndex::Add's `since`).
class Cluster {
 public:
  using JoinDone = absl::AnyInvocable<void(absl::StatusOr<ChannelJoined>) &&>;
  using UsersDone = absl::AnyInvocable<void(std::vector<std::string>) &&>;
  using CountsDone = absl::AnyInvocable<void(absl::StatusOr<ChannelCounts>) &&>;
  using ChannelsDone = absl::AnyInvocable<
      void(absl::StatusOr<std::vector<std::pair<std::string, ChannelCounts>>>) &&>;
  using MembersDone =
      absl::AnyInvocable<void(absl::StatusOr<std::vector<PresenceRoster::Member>>) &&>;
  using TrafficDone = absl::AnyInvocable<void(absl::StatusOr<std::vector<NodeTraffic>>) &&>;

  virtual ~Cluster() = default;

  // --- This node's connections (on `shard`'s thread) ---

  // Counts `subscriber` into `join.channel` across the cluster and indexes it on `shard`, so it
  // receives the channel's events from every node. `done` runs right after it was indexed (or,
  // on an error, with nothing changed): nothing is delivered to it before `done` ran, so the
  // caller tells its client subscription_succeeded first. ResourceExhausted when a presence
  // roster is full. Presence: the other members hear member_added when this is the user's first
  // connection anywhere. The caller calls Leave only after `done` ran.
  virtual void Join(AppState& app, ChannelJoin join, Subscriber* subscriber, size_t shard,
                    JoinDone done) = 0;
  // Undoes a Join that succeeded: unindexes and uncounts; presence: member_removed after the
  // user's last connection anywhere. `user_id` is the presence member ("" otherwise).
  virtual void Leave(AppState& app, std::string_view channel, std::string_view user_id,
                     Subscriber* subscriber, size_t shard) = 0;

  // A verified pusher:signin: the user is online (watchers hear it on their first connection
  // anywhere) and `subscriber` can be reached by DisconnectUser. SignOut undoes it.
  virtual void SignIn(AppState& app, std::string_view user_id, Subscriber* subscriber,
                      size_t shard) = 0;
  virtual void SignOut(AppState& app, std::string_view user_id, Subscriber* subscriber,
                       size_t shard) = 0;
  // Follows the online / offline announcements of `user_ids`; `done` runs on `shard` with those
  // of them online now, once the announcements are followed (so none is missed in between).
  virtual void Watch(AppState& app, std::vector<std::string> user_ids, Subscriber* subscriber,
                     size_t shard, UsersDone done) = 0;
  virtual void Unwatch(AppState& app, const std::vector<std::string>& user_ids,
                       Subscriber* subscriber, size_t shard) = 0;

  // --- Traffic (any thread) ---

  // Delivers `frame` to every subscriber of `channel` on every node but `except_socket_id`.
  // `receipt` (may be null) is expected-for before this returns, arrived-at when the frame is
  // queued to this node's subscribers and handed to the cluster, and given the channel's
  // counts in `slot` (as they stood when it was published). Never refused: a backend's publish
  // asks Fanout::AdmitPublish first.
  virtual void Publish(AppState& app, std::string_view channel, Frame frame,
                       const PublishOptions& options,
                       const std::shared_ptr<PublishReceipt>& receipt, size_t slot) = 0;
  // Closes every connection signed in as `user_id`, on every node.
  virtual void DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                              std::string_view reason) = 0;
  // Tells subscribers (apps with enable_subscription_count) and watchers the subscription
  // counts that changed since the last call, one update per channel however many joined.
  // Called periodically from one thread.
  virtual void FlushCountChanges() = 0;

  // --- Queries (any thread; answered on any thread, for the whole cluster) ---

  // Counts of one channel: zero when unoccupied; a user count for occupied presence channels.
  virtual void FindChannel(AppState& app, std::string_view channel, CountsDone done) = 0;
  // Occupied channels whose name starts with `prefix`, sorted by name.
  virtual void ListChannels(AppState& app, std::string_view prefix, ChannelsDone done) = 0;
  // Members of a presence channel, sorted by user id; empty when unoccupied.
  virtual void PresenceMembers(AppState& app, std::string_view channel, MembersDone done) = 0;

  // --- Every node's figures (the dashboard's cluster view; any thread) ---

  // This node's latest figures of `app`, for every node to read: kept until the next call and
  // handed to the cluster at its next heartbeat. Called about once a second from one thread
  // (the dashboard's), and not at all when no dashboard runs.
  virtual void ShareTraffic(AppState& app, const TrafficTotals& totals) = 0;
  // The latest figures of `app` of every node that shared them within its lease, this node's
  // included (`self`), sorted by node id; a node silent for longer is left out. Answered on any
  // thread.
  virtual void ReadTraffic(AppState& app, TrafficDone done) = 0;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_CLUSTER_H_
