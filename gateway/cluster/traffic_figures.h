#ifndef GATEWAY_CLUSTER_TRAFFIC_FIGURES_H_
#define GATEWAY_CLUSTER_TRAFFIC_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/cluster/redis_reply.h"
#include "gateway/core/traffic_totals.h"

namespace gw::cluster {

// How a node's latest figures of an app are kept in `P:A:figures` (README.md): the hash maps
// the node's id to text, the Redis time the heartbeat script wrote it (ms) and then the eight
// figures of core::TrafficTotals in the order they are declared, in decimal, separated by
// spaces. About 40 bytes for a quiet app, at most 180. Pure functions; any thread.

// The figures as the heartbeat hands them to its script, which puts the time in front.
std::string EncodeTrafficFigures(const core::TrafficTotals& totals);

struct WrittenFigures {
  int64_t written_ms = 0;  // Redis's clock
  core::TrafficTotals totals;
};
// One value of the hash; nullopt for anything else (another program's). Fields after the eighth
// figure (a later version's) are ignored.
std::optional<WrittenFigures> DecodeTrafficFigures(std::string_view value);

// The `figures` script's reply ({Redis's time, {node, value, ...}}) as the nodes that wrote within
// `lease_ms`, sorted by id, `self` marked. A node silent for longer is dead or cut off from Redis
// (its lease ran out, or is about to): its last figures would be counted as if it still had
// them. Values that do not decode are left out.
std::vector<core::NodeTraffic> LiveNodeTraffic(const RedisReply& reply, std::string_view self,
                                               int64_t lease_ms);

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_TRAFFIC_FIGURES_H_
