#include "gateway/dashboard/cluster_totals.h"

namespace gw::dashboard {
namespace {

// Node ids change with every process and lease, so a counter of one id never restarts; a
// smaller value is another program's mistake and counts as no growth.
uint64_t Grown(uint64_t from, uint64_t to) { return to > from ? to - from : 0; }

}  // namespace

core::TrafficTotals ClusterTotals::Add(const std::vector<core::NodeTraffic>& nodes) {
  absl::flat_hash_map<std::string, core::TrafficTotals> seen;
  core::TrafficTotals sum = grown_;
  sum.connections = 0;
  sum.subscriptions = 0;
  for (const core::NodeTraffic& node : nodes) {
    const core::TrafficTotals& now = node.totals;
    sum.connections += now.connections;
    sum.subscriptions += now.subscriptions;
    if (auto it = last_.find(node.node); it != last_.end()) {
      const core::TrafficTotals& before = it->second;
      sum.messages_in += Grown(before.messages_in, now.messages_in);
      sum.messages_out += Grown(before.messages_out, now.messages_out);
      sum.published += Grown(before.published, now.published);
      sum.client_events += Grown(before.client_events, now.client_events);
      sum.webhooks_sent += Grown(before.webhooks_sent, now.webhooks_sent);
      sum.webhooks_failed += Grown(before.webhooks_failed, now.webhooks_failed);
    }
    seen[node.node] = now;
  }
  last_ = std::move(seen);
  grown_ = sum;
  return sum;
}

}  // namespace gw::dashboard
