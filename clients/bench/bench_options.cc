#include "clients/bench/bench_options.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace gw::bench {
namespace {

absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status UsageError(std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(Absl(message), " (see 'realtime-bench --help')"));
}

constexpr std::pair<std::string_view, Scenario> kScenarioNames[] = {
    {"fanout", Scenario::kFanout},   {"connect", Scenario::kConnect},
    {"idle", Scenario::kIdle},       {"client-events", Scenario::kClientEvents},
    {"publish", Scenario::kPublish}, {"soak", Scenario::kSoak},
    {"compare", Scenario::kCompare}, {"floor", Scenario::kFloor},
};

std::optional<Scenario> ScenarioFromName(std::string_view name) {
  for (const auto& [known, scenario] : kScenarioNames) {
    if (known == name) return scenario;
  }
  return std::nullopt;
}

// Splits "host:port" (or "[v6]:port"); the port is required.
absl::StatusOr<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view text,
                                                               std::string_view flag) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) {
    return UsageError(
        absl::StrCat("--", Absl(flag), ": expected HOST:PORT, got '", Absl(text), "'"));
  }
  std::string_view host = text.substr(0, colon);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(Absl(text.substr(colon + 1)), &port) || port == 0 || port > 65535) {
    return UsageError(absl::StrCat("--", Absl(flag), ": bad port in '", Absl(text), "'"));
  }
  std::optional<std::string> address = LoopbackAddress(host);
  if (!address) {
    return UsageError(
        absl::StrCat("--", Absl(flag), ": realtime-bench only measures servers on this machine; '",
                     Absl(host), "' is not a loopback address (127.0.0.0/8, ::1, localhost)"));
  }
  return std::make_pair(*address, static_cast<uint16_t>(port));
}

absl::StatusOr<std::pair<std::string, uint16_t>> ParseUrl(std::string_view url) {
  std::string_view rest = url;
  bool has_scheme = false;
  for (std::string_view scheme : {"ws://", "http://"}) {
    if (rest.substr(0, scheme.size()) == scheme) {
      rest.remove_prefix(scheme.size());
      has_scheme = true;
    }
  }
  if (!has_scheme) {
    return UsageError(absl::StrCat("--url: expected ws://HOST:PORT or http://HOST:PORT, got '",
                                   Absl(url), "' (no TLS: loopback only)"));
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return UsageError("--url: no path expected (the bench uses /app/KEY and /apps/ID)");
  }
  return SplitHostPort(rest, "url");
}

absl::Status ApplyUrl(std::string_view url, BenchOptions* options) {
  absl::StatusOr<std::pair<std::string, uint16_t>> host_port = ParseUrl(url);
  if (!host_port.ok()) return host_port.status();
  options->host = host_port->first;
  options->port = host_port->second;
  return absl::OkStatus();
}

absl::Status ApplySubscriberUrls(std::string_view urls, BenchOptions* options) {
  options->subscriber_servers.clear();
  for (absl::string_view url : absl::StrSplit(Absl(urls), ',', absl::SkipEmpty())) {
    absl::StatusOr<std::pair<std::string, uint16_t>> host_port =
        ParseUrl(std::string_view(url.data(), url.size()));
    if (!host_port.ok()) return host_port.status();
    options->subscriber_servers.push_back(*std::move(host_port));
  }
  if (options->subscriber_servers.empty()) return UsageError("--subscriber-urls: no URL given");
  return absl::OkStatus();
}

absl::Status ApplyServerPids(std::string_view pids, BenchOptions* options) {
  options->server_pids.clear();
  for (absl::string_view part : absl::StrSplit(Absl(pids), ',', absl::SkipEmpty())) {
    int pid = 0;
    if (!absl::SimpleAtoi(part, &pid) || pid < 1) {
      return UsageError(absl::StrCat("--server-pid: expected process ids, got '", part, "'"));
    }
    options->server_pids.push_back(pid);
  }
  if (options->server_pids.empty()) return UsageError("--server-pid: no process id given");
  options->server_pid = options->server_pids.front();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> ParseSteps(std::string_view text) {
  std::vector<uint32_t> steps;
  for (absl::string_view part : absl::StrSplit(Absl(text), ',', absl::SkipEmpty())) {
    std::optional<uint64_t> count = ParseCount(std::string_view(part.data(), part.size()));
    if (!count || *count == 0 || *count > BenchCaps::kMaxConnections) {
      return UsageError(absl::StrCat("--steps: each step is 1..", BenchCaps::kMaxConnections,
                                     " connections, got '", part, "'"));
    }
    steps.push_back(static_cast<uint32_t>(*count));
  }
  if (steps.empty()) return UsageError("--steps: expected a list such as 1k,10k,50k");
  if (steps.size() > BenchCaps::kMaxIdleSteps) {
    return UsageError(absl::StrCat("--steps: at most ", BenchCaps::kMaxIdleSteps, " steps"));
  }
  if (!std::is_sorted(steps.begin(), steps.end()) ||
      std::adjacent_find(steps.begin(), steps.end()) != steps.end()) {
    return UsageError("--steps: counts must be strictly ascending (each step adds connections)");
  }
  return steps;
}

struct Flag {
  bool takes_value;
  std::function<absl::Status(std::string_view value, BenchOptions*)> apply;
};

template <typename T>
Flag CountFlag(std::string_view name, T BenchOptions::*field, uint64_t min, uint64_t max) {
  return {true, [name, field, min, max](std::string_view value, BenchOptions* options) {
            std::optional<uint64_t> count = ParseCount(value);
            if (!count || *count < min || *count > max) {
              return UsageError(absl::StrCat("--", Absl(name), ": expected an integer in ", min,
                                             "..", max, ", got '", Absl(value), "'"));
            }
            options->*field = static_cast<T>(*count);
            return absl::OkStatus();
          }};
}

Flag SecondsFlag(std::string_view name, double BenchOptions::*field, double min, double max) {
  return {
      true, [name, field, min, max](std::string_view value, BenchOptions* options) {
        std::optional<double> seconds = ParseSeconds(value);
        if (!seconds || *seconds < min || *seconds > max) {
          return UsageError(absl::StrCat("--", Absl(name), ": expected seconds in ", min, "..", max,
                                         " (10, 2.5s, 500ms, 2m), got '", Absl(value), "'"));
        }
        options->*field = *seconds;
        return absl::OkStatus();
      }};
}

Flag TextFlag(std::string BenchOptions::*field) {
  return {true, [field](std::string_view value, BenchOptions* options) {
            options->*field = std::string(value);
            return absl::OkStatus();
          }};
}

Flag SwitchFlag(bool BenchOptions::*field) {
  return {false, [field](std::string_view, BenchOptions* options) {
            options->*field = true;
            return absl::OkStatus();
          }};
}

const std::map<std::string_view, Flag>& Flags() {
  static const auto* flags = new std::map<std::string_view, Flag>{
      {"url", {true, [](std::string_view v, BenchOptions* o) { return ApplyUrl(v, o); }}},
      {"grpc",
       {true,
        [](std::string_view v, BenchOptions* o) -> absl::Status {
          absl::StatusOr<std::pair<std::string, uint16_t>> host_port = SplitHostPort(v, "grpc");
          if (!host_port.ok()) return host_port.status();
          const std::string& host = host_port->first;
          o->grpc_target = host.find(':') != std::string::npos
                               ? absl::StrCat("[", host, "]:", host_port->second)
                               : absl::StrCat(host, ":", host_port->second);
          return absl::OkStatus();
        }}},
      {"app-id", TextFlag(&BenchOptions::app_id)},
      {"key", TextFlag(&BenchOptions::key)},
      {"secret", TextFlag(&BenchOptions::secret)},
      {"label", TextFlag(&BenchOptions::label)},
      {"name", TextFlag(&BenchOptions::name)},
      {"server-pid",
       {true, [](std::string_view v, BenchOptions* o) { return ApplyServerPids(v, o); }}},
      {"subscriber-urls",
       {true, [](std::string_view v, BenchOptions* o) { return ApplySubscriberUrls(v, o); }}},
      {"connections",
       CountFlag("connections", &BenchOptions::connections, 1, BenchCaps::kMaxConnections)},
      {"channels", CountFlag("channels", &BenchOptions::channels, 1, BenchCaps::kMaxConnections)},
      {"steps",
       {true,
        [](std::string_view v, BenchOptions* o) -> absl::Status {
          absl::StatusOr<std::vector<uint32_t>> steps = ParseSteps(v);
          if (!steps.ok()) return steps.status();
          o->idle_steps = *std::move(steps);
          return absl::OkStatus();
        }}},
      {"publisher",
       {true,
        [](std::string_view v, BenchOptions* o) -> absl::Status {
          if (v == "http") {
            o->publish_path = PublishPath::kHttp;
          } else if (v == "grpc") {
            o->publish_path = PublishPath::kGrpc;
          } else {
            return UsageError(
                absl::StrCat("--publisher: expected http or grpc, got '", Absl(v), "'"));
          }
          return absl::OkStatus();
        }}},
      {"publishers",
       CountFlag("publishers", &BenchOptions::publishers, 1, BenchCaps::kMaxPublishers)},
      {"batch", CountFlag("batch", &BenchOptions::batch, 1, BenchCaps::kMaxBatch)},
      {"rate",
       {true,
        [](std::string_view v, BenchOptions* o) -> absl::Status {
          std::optional<uint64_t> whole = ParseCount(v);
          double rate = 0;
          if (whole) {
            rate = static_cast<double>(*whole);
          } else if (!absl::SimpleAtod(Absl(v), &rate) || !std::isfinite(rate)) {
            return UsageError(
                absl::StrCat("--rate: expected messages per second, got '", Absl(v), "'"));
          }
          if (rate < 0 || rate > BenchCaps::kMaxRate) {
            return UsageError(absl::StrCat("--rate: expected 0 (as fast as possible) up to ",
                                           BenchCaps::kMaxRate, " per second"));
          }
          o->rate = rate;
          return absl::OkStatus();
        }}},
      {"payload",
       {true,
        [](std::string_view v, BenchOptions* o) -> absl::Status {
          if (v != "padded" && v != "json") {
            return UsageError(
                absl::StrCat("--payload: expected padded or json, got '", Absl(v), "'"));
          }
          o->json_payload = v == "json";
          return absl::OkStatus();
        }}},
      {"compress", SwitchFlag(&BenchOptions::compress)},
      {"payload-bytes", CountFlag("payload-bytes", &BenchOptions::payload_bytes,
                                  BenchCaps::kMinPayloadBytes, BenchCaps::kMaxPayloadBytes)},
      {"duration", SecondsFlag("duration", &BenchOptions::duration_seconds, 0.1,
                               BenchCaps::kMaxDurationSeconds)},
      {"max-messages",
       CountFlag("max-messages", &BenchOptions::max_messages, 1, BenchCaps::kMaxMessages)},
      {"rss-bound-mib", CountFlag("rss-bound-mib", &BenchOptions::rss_bound_mib, 1, 1 << 20)},
      {"drain-seconds",
       SecondsFlag("drain-seconds", &BenchOptions::drain_seconds, 0, BenchCaps::kMaxDrainSeconds)},
      {"connect-timeout", SecondsFlag("connect-timeout", &BenchOptions::connect_timeout_seconds, 1,
                                      BenchCaps::kMaxConnectTimeoutSeconds)},
      {"connect-concurrency", CountFlag("connect-concurrency", &BenchOptions::connect_concurrency,
                                        1, BenchCaps::kMaxConnectConcurrency)},
      {"source-addresses", CountFlag("source-addresses", &BenchOptions::source_addresses, 1,
                                     BenchCaps::kMaxSourceAddresses)},
      {"threads", CountFlag("threads", &BenchOptions::threads, 1, BenchCaps::kMaxThreads)},
      {"json", SwitchFlag(&BenchOptions::json)},
      {"json-file", TextFlag(&BenchOptions::json_file)},
      {"quiet", SwitchFlag(&BenchOptions::quiet)},
  };
  return *flags;
}

// Fills in what the scenario needs and the user did not say, then checks the combination.
absl::Status Finish(const std::vector<std::string_view>& given, BenchOptions* o) {
  auto was_given = [&](std::string_view flag) {
    return std::find(given.begin(), given.end(), flag) != given.end();
  };
  if (o->scenario == Scenario::kCompare) {
    if (o->compare_files.size() != 2) {
      return UsageError("compare: expected two files of --json output (A.json B.json)");
    }
    return absl::OkStatus();
  }
  if (!o->compare_files.empty()) {
    return UsageError(absl::StrCat("unexpected argument '", o->compare_files.front(), "'"));
  }
  if (o->scenario == Scenario::kFloor && !was_given("threads")) {
    o->threads = std::max(1u, std::thread::hardware_concurrency());
  }
  if (o->label.empty()) {
    o->label = o->host.find(':') != std::string::npos ? absl::StrCat("[", o->host, "]:", o->port)
                                                      : absl::StrCat(o->host, ":", o->port);
  }
  if (o->connections == 0) {
    switch (o->scenario) {
      case Scenario::kConnect:
        o->connections = 10'000;
        break;
      case Scenario::kClientEvents:
        o->connections = 100;
        break;
      case Scenario::kSoak:
        o->connections = 400;
        break;
      default:
        o->connections = 1000;
    }
  }
  if (o->scenario == Scenario::kClientEvents && !was_given("channels")) o->channels = 10;
  if (o->scenario == Scenario::kIdle && !was_given("channels")) o->channels = 100;
  if (o->scenario == Scenario::kSoak) {
    if (!was_given("channels")) o->channels = 10;
    if (!was_given("rate")) o->rate = 200;
    if (o->server_pid == 0) {
      return UsageError("soak: --server-pid is required (RSS, descriptors, threads from /proc)");
    }
  }
  if (o->scenario == Scenario::kIdle && o->idle_steps.empty()) {
    o->idle_steps = {1000, 10'000, 50'000};
  }
  if (o->scenario == Scenario::kIdle && was_given("connections")) {
    return UsageError("idle: use --steps (e.g. 1k,10k,50k), not --connections");
  }
  if (o->scenario == Scenario::kIdle && o->server_pid == 0) {
    return UsageError("idle: --server-pid is required (RSS per connection is read from /proc)");
  }
  if (o->scenario == Scenario::kClientEvents && !was_given("rate")) {
    // Half of Pusher's default limit of 10 client events per second per connection.
    o->rate = 5.0 * o->connections;
  }
  if (o->scenario == Scenario::kClientEvents && o->rate == 0) {
    return UsageError("client-events: --rate must be above 0 (client events have no replies)");
  }
  if (o->scenario == Scenario::kClientEvents && o->connections < 2 * o->channels) {
    return UsageError(
        "client-events: need at least 2 members per channel (--connections >= "
        "2 x --channels)");
  }
  if (o->channels > o->connections && o->scenario != Scenario::kPublish &&
      o->scenario != Scenario::kIdle) {
    return UsageError("--channels: more channels than connections leaves some empty");
  }
  if (o->batch > 1 && o->publish_path != PublishPath::kHttp) {
    return UsageError("--batch: batches are published over the HTTP API only (--publisher http)");
  }
  if (o->batch > 1 && o->scenario != Scenario::kFanout && o->scenario != Scenario::kPublish) {
    return UsageError("--batch: only fanout and publish publish batches");
  }
  if (o->publish_path == PublishPath::kGrpc && o->grpc_target.empty()) {
    return UsageError("--publisher grpc needs --grpc HOST:PORT (realtime-gateway's gRPC port)");
  }
  if (o->host.find(':') != std::string::npos) o->source_addresses = 1;
  return absl::OkStatus();
}

}  // namespace

std::string ScenarioName(Scenario scenario) {
  for (const auto& [name, known] : kScenarioNames) {
    if (known == scenario) return std::string(name);
  }
  return "?";
}

std::string PublishPathName(PublishPath path) {
  return path == PublishPath::kGrpc ? "grpc" : "http";
}

absl::StatusOr<BenchOptions> ParseBenchArgs(const std::vector<std::string>& args) {
  BenchOptions options;
  std::optional<Scenario> scenario;
  std::vector<std::string_view> given;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help" || arg == "help") {
      BenchOptions help;
      help.help = true;
      return help;
    }
    if (arg.substr(0, 2) != "--") {
      if (!scenario) {
        scenario = ScenarioFromName(arg);
        if (!scenario) {
          return UsageError(absl::StrCat("unknown scenario '", Absl(arg),
                                         "' (fanout, connect, idle, client-events, publish, soak, "
                                         "compare, floor)"));
        }
      } else {
        options.compare_files.emplace_back(arg);
      }
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto flag = Flags().find(name);
    if (flag == Flags().end()) {
      return UsageError(absl::StrCat("unknown flag --", Absl(name)));
    }
    if (flag->second.takes_value && !value) {
      if (i + 1 >= args.size()) {
        return UsageError(absl::StrCat("--", Absl(name), " needs a value"));
      }
      value = args[++i];
    }
    if (!flag->second.takes_value && value) {
      return UsageError(absl::StrCat("--", Absl(name), " takes no value"));
    }
    if (absl::Status applied = flag->second.apply(value.value_or(""), &options); !applied.ok()) {
      return applied;
    }
    given.push_back(flag->first);
  }
  if (!scenario) {
    return UsageError(
        "expected a scenario: fanout, connect, idle, client-events, publish, soak, compare, "
        "floor");
  }
  options.scenario = *scenario;
  if (absl::Status finished = Finish(given, &options); !finished.ok()) return finished;
  return options;
}

std::optional<std::string> LoopbackAddress(std::string_view host) {
  if (host == "localhost") return std::string("127.0.0.1");
  if (host == "::1" || host == "[::1]") return std::string("::1");
  std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) != 1) return std::nullopt;
  if ((ntohl(v4.s_addr) >> 24) != 127) return std::nullopt;
  return text;
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t multiplier = 1;
  char last = text.back();
  if (last == 'k' || last == 'K') {
    multiplier = 1000;
  } else if (last == 'm' || last == 'M') {
    multiplier = 1'000'000;
  }
  if (multiplier != 1) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  uint64_t whole = 0;
  if (absl::SimpleAtoi(Absl(text), &whole)) {
    if (whole > UINT64_MAX / multiplier) return std::nullopt;
    return whole * multiplier;
  }
  // "1.5k": a fraction is fine as long as the result is whole.
  double fraction = 0;
  if (multiplier == 1 || !absl::SimpleAtod(Absl(text), &fraction) || !(fraction >= 0)) {
    return std::nullopt;
  }
  double value = fraction * static_cast<double>(multiplier);
  if (value != std::floor(value) || value > 1e18) return std::nullopt;
  return static_cast<uint64_t>(value);
}

std::optional<double> ParseSeconds(std::string_view text) {
  double scale = 1;
  if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
    scale = 0.001;
    text.remove_suffix(2);
  } else if (!text.empty() && text.back() == 's') {
    text.remove_suffix(1);
  } else if (!text.empty() && text.back() == 'm') {
    scale = 60;
    text.remove_suffix(1);
  }
  double value = 0;
  if (text.empty() || !absl::SimpleAtod(Absl(text), &value) || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value * scale;
}

std::string Usage() {
  return R"(realtime-bench: load for any Pusher-compatible server on this machine

usage: realtime-bench SCENARIO [flags]
       realtime-bench compare A.json B.json
       realtime-bench floor [--url ws://127.0.0.1:PORT] [--threads N]

scenarios:
  fanout         --connections subscribers over --channels channels; a publisher (HTTP API, or
                 gRPC for realtime-gateway) at --rate or full speed; deliveries/s, publish-to-
                 receive latency p50/p90/p99/max, messages lost
  connect        how fast --connections connections reach connection_established and subscribe
  idle           hold --steps connection counts (subscribed, idle) for --duration each; the
                 server's RSS per connection (needs --server-pid)
  client-events  --channels presence channels, --connections members in all; members send client
                 events to each other at --rate (presence auth signed with --secret)
  publish        HTTP API (or --publisher grpc) publish throughput with no subscribers
  soak           for --duration, rounds of churn: --connections clients join --channels public
                 channels and a quarter as many join presence channels, a publisher sends at
                 --rate for 2 s, all leave; the server's RSS, descriptors and threads after each
                 round. Fails unless descriptors and threads come back to where they started and
                 RSS stays within --rss-bound-mib of what the first round left (needs
                 --server-pid)
  compare        two files of --json output side by side, with ratios A/B
  floor          run the reference fan-out server on --url until SIGINT/SIGTERM: one epoll loop
                 per --threads (default one per core), no auth, each frame built once, one
                 send() per subscriber per loop turn; what fanout measures against

target (loopback only; ws://, no TLS):
  --url URL               ws://127.0.0.1:6001 (default); http:// is the same
  --app-id ID --key KEY --secret SECRET      default app-id / app-key / app-secret
  --grpc HOST:PORT        realtime-gateway's gRPC port, for --publisher grpc
  --subscriber-urls U,U   subscribers connect to these nodes instead, round robin (a cluster:
                          the publisher on --url, the subscribers on the other nodes)
  --server-pid PID[,PID]  read the server's CPU seconds and RSS from /proc; several (a cluster's
                          nodes): their sum
  --label NAME            the server's name in the output

shape:
  --connections N         fanout 1000, connect 10k, client-events 100, soak 400 per round
  --channels M            fanout/connect 1, idle 100, client-events 10 (presence-bench-0..M-1)
  --steps LIST            idle: 1k,10k,50k (default)
  --publisher http|grpc   default http
  --publishers P          concurrent publish requests (default 4)
  --batch N               events per request: POST /batch_events with N events (HTTP; default 1)
  --rate R                messages/s over the run; 0 = full speed (default; client-events: 5 per
                          member per second; soak: 200)
  --payload-bytes B       event data size (default 100, 40..65536)
  --payload padded|json   data: the stamp padded with 'x' (default), or a realistic JSON
                          broadcast (chat messages with their authors) that compresses like
                          real traffic
  --compress              offer permessage-deflate as browsers do; compressed deliveries are
                          inflated (one inflate per distinct frame per thread: every subscriber
                          receives the same bytes)
  --duration S            publishing time; connect: deadline; idle: hold per step (default 10)
  --max-messages N        publish at most N messages (default 10M)
  --rss-bound-mib M       soak: allowed RSS growth after the first round (default 32)
  --drain-seconds S       after publishing, wait for deliveries until none came for S
                          (default 3; 60 s at most in all); what is missing then is lost
  --connect-timeout S     wait for connections at most S (default 60)
  --connect-concurrency C handshakes in flight (default 256)
  --source-addresses S    bind connections to 127.0.0.1..127.0.0.S (default 16)
  --threads T             I/O threads for the connections (default 1; floor: one per core)

output:
  --json                  one JSON object per run on stdout (the table otherwise)
  --json-file FILE        also append the JSON object to FILE (for compare)
  --name TEXT             the run's name in the output
  --quiet                 no progress on stderr

Caps: 200k connections, 600 s per phase, 1e9 messages, 10M/s. Counts take k and M suffixes.
)";
}

}  // namespace gw::bench
