#include "gateway/session/pusher_connection.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "gateway/pusher/error_codes.h"
#include "gateway/pusher/server_frames.h"
#include "gateway/pusher/signature.h"

namespace gw::session {

PusherConnection::PusherConnection(const ConnectionServices& services,
                                   ConnectionTransport& transport, core::AppState& app,
                                   size_t shard, std::string socket_id, ConnectionCounters counters,
                                   std::unique_ptr<core::AuthorizationRequest> authorizer_context,
                                   Clock::time_point now)
    : services_(services),
      transport_(transport),
      app_(app),
      shard_(shard),
      socket_id_(std::move(socket_id)),
      counters_(counters),
      authorizer_context_(std::move(authorizer_context)),
      client_event_limiter_(app.app().limits.max_client_events_per_second),
      subscription_admission_(app.app().limits),
      admitted_at_(now),
      last_inbound_(now) {}

void PusherConnection::Start() {
  SendText(
      pusher::ConnectionEstablishedFrame(socket_id_, app_.app().limits.activity_timeout_seconds));
  if (app_.activity().watched()) {
    app_.activity().Record(core::Activity(core::Activity::Kind::kConnectionOpened, socket_id_));
  }
}

void PusherConnection::SendText(std::string text) {
  transport_.Send(core::MakeFrame(std::move(text)));
}

void PusherConnection::NoteActivity(Clock::time_point now) {
  last_inbound_ = now;
  ping_sent_at_.reset();
}

void PusherConnection::OnTick(Clock::time_point now) {
  if (closed_) return;
  const core::App& app = app_.app();
  if (app.enable_user_authentication && !authorized_ &&
      now - admitted_at_ >= std::chrono::seconds(app.user_authentication_timeout_seconds)) {
    return transport_.Close(pusher::kUnauthorized, "Connection not authorized within timeout",
                            true);
  }
  const auto activity = std::chrono::seconds(app.limits.activity_timeout_seconds);
  const auto pong_wait = std::min<Clock::duration>(activity, services_.max_pong_wait);
  if (!ping_sent_at_) {
    if (now - last_inbound_ >= activity) {
      ping_sent_at_ = now;
      SendText(pusher::PingFrame());
    }
  } else if (now - *ping_sent_at_ >= pong_wait) {
    transport_.Close(pusher::kPongNotReceived, "Pong reply not received in time", true);
  }
}

void PusherConnection::OnText(std::string_view text) {
  if (closed_) return;
  auto message = pusher::ParseClientMessage(text);
  if (!message.ok()) {
    return SendText(pusher::ErrorFrame(std::nullopt, std::string(message.status().message())));
  }
  std::visit(
      [this](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, pusher::PingMessage>) {
          SendText(pusher::PongFrame());
        } else if constexpr (std::is_same_v<T, pusher::PongMessage>) {
          // Liveness is already recorded for every inbound message.
        } else if constexpr (std::is_same_v<T, pusher::SubscribeMessage>) {
          HandleSubscribe(m);
        } else if constexpr (std::is_same_v<T, pusher::UnsubscribeMessage>) {
          HandleUnsubscribe(m);
        } else if constexpr (std::is_same_v<T, pusher::ClientEventMessage>) {
          HandleClientEvent(m);
        } else if constexpr (std::is_same_v<T, pusher::SigninMessage>) {
          HandleSignin(m);
        }
      },
      *message);
}

void PusherConnection::RefuseSubscription(std::string_view channel, std::string_view type,
                                          std::string_view error, uint16_t status,
                                          std::optional<uint16_t> error_code) {
  // Both forms: pusher-js and Laravel Echo's .error() listen for the channel-scoped
  // subscription_error; apps written against Reverb watch the connection's pusher:error.
  SendText(pusher::SubscriptionErrorFrame(channel, type, error, status));
  SendText(pusher::ErrorFrame(error_code, error));
  if (app_.activity().watched()) {
    core::Activity failed(core::Activity::Kind::kSubscriptionFailed, socket_id_,
                          std::string(channel));
    failed.detail = error;
    failed.size = status;
    app_.activity().Record(std::move(failed));
  }
}

void PusherConnection::HandleSubscribe(pusher::SubscribeMessage& message) {
  const std::string& channel = message.channel;
  auto traits = pusher::ClassifyChannel(channel);
  if (!traits.ok()) {
    return RefuseSubscription(channel, "InvalidChannel",
                              absl::StrCat("Invalid channel name: ", traits.status().message()),
                              400, std::nullopt);
  }
  if (auto existing = subscriptions_.find(channel); existing != subscriptions_.end()) {
    Subscription& subscription = existing->second;
    if (!subscription.joined) {
      // Still joining: its answer comes when the join does, and counts once.
      subscription.cancelled = false;
      return;
    }
    if (!Admitted(channel, subscription_admission_.AdmitRepeat(last_inbound_))) return;
    // A repeated subscribe is answered again, but counted once.
    if (traits->kind == pusher::ChannelKind::kPresence) {
      auto snapshot = app_.channels().PresenceSnapshot(channel);
      // The client is shown the roster anew: announcements it covers must not follow it.
      app_.shard_index(shard_).Add(channel, transport_.subscriber(), snapshot.seq);
      std::vector<std::pair<std::string, std::string>> members;
      for (auto& m : snapshot.members)
        members.emplace_back(std::move(m.user_id), std::move(m.user_info));
      return SendText(pusher::PresenceSubscriptionSucceededFrame(channel, members));
    }
    return SendText(pusher::SubscriptionSucceededFrame(channel));
  }
  const bool presence = traits->kind == pusher::ChannelKind::kPresence;
  const SubscriptionAdmission::Verdict verdict =
      awaiting_authorizer_.contains(channel)
          ? subscription_admission_.AdmitRepeat(last_inbound_)
          : subscription_admission_.AdmitNew(subscriptions_.size() + awaiting_authorizer_.size(),
                                             presence, last_inbound_);
  if (!Admitted(channel, verdict)) return;
  if (traits->kind == pusher::ChannelKind::kServerToUser) {
    // Only the signed-in user's own channel; the sign-in already proved who this is.
    constexpr std::string_view kPrefix = "#server-to-user-";
    if (!signed_in_ || channel.substr(kPrefix.size()) != signed_in_->user_id) {
      return RefuseSubscription(channel, "AuthError",
                                "#server-to-user channels are only for the signed-in user", 401,
                                pusher::kUnauthorized);
    }
  }
  const core::App& app = app_.app();
  // A signed-in connection may join presence channels without channel_data: it is the member its
  // sign-in declared, and the auth signs "socket_id:channel" as for a private channel.
  const bool member_from_signin = presence && !message.channel_data && signed_in_.has_value();
  if (traits->RequiresAuth()) {
    if (message.auth.empty() && authorizer_context_ != nullptr && services_.authorizer != nullptr) {
      return AskAuthorizer(channel, *traits);
    }
    if (presence && !message.channel_data && !member_from_signin) {
      return RefuseSubscription(channel, "AuthError", "Presence channels require channel_data", 401,
                                pusher::kUnauthorized);
    }
    const std::string_view channel_data =
        presence && message.channel_data ? std::string_view(*message.channel_data) : "";
    if (!pusher::VerifyChannelAuth(app.key, app.secret, socket_id_, channel, channel_data,
                                   message.auth)) {
      return RefuseSubscription(channel, "AuthError",
                                absl::StrCat("Invalid signature for channel ", channel), 401,
                                pusher::kUnauthorized);
    }
  }
  if (!presence) return JoinChannel(channel, *traits, std::nullopt);
  auto member = member_from_signin ? absl::StatusOr<pusher::PresenceMember>(*signed_in_)
                                   : pusher::ParsePresenceChannelData(*message.channel_data);
  if (!member.ok()) {
    return RefuseSubscription(channel, "InvalidChannelData", std::string(member.status().message()),
                              400, std::nullopt);
  }
  JoinChannel(channel, *traits, std::move(*member));
}

bool PusherConnection::Admitted(std::string_view channel, SubscriptionAdmission::Verdict verdict) {
  using Verdict = SubscriptionAdmission::Verdict;
  const core::AppLimits& limits = app_.app().limits;
  auto refuse = [&](observability::Counter* counter, std::string error, uint16_t code) {
    if (counter != nullptr) counter->Add();
    RefuseSubscription(channel, "LimitReached", error, code, code);
    return false;
  };
  switch (verdict) {
    case Verdict::kAdmitted:
      return true;
    case Verdict::kChannelLimit:
      return refuse(counters_.subscriptions_refused_channel_limit,
                    absl::StrCat("Channel limit reached: a connection may hold ",
                                 limits.max_channels_per_connection, " channels"),
                    pusher::kOverCapacity);
    case Verdict::kRateLimit:
      return refuse(counters_.subscriptions_refused_rate_limit,
                    absl::StrCat("Subscription rate limit exceeded (",
                                 limits.max_subscriptions_per_second, " per second)"),
                    pusher::kSubscriptionRateLimited);
    case Verdict::kPresenceRateLimit:
      return refuse(counters_.subscriptions_refused_presence_rate_limit,
                    absl::StrCat("Presence join rate limit exceeded (",
                                 limits.max_presence_joins_per_second, " per second)"),
                    pusher::kSubscriptionRateLimited);
  }
  return true;
}

void PusherConnection::JoinChannel(const std::string& channel, const pusher::ChannelTraits& traits,
                                   std::optional<pusher::PresenceMember> member) {
  core::ChannelJoin join;
  join.channel = channel;
  join.cache = traits.cache;
  if (member) {
    const size_t max_info =
        static_cast<size_t>(app_.app().limits.max_presence_member_size_kb) * 1024;
    if (member->user_info_json.size() > max_info) {
      return RefuseSubscription(channel, "LimitReached",
                                absl::StrCat("user_info is over ", max_info, " bytes"), 4100,
                                pusher::kOverCapacity);
    }
    join.presence = true;
    join.user_id = member->user_id;
    join.user_info = std::move(member->user_info_json);
  }
  if (traits.RequiresAuth()) authorized_ = true;
  subscriptions_.emplace(channel, Subscription{traits.kind, join.user_id});
  services_.cluster.Join(app_, std::move(join), transport_.subscriber(), shard_,
                         [this, keep = transport_.KeepAlive(), channel, cache = traits.cache](
                             absl::StatusOr<core::ChannelJoined> joined) mutable {
                           OnJoined(channel, cache, std::move(joined));
                         });
}

void PusherConnection::OnJoined(const std::string& channel, bool cache,
                                absl::StatusOr<core::ChannelJoined> joined) {
  auto it = subscriptions_.find(channel);
  if (!joined.ok()) {
    if (it != subscriptions_.end()) subscriptions_.erase(it);
    if (closed_) return;
    return RefuseSubscription(channel, "LimitReached", std::string(joined.status().message()), 4100,
                              pusher::kOverCapacity);
  }
  if (closed_ || it == subscriptions_.end() || it->second.cancelled) {
    // The client left (or unsubscribed) while the join was on its way: undo it.
    const std::string user_id = it != subscriptions_.end() ? it->second.user_id : "";
    if (it != subscriptions_.end()) subscriptions_.erase(it);
    services_.cluster.Leave(app_, channel, user_id, transport_.subscriber(), shard_);
    return;
  }
  it->second.joined = true;
  if (app_.activity().watched()) {
    core::Activity subscribed(core::Activity::Kind::kSubscribed, socket_id_, channel);
    subscribed.user_id = it->second.user_id;
    app_.activity().Record(std::move(subscribed));
  }
  if (it->second.kind == pusher::ChannelKind::kPresence) {
    std::vector<std::pair<std::string, std::string>> members;
    members.reserve(joined->roster.members.size());
    for (auto& m : joined->roster.members) {
      members.emplace_back(std::move(m.user_id), std::move(m.user_info));
    }
    SendText(pusher::PresenceSubscriptionSucceededFrame(channel, members));
  } else {
    SendText(pusher::SubscriptionSucceededFrame(channel));
  }
  if (cache) ReplayCache(channel, std::move(joined->cached));
}

void PusherConnection::ReplayCache(const std::string& channel, core::Frame cached) {
  if (cached != nullptr) return transport_.Send(std::move(cached));
  SendText(pusher::CacheMissFrame(channel));
  core::ChannelEvent miss;
  miss.kind = core::ChannelEvent::Kind::kCacheMiss;
  miss.channel = channel;
  app_.events().Emit(std::move(miss));
}

void PusherConnection::AskAuthorizer(const std::string& channel,
                                     const pusher::ChannelTraits& traits) {
  // One question per channel at a time; a repeated subscribe waits for the same answer.
  if (!awaiting_authorizer_.insert(channel).second) return;
  core::AuthorizationRequest request = *authorizer_context_;
  request.app_id = app_.app().id;
  request.socket_id = socket_id_;
  request.channel = channel;
  if (signed_in_) request.signed_in_user_id = signed_in_->user_id;
  services_.authorizer->Authorize(
      app_.app().authorizer, std::move(request),
      [this, keep = transport_.KeepAlive(), shards = &services_.shards, shard = shard_, channel,
       traits](core::AuthorizationVerdict verdict) mutable {
        // The answer arrives on a gRPC thread; the connection is touched only on its shard.
        shards->Post(shard, [this, keep = std::move(keep), channel = std::move(channel), traits,
                             verdict = std::move(verdict)]() mutable {
          OnAuthorizerVerdict(channel, traits, std::move(verdict));
        });
      });
}

void PusherConnection::OnAuthorizerVerdict(const std::string& channel,
                                           const pusher::ChannelTraits& traits,
                                           core::AuthorizationVerdict verdict) {
  awaiting_authorizer_.erase(channel);
  if (closed_ || subscriptions_.contains(channel)) return;
  using Outcome = core::AuthorizationVerdict::Outcome;
  switch (verdict.outcome) {
    case Outcome::kDeny:
      return RefuseSubscription(channel, "AuthError", verdict.reason, 401, pusher::kUnauthorized);
    case Outcome::kUnavailable:
      return RefuseSubscription(channel, "AuthError", verdict.reason, 503, std::nullopt);
    case Outcome::kAllow:
      break;
  }
  if (traits.kind != pusher::ChannelKind::kPresence) {
    return JoinChannel(channel, traits, std::nullopt);
  }
  if (verdict.user_id.empty()) {
    return RefuseSubscription(channel, "AuthError",
                              "authorizer allowed a presence channel without a user_id", 503,
                              std::nullopt);
  }
  JoinChannel(channel, traits,
              pusher::PresenceMember{
                  std::move(verdict.user_id),
                  verdict.user_info_json.empty() ? "null" : std::move(verdict.user_info_json)});
}

void PusherConnection::HandleUnsubscribe(const pusher::UnsubscribeMessage& message) {
  auto it = subscriptions_.find(message.channel);
  if (it == subscriptions_.end()) return;
  if (!it->second.joined) {
    it->second.cancelled = true;
    return;
  }
  services_.cluster.Leave(app_, it->first, it->second.user_id, transport_.subscriber(), shard_);
  subscriptions_.erase(it);
}

void PusherConnection::HandleClientEvent(pusher::ClientEventMessage& message) {
  const core::App& app = app_.app();
  auto refuse = [this](std::optional<uint16_t> code, std::string_view why) {
    SendText(pusher::ErrorFrame(code, why));
  };
  if (!app.enable_client_messages) {
    return refuse(pusher::kUnauthorized, "Client events are not enabled for this app");
  }
  auto it = subscriptions_.find(message.channel);
  if (it == subscriptions_.end() || !it->second.joined) {
    return refuse(pusher::kUnauthorized,
                  absl::StrCat("Client event rejected: not subscribed to ", message.channel));
  }
  const Subscription& subscription = it->second;
  if (subscription.kind != pusher::ChannelKind::kPrivate &&
      subscription.kind != pusher::ChannelKind::kPresence) {
    return refuse(pusher::kUnauthorized,
                  "Client events are only allowed on private and presence channels");
  }
  if (absl::Status name = pusher::ValidateEventName(message.event); !name.ok()) {
    return refuse(std::nullopt, absl::StrCat("Invalid event name: ", name.message()));
  }
  const size_t max_payload = static_cast<size_t>(app.limits.max_event_payload_kb) * 1024;
  if (message.data_json.size() > max_payload) {
    return refuse(std::nullopt,
                  absl::StrCat("Client event payload is over ", max_payload, " bytes"));
  }
  if (!client_event_limiter_.TryAcquire(last_inbound_)) {
    if (counters_.client_events_rate_limited != nullptr)
      counters_.client_events_rate_limited->Add();
    return refuse(pusher::kClientEventRateLimited,
                  absl::StrCat("Client event rate limit exceeded (",
                               app.limits.max_client_events_per_second, " per second)"));
  }
  std::optional<std::string_view> user_id;
  if (subscription.kind == pusher::ChannelKind::kPresence) user_id = subscription.user_id;
  if (counters_.client_events != nullptr) counters_.client_events->Add();
  core::PublishOptions options;
  options.except_socket_id = socket_id_;
  services_.cluster.Publish(app_, message.channel,
                            core::MakeFrame(pusher::ClientEventFrame(message.channel, message.event,
                                                                     message.data_json, user_id)),
                            options, nullptr, 0);
  if (app_.events().HasWatchers()) {
    core::ChannelEvent event;
    event.kind = core::ChannelEvent::Kind::kClientEvent;
    event.channel = message.channel;
    event.user_id = std::string(user_id.value_or(""));
    event.event = std::move(message.event);
    event.data = std::move(message.data_json);
    event.socket_id = socket_id_;
    app_.events().Emit(std::move(event));
  }
}

void PusherConnection::HandleSignin(const pusher::SigninMessage& message) {
  const core::App& app = app_.app();
  if (!pusher::VerifyUserAuth(app.key, app.secret, socket_id_, message.user_data, message.auth)) {
    return transport_.Close(pusher::kUnauthorized, "Invalid signature for pusher:signin", true);
  }
  auto user = pusher::ParseSigninUserData(message.user_data);
  if (!user.ok()) {
    return transport_.Close(pusher::kUnauthorized,
                            absl::StrCat("Invalid user_data: ", user.status().message()), true);
  }
  auto watchlist = pusher::ParseSigninWatchlist(message.user_data);
  if (!watchlist.ok()) {
    return transport_.Close(pusher::kUnauthorized,
                            absl::StrCat("Invalid user_data: ", watchlist.status().message()),
                            true);
  }
  if (app.limits.max_watchlist_size != 0 && watchlist->size() > app.limits.max_watchlist_size) {
    return transport_.Close(pusher::kUnauthorized,
                            absl::StrCat("Invalid user_data: watchlist has more than ",
                                         app.limits.max_watchlist_size, " ids"),
                            true);
  }
  if (signed_in_) return SendText(pusher::ErrorFrame(std::nullopt, "Already signed in"));
  signed_in_ = std::move(*user);
  authorized_ = true;
  SendText(pusher::SigninSuccessFrame(message.user_data));
  services_.cluster.SignIn(app_, signed_in_->user_id, transport_.subscriber(), shard_);
  if (!app.enable_watchlist_events || watchlist->empty()) return;
  watched_users_ = *watchlist;
  services_.cluster.Watch(app_, std::move(*watchlist), transport_.subscriber(), shard_,
                          [this, keep = transport_.KeepAlive()](std::vector<std::string> online) {
                            if (!closed_ && !online.empty()) {
                              SendText(pusher::WatchlistEventsFrame("online", online));
                            }
                          });
}

void PusherConnection::Close() {
  if (closed_) return;
  closed_ = true;
  core::Subscriber* subscriber = transport_.subscriber();
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    if (!it->second.joined) {
      // Its join is on its way; OnJoined undoes it.
      it->second.cancelled = true;
      ++it;
      continue;
    }
    services_.cluster.Leave(app_, it->first, it->second.user_id, subscriber, shard_);
    subscriptions_.erase(it++);
  }
  if (!watched_users_.empty()) services_.cluster.Unwatch(app_, watched_users_, subscriber, shard_);
  if (signed_in_) services_.cluster.SignOut(app_, signed_in_->user_id, subscriber, shard_);
}

}  // namespace gw::session
