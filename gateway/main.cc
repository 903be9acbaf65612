// realtime-gateway: wiring only. Reads the config, builds the core, starts the edge and the gRPC
// control plane, and drains on SIGTERM / SIGINT.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "control/authorizer_client.h"
#include "control/control_plane_service.h"
#include "control/control_server.h"
#include "gateway/cluster/redis_cluster.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_url.h"
#include "gateway/config/config.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/fanout.h"
#include "gateway/core/single_node.h"
#include "gateway/dashboard/dashboard.h"
#include "gateway/edge/descriptor_budget.h"
#include "gateway/edge/edge_context.h"
#include "gateway/edge/edge_metrics.h"
#include "gateway/edge/http_router.h"
#include "gateway/edge/operator_listener.h"
#include "gateway/edge/server.h"
#include "gateway/observability/log.h"
#include "gateway/observability/metrics.h"
#include "gateway/observability/process_tracer.h"
#include "gateway/service/event_publisher.h"
#include "gateway/session/pusher_connection.h"
#include "gateway/session/pusher_server_frames.h"
#include "gateway/webhooks/webhook_dispatcher.h"

extern char** environ;

#ifdef GW_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>

// Read by jemalloc when it starts. Freed pages go back to the kernel after 1 s instead of 10 s
// (muzzy pages at once, as Debian's build already does), purged by one background thread for all
// arenas (by default one per CPU, started as arenas fill, so the thread count moved with load);
// gateway/README.md has the figures.
extern "C" {
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0,max_background_threads:1";
}
#endif

namespace {

namespace obs = gw::observability;

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    size_t eq = text.find('=');
    if (eq != std::string::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

// The largest request a backend may legitimately send: a full batch of maximum-size events, plus
// room for names and channel lists. gRPC's own default (4 MiB) applies when that is larger.
int MaxGrpcMessageBytes(const std::vector<gw::core::App>& apps) {
  size_t largest = 4 * 1024 * 1024;
  for (const auto& app : apps) {
    const size_t batch =
        static_cast<size_t>(app.limits.max_event_payload_kb) * 1024 * app.limits.max_batch_size +
        64 * 1024;
    largest = std::max(largest, batch);
  }
  return static_cast<int>(std::min<size_t>(largest, 64 * 1024 * 1024));
}

int Fail(std::string_view what) {
  std::fprintf(stderr, "realtime-gateway: %.*s\n", static_cast<int>(what.size()), what.data());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the shutdown signals before any thread exists, so every thread inherits the mask and
  // only the sigwait below ever sees them.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
#ifdef GW_WITH_JEMALLOC
  // Decay only happens when an arena is used again; an idle gateway after a burst would keep
  // its pages. A background thread purges on time. Turned on here rather than through
  // malloc_conf, which jemalloc's manual warns can deadlock at start; after the
  // signal mask, which the thread inherits.
  bool background_thread = true;
  mallctl("background_thread", nullptr, nullptr, &background_thread, sizeof(background_thread));
#endif

  auto config =
      gw::config::LoadConfig(std::vector<std::string>(argv + 1, argv + argc), Environment());
  if (!config.ok()) {
    std::fprintf(stderr, "realtime-gateway: %s\nRun with --help for usage.\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(gw::config::Usage().c_str(), stdout);
    return 0;
  }
  obs::LogLevel level;
  if (obs::ParseLogLevel(config->log_level, &level)) obs::SetLogLevel(level);
  const gw::edge::DescriptorBudget descriptors = gw::edge::PlanDescriptors(
      gw::edge::RaiseDescriptorLimit(), config->reserved_descriptors, config->max_connections);
  if (descriptors.max_connections > descriptors.max_sockets) {
    obs::LogWarn("max_connections is more than the descriptor limit allows",
                 {{"max_connections", static_cast<uint64_t>(descriptors.max_connections)},
                  {"client_sockets", static_cast<uint64_t>(descriptors.max_sockets)},
                  {"descriptor_limit", descriptors.descriptor_limit}});
  }
  // Before anything that traces; installed as the process's tracer (off without an endpoint).
  gw::tracing::ProcessTracer tracing(Environment());

  // /metrics, health and the dashboard, mounted and started below. Declared before every part of
  // the gateway, so that it is destroyed after them: a dashboard answer still held at exit (by a
  // listing in the queue, a Redis query or a receipt) holds a socket of this listener's
  // io_context.
  gw::edge::OperatorListener operator_pages(config->operator_token);
  gw::edge::Server server(config->threads);
  auto apps = gw::core::AppDirectory::Create(config->apps, server.shard_count());
  if (!apps.ok()) return Fail(std::string(apps.status().message()));
  gw::core::Fanout fanout(server, {.max_backlog = config->max_publish_backlog});
  gw::session::PusherServerFrames server_frames;
  // Channel listings of a single node are built here, never on an I/O thread (they can be large).
  gw::core::WorkQueue listings(/*max_pending=*/64);
  gw::core::SingleNode single_node(**apps, fanout, server_frames, &listings);
  std::unique_ptr<gw::cluster::RedisCluster> redis_cluster;
  if (!config->redis_url.empty()) {
    auto url = gw::cluster::ParseRedisUrl(config->redis_url);
    if (!url.ok()) return Fail(absl::StrCat("redis_url: ", url.status().message()));
    gw::cluster::ClusterOptions options;
    options.redis.url = *url;
    if (url->tls) {
      auto tls = gw::cluster::MakeRedisTlsContext(config->redis_tls_ca_file);
      if (!tls.ok()) return Fail(std::string(tls.status().message()));
      options.redis.tls = *tls;
    }
    options.prefix = config->redis_prefix;
    options.lease = std::chrono::seconds(config->node_lease_seconds);
    options.webhook_stream_max_len = config->redis_webhook_stream_max_events;
    // Renewed often enough that a lease survives two lost heartbeats, and at least every second
    // so that connection counts (max_connections) stay fresh across nodes.
    options.heartbeat =
        std::min<std::chrono::milliseconds>(std::chrono::seconds(1), options.lease / 3);
    redis_cluster =
        std::make_unique<gw::cluster::RedisCluster>(**apps, fanout, server, server_frames, options);
  }
  gw::core::Cluster& cluster =
      redis_cluster != nullptr ? static_cast<gw::core::Cluster&>(*redis_cluster) : single_node;
  gw::service::EventPublisher publisher(fanout, cluster);
  gw::webhooks::WebhookLimits webhook_limits;
  webhook_limits.vacate_delay = std::chrono::milliseconds(config->webhook_vacate_delay_ms);
  webhook_limits.request_timeout = std::chrono::milliseconds(config->webhook_timeout_ms);
  webhook_limits.retry_max = std::chrono::seconds(config->webhook_retry_max_seconds);
  webhook_limits.max_queued_events = config->webhook_max_queued_events;
  gw::webhooks::WebhookDispatcher webhooks(**apps, webhook_limits);

  gw::edge::EdgeLimits limits;
  limits.max_connections = descriptors.max_connections;
  limits.max_sockets = descriptors.max_sockets;
  limits.max_write_buffer_bytes = static_cast<size_t>(config->max_write_buffer_kb) * 1024;
  limits.max_request_bytes = static_cast<size_t>(config->max_request_kb) * 1024;
  limits.websocket_compression = config->websocket_compression;
  limits.compression_min_bytes = config->websocket_compression_min_bytes;
  limits.max_message_bytes = static_cast<size_t>(config->max_message_kb) * 1024;
  limits.message_timeout = std::chrono::milliseconds(config->message_timeout_ms);
  gw::control::AuthorizerClient authorizer;
  gw::session::ConnectionServices connection_services{cluster, server, &authorizer};
  gw::edge::EdgeContext context{**apps, cluster, publisher, connection_services, limits};
  obs::MetricsRegistry metrics;
  gw::edge::EdgeMetrics edge_metrics(metrics, **apps, context.connections);
  context.metrics = &edge_metrics;
  context.metrics_registry = &metrics;
  metrics.AddCounterFunction(
      "realtime_publishes_refused_total",
      "Backend publishes (HTTP API, gRPC) refused because an I/O thread had more than "
      "max_publish_backlog deliveries waiting.",
      [&fanout](const auto& emit) { emit({}, fanout.refused()); });
  metrics.AddGauge(
      "realtime_fanout_backlog", "Deliveries posted to an I/O thread and not yet run.",
      [&fanout](const auto& emit) {
        const gw::core::ShardBacklog& backlog = fanout.backlog();
        for (size_t shard = 0; shard < backlog.shard_count(); ++shard) {
          emit({{"shard", std::to_string(shard)}}, static_cast<double>(backlog.Depth(shard)));
        }
      });
  metrics.AddCounterFunction(
      "realtime_channel_listings_refused_total",
      "GET /channels and ListChannels refused (503) because 64 listings were already waiting.",
      [&listings](const auto& emit) { emit({}, listings.refused()); });
  metrics.AddCounterFunction("realtime_authorizer_calls_total",
                             "ChannelAuthorizer calls, by outcome.",
                             [&authorizer](const auto& emit) {
                               const auto& counters = authorizer.counters();
                               emit({{"outcome", "allowed"}}, counters.allowed.load());
                               emit({{"outcome", "denied"}}, counters.denied.load());
                               emit({{"outcome", "failed"}}, counters.failed.load());
                             });
  metrics.AddCounterFunction("realtime_trace_spans_total", "Trace spans, by what became of them.",
                             [&tracing](const auto& emit) {
                               const auto counters = tracing.tracer().counters();
                               emit({{"result", "exported"}}, counters.exported);
                               emit({{"result", "dropped"}}, counters.dropped);
                               emit({{"result", "failed"}}, counters.failed);
                             });
  metrics.AddCounterFunction(
      "realtime_trace_export_errors_total", "OTLP exports that failed.",
      [&tracing](const auto& emit) { emit({}, tracing.tracer().counters().export_errors); });
  metrics.AddCounterFunction("realtime_webhook_events_total",
                             "Webhook events, by what became of them.",
                             [&webhooks](const auto& emit) {
                               const auto& counters = webhooks.counters();
                               emit({{"result", "sent"}}, counters.sent.load());
                               emit({{"result", "dropped"}}, counters.dropped.load());
                             });
  metrics.AddCounterFunction("realtime_webhook_requests_total",
                             "Webhook requests that failed, and retries.",
                             [&webhooks](const auto& emit) {
                               const auto& counters = webhooks.counters();
                               emit({{"result", "failed"}}, counters.failed_attempts.load());
                               emit({{"result", "retry"}}, counters.retries.load());
                             });
  metrics.AddGauge("realtime_descriptor_limit",
                   "The process's file descriptor limit (raised to the hard limit at start).",
                   [&descriptors](const auto& emit) {
                     emit({}, static_cast<double>(descriptors.descriptor_limit));
                   });
  metrics.AddGauge("realtime_client_sockets",
                   "Client sockets open (HTTP and WebSocket), and the most allowed.",
                   [&context](const auto& emit) {
                     emit({{"state", "open"}}, static_cast<double>(context.open_sockets->load()));
                     emit({{"state", "limit"}}, static_cast<double>(context.limits.max_sockets));
                   });
  metrics.AddCounterFunction(
      "realtime_client_sockets_shed_total",
      "Client sockets closed right after accept because every slot was taken.",
      [&context](const auto& emit) { emit({}, context.sockets_shed.load()); });
  metrics.AddCounterFunction(
      "realtime_accept_failures_total",
      "accept() failures (out of descriptors and the like); accepting backs off meanwhile.",
      [&context](const auto& emit) { emit({}, context.accept_failures.load()); });
  server.SetContext(&context);
  if (absl::Status status = server.Listen(config->host, config->port); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  gw::control::ControlPlaneService control_plane(**apps, cluster, publisher, context.draining);
  gw::control::ControlServer control;
  if (absl::Status status = control.Start(
          config->host, config->grpc_port, {&control_plane}, MaxGrpcMessageBytes(config->apps),
          {config->grpc_tls_cert_file, config->grpc_tls_key_file, config->grpc_tls_client_ca_file},
          &metrics);
      !status.ok()) {
    return Fail(std::string(status.message()));
  }
  if (absl::Status status = webhooks.Start(); !status.ok()) {
    return Fail(std::string(status.message()));
  }
  // The dashboard (off by default), for the operator listener beside /metrics.
  std::unique_ptr<gw::dashboard::Dashboard> dashboard;
  if (config->dashboard) {
    dashboard = std::make_unique<gw::dashboard::Dashboard>(
        gw::dashboard::DashboardOptions{
            config->dashboard_user, config->dashboard_password,
            redis_cluster != nullptr ? "Redis cluster node" : "single node",
            redis_cluster != nullptr},
        **apps, cluster, publisher, gw::dashboard::EdgeTotalsReader(&edge_metrics));
    dashboard->AddMetrics(metrics);
    dashboard->Start();
  }
  if (redis_cluster != nullptr) {
    const gw::cluster::ClusterCounters& cc = redis_cluster->counters();
    metrics.AddGauge("realtime_cluster_connected",
                     "1 while this node reaches the cluster's Redis, 0 while it serves alone.",
                     [&cc](const auto& emit) { emit({}, cc.connected.load() ? 1.0 : 0.0); });
    metrics.AddCounterFunction(
        "realtime_cluster_publishes_total",
        "Publishes handed to the other nodes, and those that could not be (Redis unreachable: "
        "delivered to this node's subscribers only).",
        [&cc](const auto& emit) {
          emit({{"result", "forwarded"}}, cc.publishes_forwarded.load());
          emit({{"result", "not_forwarded"}}, cc.publishes_not_forwarded.load());
        });
    metrics.AddCounterFunction(
        "realtime_cluster_messages_total",
        "Messages received from the cluster, and those dropped as not ours (foreign bytes).",
        [&cc](const auto& emit) {
          emit({{"result", "received"}}, cc.messages_received.load());
          emit({{"result", "foreign"}}, cc.messages_foreign.load());
        });
    metrics.AddCounterFunction("realtime_cluster_events_total", "Cluster membership events.",
                               [&cc](const auto& emit) {
                                 emit({{"event", "disconnect"}}, cc.disconnects.load());
                                 emit({{"event", "reseed"}}, cc.reseeds.load());
                                 emit({{"event", "node_reaped"}}, cc.nodes_reaped.load());
                                 emit({{"event", "roster_resync"}}, cc.roster_resyncs.load());
                               });
    metrics.AddCounterFunction(
        "realtime_cluster_webhook_stream_events_total",
        "Once-per-cluster webhook events this node read from the apps' webhook streams and "
        "handed to its webhook sender, and those trimmed from a stream (its bound) before any "
        "sender read them: lost.",
        [&cc](const auto& emit) {
          emit({{"result", "read"}}, cc.webhook_events_read.load());
          emit({{"result", "trimmed"}}, cc.webhook_events_trimmed.load());
        });
    metrics.AddGauge(
        "realtime_cluster_webhook_stream_lag",
        "Entries the webhook streams held past their cursors at this node's last "
        "read (0 where this node does not send the webhooks).",
        [&cc](const auto& emit) { emit({}, static_cast<double>(cc.webhook_stream_lag.load())); });
    redis_cluster->Start();
  }
  // /metrics and health for whoever runs the gateway, off the public port.
  operator_pages.Mount("/metrics", [&context](const gw::edge::HttpRequest& request) {
    return gw::edge::MetricsPage(context, request);
  });
  operator_pages.Mount("/livez", [&context](const gw::edge::HttpRequest& request) {
    return gw::edge::LivenessPage(context, request);
  });
  for (const char* path : {"/readyz", "/up"}) {
    operator_pages.Mount(path, [&context](const gw::edge::HttpRequest& request) {
      return gw::edge::ReadinessPage(context, request);
    });
  }
  if (absl::Status status = operator_pages.Listen(config->operator_host, config->operator_port);
      !status.ok()) {
    return Fail(std::string(status.message()));
  }
  if (dashboard != nullptr) {
    operator_pages.MountTree(
        std::string(gw::dashboard::Dashboard::kPrefix),
        [&dashboard](const gw::edge::HttpRequest& request, gw::edge::HttpResponder respond) {
          dashboard->Handle(request, std::move(respond));
        });
  }
  operator_pages.Start();
  server.Start();

  for (const auto& app : (*apps)->apps()) {
    obs::LogInfo("app", {{"id", app->app().id},
                         {"key", app->app().key},
                         {"enabled", app->app().enabled},
                         {"client_events", app->app().enable_client_messages}});
  }
  obs::LogInfo("listening", {{"host", config->host},
                             {"port", static_cast<int>(server.port())},
                             {"grpc_port", static_cast<int>(control.port())},
                             {"operator_host", config->operator_host},
                             {"operator_port", static_cast<int>(operator_pages.port())},
                             {"max_connections", static_cast<uint64_t>(limits.max_connections)},
                             {"descriptor_limit", descriptors.descriptor_limit},
                             {"threads", static_cast<uint64_t>(server.shard_count())},
                             {"websocket", "ws://" + config->host + ":" +
                                               std::to_string(server.port()) + "/app/{key}"}});

  int received = 0;
  sigwait(&shutdown_signals, &received);
  const auto grace = std::chrono::seconds(config->shutdown_grace_seconds);
  obs::LogInfo("draining",
               {{"signal", received},
                {"connections", static_cast<uint64_t>(context.connections.load())},
                {"grace_seconds", static_cast<uint64_t>(config->shutdown_grace_seconds)}});
  control.BeginDrain();
  control_plane.EndWatches();
  server.BeginDrain();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  const bool clean = server.WaitForDrain(deadline);
  // Whatever the drain left of this node's members leaves the cluster now, announced everywhere.
  if (redis_cluster != nullptr) {
    redis_cluster->Depart(
        std::max(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(2)));
  }
  server.Stop();
  operator_pages.Stop();  // before the dashboard it may be asking
  if (dashboard != nullptr) dashboard->Stop();
  webhooks.Stop(deadline);  // what the drain left of the grace
  control.Stop(std::chrono::milliseconds(500));
  if (redis_cluster != nullptr) redis_cluster->Stop();
  tracing.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(3));  // flush
  obs::LogInfo("stopped", {{"clean", clean},
                           {"connections_cut", static_cast<uint64_t>(context.connections.load())}});
  return 0;
}
