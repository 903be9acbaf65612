#include "clients/bench/scenarios.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/bench/connection_worker.h"
#include "clients/bench/monotonic_clock.h"
#include "clients/bench/process_stats.h"
#include "clients/bench/publisher.h"
#include "clients/bench/wire_format.h"
#include "clients/bench/write_counter.h"

namespace gw::bench {
namespace {

namespace asio = boost::asio;

constexpr int64_t kSecond = 1'000'000'000;
// How long connection counts may stand still before a wait for connections gives up early
// (subscriptions refused, a server that stopped answering).
constexpr int64_t kStallNanos = 5 * kSecond;
constexpr int64_t kMaxDrainNanos = 60 * kSecond;

struct FleetTotals {
  uint64_t established = 0;
  uint64_t subscribed = 0;
  uint64_t failed = 0;
  uint64_t dropped = 0;
  uint64_t delivered = 0;
  uint64_t sent = 0;
  uint64_t errors = 0;
  uint64_t wire_bytes = 0;      // frame bytes (header + payload) of the timed deliveries
  uint64_t compressed = 0;      // timed deliveries that arrived compressed
  uint64_t deflate_agreed = 0;  // connections whose server accepted permessage-deflate
};

// The run's connections: --threads workers, connection g on worker g % threads.
class ConnectionFleet {
 public:
  ConnectionFleet(const BenchOptions& options, ConnectionPlan plan) : plan_(std::move(plan)) {
    for (uint32_t t = 0; t < options.threads; ++t) {
      workers_.push_back(std::make_unique<ConnectionWorker>(plan_, t, options.threads));
      workers_.back()->Run();
    }
  }
  ~ConnectionFleet() { Stop(); }

  const ConnectionPlan& plan() const { return plan_; }
  const std::vector<std::unique_ptr<ConnectionWorker>>& workers() const { return workers_; }

  void Open(uint32_t first, uint32_t end) {
    for (auto& worker : workers_) worker->OpenConnections(first, end);
  }

  FleetTotals Totals() const {
    FleetTotals totals;
    auto load = [](const std::atomic<uint64_t>& counter) {
      return counter.load(std::memory_order_relaxed);
    };
    for (const auto& worker : workers_) {
      const WorkerCounters& c = worker->counters();
      totals.established += load(c.established);
      totals.subscribed += load(c.subscribed);
      totals.failed += load(c.failed);
      totals.dropped += load(c.dropped);
      totals.delivered += load(c.delivered);
      totals.sent += load(c.sent);
      totals.errors += load(c.errors);
      totals.wire_bytes += load(c.wire_bytes);
      totals.compressed += load(c.compressed);
      totals.deflate_agreed += load(c.deflate_agreed);
    }
    return totals;
  }

  std::vector<uint64_t> SubscribedPerChannel() {
    std::vector<uint64_t> sum(plan_.channels.empty() ? 1 : plan_.channels.size(), 0);
    for (auto& worker : workers_) {
      std::vector<uint64_t> mine = worker->SubscribedPerChannel();
      for (size_t c = 0; c < sum.size(); ++c) sum[c] += mine[c];
    }
    return sum;
  }

  void Stop() {
    for (auto& worker : workers_) worker->Stop();
  }

  // After Stop().
  LatencyHistogram Merged(const LatencyHistogram& (ConnectionWorker::*which)() const) const {
    LatencyHistogram merged;
    for (const auto& worker : workers_) merged.Merge(((*worker).*which)());
    return merged;
  }
  std::map<std::string, uint64_t> Incidents() const {
    std::map<std::string, uint64_t> all;
    for (const auto& worker : workers_) {
      for (const auto& [what, count] : worker->incidents()) all[what] += count;
    }
    return all;
  }

 private:
  ConnectionPlan plan_;  // the workers hold a reference: declared (so destroyed) around them
  std::vector<std::unique_ptr<ConnectionWorker>> workers_;
};

// One line on stderr per second: "[fanout gateway 3.0s] ...".
class ProgressPrinter {
 public:
  explicit ProgressPrinter(const BenchOptions& options)
      : quiet_(options.quiet),
        tag_(absl::StrCat(ScenarioName(options.scenario), " ", options.label)),
        start_(MonotonicNanos()),
        next_(start_ + kSecond) {}

  void Tick(const std::function<std::string()>& line) {
    const int64_t now = MonotonicNanos();
    if (now < next_) return;
    next_ = now + kSecond;
    Print(line());
  }
  void Print(std::string_view line) {
    if (quiet_) return;
    const double elapsed = static_cast<double>(MonotonicNanos() - start_) / 1e9;
    std::string text = absl::StrFormat("[%s %.1fs] %s\n", tag_, elapsed,
                                       absl::string_view(line.data(), line.size()));
    std::fputs(text.c_str(), stderr);
  }

 private:
  bool quiet_;
  std::string tag_;
  int64_t start_;
  int64_t next_;
};

// Polls `done` every 10 ms until it holds or `deadline_ns` passes; false on the deadline.
bool WaitUntil(const std::function<bool()>& done, int64_t deadline_ns, ProgressPrinter& progress,
               const std::function<std::string()>& line) {
  while (!done()) {
    if (MonotonicNanos() >= deadline_ns) return false;
    progress.Tick(line);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string ConnectionLine(const FleetTotals& t, uint64_t target) {
  return absl::StrCat("established ", t.established, "/", target, ", subscribed ", t.subscribed,
                      ", failed ", t.failed, ", dropped ", t.dropped);
}

// Opens connections [first, end) and waits until each has subscribed (or connected, when the
// plan has no channels), failed or dropped; gives up at the connect timeout or when nothing has
// moved for kStallNanos. Returns whether all got there.
bool OpenAndWait(ConnectionFleet& fleet, uint32_t first, uint32_t end, const BenchOptions& options,
                 ProgressPrinter& progress) {
  fleet.Open(first, end);
  const bool subscribing = !fleet.plan().channels.empty();
  const int64_t deadline = MonotonicNanos() + SecondsToNanos(options.connect_timeout_seconds);
  uint64_t last_sum = 0;
  int64_t last_change = MonotonicNanos();
  return WaitUntil(
      [&] {
        FleetTotals t = fleet.Totals();
        const uint64_t reached = subscribing ? t.subscribed : t.established;
        const uint64_t sum = t.established + t.subscribed + t.failed + t.dropped;
        const int64_t now = MonotonicNanos();
        if (sum != last_sum) {
          last_sum = sum;
          last_change = now;
        }
        if (reached + t.failed + t.dropped >= end) return true;
        return now - last_change > kStallNanos;
      },
      deadline, progress, [&] { return ConnectionLine(fleet.Totals(), end); });
}

// After publishing: waits until `expected` deliveries have arrived, or none has for
// --drain-seconds (what is still missing then counts as lost), and never longer than
// kMaxDrainNanos in all (a server still working through a backlog).
void Drain(const ConnectionFleet& fleet, uint64_t expected, const BenchOptions& options,
           ProgressPrinter& progress) {
  uint64_t last = fleet.Totals().delivered;
  int64_t last_change = MonotonicNanos();
  const int64_t quiet = SecondsToNanos(options.drain_seconds);
  WaitUntil(
      [&] {
        const uint64_t delivered = fleet.Totals().delivered;
        const int64_t now = MonotonicNanos();
        if (delivered != last) {
          last = delivered;
          last_change = now;
        }
        return delivered >= expected || now - last_change >= quiet;
      },
      MonotonicNanos() + kMaxDrainNanos, progress,
      [&] {
        return absl::StrCat("draining: delivered ", fleet.Totals().delivered, " of ", expected);
      });
}

ConnectionPlan BasePlan(const BenchOptions& options) {
  ConnectionPlan plan;
  if (options.subscriber_servers.empty()) {
    plan.servers.emplace_back(asio::ip::make_address(options.host), options.port);
  }
  for (const auto& [host, port] : options.subscriber_servers) {
    plan.servers.emplace_back(asio::ip::make_address(host), port);
  }
  const std::string host_header = options.host.find(':') != std::string::npos
                                      ? absl::StrCat("[", options.host, "]:", options.port)
                                      : absl::StrCat(options.host, ":", options.port);
  plan.upgrade_request = WsUpgradeRequest(host_header, options.key, options.compress);
  plan.app_key = options.key;
  plan.app_secret = options.secret;
  plan.source_addresses = options.source_addresses;
  plan.connect_concurrency =
      std::max<uint32_t>(1, (options.connect_concurrency + options.threads - 1) / options.threads);
  return plan;
}

std::vector<std::string> ChannelNames(std::string_view prefix, uint32_t count) {
  std::vector<std::string> names;
  for (uint32_t c = 0; c < count; ++c) {
    names.push_back(absl::StrCat(absl::string_view(prefix.data(), prefix.size()), c));
  }
  return names;
}

double Ms(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }
double Seconds(int64_t nanos) { return static_cast<double>(nanos) / 1e9; }
double PerSecond(double count, int64_t nanos) { return nanos > 0 ? count / Seconds(nanos) : 0; }

void AddLatency(std::vector<Metric>& row, std::string_view prefix,
                const LatencyHistogram& histogram, bool with_p90 = true) {
  const std::string p(prefix);
  row.push_back(NumberMetric(p + "_p50_ms", Ms(histogram.Percentile(0.50)), Better::kLower));
  if (with_p90)
    row.push_back(NumberMetric(p + "_p90_ms", Ms(histogram.Percentile(0.90)), Better::kLower));
  row.push_back(NumberMetric(p + "_p99_ms", Ms(histogram.Percentile(0.99)), Better::kLower));
  row.push_back(NumberMetric(p + "_max_ms", Ms(histogram.Max()), Better::kLower));
}

std::string Incidents(const std::map<std::string, uint64_t>& incidents) {
  std::vector<std::string> parts;
  for (const auto& [what, count] : incidents) parts.push_back(absl::StrCat(what, " x", count));
  return absl::StrJoin(parts, ", ");
}

// What happened to connections besides the plan (refusals, closes, errors), as a note.
void AddIncidentNote(const ConnectionFleet& fleet, BenchReport& report) {
  const std::map<std::string, uint64_t> incidents = fleet.Incidents();
  if (!incidents.empty())
    report.notes.push_back(absl::StrCat("connections: ", Incidents(incidents)));
}

// Latency percentiles, then what never arrived and how many connections the server cut.
void AddDeliveryMetrics(std::vector<Metric>& row, const LatencyHistogram& latency, uint64_t lost,
                        uint64_t should_have, uint64_t dropped) {
  AddLatency(row, "latency", latency);
  row.push_back(NumberMetric("lost", static_cast<double>(lost), Better::kLower));
  row.push_back(
      NumberMetric("lost_pct", should_have > 0 ? 100.0 * lost / should_have : 0, Better::kLower));
  row.push_back(NumberMetric("dropped_connections", static_cast<double>(dropped), Better::kLower));
}

// The server's CPU seconds and RSS, when --server-pid was given.
class ServerMeter {
 public:
  ServerMeter(const BenchOptions& options, BenchReport& report)
      : pids_(options.server_pids), report_(report) {
    if (pids_.empty() && options.server_pid != 0) pids_.push_back(options.server_pid);
  }

  // The sum over the server's processes (a cluster's nodes).
  std::optional<ProcessSample> Sample() {
    if (pids_.empty()) return std::nullopt;
    ProcessSample total;
    for (int pid : pids_) {
      absl::StatusOr<ProcessSample> sample = SampleProcess(pid);
      if (!sample.ok()) {
        if (!warned_) {
          report_.notes.push_back(absl::StrCat("server process: ", sample.status().message()));
          warned_ = true;
        }
        return std::nullopt;
      }
      total.rss_kb += sample->rss_kb;
      total.cpu_seconds += sample->cpu_seconds;
    }
    return total;
  }

  struct CpuSnapshot {
    std::optional<ProcessSample> server;
    double bench = 0;
    std::optional<MachineSeconds> machine;
  };
  CpuSnapshot Snapshot() { return {Sample(), OwnCpuSeconds(), SampleMachine()}; }

  // Between two snapshots: "server_cpu_s", "<what>_per_server_cpu_s" (when `what` is given),
  // "bench_cpu_s", and the whole VM's "vm_busy_cpu_s" and "vm_steal_cpu_s" (see MachineTicks):
  // the load the figures were taken under.
  void AddCpu(std::vector<Metric>& row, const CpuSnapshot& before, const CpuSnapshot& after,
              std::string_view what, double count) {
    if (before.server && after.server) {
      const double cpu = after.server->cpu_seconds - before.server->cpu_seconds;
      row.push_back(NumberMetric("server_cpu_s", cpu));
      if (!what.empty()) {
        row.push_back(NumberMetric(
            absl::StrCat(absl::string_view(what.data(), what.size()), "_per_server_cpu_s"),
            cpu > 0 ? count / cpu : NAN, Better::kHigher));
      }
    }
    row.push_back(NumberMetric("bench_cpu_s", after.bench - before.bench));
    if (before.machine && after.machine) {
      row.push_back(NumberMetric("vm_busy_cpu_s", after.machine->busy - before.machine->busy));
      row.push_back(NumberMetric("vm_steal_cpu_s", after.machine->steal - before.machine->steal));
    }
  }

 private:
  std::vector<int> pids_;
  BenchReport& report_;
  bool warned_ = false;
};

BenchReport NewReport(const BenchOptions& options, std::string default_name) {
  BenchReport report;
  report.scenario = ScenarioName(options.scenario);
  report.name = options.name.empty() ? std::move(default_name) : options.name;
  report.server = options.label;
  return report;
}

std::string RateText(double rate) {
  return rate == 0 ? "max" : absl::StrCat(FormatNumber(rate), "/s");
}

absl::StatusOr<std::unique_ptr<Publisher>> MakePublisher(const BenchOptions& options) {
  if (options.publish_path == PublishPath::kGrpc) return MakeGrpcPublisher(options);
  return MakeHttpPublisher(options);
}

void AddPublishParams(const BenchOptions& options, BenchReport& report) {
  report.params.emplace_back("publisher", PublishPathName(options.publish_path));
  report.params.emplace_back("publishers", absl::StrCat(options.publishers));
  if (options.batch > 1) report.params.emplace_back("batch", absl::StrCat(options.batch));
  report.params.emplace_back("rate", RateText(options.rate));
  report.params.emplace_back("payload_bytes", absl::StrCat(options.payload_bytes));
  report.params.emplace_back("payload", options.json_payload ? "json" : "padded");
  report.params.emplace_back("compress", options.compress ? "offered" : "no");
  report.params.emplace_back("duration_s", FormatNumber(options.duration_seconds));
}

// " json", " deflate": what sets a run apart in its default name.
std::string PayloadText(const BenchOptions& options) {
  return absl::StrCat(options.json_payload ? " json" : "", options.compress ? " deflate" : "");
}

void AddPublishFailures(const PublishTotals& totals, BenchReport& report) {
  if (!totals.failures.empty()) {
    report.notes.push_back(absl::StrCat("publish failures: ", Incidents(totals.failures)));
  }
}

// Runs `publisher` on a thread of its own, printing progress until it is done.
PublishTotals RunPublisher(Publisher& publisher, const PublishJob& job, ProgressPrinter& progress,
                           const std::function<std::string(const PublishProgress&)>& line) {
  PublishProgress live;
  PublishTotals totals;
  std::atomic<bool> done{false};
  std::thread thread([&] {
    totals = publisher.Run(job, live);
    done.store(true, std::memory_order_release);
  });
  while (!done.load(std::memory_order_acquire)) {
    progress.Tick([&] { return line(live); });
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  thread.join();
  return totals;
}

absl::StatusOr<BenchReport> RunFanout(const BenchOptions& options) {
  BenchReport report =
      NewReport(options, absl::StrCat("fanout ", options.channels, "x",
                                      options.connections / options.channels, " ",
                                      PublishPathName(options.publish_path), " ",
                                      RateText(options.rate), PayloadText(options)));
  report.params.emplace_back("connections", absl::StrCat(options.connections));
  report.params.emplace_back("channels", absl::StrCat(options.channels));
  AddPublishParams(options, report);
  absl::StatusOr<std::unique_ptr<Publisher>> publisher = MakePublisher(options);
  if (!publisher.ok()) return publisher.status();

  ConnectionPlan plan = BasePlan(options);
  plan.channels = ChannelNames("bench-", options.channels);
  ConnectionFleet fleet(options, plan);
  ProgressPrinter progress(options);
  ServerMeter meter(options, report);
  OpenAndWait(fleet, 0, options.connections, options, progress);
  const FleetTotals ready = fleet.Totals();
  progress.Print(ConnectionLine(ready, options.connections));
  if (ready.subscribed == 0) {
    return absl::UnavailableError(
        absl::StrCat("no connection subscribed: ", Incidents(fleet.Incidents())));
  }
  const std::vector<uint64_t> subscribers = fleet.SubscribedPerChannel();

  std::unique_ptr<WriteCounter> writes;
  // One process only: a cluster's nodes each write their own share.
  if (options.server_pid != 0 && options.server_pids.size() <= 1) {
    absl::StatusOr<std::unique_ptr<WriteCounter>> opened = WriteCounter::Open(options.server_pid);
    if (opened.ok()) {
      writes = *std::move(opened);
    } else {
      report.notes.push_back(
          absl::StrCat("server writes not counted: ", opened.status().message()));
    }
  }
  if (writes != nullptr) writes->Start();
  const ServerMeter::CpuSnapshot cpu_before = meter.Snapshot();
  PublishJob job;
  job.channels = fleet.plan().channels;
  job.payload_bytes = options.payload_bytes;
  job.json_payload = options.json_payload;
  const int64_t start = MonotonicNanos() + 20'000'000;
  job.pacer = RatePacer(options.rate, start);
  job.deadline_ns = start + SecondsToNanos(options.duration_seconds);
  job.max_messages = options.max_messages;
  job.concurrency = options.publishers;
  job.batch = options.batch;
  PublishTotals published = RunPublisher(**publisher, job, progress, [&](const PublishProgress& p) {
    return absl::StrCat("published ", p.accepted.load(), " (", p.failed.load(),
                        " failed), delivered ", fleet.Totals().delivered);
  });

  uint64_t expected = 0;
  for (size_t c = 0; c < subscribers.size(); ++c) {
    expected += published.accepted_per_channel[c] * subscribers[c];
  }
  Drain(fleet, expected, options, progress);
  const ServerMeter::CpuSnapshot cpu_after = meter.Snapshot();
  // Zeroed rather than an optional: g++ 12 takes an optional's members for uninitialized here.
  const WriteCounter::Counts write_counts = writes != nullptr ? writes->Read() : WriteCounter::Counts{};
  fleet.Stop();

  const FleetTotals totals = fleet.Totals();
  uint64_t lost = 0;
  uint64_t should_have = 0;
  int64_t last_delivery = 0;
  for (const auto& worker : fleet.workers()) {
    last_delivery = std::max(last_delivery, worker->last_delivery_ns());
    for (const auto& connection : worker->connections()) {
      if (!connection->subscribed()) continue;
      const uint64_t due = published.accepted_per_channel[connection->channel()];
      should_have += due;
      if (connection->received() < due) lost += due - connection->received();
    }
  }
  const LatencyHistogram latency = fleet.Merged(&ConnectionWorker::delivery_latency);
  const int64_t publish_window = published.last_done_ns - published.first_send_ns;
  const int64_t delivery_window = last_delivery - published.first_send_ns;

  std::vector<Metric> row;
  row.push_back(NumberMetric("subscribers", static_cast<double>(ready.subscribed)));
  row.push_back(NumberMetric("published", static_cast<double>(published.accepted)));
  row.push_back(
      NumberMetric("publish_failed", static_cast<double>(published.failed), Better::kLower));
  // Accepted, not delivered: a server that queues (rather than answering once it has sent) takes
  // publishes faster than it delivers them, so this is context, not a score.
  row.push_back(NumberMetric("publishes_per_s", PerSecond(published.accepted, publish_window)));
  row.push_back(NumberMetric("deliveries", static_cast<double>(totals.delivered)));
  row.push_back(NumberMetric("deliveries_per_s", PerSecond(totals.delivered, delivery_window),
                             Better::kHigher));
  AddDeliveryMetrics(row, latency, lost, should_have, totals.dropped);
  // What a subscriber's network carries per event: the frame header and payload as sent.
  row.push_back(NumberMetric(
      "wire_bytes_per_delivery",
      totals.delivered > 0 ? static_cast<double>(totals.wire_bytes) / totals.delivered : 0,
      Better::kLower));
  row.push_back(NumberMetric(
      "compressed_pct", totals.delivered > 0 ? 100.0 * totals.compressed / totals.delivered : 0));
  meter.AddCpu(row, cpu_before, cpu_after, "deliveries", totals.delivered);
  if (writes != nullptr) {
    // Socket sends include the answers to the publisher's requests, one per request.
    row.push_back(NumberMetric("server_sends", static_cast<double>(write_counts.sends)));
    row.push_back(
        NumberMetric("sends_per_1k_deliveries",
                     totals.delivered > 0 ? 1000.0 * write_counts.sends / totals.delivered : NAN,
                     Better::kLower));
    row.push_back(NumberMetric("server_other_writes", static_cast<double>(write_counts.writes)));
  }
  report.rows.push_back(std::move(row));
  if (options.compress) {
    report.notes.push_back(absl::StrCat("permessage-deflate accepted on ", totals.deflate_agreed,
                                        " of ", totals.established, " connections"));
  }
  AddPublishFailures(published, report);
  AddIncidentNote(fleet, report);
  if (ready.subscribed < options.connections) {
    report.notes.push_back(absl::StrCat("only ", ready.subscribed, " of ", options.connections,
                                        " connections subscribed"));
  }
  return report;
}

absl::StatusOr<BenchReport> RunConnect(const BenchOptions& options) {
  BenchReport report = NewReport(options, absl::StrCat("connect ", options.connections));
  report.params.emplace_back("connections", absl::StrCat(options.connections));
  report.params.emplace_back("channels", absl::StrCat(options.channels));
  report.params.emplace_back("connect_concurrency", absl::StrCat(options.connect_concurrency));
  report.params.emplace_back("deadline_s", FormatNumber(options.duration_seconds));
  ConnectionPlan plan = BasePlan(options);
  plan.channels = ChannelNames("bench-", options.channels);
  ConnectionFleet fleet(options, plan);
  ProgressPrinter progress(options);
  ServerMeter meter(options, report);

  const ServerMeter::CpuSnapshot cpu_before = meter.Snapshot();
  const int64_t start = MonotonicNanos();
  fleet.Open(0, options.connections);
  const uint64_t n = options.connections;
  WaitUntil(
      [&] {
        FleetTotals t = fleet.Totals();
        return t.subscribed + t.failed + t.dropped >= n;
      },
      start + SecondsToNanos(options.duration_seconds), progress,
      [&] { return ConnectionLine(fleet.Totals(), n); });
  const ServerMeter::CpuSnapshot cpu_after = meter.Snapshot();
  fleet.Stop();

  const FleetTotals totals = fleet.Totals();
  int64_t last_established = start;
  int64_t last_subscribed = start;
  for (const auto& worker : fleet.workers()) {
    last_established = std::max(last_established, worker->last_established_ns());
    last_subscribed = std::max(last_subscribed, worker->last_subscribed_ns());
  }
  std::vector<Metric> row;
  row.push_back(NumberMetric("connections", static_cast<double>(n)));
  row.push_back(
      NumberMetric("established", static_cast<double>(totals.established), Better::kHigher));
  row.push_back(
      NumberMetric("subscribed", static_cast<double>(totals.subscribed), Better::kHigher));
  row.push_back(NumberMetric("failed", static_cast<double>(totals.failed), Better::kLower));
  row.push_back(
      NumberMetric("time_to_all_established_s", Seconds(last_established - start), Better::kLower));
  row.push_back(NumberMetric("established_per_s",
                             PerSecond(totals.established, last_established - start),
                             Better::kHigher));
  row.push_back(
      NumberMetric("time_to_all_subscribed_s", Seconds(last_subscribed - start), Better::kLower));
  row.push_back(NumberMetric(
      "subscribed_per_s", PerSecond(totals.subscribed, last_subscribed - start), Better::kHigher));
  AddLatency(row, "established", fleet.Merged(&ConnectionWorker::established_latency), false);
  AddLatency(row, "subscribed", fleet.Merged(&ConnectionWorker::subscribed_latency), false);
  meter.AddCpu(row, cpu_before, cpu_after, "subscribed", totals.subscribed);
  report.rows.push_back(std::move(row));
  AddIncidentNote(fleet, report);
  return report;
}

absl::StatusOr<BenchReport> RunIdle(const BenchOptions& options) {
  BenchReport report = NewReport(options, "idle");
  report.params.emplace_back("steps", absl::StrJoin(options.idle_steps, ","));
  report.params.emplace_back("channels", absl::StrCat(options.channels));
  report.params.emplace_back("hold_s", FormatNumber(options.duration_seconds));
  ConnectionPlan plan = BasePlan(options);
  plan.channels = ChannelNames("bench-idle-", options.channels);
  ConnectionFleet fleet(options, plan);
  ProgressPrinter progress(options);
  ServerMeter meter(options, report);
  const std::optional<ProcessSample> baseline = meter.Sample();
  if (!baseline) return absl::NotFoundError(absl::StrCat("cannot read /proc/", options.server_pid));
  report.notes.push_back(absl::StrCat(
      "server RSS before any connection: ", FormatNumber(baseline->rss_kb / 1024.0), " MiB"));

  uint32_t opened = 0;
  for (uint32_t step : options.idle_steps) {
    std::optional<ProcessSample> before = meter.Sample();
    OpenAndWait(fleet, opened, step, options, progress);
    opened = step;
    const int64_t hold_until = MonotonicNanos() + SecondsToNanos(options.duration_seconds);
    WaitUntil(
        [] { return false; }, hold_until, progress,
        [&] { return absl::StrCat("holding ", step, ": ", ConnectionLine(fleet.Totals(), step)); });
    std::optional<ProcessSample> after = meter.Sample();
    if (!after) break;
    const FleetTotals t = fleet.Totals();
    const uint64_t open = t.subscribed - std::min(t.subscribed, t.dropped);
    absl::StatusOr<ProcessSample> own = SampleProcess(getpid());
    const double growth_kb = static_cast<double>(after->rss_kb) - baseline->rss_kb;
    std::vector<Metric> row;
    row.push_back(NumberMetric("connections", step));
    row.push_back(NumberMetric("open", static_cast<double>(open), Better::kHigher));
    row.push_back(NumberMetric("failed", static_cast<double>(t.failed), Better::kLower));
    row.push_back(NumberMetric("server_rss_mib", after->rss_kb / 1024.0, Better::kLower));
    row.push_back(NumberMetric("rss_growth_mib", growth_kb / 1024.0, Better::kLower));
    row.push_back(
        NumberMetric("kib_per_connection", open > 0 ? growth_kb / open : NAN, Better::kLower));
    if (before)
      row.push_back(NumberMetric("server_cpu_s", after->cpu_seconds - before->cpu_seconds));
    if (own.ok()) row.push_back(NumberMetric("bench_rss_mib", own->rss_kb / 1024.0));
    report.rows.push_back(std::move(row));
    progress.Print(
        absl::StrCat(step, " held: server RSS ", FormatNumber(after->rss_kb / 1024.0), " MiB"));
    if (open < step / 2) {
      report.notes.push_back(absl::StrCat("stopped after ", step, ": only ", open, " open"));
      break;
    }
  }
  fleet.Stop();
  AddIncidentNote(fleet, report);
  return report;
}

absl::StatusOr<BenchReport> RunClientEvents(const BenchOptions& options) {
  const uint32_t members_per_channel = options.connections / options.channels;
  BenchReport report =
      NewReport(options, absl::StrCat("client-events ", options.channels, "x", members_per_channel,
                                      " ", RateText(options.rate)));
  report.params.emplace_back("members", absl::StrCat(options.connections));
  report.params.emplace_back("channels", absl::StrCat(options.channels));
  report.params.emplace_back("rate", RateText(options.rate));
  report.params.emplace_back("payload_bytes", absl::StrCat(options.payload_bytes));
  report.params.emplace_back("duration_s", FormatNumber(options.duration_seconds));
  ConnectionPlan plan = BasePlan(options);
  plan.channels = ChannelNames("presence-bench-", options.channels);
  plan.presence = true;
  ConnectionFleet fleet(options, plan);
  ProgressPrinter progress(options);
  ServerMeter meter(options, report);
  OpenAndWait(fleet, 0, options.connections, options, progress);
  const FleetTotals ready = fleet.Totals();
  progress.Print(ConnectionLine(ready, options.connections));
  if (ready.subscribed < 2) {
    return absl::UnavailableError(
        absl::StrCat("fewer than 2 members joined: ", Incidents(fleet.Incidents())));
  }

  const ServerMeter::CpuSnapshot cpu_before = meter.Snapshot();
  const int64_t start = MonotonicNanos() + 50'000'000;
  const int64_t deadline = start + SecondsToNanos(options.duration_seconds);
  const uint32_t threads = options.threads;
  for (uint32_t w = 0; w < threads; ++w) {
    const uint32_t mine = (options.connections - w + threads - 1) / threads;
    const double share = static_cast<double>(mine) / options.connections;
    fleet.workers()[w]->StartClientEvents(
        options.rate * share, start, deadline,
        static_cast<uint64_t>(static_cast<double>(options.max_messages) * share) + 1,
        options.payload_bytes);
  }
  WaitUntil([] { return false; }, deadline, progress,
            [&] {
              FleetTotals t = fleet.Totals();
              return absl::StrCat("sent ", t.sent, ", delivered ", t.delivered, ", errors ",
                                  t.errors);
            });
  const double members = static_cast<double>(ready.subscribed) / options.channels;
  const uint64_t expected_estimate =
      static_cast<uint64_t>(static_cast<double>(fleet.Totals().sent) * std::max(0.0, members - 1));
  Drain(fleet, expected_estimate, options, progress);
  const ServerMeter::CpuSnapshot cpu_after = meter.Snapshot();
  fleet.Stop();

  const FleetTotals totals = fleet.Totals();
  std::vector<uint64_t> sent_per_channel(options.channels, 0);
  int64_t last_delivery = 0;
  for (const auto& worker : fleet.workers()) {
    last_delivery = std::max(last_delivery, worker->last_delivery_ns());
    for (size_t c = 0; c < sent_per_channel.size(); ++c) {
      sent_per_channel[c] += worker->sent_per_channel()[c];
    }
  }
  uint64_t lost = 0;
  uint64_t should_have = 0;
  for (const auto& worker : fleet.workers()) {
    for (const auto& connection : worker->connections()) {
      if (!connection->subscribed()) continue;
      const uint64_t due = sent_per_channel[connection->channel()] - connection->sent();
      should_have += due;
      if (connection->received() < due) lost += due - connection->received();
    }
  }
  const LatencyHistogram latency = fleet.Merged(&ConnectionWorker::delivery_latency);
  std::vector<Metric> row;
  row.push_back(NumberMetric("members", static_cast<double>(ready.subscribed)));
  row.push_back(NumberMetric("sent", static_cast<double>(totals.sent)));
  row.push_back(NumberMetric("sent_per_s", PerSecond(totals.sent, deadline - start)));
  row.push_back(NumberMetric("deliveries", static_cast<double>(totals.delivered)));
  row.push_back(NumberMetric("deliveries_per_s", PerSecond(totals.delivered, last_delivery - start),
                             Better::kHigher));
  AddDeliveryMetrics(row, latency, lost, should_have, totals.dropped);
  row.push_back(NumberMetric("errors", static_cast<double>(totals.errors), Better::kLower));
  meter.AddCpu(row, cpu_before, cpu_after, "deliveries", totals.delivered);
  report.rows.push_back(std::move(row));
  AddIncidentNote(fleet, report);
  return report;
}

absl::StatusOr<BenchReport> RunPublish(const BenchOptions& options) {
  BenchReport report =
      NewReport(options, absl::StrCat("publish ", PublishPathName(options.publish_path), " x",
                                      options.publishers, " ", RateText(options.rate)));
  AddPublishParams(options, report);
  absl::StatusOr<std::unique_ptr<Publisher>> publisher = MakePublisher(options);
  if (!publisher.ok()) return publisher.status();
  ProgressPrinter progress(options);
  ServerMeter meter(options, report);
  const ServerMeter::CpuSnapshot cpu_before = meter.Snapshot();
  PublishJob job;
  job.channels = {"bench-nobody"};
  job.payload_bytes = options.payload_bytes;
  job.json_payload = options.json_payload;
  const int64_t start = MonotonicNanos();
  job.pacer = RatePacer(options.rate, start);
  job.deadline_ns = start + SecondsToNanos(options.duration_seconds);
  job.max_messages = options.max_messages;
  job.concurrency = options.publishers;
  job.batch = options.batch;
  PublishTotals published = RunPublisher(**publisher, job, progress, [](const PublishProgress& p) {
    return absl::StrCat("published ", p.accepted.load(), " (", p.failed.load(), " failed)");
  });
  const ServerMeter::CpuSnapshot cpu_after = meter.Snapshot();
  std::vector<Metric> row;
  row.push_back(NumberMetric("published", static_cast<double>(published.accepted)));
  row.push_back(NumberMetric("failed", static_cast<double>(published.failed), Better::kLower));
  row.push_back(
      NumberMetric("publishes_per_s",
                   PerSecond(published.accepted, published.last_done_ns - published.first_send_ns),
                   Better::kHigher));
  AddLatency(row, "request", published.request_latency, false);
  meter.AddCpu(row, cpu_before, cpu_after, "publishes", published.accepted);
  report.rows.push_back(std::move(row));
  AddPublishFailures(published, report);
  if (published.accepted == 0) {
    return absl::UnavailableError(
        absl::StrCat("no publish was accepted: ", Incidents(published.failures)));
  }
  return report;
}

// One round of soak churn: a public fleet and a presence fleet join, a publisher sends to the
// public channels for kSoakPublishNanos, everyone leaves. Returns the messages published.
constexpr int64_t kSoakPublishNanos = 2 * kSecond;
constexpr int64_t kSoakSettleNanos = 30 * kSecond;

uint64_t SoakRound(const BenchOptions& options, uint32_t round, Publisher& publisher,
                   ProgressPrinter& progress, std::map<std::string, uint64_t>& incidents) {
  ConnectionPlan public_plan = BasePlan(options);
  public_plan.channels = ChannelNames(absl::StrCat("soak-", round % 4, "-"), options.channels);
  ConnectionPlan presence_plan = BasePlan(options);
  presence_plan.channels =
      ChannelNames("presence-soak-", std::max<uint32_t>(1, options.channels / 2));
  presence_plan.presence = true;
  const uint32_t members = std::max<uint32_t>(2, options.connections / 4);
  ConnectionFleet subscribers(options, public_plan);
  ConnectionFleet presence(options, presence_plan);
  OpenAndWait(subscribers, 0, options.connections, options, progress);
  OpenAndWait(presence, 0, members, options, progress);
  PublishJob job;
  job.channels = public_plan.channels;
  job.payload_bytes = options.payload_bytes;
  const int64_t start = MonotonicNanos() + 20'000'000;
  job.pacer = RatePacer(options.rate, start);
  job.deadline_ns = start + kSoakPublishNanos;
  job.max_messages = options.max_messages;
  job.concurrency = options.publishers;
  const PublishTotals published =
      RunPublisher(publisher, job, progress, [&](const PublishProgress& p) {
        return absl::StrCat("round ", round, ": published ", p.accepted.load(), ", delivered ",
                            subscribers.Totals().delivered);
      });
  subscribers.Stop();
  presence.Stop();
  for (const ConnectionFleet* fleet : {&subscribers, &presence}) {
    for (const auto& [what, count] : fleet->Incidents()) incidents[what] += count;
  }
  for (const auto& [what, count] : published.failures) incidents["publish " + what] += count;
  return published.accepted;
}

absl::StatusOr<BenchReport> RunSoak(const BenchOptions& options) {
  BenchReport report =
      NewReport(options, absl::StrCat("soak ", FormatNumber(options.duration_seconds), " s"));
  report.params.emplace_back("connections_per_round", absl::StrCat(options.connections));
  report.params.emplace_back("presence_members_per_round",
                             absl::StrCat(std::max<uint32_t>(2, options.connections / 4)));
  report.params.emplace_back("channels", absl::StrCat(options.channels));
  report.params.emplace_back("rss_bound_mib", absl::StrCat(options.rss_bound_mib));
  AddPublishParams(options, report);
  absl::StatusOr<std::unique_ptr<Publisher>> publisher = MakePublisher(options);
  if (!publisher.ok()) return publisher.status();
  ProgressPrinter progress(options);
  ServerMeter meter(options, report);
  const std::optional<ProcessSample> start = meter.Sample();
  if (!start) return absl::NotFoundError(absl::StrCat("cannot read /proc/", options.server_pid));

  std::map<std::string, uint64_t> incidents;
  std::optional<ProcessSample> after_first;
  uint64_t published = 0;
  const int64_t deadline = MonotonicNanos() + SecondsToNanos(options.duration_seconds);
  uint32_t round = 0;
  uint64_t peak_rss_kb = start->rss_kb;
  do {
    published += SoakRound(options, round, **publisher, progress, incidents);
    const std::optional<ProcessSample> sample = meter.Sample();
    if (!sample) return absl::NotFoundError("the server went away during the soak");
    if (!after_first) after_first = sample;
    peak_rss_kb = std::max(peak_rss_kb, sample->rss_kb);
    progress.Print(
        absl::StrCat("round ", round, " done: RSS ", FormatNumber(sample->rss_kb / 1024.0),
                     " MiB, ", sample->descriptors, " descriptors, ", sample->threads, " threads"));
    ++round;
  } while (MonotonicNanos() < deadline);

  publisher->reset();  // its kept-alive connections count as the server's descriptors too
  // Connections closed by the clients are torn down by the server a moment later: wait until
  // descriptors and threads are back, or the settle time passes.
  std::optional<ProcessSample> end;
  const int64_t settle_until = MonotonicNanos() + kSoakSettleNanos;
  WaitUntil(
      [&] {
        end = meter.Sample();
        return !end || (end->descriptors <= start->descriptors && end->threads <= start->threads);
      },
      settle_until, progress, [&] { return std::string("waiting for the server to settle"); });
  if (!end) return absl::NotFoundError("the server went away after the soak");

  const double growth_mib = (static_cast<double>(end->rss_kb) - after_first->rss_kb) / 1024.0;
  std::vector<Metric> row;
  row.push_back(NumberMetric("rounds", round));
  row.push_back(NumberMetric("published", static_cast<double>(published)));
  row.push_back(NumberMetric("rss_start_mib", start->rss_kb / 1024.0));
  row.push_back(NumberMetric("rss_after_round_1_mib", after_first->rss_kb / 1024.0));
  row.push_back(NumberMetric("rss_peak_mib", peak_rss_kb / 1024.0, Better::kLower));
  row.push_back(NumberMetric("rss_end_mib", end->rss_kb / 1024.0, Better::kLower));
  row.push_back(NumberMetric("rss_growth_mib", growth_mib, Better::kLower));
  row.push_back(NumberMetric("descriptors_start", static_cast<double>(start->descriptors)));
  row.push_back(NumberMetric("descriptors_end", static_cast<double>(end->descriptors)));
  row.push_back(NumberMetric("threads_start", static_cast<double>(start->threads)));
  row.push_back(NumberMetric("threads_end", static_cast<double>(end->threads)));
  row.push_back(NumberMetric("server_cpu_s", end->cpu_seconds - start->cpu_seconds));
  report.rows.push_back(std::move(row));
  if (!incidents.empty()) report.notes.push_back(absl::StrCat("incidents: ", Incidents(incidents)));

  std::vector<std::string> missed;
  // Fewer is fine: a connection open at the start (a readiness probe's) may have closed since.
  if (end->descriptors > start->descriptors) {
    missed.push_back(absl::StrCat("descriptors ", start->descriptors, " -> ", end->descriptors));
  }
  if (end->threads > start->threads) {
    missed.push_back(absl::StrCat("threads ", start->threads, " -> ", end->threads));
  }
  if (growth_mib > options.rss_bound_mib) {
    missed.push_back(absl::StrCat("RSS grew ", FormatNumber(growth_mib),
                                  " MiB after round 1 (bound ", options.rss_bound_mib, ")"));
  }
  if (published == 0) missed.push_back("no publish was accepted");
  report.failure = absl::StrJoin(missed, "; ");
  return report;
}

}  // namespace

absl::StatusOr<BenchReport> RunScenario(const BenchOptions& options) {
  switch (options.scenario) {
    case Scenario::kFanout:
      return RunFanout(options);
    case Scenario::kConnect:
      return RunConnect(options);
    case Scenario::kIdle:
      return RunIdle(options);
    case Scenario::kClientEvents:
      return RunClientEvents(options);
    case Scenario::kPublish:
      return RunPublish(options);
    case Scenario::kSoak:
      return RunSoak(options);
    case Scenario::kCompare:
    case Scenario::kFloor:
      break;
  }
  return absl::InvalidArgumentError("compare and floor are not scenarios to run");
}

}  // namespace gw::bench
