#include "gateway/cluster/traffic_figures.h"

#include "gtest/gtest.h"

namespace gw::cluster {
namespace {

core::TrafficTotals Sample() {
  core::TrafficTotals t;
  t.connections = 1;
  t.subscriptions = 2;
  t.messages_in = 3;
  t.messages_out = 4;
  t.published = 5;
  t.client_events = 6;
  t.webhooks_sent = 7;
  t.webhooks_failed = 18446744073709551615u;
  return t;
}

// What the heartbeat script stores: Redis's time, a space, the encoded figures.
std::string Written(int64_t ms, const core::TrafficTotals& t) {
  return std::to_string(ms) + " " + EncodeTrafficFigures(t);
}

TEST(TrafficFigures, AreWrittenInDeclarationOrderAndReadBack) {
  EXPECT_EQ(EncodeTrafficFigures(Sample()), "1 2 3 4 5 6 7 18446744073709551615");
  auto read = DecodeTrafficFigures(Written(1700000000123, Sample()));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->written_ms, 1700000000123);
  EXPECT_EQ(read->totals.subscriptions, 2u);
  EXPECT_EQ(read->totals.client_events, 6u);
  EXPECT_EQ(read->totals.webhooks_failed, 18446744073709551615u);
}

TEST(TrafficFigures, AnythingElseIsNotRead) {
  for (std::string_view junk : {"", "1 2 3", "x 1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8 -9",
                                "1  2 3 4 5 6 7 8 9", "1 2 3 4 5 6 7 8 99999999999999999999"}) {
    EXPECT_FALSE(DecodeTrafficFigures(junk).has_value()) << junk;
  }
  // A later version may add figures at the end: these are read, the rest ignored.
  EXPECT_TRUE(DecodeTrafficFigures("1 2 3 4 5 6 7 8 9 10").has_value());
}

RedisReply Reading(int64_t now_ms, std::vector<std::pair<std::string, std::string>> entries) {
  std::vector<RedisReply> flat;
  for (auto& [node, value] : entries) {
    flat.push_back(RedisReply::String(node));
    flat.push_back(RedisReply::String(value));
  }
  return RedisReply::Array({RedisReply::Integer(now_ms), RedisReply::Array(std::move(flat))});
}

TEST(TrafficFigures, LiveNodesAreThoseThatWroteWithinTheLeaseSortedWithThisOneMarked) {
  const int64_t now = 1'700'000'010'000;
  auto nodes = LiveNodeTraffic(Reading(now, {{"c.1", Written(now - 3001, Sample())},
                                             {"b.2", Written(now - 3000, Sample())},
                                             {"a.1", Written(now - 200, Sample())},
                                             {"d.1", "not figures"}}),
                               "b.2", 3000);
  ASSERT_EQ(nodes.size(), 2u) << "c.1 silent for longer than the lease, d.1 not ours";
  EXPECT_EQ(nodes[0].node, "a.1");
  EXPECT_FALSE(nodes[0].self);
  EXPECT_EQ(nodes[0].age_ms, 200);
  EXPECT_EQ(nodes[1].node, "b.2");
  EXPECT_TRUE(nodes[1].self);
  EXPECT_EQ(nodes[1].age_ms, 3000);
  EXPECT_EQ(nodes[1].totals.messages_out, 4u);
}

TEST(TrafficFigures, AClockThatSteppedBackGivesAgeZeroAndAStrangeReplyNothing) {
  auto nodes = LiveNodeTraffic(Reading(1000, {{"a.1", Written(1500, Sample())}}), "x", 3000);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].age_ms, 0);
  EXPECT_TRUE(LiveNodeTraffic(RedisReply::Error("ERR"), "x", 3000).empty());
  EXPECT_TRUE(LiveNodeTraffic(RedisReply::Array({}), "x", 3000).empty());
}

}  // namespace
}  // namespace gw::cluster
