#include "gateway/edge/ws_session.h"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/edge/connection_gate.h"
#include "gateway/observability/log.h"
#include "gateway/pusher/error_codes.h"
#include "gateway/pusher/server_frames.h"
#include "gateway/pusher/signature.h"
#include "gateway/websocket/frame_writer.h"
#include "gateway/websocket/handshake.h"

namespace gw::edge {

namespace http = boost::beast::http;
using websocket::ClientMessage;

namespace {

// Reads per turn before yielding to the shard's other work; the rest is read on a later turn.
constexpr int kReadsPerTurn = 4;

// The internal channel on which a user's online / offline changes are announced to the
// connections watching them. '#' names cannot be subscribed to by clients (only
// #server-to-user-{id}, which is checked against the sign-in), so this never collides.
std::string WatchChannelOf(std::string_view user_id) {
  return absl::StrCat("#watchlist-", absl::string_view(user_id.data(), user_id.size()));
}

bool Listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The parts of the upgrade request an app's authorizer was configured to see.
core::AuthorizationRequest CaptureAuthorizerContext(
    const core::AuthorizerSettings& settings, const http::request<http::string_body>& upgrade,
    const boost::asio::ip::tcp::socket& socket) {
  core::AuthorizationRequest context;
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (!ec) context.remote_address = absl::StrCat(peer.address().to_string(), ":", peer.port());
  for (const auto& field : upgrade) {
    std::string name = absl::AsciiStrToLower(
        absl::string_view(field.name_string().data(), field.name_string().size()));
    if (Listed(settings.forward_headers, name)) {
      context.headers.emplace_back(std::move(name), std::string(field.value()));
    }
  }
  std::string_view cookies = upgrade[http::field::cookie];
  while (!cookies.empty()) {
    size_t end = cookies.find(';');
    std::string_view pair = cookies.substr(0, end);
    cookies = end == std::string_view::npos ? std::string_view() : cookies.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (Listed(settings.forward_cookies, pair.substr(0, eq))) {
      context.cookies.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
  }
  if (auto url = boost::urls::parse_origin_form(upgrade.target())) {
    for (auto param : url->params()) {
      if (Listed(settings.forward_query, param.key)) {
        context.query.emplace_back(param.key, param.has_value ? param.value : "");
      }
    }
  }
  return context;
}

}  // namespace

WsSession::WsSession(IoShard& shard, boost::asio::ip::tcp::socket socket, SocketSlot slot)
    : shard_(shard),
      context_(shard.context()),
      slot_(std::move(slot)),
      socket_(std::move(socket)),
      reader_(context_.limits.max_message_bytes) {}

// Teardown has already released everything shared; nothing here may touch the shard, which may
// be gone when the last pending handler is destroyed at exit.
WsSession::~WsSession() = default;

void WsSession::Run(const http::request<http::string_body>& upgrade, std::string_view accept_key,
                    std::string early_bytes) {
  shard_.AddSession(this);
  boost::system::error_code ec;
  // Reads are attempted until the socket says it would block; only then is readiness awaited.
  socket_.non_blocking(true, ec);
  if (ec) return Teardown();
  last_inbound_ = Clock::now();
  outbox_.PushRaw(core::MakeFrame(
      websocket::SwitchingProtocolsResponse(accept_key, "realtime-gateway")));
  Admit(upgrade);
  if (!early_bytes.empty() && !Consume(early_bytes.data(), early_bytes.size())) return;
  if (!outbox_.in_flight()) Write();
  ReadAvailable();
}

void WsSession::Admit(const http::request<http::string_body>& upgrade) {
  if (context_.draining.load()) {
    return CloseWith(pusher::kReconnectImmediately, "Server is shutting down", true);
  }
  UpgradeDecision decision =
      CheckUpgrade(context_.apps, upgrade.target(), upgrade[http::field::origin]);
  auto refuse = [this](uint16_t code, std::string_view message) {
    if (context_.metrics != nullptr) context_.metrics->ConnectionRefused(code);
    observability::LogDebug("connection refused", {{"code", static_cast<int>(code)},
                                                   {"message", message}});
    CloseWith(code, message, true);
  };
  if (decision.refuse_code != 0) return refuse(decision.refuse_code, decision.message);
  if (!context_.TryAddConnection()) return refuse(pusher::kOverCapacity, "Over capacity");
  holds_server_slot_ = true;
  if (!decision.app->TryAddConnection()) {
    return refuse(pusher::kAppOverConnectionQuota, "App over connection quota");
  }
  app_slot_ = decision.app;
  app_ = decision.app;
  if (context_.metrics != nullptr) {
    metrics_ = context_.metrics->For(app_);
    if (metrics_ != nullptr) metrics_->connections_opened->Add();
  }
  socket_id_ = shard_.socket_ids().Next();
  if (!app_->app().authorizer.target.empty() && context_.authorizer != nullptr) {
    authorizer_context_ = std::make_unique<core::AuthorizationRequest>(
        CaptureAuthorizerContext(app_->app().authorizer, upgrade, socket_));
  }
  client_event_limiter_.emplace(app_->app().limits.max_client_events_per_second);
  admitted_at_ = Clock::now();
  observability::LogDebug("connection opened",
                          {{"socket_id", socket_id_}, {"app", app_->app().id}});
  SendText(pusher::ConnectionEstablishedFrame(socket_id_,
                                              app_->app().limits.activity_timeout_seconds));
}

void WsSession::ReadAvailable() {
  if (state_ == State::kClosed || reading_stopped_) return;
  std::vector<char>& buffer = shard_.read_buffer();
  for (int read = 0; read < kReadsPerTurn; ++read) {
    boost::system::error_code ec;
    const size_t size = socket_.read_some(boost::asio::buffer(buffer), ec);
    if (ec == boost::asio::error::would_block) return WaitReadable();
    if (ec) return Teardown();  // end of stream, reset, or cut by us
    if (!Consume(buffer.data(), size)) return;
  }
  // More is waiting: read it on a later turn, after the shard's other sessions had theirs.
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] { self->ReadAvailable(); });
}

void WsSession::WaitReadable() {
  // Safe with the reactor's edge-triggered readiness: the socket was read until it would block,
  // and this shard's thread is the only one that polls, so no edge can pass before this waits.
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (ec) return self->Teardown();
                       self->ReadAvailable();
                     });
}

bool WsSession::Consume(char* bytes, size_t size) {
  last_inbound_ = Clock::now();
  ping_sent_at_.reset();
  const bool had_partial = reader_.buffered_bytes() > 0;
  bool message_done = false;
  const uint16_t violation = reader_.Read(bytes, size, [&](const ClientMessage& message) {
    message_done |=
        message.kind == ClientMessage::Kind::kText || message.kind == ClientMessage::Kind::kBinary;
    return OnClientMessage(message);
  });
  // The deadline runs from the first byte of the message left unfinished: trickling more bytes
  // of it does not extend it, but a message completed in this read starts a new one.
  if (reader_.buffered_bytes() == 0) {
    partial_since_ = Clock::time_point();
  } else if (!had_partial || message_done) {
    partial_since_ = last_inbound_;
  }
  // After a violation the rest is read and dropped until the client closes, so that our close
  // frame is not lost to the reset that closing with unread data would cause.
  if (violation != 0) FailConnection(violation);
  return state_ != State::kClosed && !reading_stopped_;
}

bool WsSession::OnClientMessage(const ClientMessage& message) {
  switch (message.kind) {
    case ClientMessage::Kind::kText:
      if (state_ == State::kOpen && app_ != nullptr) {
        if (metrics_ != nullptr) {
          metrics_->messages_in->Add();
          metrics_->bytes_in->Add(message.payload.size());
        }
        HandleText(message.payload);
      }
      break;
    case ClientMessage::Kind::kBinary:
      if (state_ == State::kOpen && app_ != nullptr) {
        if (metrics_ != nullptr) metrics_->messages_in->Add();
        SendText(pusher::ErrorFrame(std::nullopt, "Binary frames are not supported"));
      }
      break;
    case ClientMessage::Kind::kPing:
      if (state_ == State::kOpen) {
        Send(core::MakeFrame(std::string(message.payload)), websocket::Opcode::kPong);
      }
      break;
    case ClientMessage::Kind::kPong:
      break;  // liveness is recorded for every read
    case ClientMessage::Kind::kClose:
      OnPeerClose(message.close_code);
      return false;
  }
  return state_ != State::kClosed;
}

void WsSession::OnPeerClose(uint16_t code) {
  reading_stopped_ = true;
  if (close_queued_) {
    // Our own close was already on its way: the handshake is complete.
    return Teardown();
  }
  state_ = State::kClosing;
  close_started_ = Clock::now();
  close_reason_ = "client";
  end_after_flush_ = true;
  outbox_.DropWaiting();
  // Echo the client's code (RFC 6455 §5.5.1); a close without one is answered without one.
  close_queued_ = true;
  if (code == 0) {
    outbox_.Push(core::MakeFrame(std::string()), websocket::Opcode::kClose);
  } else {
    outbox_.Push(core::MakeFrame(websocket::ClosePayload(code, "")), websocket::Opcode::kClose);
  }
  if (!outbox_.in_flight()) Write();
}

void WsSession::FailConnection(uint16_t code) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_started_ = Clock::now();
  close_reason_ = absl::StrCat(code);
  outbox_.DropWaiting();
  const char* why = code == websocket::kCloseMessageTooBig     ? "Message too big"
                    : code == websocket::kCloseInvalidPayload  ? "Invalid UTF-8"
                    : code == websocket::kClosePolicyViolation ? "Message not completed in time"
                                                               : "Protocol error";
  SendClose(code, why);
}

void WsSession::HandleText(std::string_view text) {
  auto message = pusher::ParseClientMessage(text);
  if (!message.ok()) {
    return SendText(
        pusher::ErrorFrame(std::nullopt, std::string(message.status().message())));
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

void WsSession::RefuseSubscription(std::string_view channel, std::string_view type,
                                   std::string_view error, uint16_t status,
                                   std::optional<uint16_t> error_code) {
  // Both forms: pusher-js and Laravel Echo's .error() listen for the channel-scoped
  // subscription_error; apps written against Reverb watch the connection's pusher:error.
  SendText(pusher::SubscriptionErrorFrame(channel, type, error, status));
  SendText(pusher::ErrorFrame(error_code, error));
}

void WsSession::HandleSubscribe(pusher::SubscribeMessage& message) {
  const std::string& channel = message.channel;
  auto traits = pusher::ClassifyChannel(channel);
  if (!traits.ok()) {
    return RefuseSubscription(channel, "InvalidChannel",
                              absl::StrCat("Invalid channel name: ", traits.status().message()),
                              400, std::nullopt);
  }
  if (auto existing = subscriptions_.find(channel); existing != subscriptions_.end()) {
    // A repeated subscribe is answered again, but counted once.
    if (traits->kind == pusher::ChannelKind::kPresence) {
      std::vector<std::pair<std::string, std::string>> members;
      for (auto& m : app_->channels().PresenceMembers(channel)) {
        members.emplace_back(std::move(m.user_id), std::move(m.user_info));
      }
      return SendText(pusher::PresenceSubscriptionSucceededFrame(channel, members));
    }
    return SendText(pusher::SubscriptionSucceededFrame(channel));
  }
  if (traits->kind == pusher::ChannelKind::kServerToUser) {
    // Only the signed-in user's own channel; the sign-in already proved who this is.
    constexpr std::string_view kPrefix = "#server-to-user-";
    if (!signed_in_ || channel.substr(kPrefix.size()) != signed_in_->user_id) {
      return RefuseSubscription(channel, "AuthError",
                                "#server-to-user channels are only for the signed-in user", 401,
                                pusher::kUnauthorized);
    }
  }
  const core::App& app = app_->app();
  const bool presence = traits->kind == pusher::ChannelKind::kPresence;
  // A signed-in connection may join presence channels without channel_data: it is the member its
  // sign-in declared, and the auth signs "socket_id:channel" as for a private channel.
  const bool member_from_signin = presence && !message.channel_data && signed_in_.has_value();
  if (traits->RequiresAuth()) {
    if (message.auth.empty() && authorizer_context_ != nullptr) {
      return AskAuthorizer(channel, *traits);
    }
    if (presence && !message.channel_data && !member_from_signin) {
      return RefuseSubscription(channel, "AuthError", "Presence channels require channel_data",
                                401, pusher::kUnauthorized);
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
    return RefuseSubscription(channel, "InvalidChannelData",
                              std::string(member.status().message()), 400, std::nullopt);
  }
  JoinChannel(channel, *traits, std::move(*member));
}

void WsSession::JoinChannel(const std::string& channel, const pusher::ChannelTraits& traits,
                            std::optional<pusher::PresenceMember> member) {
  const core::App& app = app_->app();
  const pusher::ChannelKind kind = traits.kind;
  core::ShardIndex& index = app_->shard_index(shard_.index());
  if (traits.RequiresAuth()) authorized_ = true;
  if (!member) {
    app_->channels().Subscribe(channel);
    index.Add(channel, this);
    subscriptions_.emplace(channel, Subscription{kind, ""});
    SendText(pusher::SubscriptionSucceededFrame(channel));
    if (traits.cache) ReplayCache(channel);
    return;
  }
  const size_t max_info = static_cast<size_t>(app.limits.max_presence_member_size_kb) * 1024;
  if (member->user_info_json.size() > max_info) {
    return RefuseSubscription(channel, "LimitReached",
                              absl::StrCat("user_info is over ", max_info, " bytes"), 4100,
                              pusher::kOverCapacity);
  }
  auto join = app_->channels().JoinPresence(
      channel, member->user_id, member->user_info_json, app.limits.max_presence_members, [&] {
        context_.fanout.Publish(*app_, channel,
                                core::MakeFrame(pusher::MemberAddedFrame(
                                    channel, member->user_id, member->user_info_json)),
                                socket_id_);
      });
  if (!join.ok()) {
    return RefuseSubscription(channel, "LimitReached", std::string(join.status().message()), 4100,
                              pusher::kOverCapacity);
  }
  index.Add(channel, this);
  subscriptions_.emplace(channel, Subscription{kind, member->user_id});
  std::vector<std::pair<std::string, std::string>> members;
  members.reserve(join->members.size());
  for (auto& m : join->members) members.emplace_back(std::move(m.user_id), std::move(m.user_info));
  SendText(pusher::PresenceSubscriptionSucceededFrame(channel, members));
  if (traits.cache) ReplayCache(channel);
}

void WsSession::ReplayCache(const std::string& channel) {
  if (core::Frame cached = app_->cache().Get(channel, Clock::now())) return Send(std::move(cached));
  SendText(pusher::CacheMissFrame(channel));
  core::ChannelEvent miss;
  miss.kind = core::ChannelEvent::Kind::kCacheMiss;
  miss.channel = channel;
  app_->events().Emit(std::move(miss));
}

void WsSession::AskAuthorizer(const std::string& channel, const pusher::ChannelTraits& traits) {
  // One question per channel at a time; a repeated subscribe waits for the same answer.
  if (!awaiting_authorizer_.insert(channel).second) return;
  core::AuthorizationRequest request = *authorizer_context_;
  request.app_id = app_->app().id;
  request.socket_id = socket_id_;
  request.channel = channel;
  if (signed_in_) request.signed_in_user_id = signed_in_->user_id;
  boost::asio::io_context& home = shard_.io_context();
  context_.authorizer->Authorize(
      app_->app().authorizer, std::move(request),
      [self = shared_from_this(), &home, channel, traits](core::AuthorizationVerdict verdict) mutable {
        // The answer arrives on a gRPC thread; the session is touched only on its own shard.
        boost::asio::post(home, [self, channel, traits, verdict = std::move(verdict)]() mutable {
          self->OnAuthorizerVerdict(channel, traits, std::move(verdict));
        });
      });
}

void WsSession::OnAuthorizerVerdict(const std::string& channel,
                                    const pusher::ChannelTraits& traits,
                                    core::AuthorizationVerdict verdict) {
  awaiting_authorizer_.erase(channel);
  if (state_ != State::kOpen || subscriptions_.contains(channel)) return;
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

void WsSession::HandleUnsubscribe(const pusher::UnsubscribeMessage& message) {
  auto it = subscriptions_.find(message.channel);
  if (it == subscriptions_.end()) return;
  Leave(it->first, it->second);
  subscriptions_.erase(it);
}

void WsSession::Leave(const std::string& channel, const Subscription& subscription) {
  app_->shard_index(shard_.index()).Remove(channel, this);
  if (subscription.kind != pusher::ChannelKind::kPresence) {
    app_->channels().Unsubscribe(channel);
    return;
  }
  app_->channels().LeavePresence(channel, subscription.user_id, [&] {
    context_.fanout.Publish(
        *app_, channel,
        core::MakeFrame(pusher::MemberRemovedFrame(channel, subscription.user_id)), socket_id_);
  });
}

void WsSession::HandleClientEvent(pusher::ClientEventMessage& message) {
  const core::App& app = app_->app();
  auto refuse = [this](std::optional<uint16_t> code, std::string_view why) {
    SendText(pusher::ErrorFrame(code, why));
  };
  if (!app.enable_client_messages) {
    return refuse(pusher::kUnauthorized, "Client events are not enabled for this app");
  }
  auto it = subscriptions_.find(message.channel);
  if (it == subscriptions_.end()) {
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
  if (!client_event_limiter_->TryAcquire(Clock::now())) {
    if (metrics_ != nullptr) metrics_->client_events_rate_limited->Add();
    return refuse(pusher::kClientEventRateLimited,
                  absl::StrCat("Client event rate limit exceeded (",
                               app.limits.max_client_events_per_second, " per second)"));
  }
  std::optional<std::string_view> user_id;
  if (subscription.kind == pusher::ChannelKind::kPresence) user_id = subscription.user_id;
  if (metrics_ != nullptr) metrics_->client_events->Add();
  context_.fanout.Publish(*app_, message.channel,
                          core::MakeFrame(pusher::ClientEventFrame(
                              message.channel, message.event, message.data_json, user_id)),
                          socket_id_);
  if (app_->events().HasWatchers()) {
    core::ChannelEvent event;
    event.kind = core::ChannelEvent::Kind::kClientEvent;
    event.channel = message.channel;
    event.user_id = std::string(user_id.value_or(""));
    event.event = std::move(message.event);
    event.data = std::move(message.data_json);
    event.socket_id = socket_id_;
    app_->events().Emit(std::move(event));
  }
}

void WsSession::HandleSignin(const pusher::SigninMessage& message) {
  const core::App& app = app_->app();
  if (!pusher::VerifyUserAuth(app.key, app.secret, socket_id_, message.user_data, message.auth)) {
    return CloseWith(pusher::kUnauthorized, "Invalid signature for pusher:signin", true);
  }
  auto user = pusher::ParseSigninUserData(message.user_data);
  if (!user.ok()) {
    return CloseWith(pusher::kUnauthorized,
                     absl::StrCat("Invalid user_data: ", user.status().message()), true);
  }
  auto watchlist = pusher::ParseSigninWatchlist(message.user_data);
  if (!watchlist.ok()) {
    return CloseWith(pusher::kUnauthorized,
                     absl::StrCat("Invalid user_data: ", watchlist.status().message()), true);
  }
  if (app.limits.max_watchlist_size != 0 && watchlist->size() > app.limits.max_watchlist_size) {
    return CloseWith(pusher::kUnauthorized,
                     absl::StrCat("Invalid user_data: watchlist has more than ",
                                  app.limits.max_watchlist_size, " ids"),
                     true);
  }
  if (signed_in_) return SendText(pusher::ErrorFrame(std::nullopt, "Already signed in"));
  signed_in_ = std::move(*user);
  authorized_ = true;
  app_->shard_index(shard_.index()).AddUser(signed_in_->user_id, this);
  SendText(pusher::SigninSuccessFrame(message.user_data));
  const std::string& user_id = signed_in_->user_id;
  app_->online_users().Add(user_id, [&] {
    context_.fanout.Publish(*app_, WatchChannelOf(user_id),
                            core::MakeFrame(pusher::WatchlistEventsFrame("online", {user_id})), "");
  });
  if (app.enable_watchlist_events && !watchlist->empty()) WatchUsers(std::move(*watchlist));
}

void WsSession::WatchUsers(std::vector<std::string> user_ids) {
  core::ShardIndex& index = app_->shard_index(shard_.index());
  for (const std::string& id : user_ids) {
    std::string channel = WatchChannelOf(id);
    if (index.Add(channel, this)) watched_channels_.push_back(std::move(channel));
  }
  // Following first, then asking who is online: a user who comes online in between is reported
  // twice (harmless) rather than never.
  std::vector<std::string> online = app_->online_users().OnlineAmong(user_ids);
  if (!online.empty()) SendText(pusher::WatchlistEventsFrame("online", online));
}

void WsSession::Disconnect(uint16_t code, std::string_view reason) {
  CloseWith(code, reason, false);
}

void WsSession::Deliver(const core::Frame& frame) {
  if (state_ != State::kOpen || !FitsWriteBuffer(frame->size())) return;
  if (metrics_ != nullptr) {
    metrics_->messages_out->Add();
    metrics_->bytes_out->Add(frame->size());
  }
  Send(frame);
}

bool WsSession::FitsWriteBuffer(size_t size) {
  if (outbox_.bytes() + size <= context_.limits.max_write_buffer_bytes) return true;
  if (metrics_ != nullptr) metrics_->slow_consumers->Add();
  observability::LogWarn("slow consumer disconnected",
                         {{"socket_id", socket_id_},
                          {"app", app_ != nullptr ? app_->app().id : std::string()},
                          {"queued_bytes", static_cast<uint64_t>(outbox_.bytes())}});
  CloseWith(pusher::kOverCapacity, "Client is too slow: write buffer full", true);
  return false;
}

void WsSession::SendText(std::string text) { Send(core::MakeFrame(std::move(text))); }

void WsSession::Send(core::Frame frame, websocket::Opcode opcode) {
  if (state_ == State::kClosed || close_queued_) return;
  // Replies count against the cap like deliveries: a client that keeps sending pings or requests
  // but never reads the answers would otherwise grow its queue without bound. What CloseWith
  // queues while closing (the pusher:error before the close frame) is the last and always fits.
  if (state_ == State::kOpen && !FitsWriteBuffer(frame->size())) return;
  outbox_.Push(std::move(frame), opcode);
  if (!outbox_.in_flight()) Write();
}

void WsSession::SendClose(uint16_t code, std::string_view reason) {
  if (state_ == State::kClosed || close_queued_) return;
  close_queued_ = true;
  outbox_.Push(core::MakeFrame(websocket::ClosePayload(code, reason)), websocket::Opcode::kClose);
  if (!outbox_.in_flight()) Write();
}

void WsSession::Write() {
  if (!outbox_.has_waiting()) return;
  boost::asio::async_write(socket_, outbox_.BeginBatch(),
                           [self = shared_from_this()](boost::system::error_code ec, size_t) {
                             self->OnWrite(ec);
                           });
}

void WsSession::OnWrite(boost::system::error_code ec) {
  outbox_.EndBatch();
  if (state_ == State::kClosed) return;
  if (ec) return Teardown();
  if (outbox_.has_waiting()) return Write();
  if (close_queued_) {
    // Our close frame is out. Half-close, so the client sees the end of the stream and closes
    // its side; the read loop (or the sweep's close timeout) then ends the session.
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    if (end_after_flush_) Teardown();
  }
}

void WsSession::CloseWith(uint16_t code, std::string_view message, bool drop_queued) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_started_ = Clock::now();
  close_reason_ = absl::StrCat(code);
  // A batch already being written stays (the socket holds part of it); the rest may go.
  if (drop_queued) outbox_.DropWaiting();
  Send(core::MakeFrame(pusher::ErrorFrame(code, message)));
  SendClose(code, message);
}

void WsSession::Drain() {
  if (state_ == State::kOpen) {
    CloseWith(pusher::kReconnectImmediately, "Server is shutting down, reconnect", false);
  }
}

void WsSession::OnTick(Clock::time_point now) {
  switch (state_) {
    case State::kOpen: {
      if (partial_since_ != Clock::time_point() &&
          now - partial_since_ >= context_.limits.message_timeout) {
        return FailConnection(websocket::kClosePolicyViolation);
      }
      if (app_ == nullptr) return;
      const core::App& app = app_->app();
      if (app.enable_user_authentication && !authorized_ &&
          now - admitted_at_ >= std::chrono::seconds(app.user_authentication_timeout_seconds)) {
        return CloseWith(pusher::kUnauthorized, "Connection not authorized within timeout", true);
      }
      const auto activity = std::chrono::seconds(app.limits.activity_timeout_seconds);
      const auto pong_wait = std::min<Clock::duration>(activity, context_.limits.max_pong_wait);
      if (!ping_sent_at_) {
        if (now - last_inbound_ >= activity) {
          ping_sent_at_ = now;
          SendText(pusher::PingFrame());
        }
      } else if (now - *ping_sent_at_ >= pong_wait) {
        CloseWith(pusher::kPongNotReceived, "Pong reply not received in time", true);
      }
      return;
    }
    case State::kClosing:
      if (now - close_started_ > context_.limits.close_timeout) CutSocket();
      return;
    case State::kClosed:
      return;
  }
}

void WsSession::CutSocket() {
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void WsSession::Teardown() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  if (app_ != nullptr) {
    for (const auto& [channel, subscription] : subscriptions_) Leave(channel, subscription);
    core::ShardIndex& index = app_->shard_index(shard_.index());
    for (const std::string& channel : watched_channels_) index.Remove(channel, this);
    if (signed_in_) {
      index.RemoveUser(signed_in_->user_id, this);
      const std::string& user_id = signed_in_->user_id;
      app_->online_users().Remove(user_id, [&] {
        context_.fanout.Publish(
            *app_, WatchChannelOf(user_id),
            core::MakeFrame(pusher::WatchlistEventsFrame("offline", {user_id})), "");
      });
    }
  }
  subscriptions_.clear();
  if (app_slot_ != nullptr) {
    observability::LogDebug("connection closed", {{"socket_id", socket_id_},
                                                  {"app", app_slot_->app().id},
                                                  {"reason", close_reason_}});
    app_slot_->RemoveConnection();
    if (context_.metrics != nullptr) context_.metrics->ConnectionClosed(app_slot_, close_reason_);
  }
  if (holds_server_slot_) context_.RemoveConnection();
  app_slot_ = nullptr;
  holds_server_slot_ = false;
  // The batch in flight (if any) stays until its write completes; what waits can go.
  outbox_.DropWaiting();
  shard_.RemoveSession(this);
  CutSocket();
}

}  // namespace gw::edge
