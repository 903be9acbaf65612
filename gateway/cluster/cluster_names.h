#ifndef GATEWAY_CLUSTER_CLUSTER_NAMES_H_
#define GATEWAY_CLUSTER_CLUSTER_NAMES_H_

#include <string>
#include <string_view>

namespace gw::cluster {

// The Redis keys and pub/sub channels of one deployment (its prefix), per app and channel. The
// app id is written with its length ("a6:app-id"), so no app id and channel name can ever
// produce another pair's names, whatever characters they hold. README.md lists them all.
// Immutable; any thread.
class ClusterNames {
 public:
  explicit ClusterNames(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }

  // Node leases: ZSET node id -> expiry (ms, Redis clock).
  std::string Nodes() const;
  // One node's contributions: HASH "<type>\0<app>[\0<channel>][\0<user>]" -> count, where the
  // type is 's' subscriptions, 'm' a member's connections, 'u' signed-in connections, 'a' an app
  // whose connections it counts (cluster_scripts.cc builds and splits these fields).
  std::string Node(std::string_view node_id) const;
  // The node that sends the cluster's webhooks (a lease key).
  std::string WebhookLeader() const;
  // A random id written once per Redis lifetime: a new one means Redis lost its state.
  std::string Epoch() const;
  // Pub/sub: the delivery acknowledgements of a node's publishes.
  std::string Acks(std::string_view node) const;

  // Per app.
  std::string Counts(std::string_view app) const;    // HASH channel -> subscriptions
  std::string Occupied(std::string_view app) const;  // ZSET channel (score 0), by name
  std::string Online(std::string_view app) const;    // HASH user -> signed-in connections
  std::string Connections(std::string_view app) const;  // HASH node -> connections
  // HASH node -> its latest traffic figures, with the time written (traffic_figures.h).
  std::string Figures(std::string_view app) const;
  std::string Events(std::string_view app) const;    // pub/sub: the app's channel events
  // STREAM of the app's once-per-cluster channel events, for its webhooks (cluster_scripts.cc).
  std::string WebhookEvents(std::string_view app) const;
  // HASH id, done, maxlen: the last entry of WebhookEvents handed to the webhook sender, how
  // many entries were added up to it, and the stream's bound. Its existence turns the stream on.
  std::string WebhookCursor(std::string_view app) const;

  // Per channel.
  std::string Roster(std::string_view app, std::string_view channel) const;  // HASH user -> info
  std::string RosterConnections(std::string_view app, std::string_view channel) const;
  std::string RosterVersion(std::string_view app, std::string_view channel) const;
  std::string Cache(std::string_view app, std::string_view channel) const;
  std::string Traffic(std::string_view app, std::string_view channel) const;  // pub/sub
  // Pub/sub: reaches the nodes where `user` is signed in (terminations).
  std::string User(std::string_view app, std::string_view user) const;

  // The per-app key prefix ("<prefix>:a<len>:<app>:") that the scripts extend for the roster
  // keys of channels they list.
  std::string AppPrefix(std::string_view app) const;

 private:
  std::string prefix_;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_CLUSTER_NAMES_H_
