#ifndef GATEWAY_CLUSTER_CLUSTER_SCRIPTS_H_
#define GATEWAY_CLUSTER_CLUSTER_SCRIPTS_H_

#include "gateway/cluster/redis_script.h"

namespace gw::cluster {

// The Lua scripts that keep the cluster's state in Redis. Each changes counts, rosters and
// leases and publishes what changed in one atomic step, so every node hears the changes of a
// roster in the order of its version, and a transition (first subscriber, last connection of a
// member) is seen by exactly one script run: that is what makes webhooks and member events fire
// once per cluster. Their KEYS and ARGV are documented above each in cluster_scripts.cc, and the
// data model in README.md. Immutable; any thread.
struct ClusterScripts {
  static const ClusterScripts& Get();

  RedisScript join;          // a subscription (presence: a member's connection)
  RedisScript leave;         // its end
  RedisScript sign;          // a signed-in connection comes or goes
  RedisScript publish;       // publish, keeping a cache channel's event, reading counts
  RedisScript seed;          // a node's whole contribution under a new lease
  RedisScript reap;          // takes a dead (or retired) node's contribution away, in batches
  RedisScript heartbeat;     // renews the lease, counts connections, finds dead nodes
  RedisScript figures;       // every node's latest traffic figures of an app, and the time
  RedisScript snapshot;      // a roster and its version, together
  RedisScript count_report;  // current counts of channels, told to subscribers and watchers
  RedisScript forward_event;  // a client event or cache miss, to every node and the webhooks
  RedisScript find;          // one channel's counts
  RedisScript list;          // occupied channels by name prefix, with counts
  RedisScript webhook_read;  // the webhook leader's next entries of an app's stream
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_CLUSTER_SCRIPTS_H_
