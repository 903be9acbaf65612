#include "gateway/edge/edge_metrics.h"

#include "absl/strings/str_cat.h"

namespace gw::edge {

using observability::Labels;

namespace {

observability::Counter* RefusedSubscriptions(observability::MetricsRegistry& registry,
                                             const std::string& app, const std::string& reason) {
  return &registry.GetCounter(
      "realtime_subscriptions_refused_total",
      "Subscribes refused by the per-connection limits: channel_limit "
      "(max_channels_per_connection, 4100), rate_limit (max_subscriptions_per_second, 4301), "
      "presence_rate_limit (max_presence_joins_per_second, 4301).",
      {{"app", app}, {"reason", reason}});
}

}  // namespace

EdgeMetrics::EdgeMetrics(observability::MetricsRegistry& registry, const core::AppDirectory& apps,
                         const std::atomic<uint32_t>& server_connections)
    : registry_(registry) {
  for (const auto& app : apps.apps()) {
    const Labels labels = {{"app", app->app().id}};
    per_app_[app.get()] = AppEdgeMetrics{
        &registry.GetCounter("realtime_connections_opened_total", "WebSocket connections admitted.",
                             labels),
        &registry.GetCounter("realtime_messages_received_total",
                             "WebSocket messages received from clients.", labels),
        &registry.GetCounter("realtime_bytes_received_total",
                             "Bytes of WebSocket messages received from clients.", labels),
        &registry.GetCounter("realtime_messages_sent_total",
                             "Frames queued to clients (one per subscriber per event).", labels),
        &registry.GetCounter("realtime_bytes_sent_total",
                             "Payload bytes of frames queued to clients, as sent (the compressed "
                             "size where permessage-deflate compressed them).",
                             labels),
        &registry.GetCounter("realtime_messages_sent_compressed_total",
                             "Frames of realtime_messages_sent_total sent compressed "
                             "(permessage-deflate).",
                             labels),
        &registry.GetCounter("realtime_slow_consumers_disconnected_total",
                             "Clients closed (4100) because their write queue was full.", labels),
        &registry.GetCounter("realtime_rate_limited_total",
                             "Client events refused with 4301 (per-connection rate limit).",
                             labels),
        &registry.GetCounter("realtime_client_events_total", "Client events forwarded.", labels),
        RefusedSubscriptions(registry, app->app().id, "channel_limit"),
        RefusedSubscriptions(registry, app->app().id, "rate_limit"),
        RefusedSubscriptions(registry, app->app().id, "presence_rate_limit"),
    };
  }
  const core::AppDirectory* directory = &apps;
  registry.AddGauge("realtime_connections", "Open WebSocket connections, by app.",
                    [directory](const auto& emit) {
                      for (const auto& app : directory->apps()) {
                        emit({{"app", app->app().id}}, app->connection_count());
                      }
                    });
  registry.AddGauge("realtime_server_connections",
                    "Open WebSocket connections counted against max_connections.",
                    [&server_connections](const auto& emit) {
                      emit({}, server_connections.load(std::memory_order_relaxed));
                    });
  registry.AddGauge("realtime_channels", "Occupied channels, by app.",
                    [directory](const auto& emit) {
                      for (const auto& app : directory->apps()) {
                        emit({{"app", app->app().id}}, app->channels().OccupiedChannelCount());
                      }
                    });
  registry.AddGauge("realtime_subscriptions", "Channel subscriptions, by app.",
                    [directory](const auto& emit) {
                      for (const auto& app : directory->apps()) {
                        emit({{"app", app->app().id}}, app->channels().TotalSubscriptions());
                      }
                    });
}

const AppEdgeMetrics* EdgeMetrics::For(const core::AppState* app) const {
  auto it = per_app_.find(app);
  return it == per_app_.end() ? nullptr : &it->second;
}

void EdgeMetrics::ConnectionClosed(const core::AppState* app, std::string_view reason) {
  registry_
      .GetCounter("realtime_connections_closed_total", "WebSocket connections closed, by reason.",
                  {{"app", app->app().id}, {"reason", std::string(reason)}})
      .Add();
}

void EdgeMetrics::ConnectionRefused(uint16_t code) {
  registry_
      .GetCounter("realtime_connections_refused_total",
                  "WebSocket upgrades refused, by Pusher error code.",
                  {{"code", absl::StrCat(code)}})
      .Add();
}

void EdgeMetrics::HttpRequest(std::string_view route, unsigned status) {
  registry_
      .GetCounter("realtime_http_requests_total", "HTTP requests, by route and status.",
                  {{"route", std::string(route)}, {"status", absl::StrCat(status)}})
      .Add();
}

}  // namespace gw::edge
