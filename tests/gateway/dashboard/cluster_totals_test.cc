#include "gateway/dashboard/cluster_totals.h"

#include "gtest/gtest.h"

namespace gw::dashboard {
namespace {

core::NodeTraffic Node(std::string id, uint64_t connections, uint64_t messages_out) {
  core::NodeTraffic node;
  node.node = std::move(id);
  node.totals.connections = connections;
  node.totals.subscriptions = 2 * connections;
  node.totals.messages_out = messages_out;
  return node;
}

TEST(ClusterTotals, GaugesAreSummedOverTheNodesRead) {
  ClusterTotals totals;
  core::TrafficTotals sum = totals.Add({Node("a.1", 3, 0), Node("b.1", 4, 0)});
  EXPECT_EQ(sum.connections, 7u);
  EXPECT_EQ(sum.subscriptions, 14u);
  sum = totals.Add({Node("a.1", 1, 0)});
  EXPECT_EQ(sum.connections, 1u) << "a node left out of a reading counts for nothing";
}

TEST(ClusterTotals, CountersGrowByWhatEachNodesGrewSinceItWasFirstRead) {
  ClusterTotals totals;
  EXPECT_EQ(totals.Add({Node("a.1", 0, 1000)}).messages_out, 0u)
      << "what a node counted before it was read is not the cluster's growth";
  EXPECT_EQ(totals.Add({Node("a.1", 0, 1010), Node("b.1", 0, 500)}).messages_out, 10u);
  EXPECT_EQ(totals.Add({Node("a.1", 0, 1015), Node("b.1", 0, 530)}).messages_out, 45u);
}

TEST(ClusterTotals, ANodeThatLeavesOrComesBackNeverMakesTheCountersDropOrLeap) {
  ClusterTotals totals;
  totals.Add({Node("a.1", 0, 100), Node("b.1", 0, 900)});
  EXPECT_EQ(totals.Add({Node("a.1", 0, 110), Node("b.1", 0, 950)}).messages_out, 60u);
  // b dies: its 950 leave the nodes, not the cluster's count.
  EXPECT_EQ(totals.Add({Node("a.1", 0, 120)}).messages_out, 70u);
  // b back under a new lease with the counters of its process: growth counts from there.
  EXPECT_EQ(totals.Add({Node("a.1", 0, 120), Node("b.2", 0, 990)}).messages_out, 70u);
  EXPECT_EQ(totals.Add({Node("a.1", 0, 120), Node("b.2", 0, 1000)}).messages_out, 80u);
  // A counter that went back (not ours to explain) is no growth.
  EXPECT_EQ(totals.Add({Node("a.1", 0, 5), Node("b.2", 0, 1000)}).messages_out, 80u);
}

}  // namespace
}  // namespace gw::dashboard
