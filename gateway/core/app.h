#ifndef GATEWAY_CORE_APP_H_
#define GATEWAY_CORE_APP_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gw::core {

// Per-app limits, with the defaults Pusher documents (and Reverb/soketi follow) so an app moved
// here behaves as it did there. A value of 0 for a "max" means "no limit" unless noted.
struct AppLimits {
  // Concurrent WebSocket connections for this app; 0 = unlimited. Over it: close 4004.
  uint32_t max_connections = 0;
  // Client events per connection per second; over it: pusher:error 4301, connection stays open.
  uint32_t max_client_events_per_second = 10;
  // Distinct users per presence channel (Pusher: 100).
  uint32_t max_presence_members = 100;
  // Serialized user_info of one presence member, in KiB (Pusher: 1 KB).
  uint32_t max_presence_member_size_kb = 1;
  // Event payload (`data`) size in KiB, WebSocket and HTTP API alike (Pusher: 10 KB, HTTP 413).
  uint32_t max_event_payload_kb = 10;
  // Seconds of silence after which the client should ping; sent in connection_established.
  uint32_t activity_timeout_seconds = 30;
  // Channels one trigger may name, and events one batch may carry (Pusher: 100 and 10).
  uint32_t max_channels_per_event = 100;
  uint32_t max_batch_size = 10;
  // How long the last event of a cache channel is kept for new subscribers.
  uint32_t cache_ttl_seconds = 3600;
  // Ids one signed-in user may watch (user_data.watchlist).
  uint32_t max_watchlist_size = 100;
  // What one connection may hold and cause through subscriptions; Pusher documents none of
  // these, the defaults are ours (gateway/README.md, "What an anonymous client can hold").
  // Channels one connection holds or is joining. Over it: subscription_error 4100 for that
  // channel, the connection stays open.
  uint32_t max_channels_per_connection = 500;
  // Subscribes per connection per second, from a bucket that holds max_channels_per_connection
  // (a client may join everything it may hold at once, as pusher-js does when it connects).
  // Over it: subscription_error 4301 for that channel. Unsubscribes are never refused.
  uint32_t max_subscriptions_per_second = 10;
  // Presence subscribes per connection per second (a bucket of one second), on top of the above:
  // each join and leave is announced to every member. Over it: subscription_error 4301.
  uint32_t max_presence_joins_per_second = 5;
};

// A backend that decides subscriptions arriving without a signature (realtime.v1
// ChannelAuthorizer). An empty target means the app has none.
struct AuthorizerSettings {
  std::string target;  // "host:port"
  uint32_t timeout_ms = 1000;
  // What of the WebSocket upgrade request is passed on (lowercase header names).
  std::vector<std::string> forward_headers;
  std::vector<std::string> forward_cookies;
  std::vector<std::string> forward_query;
};

// Where an app's webhooks go (Pusher webhooks: POST {time_ms, events}, signed with the secret).
struct WebhookTarget {
  std::string url;  // http:// or https://
  // Webhook names to send (channel_occupied, channel_vacated, member_added, member_removed,
  // client_event, cache_miss, subscription_count); empty = all.
  std::vector<std::string> event_types;
  // Only events of channels whose name starts with this ("" = all).
  std::string channel_prefix;
  // Extra request headers, e.g. an API key of the receiving endpoint.
  std::vector<std::pair<std::string, std::string>> headers;
};

// One tenant as configured: the identity a Pusher client or SDK presents, and its settings.
// Immutable once the server runs.
struct App {
  std::string id;
  std::string key;
  std::string secret;
  bool enabled = true;
  bool enable_client_messages = false;
  // Pusher's "Subscription Count" setting: subscribers of non-presence channels receive
  // pusher_internal:subscription_count when the count changes (coalesced).
  bool enable_subscription_count = false;
  // Origins allowed to open WebSockets; "*" matches any, and a "*" inside a pattern matches any
  // run of characters ("https://*.example.com"). Empty list = any origin.
  std::vector<std::string> allowed_origins = {"*"};
  AppLimits limits;
  // Bearer token of gRPC callers for this app; empty = derived from the secret (control.proto).
  std::string grpc_token;
  // Raw 32 bytes (base64 in config) for private-encrypted- shared secrets; empty = none.
  std::string encryption_master_key;
  AuthorizerSettings authorizer;
  // Pusher's "authorized connections": a connection must sign in (pusher:signin) or subscribe to
  // a private / presence channel within the timeout, or it is closed with 4009.
  bool enable_user_authentication = false;
  uint32_t user_authentication_timeout_seconds = 30;
  // pusher_internal:watchlist_events (online / offline) for signed-in users with a watchlist.
  bool enable_watchlist_events = false;
  std::vector<WebhookTarget> webhooks;
  // permessage-deflate for this app's WebSocket clients, where the server allows it
  // (Config::websocket_compression); false answers every offer without the extension.
  bool enable_websocket_compression = true;
  // Pusher's "batch webhooks": one POST may carry several events (else one event per POST).
  bool webhook_batching = false;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_APP_H_
