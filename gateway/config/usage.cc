#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "gateway/config/config.h"

namespace gw::config {
namespace {

// One line of a three-column table; columns wide enough for the longest key.
std::string Row(absl::string_view key, absl::string_view value, absl::string_view meaning) {
  constexpr size_t kKeyWidth = 32;
  constexpr size_t kValueWidth = 12;
  std::string line = absl::StrCat("  ", key);
  line.resize(std::max(line.size() + 1, kKeyWidth), ' ');
  absl::StrAppend(&line, value);
  line.resize(std::max(line.size() + 1, kKeyWidth + kValueWidth), ' ');
  absl::StrAppend(&line, meaning, "\n");
  return line;
}

std::string Quoted(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

std::string Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

// Defaults are taken from Config and core::App themselves, so the help cannot drift from what
// the server does.
std::string Usage() {
  const Config server;
  const core::App app;
  const core::AppLimits& limits = app.limits;
  return absl::StrCat(
      "Usage: realtime-gateway [flags]\n"
      "\n"
      "A WebSocket server speaking the Pusher Channels protocol, for Pusher client libraries,\n"
      "Laravel Echo and the Pusher HTTP API. With nothing configured it listens on ",
      server.host, ":", server.port, "\n(WebSocket and HTTP API) and port ", server.grpc_port,
      " (gRPC), with one demo app: id \"app-id\", key \"app-key\",\n"
      "secret \"app-secret\", client events enabled.\n"
      "\n"
      "Each source overrides the one before: built-in defaults, the config file, the\n"
      "environment, then flags.\n"
      "\n"
      "Flags (--name value or --name=value):\n",
      Row("--config FILE", "", "JSON config file, keys below"),
      Row("--host HOST", server.host, "address to listen on"),
      Row("--port N", absl::StrCat(server.port), "WebSocket + HTTP API port; 0 = any free port"),
      Row("--grpc-port N", absl::StrCat(server.grpc_port), "gRPC port; 0 = any free port"),
      Row("--operator-host HOST", server.operator_host, "operator listener (/metrics, health)"),
      Row("--operator-port N", absl::StrCat(server.operator_port), "its port; 0 = any free port"),
      Row("--threads N", absl::StrCat(server.threads), "I/O threads; 0 = one per core"),
      Row("--log-level L", server.log_level, "debug, info, warn or error"),
      Row("--redis-url URL", "none", "scale out over this Redis (redis_url below)"),
      Row("--redis-prefix P", server.redis_prefix, "Redis key and channel prefix"),
      Row("--node-lease-seconds N", absl::StrCat(server.node_lease_seconds),
          "a silent node is dead after this long"),
      Row("--help, -h", "", "print this help and exit"),
      "\n"
      "Environment, as in a Laravel .env (a variable set to \"\" counts as unset):\n"
      "  PUSHER_APP_ID, PUSHER_APP_KEY, PUSHER_APP_SECRET\n"
      "  REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET\n"
      "      Each set of three defines an app; set all three or none. An app with the same id\n"
      "      gets the new key and secret. Otherwise, with no \"apps\" in a config file, the\n"
      "      app replaces the demo app and keeps its settings; with them, it is added with\n"
      "      the per-app defaults below.\n"
      "  REALTIME_HOST, else REVERB_SERVER_HOST                    address to listen on\n"
      "  REALTIME_PORT, else REVERB_SERVER_PORT, else PUSHER_PORT  WebSocket + HTTP API port\n"
      "  REALTIME_GRPC_PORT                                        gRPC port\n"
      "  REALTIME_OPERATOR_TOKEN           bearer token the operator listener requires\n"
      "  OTEL_EXPORTER_OTLP_ENDPOINT (http://host:4317)  export OpenTelemetry traces over\n"
      "      OTLP/gRPC (off when unset); also OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,\n"
      "      OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP_HEADERS and the other standard\n"
      "      OTEL_* variables (gateway/README.md, \"Tracing\")\n"
      "  REALTIME_REDIS_URL                                        redis_url: scale out\n"
      "  REDIS_URL: scale out over that Redis (unless REVERB_SCALING_ENABLED=false)\n"
      "  REVERB_SCALING_ENABLED=true, with REDIS_URL, or else with REDIS_HOST (127.0.0.1;\n"
      "      tls://host for TLS), REDIS_PORT (6379), REDIS_USERNAME, REDIS_PASSWORD, REDIS_DB\n"
      "      (0): scale out over that Redis, as Reverb does (\"null\" counts as unset; without\n"
      "      REVERB_SCALING_ENABLED=true, REDIS_HOST and the rest are left to the Laravel app)\n"
      "  REALTIME_REDIS_PREFIX, else REVERB_SCALING_CHANNEL        redis_prefix\n"
      "  REALTIME_NODE_LEASE_SECONDS                               node_lease_seconds\n"
      "  REALTIME_REDIS_TLS_CA_FILE                                redis_tls_ca_file\n"
      "  REALTIME_DASHBOARD (true/false)                           dashboard\n"
      "  REALTIME_DASHBOARD_USER                                   dashboard_user\n"
      "  REALTIME_DASHBOARD_PASSWORD                               dashboard_password\n"
      "\n"
      "Config file: one JSON object. Every key is optional; unknown keys are errors.\n",
      Row("key", "default", "value"), Row("host", Quoted(server.host), "address to listen on"),
      Row("port", absl::StrCat(server.port), "0-65535; 0 = any free port"),
      Row("grpc_port", absl::StrCat(server.grpc_port), "0-65535; 0 = any free port"),
      Row("threads", absl::StrCat(server.threads), "I/O threads; 0 = one per core"),
      Row("max_connections", absl::StrCat(server.max_connections),
          "WebSocket connections, server-wide; 0 = 90 % of the descriptors left"),
      Row("reserved_descriptors", absl::StrCat(server.reserved_descriptors),
          "descriptors kept from clients; the rest bounds open client sockets"),
      Row("max_write_buffer_kb", absl::StrCat(server.max_write_buffer_kb),
          "KiB queued to a slow client before it is cut off; at least 1"),
      Row("max_request_kb", absl::StrCat(server.max_request_kb),
          "largest HTTP request body, KiB; at least 1"),
      Row("max_message_kb", absl::StrCat(server.max_message_kb),
          "largest WebSocket message, KiB (close 1009); >= apps' max_event_payload_kb"),
      Row("message_timeout_ms", absl::StrCat(server.message_timeout_ms),
          "first to last byte of a WebSocket message (close 1008)"),
      Row("operator_host", Quoted(server.operator_host),
          "address of the operator listener (/metrics, health)"),
      Row("operator_port", absl::StrCat(server.operator_port), "its port; 0 = any free port"),
      Row("operator_token", "none",
          "bearer token (or basic-auth password) it requires; 401 without"),
      Row("max_publish_backlog", absl::StrCat(server.max_publish_backlog),
          "deliveries queued per I/O thread before a publish gets 503; 0 = none"),
      Row("shutdown_grace_seconds", absl::StrCat(server.shutdown_grace_seconds),
          "wait for clients to leave after SIGTERM"),
      Row("websocket_compression", Bool(server.websocket_compression),
          "permessage-deflate for clients that offer it; each publish compressed once"),
      Row("websocket_compression_min_bytes", absl::StrCat(server.websocket_compression_min_bytes),
          "frames shorter than this are sent uncompressed"),
      Row("log_level", Quoted(server.log_level), "\"debug\", \"info\", \"warn\" or \"error\""),
      Row("grpc_tls_cert_file", "none", "PEM certificate chain: TLS on the gRPC port (with key)"),
      Row("grpc_tls_key_file", "none", "PEM private key of that certificate"),
      Row("grpc_tls_client_ca_file", "none", "PEM CA: require and verify client certificates"),
      Row("webhook_vacate_delay_ms", absl::StrCat(server.webhook_vacate_delay_ms),
          "hold channel_vacated / member_removed; a return within it sends neither"),
      Row("webhook_timeout_ms", absl::StrCat(server.webhook_timeout_ms),
          "one webhook request; at least 1"),
      Row("webhook_retry_max_seconds", absl::StrCat(server.webhook_retry_max_seconds),
          "retry failed webhooks (backoff 1 s to 60 s) this long; 0 = never"),
      Row("webhook_max_queued_events", absl::StrCat(server.webhook_max_queued_events),
          "webhook events waiting per endpoint; the oldest are dropped; at least 1"),
      Row("redis_url", "none", "redis://[[user]:password@]host[:port][/db] or rediss://"),
      Row("", "", " (TLS): scale out over Redis; none = a single node"),
      Row("redis_prefix", Quoted(server.redis_prefix),
          "starts every Redis key and channel; 1-64 of A-Z a-z 0-9 - _ . :"),
      Row("node_lease_seconds", absl::StrCat(server.node_lease_seconds),
          "a node silent this long is dead, its members removed; 3-600"),
      Row("redis_tls_ca_file", "none", "PEM CA trusted for rediss:// besides the system's"),
      Row("redis_webhook_stream_max_events", absl::StrCat(server.redis_webhook_stream_max_events),
          "webhook events kept per app for the sender; oldest unread trimmed; at least 1"),
      Row("dashboard", Bool(server.dashboard),
          "serve the dashboard at /dashboard/ on the operator listener"),
      Row("dashboard_user", Quoted(server.dashboard_user), "its user name (HTTP basic)"),
      Row("dashboard_password", "none", "its password; required when the dashboard is on"),
      Row("apps", "demo app", "array of apps, replacing the demo app"), "Each app:\n",
      Row("id", "required", "letters, digits, - _ . ~"),
      Row("key", "required", "letters, digits, - _ . ~; clients connect with it"),
      Row("secret", "required", "signs HTTP API requests and channel auth"),
      Row("enabled", Bool(app.enabled), "false refuses connections and API calls"),
      Row("enable_client_messages", Bool(app.enable_client_messages),
          "allow client-* events on private and presence channels"),
      Row("enable_subscription_count", Bool(app.enable_subscription_count),
          "send pusher_internal:subscription_count to subscribers"),
      Row("max_connections", absl::StrCat(limits.max_connections), "0 = unlimited"),
      Row("max_client_events_per_second", absl::StrCat(limits.max_client_events_per_second),
          "per connection"),
      Row("max_channels_per_connection", absl::StrCat(limits.max_channels_per_connection),
          "channels one connection holds; over it 4100; 0 = unlimited"),
      Row("max_subscriptions_per_second", absl::StrCat(limits.max_subscriptions_per_second),
          "subscribes per connection (the cap's worth at once); 4301"),
      Row("max_presence_joins_per_second", absl::StrCat(limits.max_presence_joins_per_second),
          "presence subscribes per connection; over it 4301"),
      Row("max_presence_members", absl::StrCat(limits.max_presence_members),
          "users per presence channel"),
      Row("max_presence_member_size_kb", absl::StrCat(limits.max_presence_member_size_kb),
          "user_info of one member, KiB"),
      Row("max_event_payload_kb", absl::StrCat(limits.max_event_payload_kb),
          "event data, KiB; at least 1"),
      Row("activity_timeout", absl::StrCat(limits.activity_timeout_seconds),
          "seconds of silence before clients ping; at least 1"),
      Row("allowed_origins",
          absl::StrCat("[\"", absl::StrJoin(app.allowed_origins, "\", \""), "\"]"),
          "browser origins; * matches any run of characters"),
      Row("cache_ttl", absl::StrCat(limits.cache_ttl_seconds),
          "seconds a cache channel keeps its last event"),
      Row("enable_user_authentication", Bool(app.enable_user_authentication),
          "close connections that neither sign in nor join a private channel in time (4009)"),
      Row("user_authentication_timeout", absl::StrCat(app.user_authentication_timeout_seconds),
          "seconds allowed for that"),
      Row("enable_watchlist_events", Bool(app.enable_watchlist_events),
          "online/offline events for signed-in users' watchlists"),
      Row("max_watchlist_size", absl::StrCat(limits.max_watchlist_size), "ids per watchlist"),
      Row("webhooks", "[]", "[{url, event_types, channel_prefix, headers}]"),
      Row("webhook_batching", Bool(app.webhook_batching), "several events per webhook POST"),
      Row("enable_websocket_compression", Bool(app.enable_websocket_compression),
          "permessage-deflate for this app (where websocket_compression is on)"),
      Row("grpc_token", "derived",
          "gRPC bearer token; default hex HMAC-SHA256(secret, \"realtime.v1\")"),
      Row("encryption_master_key_base64", "none",
          "32 bytes, base64; for private-encrypted- channels"),
      Row("authorizer", "none", "{target, timeout_ms 1000, forward_headers, forward_cookies,"),
      Row("", "", " forward_query}: a realtime.v1.ChannelAuthorizer backend"),
      "\n"
      "Example config file:\n"
      "  {\n"
      "    \"port\": 6001,\n"
      "    \"log_level\": \"info\",\n"
      "    \"apps\": [\n"
      "      {\"id\": \"my-app\", \"key\": \"my-key\", \"secret\": \"my-secret\",\n"
      "       \"enable_client_messages\": true,\n"
      "       \"allowed_origins\": [\"https://*.example.com\"]}\n"
      "    ]\n"
      "  }\n");
}

}  // namespace gw::config
