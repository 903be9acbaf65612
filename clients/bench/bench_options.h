#ifndef CLIENTS_BENCH_BENCH_OPTIONS_H_
#define CLIENTS_BENCH_BENCH_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::bench {

enum class Scenario {
  kFanout,
  kConnect,
  kIdle,
  kClientEvents,
  kPublish,
  kSoak,
  kCompare,
  kFloor
};
enum class PublishPath { kHttp, kGrpc };

std::string ScenarioName(Scenario scenario);
std::string PublishPathName(PublishPath path);

// Hard caps: every run is bounded in connections, time and messages whatever the flags say.
struct BenchCaps {
  static constexpr uint32_t kMaxConnections = 200'000;
  static constexpr size_t kMaxIdleSteps = 16;
  static constexpr double kMaxDurationSeconds = 600;
  static constexpr double kMaxDrainSeconds = 60;
  static constexpr double kMaxConnectTimeoutSeconds = 600;
  static constexpr uint32_t kMaxThreads = 64;
  static constexpr uint32_t kMaxPublishers = 256;
  static constexpr uint32_t kMaxBatch = 100;
  static constexpr uint32_t kMinPayloadBytes = 40;  // room for the timestamp stamp
  static constexpr uint32_t kMaxPayloadBytes = 64 * 1024;
  static constexpr double kMaxRate = 10'000'000;
  static constexpr uint64_t kMaxMessages = 1'000'000'000;
  static constexpr uint32_t kMaxSourceAddresses = 254;
  static constexpr uint32_t kMaxConnectConcurrency = 10'000;
};

// One parsed realtime-bench command line. Everything is validated and within BenchCaps.
struct BenchOptions {
  Scenario scenario = Scenario::kFanout;
  // Set by -h / --help: print Usage() and exit 0; nothing else is filled in then.
  bool help = false;

  // The server, always on this machine: `host` is an IPv4 loopback address (127.0.0.0/8, with
  // "localhost" mapped to 127.0.0.1) or "::1". The WebSocket edge and the Pusher HTTP API share
  // host:port (true of realtime-gateway and soketi).
  std::string host = "127.0.0.1";
  uint16_t port = 6001;
  // realtime-gateway's gRPC control plane ("127.0.0.1:50051"); empty = not given.
  std::string grpc_target;
  std::string app_id = "app-id";
  std::string key = "app-key";
  std::string secret = "app-secret";
  // Where the subscribers connect instead, spread round robin (connection g to entry g % n): the
  // nodes of a cluster other than the one the publisher talks to. Empty = host:port.
  std::vector<std::pair<std::string, uint16_t>> subscriber_servers;
  // The server process, for CPU seconds (/proc/<pid>/stat) and RSS (/proc/<pid>/status); 0 = none.
  // The first of --server-pid's list; the others' CPU and RSS are added to it (a cluster's nodes).
  int server_pid = 0;
  std::vector<int> server_pids;
  // The server's name in the output (default: "host:port").
  std::string label;
  // The run's name in the output (default: built from the scenario and its shape).
  std::string name;

  // Subscribers (fanout), connections (connect) or presence members (client-events).
  uint32_t connections = 0;
  // Channels the connections are spread over, connection i on channel i % channels.
  uint32_t channels = 1;
  // idle: the connection counts held, one after the other, ascending.
  std::vector<uint32_t> idle_steps;
  PublishPath publish_path = PublishPath::kHttp;
  // Concurrent publish requests (each its own HTTP connection or gRPC caller thread).
  uint32_t publishers = 4;
  // Events per publish request: 1 = POST /events, more = POST /batch_events (HTTP only; Pusher
  // allows 10 per batch).
  uint32_t batch = 1;
  // Messages per second over the whole run; 0 = as fast as the publishers go.
  double rate = 0;
  uint32_t payload_bytes = 100;
  // Publish a realistic JSON broadcast (WriteTimedJsonPayload) instead of 'x' padding, which
  // compresses far better than real traffic.
  bool json_payload = false;
  // Offer permessage-deflate on every connection (as browsers do) and inflate what arrives
  // compressed; wire bytes per delivery are reported either way.
  bool compress = false;
  // Publishing time (fanout, publish, client-events), the deadline for all connections to be up
  // (connect), or how long each step is held before RSS is read (idle).
  double duration_seconds = 10;
  uint64_t max_messages = 10'000'000;
  // soak: how much the server's RSS may have grown after the churn (beyond what the first round
  // brought it to) for the run to pass.
  uint32_t rss_bound_mib = 32;
  // After publishing stops, deliveries are awaited until this long passes without one (at most
  // 60 s in all); what has not arrived then counts as lost.
  double drain_seconds = 3;
  double connect_timeout_seconds = 60;
  uint32_t connect_concurrency = 256;
  // Connection i binds 127.0.0.(1 + i % source_addresses) before connecting, so 50k connections
  // do not run out of ephemeral ports on one source address. IPv4 targets only.
  uint32_t source_addresses = 16;
  // I/O threads of the bench's connections; floor: event loops (default: one per core).
  uint32_t threads = 1;
  bool json = false;
  // Also append the JSON report, as one line, to this file (the table still goes to stdout).
  std::string json_file;
  bool quiet = false;

  // compare: the two files of JSON reports (one per line) to set side by side.
  std::vector<std::string> compare_files;
};

// Parses the arguments after argv[0]. A usage error is INVALID_ARGUMENT whose message names the
// flag. Per-scenario defaults (connections, channels, rate, steps) are filled in. Pure.
absl::StatusOr<BenchOptions> ParseBenchArgs(const std::vector<std::string>& args);

std::string Usage();

// "127.0.0.1", "127.3.2.1", "localhost", "::1" and "[::1]" are loopback; anything else, names
// included, is not. On success returns the literal address to connect to.
std::optional<std::string> LoopbackAddress(std::string_view host);

// "12", "12k", "1.5M" -> 12, 12000, 1500000. Non-negative integers only.
std::optional<uint64_t> ParseCount(std::string_view text);
// "10", "2.5", "10s", "500ms", "2m" -> seconds.
std::optional<double> ParseSeconds(std::string_view text);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_BENCH_OPTIONS_H_
