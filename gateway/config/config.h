#ifndef GATEWAY_CONFIG_CONFIG_H_
#define GATEWAY_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/core/app.h"

namespace gw::config {

// Everything the server needs to start, validated. Built from, later overriding earlier:
// the embedded default, a JSON file (--config), the environment, then command-line flags.
struct Config {
  std::string host = "0.0.0.0";
  uint16_t port = 6001;        // WebSocket + Pusher HTTP API; 0 = any free port
  uint16_t grpc_port = 50051;  // gRPC control plane; 0 = any free port
  uint32_t threads = 0;        // I/O threads; 0 = one per core
  // Server-wide WebSocket connections; 0 = derived from the descriptor limit (below). Over it:
  // close 4100 (over capacity).
  uint32_t max_connections = 0;
  // Descriptors kept back from clients (listeners, gRPC, webhooks, files). The process raises
  // its descriptor limit to the hard limit at start; what this leaves bounds the sockets open
  // to clients (beyond it a new one is closed at once), and 90 % of that is the default
  // max_connections, so WebSocket clients get 4100 long before the process runs out.
  uint32_t reserved_descriptors = 256;
  // Bytes queued to one slow client before it is disconnected with 4100, in KiB.
  uint32_t max_write_buffer_kb = 1024;
  // Fan-out tasks one I/O thread may have waiting before a backend's publish (HTTP API, gRPC) is
  // refused with 503 + Retry-After / UNAVAILABLE instead of queued; 0 = no ceiling. Events the
  // server makes itself (member_added, client events) are never refused but count toward it.
  uint32_t max_publish_backlog = 1000;
  // Largest HTTP request body, in KiB (beyond the per-app payload limit, this guards the parser
  // itself).
  uint32_t max_request_kb = 256;
  // permessage-deflate (RFC 7692) for WebSocket clients that offer it (every browser does): a
  // published frame of at least `websocket_compression_min_bytes` is compressed once and the
  // same bytes go to every subscriber that accepted it. An app may opt out
  // (enable_websocket_compression).
  bool websocket_compression = true;
  uint32_t websocket_compression_min_bytes = 256;
  // Largest WebSocket message a client may send, in KiB; over it: close 1009. Sized for Pusher
  // messages: 10 KB of event data (Pusher's limit) with its envelope and JSON escaping. Must be
  // at least every app's max_event_payload_kb.
  uint32_t max_message_kb = 32;
  // Milliseconds a WebSocket message may take from its first byte to its last; over it: close
  // 1008. Bytes trickled into an unfinished message do not extend it.
  uint32_t message_timeout_ms = 10000;
  // The operator listener: /metrics and the health endpoints, on an address of its own so that
  // what they show stays off the public port. 0 = any free port.
  std::string operator_host = "127.0.0.1";
  uint16_t operator_port = 9601;
  // When set, the operator listener answers only requests with "Authorization: Bearer <token>"
  // (or HTTP basic auth with this as the password); 401 otherwise. The health endpoints on the
  // public port need none. Env REALTIME_OPERATOR_TOKEN.
  std::string operator_token;
  // Seconds a drain waits for clients to leave after SIGTERM before cutting them.
  uint32_t shutdown_grace_seconds = 10;
  std::string log_level = "info";  // debug | info | warn | error
  // TLS on the gRPC port: PEM files. Both cert and key turn TLS on; a client CA also requires and
  // verifies client certificates (mutual TLS).
  std::string grpc_tls_cert_file;
  std::string grpc_tls_key_file;
  std::string grpc_tls_client_ca_file;
  // Webhooks (apps[].webhooks). channel_vacated and member_removed wait this long, and are
  // dropped with the matching channel_occupied / member_added if the channel (user) comes back
  // within it (a page reload); 0 = send at once.
  uint32_t webhook_vacate_delay_ms = 3000;
  uint32_t webhook_timeout_ms = 10000;         // one webhook request, connect to response
  uint32_t webhook_retry_max_seconds = 300;    // retries after the first attempt; 0 = none
  uint32_t webhook_max_queued_events = 10000;  // per endpoint; beyond it the oldest are dropped
  // Scale-out over Redis (gateway/cluster). An empty URL is a single node that needs no Redis.
  // Otherwise a URL that gw::cluster::ParseRedisUrl accepts (checked here), as given.
  std::string redis_url;
  // Starts every Redis key and channel name, so that deployments can share one Redis.
  std::string redis_prefix = "realtime";
  // A node that stops renewing its lease for this long is taken for dead, its members removed.
  uint32_t node_lease_seconds = 10;
  // PEM CA certificates trusted for rediss:// besides the system's.
  std::string redis_tls_ca_file;
  // Webhook events kept per app in Redis for the sender to read (about 67 bytes each, a client
  // event more by its data); beyond it the oldest unread are trimmed and counted.
  uint32_t redis_webhook_stream_max_events = 100000;
  // The operator's dashboard (gateway/dashboard), on the operator listener; off by default.
  // On, it needs a password: every request must carry this user and password (HTTP basic).
  bool dashboard = false;
  std::string dashboard_user = "admin";
  std::string dashboard_password;
  std::vector<core::App> apps;
  // Set by --help: print usage and exit 0.
  bool show_help = false;
};

// `args` excludes argv[0]. `env` holds the process environment. Errors are InvalidArgument and
// name the offending key, variable or flag, e.g. "apps[1].max_connections: expected a
// non-negative integer".
absl::StatusOr<Config> LoadConfig(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env);

// Usage text for --help.
std::string Usage();

}  // namespace gw::config

#endif  // GATEWAY_CONFIG_CONFIG_H_
