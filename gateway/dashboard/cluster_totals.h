#ifndef GATEWAY_DASHBOARD_CLUSTER_TOTALS_H_
#define GATEWAY_DASHBOARD_CLUSTER_TOTALS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gateway/core/traffic_totals.h"

namespace gw::dashboard {

// An app's figures for the whole cluster, made from readings of every live node's latest
// (core::Cluster::ReadTraffic), for a TrafficHistory to chart as it charts one node's.
//
// Gauges are the sum over the nodes read. Counters cannot simply be summed: a node that dies
// takes its totals out of the sum, and one that joins (or comes back under a new lease) brings
// everything it counted since it started, so the sum would drop and leap. Instead each counter
// grows by what every node's grew since the previous reading that had the node: a node's first
// reading only sets where its growth starts, a node absent from a reading is forgotten. What
// the cluster reports is therefore what it did while the dashboard read it, never less or twice.
//
// Not thread-safe: the dashboard calls it under its lock.
class ClusterTotals {
 public:
  // One reading; the cluster's totals as of it.
  core::TrafficTotals Add(const std::vector<core::NodeTraffic>& nodes);

 private:
  absl::flat_hash_map<std::string, core::TrafficTotals> last_;  // by node, the previous reading
  core::TrafficTotals grown_;                                   // counters only
};

}  // namespace gw::dashboard

#endif  // GATEWAY_DASHBOARD_CLUSTER_TOTALS_H_
