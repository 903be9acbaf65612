#ifndef GATEWAY_EDGE_EDGE_CONTEXT_H_
#define GATEWAY_EDGE_EDGE_CONTEXT_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "gateway/core/app_directory.h"
#include "gateway/core/cluster.h"
#include "gateway/edge/edge_metrics.h"
#include "gateway/observability/metrics.h"
#include "gateway/service/event_publisher.h"
#include "gateway/session/pusher_connection.h"

namespace gw::edge {

// Server-wide limits of the edge, from Config.
struct EdgeLimits {
  uint32_t max_connections = 0;  // WebSockets; 0 = unlimited; over it: 4100
  // Accepted client sockets (HTTP and WebSocket); 0 = unlimited. Beyond it a new socket is
  // closed at once, so the process never runs out of descriptors (DescriptorBudget).
  uint32_t max_sockets = 0;
  size_t max_write_buffer_bytes = 1024 * 1024;
  size_t max_request_bytes = 256 * 1024;  // HTTP bodies
  size_t max_message_bytes = 32 * 1024;   // one WebSocket message; over it: close 1009
  // How long a WebSocket message may take from its first byte to its last; over it: close 1008.
  std::chrono::milliseconds message_timeout{10000};
  // permessage-deflate where the client offers it and its app allows it; published frames
  // shorter than compression_min_bytes go uncompressed.
  bool websocket_compression = true;
  size_t compression_min_bytes = 256;
  std::chrono::seconds http_idle_timeout{30};
  // How long a closing connection may take to flush before its socket is cut.
  std::chrono::seconds close_timeout{5};
};

// What every edge session needs, shared by all shards. Owned by main; outlives the server.
struct EdgeContext {
  core::AppDirectory& apps;
  core::Cluster& cluster;
  service::EventPublisher& publisher;
  // What every WebSocket's Pusher rules share (the cluster, the authorizer, liveness limits).
  const session::ConnectionServices& services;
  EdgeLimits limits;
  // Counters and gauges of the edge; may be null (tests that need none).
  EdgeMetrics* metrics = nullptr;
  // Renders GET /metrics; may be null.
  observability::MetricsRegistry* metrics_registry = nullptr;
  std::atomic<uint32_t> connections{0};
  // Client sockets open (SocketSlot; shared because a session's last handler may be destroyed
  // after this context, at exit), those closed at once for want of a slot, and accept()
  // failures (out of descriptors and the like).
  std::shared_ptr<std::atomic<uint32_t>> open_sockets = std::make_shared<std::atomic<uint32_t>>(0);
  std::atomic<uint64_t> sockets_shed{0};
  std::atomic<uint64_t> accept_failures{0};
  // Set when a drain starts: readiness fails and new WebSockets are refused with 4200.
  std::atomic<bool> draining{false};
  // Set once every listener accepts, so GET /up answers 200 only from then on.
  std::atomic<bool> accepting{false};

  // Claims a server-wide connection slot; false when max_connections is reached.
  bool TryAddConnection() {
    uint32_t current = connections.load(std::memory_order_relaxed);
    do {
      if (limits.max_connections != 0 && current >= limits.max_connections) return false;
    } while (!connections.compare_exchange_weak(current, current + 1,
                                                std::memory_order_relaxed));
    return true;
  }
  void RemoveConnection() { connections.fetch_sub(1, std::memory_order_relaxed); }
};

// One accepted client socket counted against EdgeLimits::max_sockets, released when the slot
// is destroyed. Moves with the socket from the HTTP session to the WebSocket session.
class SocketSlot {
 public:
  SocketSlot() = default;
  // Claims a slot; an empty slot (false) when max_sockets are open.
  static SocketSlot TryClaim(EdgeContext& context) {
    std::atomic<uint32_t>& open = *context.open_sockets;
    uint32_t current = open.load(std::memory_order_relaxed);
    do {
      if (context.limits.max_sockets != 0 && current >= context.limits.max_sockets) return {};
    } while (!open.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
    SocketSlot slot;
    slot.open_sockets_ = context.open_sockets;
    return slot;
  }
  SocketSlot(SocketSlot&& other) noexcept = default;
  SocketSlot& operator=(SocketSlot&& other) noexcept {
    std::swap(open_sockets_, other.open_sockets_);
    return *this;
  }
  ~SocketSlot() {
    if (open_sockets_ != nullptr) open_sockets_->fetch_sub(1, std::memory_order_relaxed);
  }
  explicit operator bool() const { return open_sockets_ != nullptr; }

 private:
  std::shared_ptr<std::atomic<uint32_t>> open_sockets_;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_EDGE_CONTEXT_H_
