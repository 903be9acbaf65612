#ifndef GATEWAY_CORE_TRAFFIC_TOTALS_H_
#define GATEWAY_CORE_TRAFFIC_TOTALS_H_

#include <cstdint>
#include <string>

namespace gw::core {

// An app's figures on one node as read at one moment: gauges (what is open now) and totals since
// the node started. The dashboard reads them (its TotalsReader) and charts them; the cluster
// carries each node's latest to the others (Cluster::ShareTraffic).
struct TrafficTotals {
  uint64_t connections = 0;    // gauge
  uint64_t subscriptions = 0;  // gauge
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t published = 0;
  uint64_t client_events = 0;
  uint64_t webhooks_sent = 0;
  uint64_t webhooks_failed = 0;
};

// One node's latest figures of an app, as the cluster last heard them.
struct NodeTraffic {
  std::string node;    // the node's id in the cluster; "" on a single node
  bool self = false;   // this node
  int64_t age_ms = 0;  // how long ago the node wrote them
  TrafficTotals totals;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_TRAFFIC_TOTALS_H_
