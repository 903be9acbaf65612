#include "clients/bench/bench_options.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string UsageErrorOf(std::vector<std::string> args) {
  absl::StatusOr<BenchOptions> options = ParseBenchArgs(args);
  EXPECT_FALSE(options.ok());
  if (options.ok()) return "";
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(options.status().message());
}

TEST(ParseBenchArgs, ReadsAFanoutWithEveryShapeFlag) {
  absl::StatusOr<BenchOptions> options = ParseBenchArgs({"fanout",
                                                         "--url",
                                                         "ws://127.0.0.1:6002",
                                                         "--app-id",
                                                         "a",
                                                         "--key=k",
                                                         "--secret",
                                                         "s",
                                                         "--connections",
                                                         "2k",
                                                         "--channels",
                                                         "4",
                                                         "--rate",
                                                         "1.5k",
                                                         "--payload-bytes",
                                                         "256",
                                                         "--duration",
                                                         "500ms",
                                                         "--publishers",
                                                         "8",
                                                         "--threads",
                                                         "2",
                                                         "--json",
                                                         "--server-pid",
                                                         "1234",
                                                         "--label",
                                                         "gw"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->scenario, Scenario::kFanout);
  EXPECT_EQ(options->host, "127.0.0.1");
  EXPECT_EQ(options->port, 6002);
  EXPECT_EQ(options->app_id, "a");
  EXPECT_EQ(options->key, "k");
  EXPECT_EQ(options->secret, "s");
  EXPECT_EQ(options->connections, 2000u);
  EXPECT_EQ(options->channels, 4u);
  EXPECT_DOUBLE_EQ(options->rate, 1500);
  EXPECT_EQ(options->payload_bytes, 256u);
  EXPECT_DOUBLE_EQ(options->duration_seconds, 0.5);
  EXPECT_EQ(options->publishers, 8u);
  EXPECT_EQ(options->threads, 2u);
  EXPECT_TRUE(options->json);
  EXPECT_EQ(options->server_pid, 1234);
  EXPECT_EQ(options->label, "gw");
}

TEST(ParseBenchArgs, FillsInEachScenariosDefaults) {
  absl::StatusOr<BenchOptions> fanout = ParseBenchArgs({"fanout"});
  ASSERT_TRUE(fanout.ok());
  EXPECT_EQ(fanout->connections, 1000u);
  EXPECT_EQ(fanout->channels, 1u);
  EXPECT_EQ(fanout->rate, 0);
  EXPECT_EQ(fanout->label, "127.0.0.1:6001");

  absl::StatusOr<BenchOptions> connect = ParseBenchArgs({"connect"});
  ASSERT_TRUE(connect.ok());
  EXPECT_EQ(connect->connections, 10000u);

  absl::StatusOr<BenchOptions> events = ParseBenchArgs({"client-events"});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->connections, 100u);
  EXPECT_EQ(events->channels, 10u);
  EXPECT_DOUBLE_EQ(events->rate, 500);  // 5 per member per second

  absl::StatusOr<BenchOptions> idle = ParseBenchArgs({"idle", "--server-pid", "7"});
  ASSERT_TRUE(idle.ok());
  EXPECT_THAT(idle->idle_steps, ElementsAre(1000u, 10000u, 50000u));
  EXPECT_EQ(idle->channels, 100u);
}

TEST(ParseBenchArgs, ReadsIdleStepsWithSuffixes) {
  absl::StatusOr<BenchOptions> options =
      ParseBenchArgs({"idle", "--steps", "500,2k,1.5M", "--server-pid", "7"});
  ASSERT_FALSE(options.ok());  // 1.5M is over the connection cap
  EXPECT_THAT(options.status().message(), HasSubstr("--steps"));

  options = ParseBenchArgs({"idle", "--steps", "500,2k,20k", "--server-pid", "7"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_THAT(options->idle_steps, ElementsAre(500u, 2000u, 20000u));
}

TEST(ParseBenchArgs, RefusesTargetsOffThisMachine) {
  EXPECT_THAT(UsageErrorOf({"fanout", "--url", "ws://10.0.0.5:6001"}), HasSubstr("loopback"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--url", "ws://example.com:6001"}), HasSubstr("loopback"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--url", "ws://0.0.0.0:6001"}), HasSubstr("loopback"));
  EXPECT_THAT(UsageErrorOf({"publish", "--publisher", "grpc", "--grpc", "192.168.1.2:50051"}),
              HasSubstr("loopback"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--url", "wss://127.0.0.1:6001"}), HasSubstr("--url"));
}

TEST(ParseBenchArgs, AcceptsEveryLoopbackSpelling) {
  absl::StatusOr<BenchOptions> options =
      ParseBenchArgs({"fanout", "--url", "http://localhost:7000/"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->host, "127.0.0.1");
  EXPECT_EQ(options->port, 7000);

  options = ParseBenchArgs({"fanout", "--url", "ws://127.9.8.7:6001"});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->host, "127.9.8.7");

  options = ParseBenchArgs({"fanout", "--url", "ws://[::1]:6001"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->host, "::1");
  EXPECT_EQ(options->source_addresses, 1u);  // no 127.0.0.x spreading towards IPv6

  options = ParseBenchArgs({"publish", "--publisher", "grpc", "--grpc", "localhost:50051"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->grpc_target, "127.0.0.1:50051");
  EXPECT_EQ(options->publish_path, PublishPath::kGrpc);
}

TEST(ParseBenchArgs, EnforcesTheHardCaps) {
  EXPECT_THAT(UsageErrorOf({"fanout", "--connections", "300k"}), HasSubstr("--connections"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--duration", "11m"}), HasSubstr("--duration"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--rate", "20M"}), HasSubstr("--rate"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--payload-bytes", "10"}), HasSubstr("--payload-bytes"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--threads", "0"}), HasSubstr("--threads"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--publishers", "1000"}), HasSubstr("--publishers"));
}

TEST(ParseBenchArgs, RejectsCombinationsThatCannotRun) {
  EXPECT_THAT(UsageErrorOf({"fanout", "--publisher", "grpc"}), HasSubstr("--grpc"));
  EXPECT_THAT(UsageErrorOf({"idle"}), HasSubstr("--server-pid"));
  EXPECT_THAT(UsageErrorOf({"idle", "--server-pid", "1", "--connections", "5"}),
              HasSubstr("--steps"));
  EXPECT_THAT(UsageErrorOf({"idle", "--server-pid", "1", "--steps", "10k,1k"}),
              HasSubstr("ascending"));
  EXPECT_THAT(UsageErrorOf({"client-events", "--rate", "0"}), HasSubstr("--rate"));
  EXPECT_THAT(UsageErrorOf({"client-events", "--connections", "10", "--channels", "10"}),
              HasSubstr("2 members"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--connections", "5", "--channels", "6"}),
              HasSubstr("--channels"));
  EXPECT_THAT(
      UsageErrorOf({"fanout", "--batch", "10", "--publisher", "grpc", "--grpc", "127.0.0.1:50051"}),
      HasSubstr("HTTP API only"));
  EXPECT_THAT(UsageErrorOf({"client-events", "--batch", "10"}), HasSubstr("--batch"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--batch", "101"}), HasSubstr("--batch"));
}

TEST(ParseBenchArgs, ReadsBatchesAndTheFloorServer) {
  absl::StatusOr<BenchOptions> options = ParseBenchArgs({"fanout", "--batch", "10"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->batch, 10u);
  options = ParseBenchArgs({"floor", "--url", "ws://127.0.0.1:16201"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->scenario, Scenario::kFloor);
  EXPECT_EQ(options->port, 16201);
  EXPECT_GE(options->threads, 1u);  // one event loop per core unless told
  options = ParseBenchArgs({"floor", "--threads", "3"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->threads, 3u);
}

TEST(ParseBenchArgs, ReportsUnknownAndIncompleteFlags) {
  EXPECT_THAT(UsageErrorOf({}), HasSubstr("scenario"));
  EXPECT_THAT(UsageErrorOf({"stampede"}), HasSubstr("unknown scenario"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--bogus"}), HasSubstr("unknown flag --bogus"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--connections"}), HasSubstr("needs a value"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--json=yes"}), HasSubstr("takes no value"));
  EXPECT_THAT(UsageErrorOf({"fanout", "extra"}), HasSubstr("unexpected argument"));
}

TEST(ParseBenchArgs, TakesTwoFilesToCompare) {
  absl::StatusOr<BenchOptions> options = ParseBenchArgs({"compare", "a.json", "b.json"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->scenario, Scenario::kCompare);
  EXPECT_THAT(options->compare_files, ElementsAre("a.json", "b.json"));
  EXPECT_THAT(UsageErrorOf({"compare", "a.json"}), HasSubstr("two files"));
}

TEST(ParseBenchArgs, AnswersHelpWithoutAScenario) {
  absl::StatusOr<BenchOptions> options = ParseBenchArgs({"--help"});
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->help);
  options = ParseBenchArgs({"fanout", "--connections", "5", "-h"});
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->help);
  EXPECT_THAT(Usage(), HasSubstr("client-events"));
}

TEST(ParseCount, ReadsSuffixesAndRejectsJunk) {
  EXPECT_EQ(ParseCount("12"), 12u);
  EXPECT_EQ(ParseCount("12k"), 12000u);
  EXPECT_EQ(ParseCount("2M"), 2000000u);
  EXPECT_EQ(ParseCount("1.5k"), 1500u);
  EXPECT_EQ(ParseCount("1.0005k"), std::nullopt);  // not whole
  EXPECT_EQ(ParseCount("-3"), std::nullopt);
  EXPECT_EQ(ParseCount("k"), std::nullopt);
  EXPECT_EQ(ParseCount(""), std::nullopt);
  EXPECT_EQ(ParseCount("ten"), std::nullopt);
}

TEST(ParseSeconds, ReadsUnits) {
  EXPECT_DOUBLE_EQ(*ParseSeconds("10"), 10);
  EXPECT_DOUBLE_EQ(*ParseSeconds("2.5s"), 2.5);
  EXPECT_DOUBLE_EQ(*ParseSeconds("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseSeconds("2m"), 120);
  EXPECT_EQ(ParseSeconds("-1"), std::nullopt);
  EXPECT_EQ(ParseSeconds("s"), std::nullopt);
  EXPECT_EQ(ParseSeconds("soon"), std::nullopt);
}

TEST(LoopbackAddress, KnowsLoopbackFromEverythingElse) {
  EXPECT_EQ(LoopbackAddress("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(LoopbackAddress("127.255.0.3"), "127.255.0.3");
  EXPECT_EQ(LoopbackAddress("localhost"), "127.0.0.1");
  EXPECT_EQ(LoopbackAddress("::1"), "::1");
  EXPECT_EQ(LoopbackAddress("128.0.0.1"), std::nullopt);
  EXPECT_EQ(LoopbackAddress("0.0.0.0"), std::nullopt);
  EXPECT_EQ(LoopbackAddress("::"), std::nullopt);
  EXPECT_EQ(LoopbackAddress("localhost.example.com"), std::nullopt);
  EXPECT_EQ(LoopbackAddress("127.0.0.1.nip.io"), std::nullopt);
}

TEST(ParseBenchArgs, ReadsThePayloadKindAndTheCompressionOffer) {
  absl::StatusOr<BenchOptions> plain = ParseBenchArgs({"fanout"});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->json_payload);
  EXPECT_FALSE(plain->compress);
  absl::StatusOr<BenchOptions> options =
      ParseBenchArgs({"fanout", "--payload", "json", "--compress"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->json_payload);
  EXPECT_TRUE(options->compress);
  EXPECT_THAT(UsageErrorOf({"fanout", "--payload", "xml"}), HasSubstr("--payload"));
  EXPECT_THAT(UsageErrorOf({"fanout", "--compress=yes"}), HasSubstr("--compress"));
}

}  // namespace
}  // namespace gw::bench

namespace gw::bench {
namespace {

TEST(ParseBenchArgs, ReadsACrossNodeFanout) {
  absl::StatusOr<BenchOptions> options = ParseBenchArgs(
      {"fanout", "--url", "ws://127.0.0.1:7001", "--subscriber-urls",
       "ws://127.0.0.1:7002,http://127.0.0.2:7003", "--server-pid", "11,12,13"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->port, 7001);
  ASSERT_EQ(options->subscriber_servers.size(), 2u);
  EXPECT_EQ(options->subscriber_servers[1], std::make_pair(std::string("127.0.0.2"), uint16_t{7003}));
  EXPECT_EQ(options->server_pid, 11);
  EXPECT_EQ(options->server_pids, (std::vector<int>{11, 12, 13}));
}

TEST(ParseBenchArgs, RefusesSubscriberUrlsOffThisMachineAndBadPids) {
  EXPECT_FALSE(ParseBenchArgs({"fanout", "--subscriber-urls", "ws://10.0.0.1:6001"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"fanout", "--subscriber-urls", ","}).ok());
  EXPECT_FALSE(ParseBenchArgs({"fanout", "--server-pid", "12,x"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"fanout", "--server-pid", "0"}).ok());
}

}  // namespace
}  // namespace gw::bench
