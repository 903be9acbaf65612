#ifndef GATEWAY_EDGE_EDGE_METRICS_H_
#define GATEWAY_EDGE_EDGE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "gateway/core/app_directory.h"
#include "gateway/observability/metrics.h"

namespace gw::edge {

// The series one app's WebSocket connections update on their hot paths, made once at start so a
// session only keeps a pointer. Every member is a per-thread-slot counter (see Counter).
struct AppEdgeMetrics {
  observability::Counter* connections_opened;
  observability::Counter* messages_in;
  observability::Counter* bytes_in;
  observability::Counter* messages_out;
  observability::Counter* bytes_out;
  observability::Counter* messages_out_compressed;
  observability::Counter* slow_consumers;
  observability::Counter* client_events_rate_limited;
  observability::Counter* client_events;
  // Subscribes refused by the per-connection limits, by reason.
  observability::Counter* subscriptions_refused_channel_limit;
  observability::Counter* subscriptions_refused_rate_limit;
  observability::Counter* subscriptions_refused_presence_rate_limit;
};

// The edge's metrics: per-app connection and message counters, connection closes by reason, HTTP
// requests by route and status, and gauges (connections, channels, subscriptions) read at scrape
// time. Thread-safe.
class EdgeMetrics {
 public:
  EdgeMetrics(observability::MetricsRegistry& registry, const core::AppDirectory& apps,
              const std::atomic<uint32_t>& server_connections);

  // The app's series (const: the counters it points to are what change), or null.
  const AppEdgeMetrics* For(const core::AppState* app) const;
  // `reason`: "client" when the peer ended it, else the Pusher / WebSocket close code we sent.
  void ConnectionClosed(const core::AppState* app, std::string_view reason);
  // A refused WebSocket (bad key, quota, origin, ...) by its Pusher code.
  void ConnectionRefused(uint16_t code);
  void HttpRequest(std::string_view route, unsigned status);
  observability::MetricsRegistry& registry() { return registry_; }

 private:
  observability::MetricsRegistry& registry_;
  absl::flat_hash_map<const core::AppState*, AppEdgeMetrics> per_app_;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_EDGE_METRICS_H_
