#ifndef GATEWAY_SESSION_PUSHER_CONNECTION_H_
#define GATEWAY_SESSION_PUSHER_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gateway/core/app_state.h"
#include "gateway/core/cluster.h"
#include "gateway/core/rate_limiter.h"
#include "gateway/core/shard_executor.h"
#include "gateway/core/subscription_authorizer.h"
#include "gateway/observability/metrics.h"
#include "gateway/pusher/channel_name.h"
#include "gateway/pusher/client_message.h"
#include "gateway/session/connection_transport.h"
#include "gateway/session/subscription_admission.h"

namespace gw::session {

// What every connection's rules share. Owned by main; outlives every connection.
struct ConnectionServices {
  core::Cluster& cluster;
  // Where answers from other threads (the authorizer's) are brought back to a connection.
  core::ShardExecutor& shards;
  // Decides subscriptions without a signature for apps that name an authorizer; may be null.
  core::SubscriptionAuthorizer* authorizer = nullptr;
  // Longest wait for a pong after the server pinged an idle client.
  std::chrono::seconds max_pong_wait{30};
};

// The app's counters this connection's rules update; any may be null (unmetered).
struct ConnectionCounters {
  observability::Counter* client_events = nullptr;
  observability::Counter* client_events_rate_limited = nullptr;
  // Subscribes refused by SubscriptionAdmission, by its verdict.
  observability::Counter* subscriptions_refused_channel_limit = nullptr;
  observability::Counter* subscriptions_refused_rate_limit = nullptr;
  observability::Counter* subscriptions_refused_presence_rate_limit = nullptr;
};

// One admitted Pusher client's protocol rules, with no socket: subscriptions and their
// authorization (signatures, the app's authorizer, presence channel_data, sign-in), client
// events and their limits, sign-in and watchlists, cache replay, liveness (pusher:ping, 4201) and
// Pusher's authorized-connection timeout (4009), and what one connection may hold and cause
// through subscriptions (SubscriptionAdmission: channel cap 4100, subscribe rates 4301). It speaks
// to its client through a ConnectionTransport and to everything else through the Cluster, whose
// answers may arrive later: a subscription is pending until then, and a client that unsubscribes or
// leaves meanwhile is undone when the answer comes.
//
// Lives on one shard's thread; every method is called there. The transport owns it and must
// call Close before destroying it.
class PusherConnection {
 public:
  using Clock = std::chrono::steady_clock;

  PusherConnection(const ConnectionServices& services, ConnectionTransport& transport,
                   core::AppState& app, size_t shard, std::string socket_id,
                   ConnectionCounters counters,
                   std::unique_ptr<core::AuthorizationRequest> authorizer_context,
                   Clock::time_point now);
  PusherConnection(const PusherConnection&) = delete;
  PusherConnection& operator=(const PusherConnection&) = delete;

  // pusher:connection_established.
  void Start();
  // One text message from the client. Rate limits time it by the latest NoteActivity: the
  // transport notes each read before it hands over the messages the read completed.
  void OnText(std::string_view text);
  // Anything at all arrived from the client: it is alive.
  void NoteActivity(Clock::time_point now);
  // The shard's sweep: pings idle clients, closes silent ones (4201) and, for apps with
  // enable_user_authentication, ones that neither signed in nor subscribed in time (4009).
  void OnTick(Clock::time_point now);
  // The connection is ending: leaves every channel, signs out, stops watching. Idempotent;
  // asynchronous answers arriving later are undone rather than applied.
  void Close();

  const std::string& socket_id() const { return socket_id_; }
  core::AppState& app() { return app_; }

 private:
  // Where a channel stands for this connection.
  struct Subscription {
    pusher::ChannelKind kind;
    std::string user_id;     // presence only
    bool joined = false;     // the cluster confirmed it; until then the join is pending
    bool cancelled = false;  // unsubscribed while pending: leave as soon as it is confirmed
  };

  void HandleSubscribe(pusher::SubscribeMessage& message);
  // False (and the subscription refused and counted) unless `verdict` admits it.
  bool Admitted(std::string_view channel, SubscriptionAdmission::Verdict verdict);
  // Joins an authorized channel through the cluster; subscription_succeeded once it is in.
  void JoinChannel(const std::string& channel, const pusher::ChannelTraits& traits,
                   std::optional<pusher::PresenceMember> member);
  void OnJoined(const std::string& channel, bool cache, absl::StatusOr<core::ChannelJoined> joined);
  void AskAuthorizer(const std::string& channel, const pusher::ChannelTraits& traits);
  void OnAuthorizerVerdict(const std::string& channel, const pusher::ChannelTraits& traits,
                           core::AuthorizationVerdict verdict);
  void HandleUnsubscribe(const pusher::UnsubscribeMessage& message);
  void HandleClientEvent(pusher::ClientEventMessage& message);
  void HandleSignin(const pusher::SigninMessage& message);
  void RefuseSubscription(std::string_view channel, std::string_view type, std::string_view error,
                          uint16_t status, std::optional<uint16_t> error_code);
  void SendText(std::string text);
  // The cached last event right after subscription_succeeded, or pusher:cache_miss.
  void ReplayCache(const std::string& channel, core::Frame cached);

  const ConnectionServices& services_;
  ConnectionTransport& transport_;
  core::AppState& app_;
  const size_t shard_;
  const std::string socket_id_;
  const ConnectionCounters counters_;
  // What the app's authorizer may see of the upgrade request; only for apps that have one.
  std::unique_ptr<core::AuthorizationRequest> authorizer_context_;
  bool closed_ = false;
  absl::flat_hash_map<std::string, Subscription> subscriptions_;
  absl::flat_hash_set<std::string> awaiting_authorizer_;
  // Set by a verified pusher:signin: the member this connection is on presence channels it
  // joins without channel_data, and the only user whose #server-to-user channel it may join.
  std::optional<pusher::PresenceMember> signed_in_;
  std::vector<std::string> watched_users_;
  // Pusher's "authorized connections": set once signed in or subscribed to a private channel.
  bool authorized_ = false;
  core::RateLimiter client_event_limiter_;
  SubscriptionAdmission subscription_admission_;
  const Clock::time_point admitted_at_;
  Clock::time_point last_inbound_;
  std::optional<Clock::time_point> ping_sent_at_;
};

}  // namespace gw::session

#endif  // GATEWAY_SESSION_PUSHER_CONNECTION_H_
