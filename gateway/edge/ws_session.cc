#include "gateway/edge/ws_session.h"

#include <algorithm>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/edge/connection_gate.h"
#include "gateway/observability/log.h"
#include "gateway/pusher/error_codes.h"
#include "gateway/pusher/server_frames.h"
#include "gateway/websocket/deflate_negotiation.h"
#include "gateway/websocket/frame_writer.h"
#include "gateway/websocket/handshake.h"

namespace gw::edge {

namespace http = boost::beast::http;
using websocket::ClientMessage;

namespace {

// Reads per turn before yielding to the shard's other work; the rest is read on a later turn.
constexpr int kReadsPerTurn = 4;

// Plain operator new for a wait a connection holds for its whole life. Asio puts handlers with
// no allocator of their own (std::allocator included) in its per-thread cache of freed blocks,
// which hands out whatever block fits, often the upgrade request's timer operation: twice the
// size of a read wait, kept by every idle connection.
template <typename T>
struct OwnSizeAllocator {
  using value_type = T;
  OwnSizeAllocator() = default;
  template <typename U>
  OwnSizeAllocator(const OwnSizeAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, size_t) { ::operator delete(p); }
  template <typename U>
  bool operator==(const OwnSizeAllocator<U>&) const {
    return true;
  }
};

bool Listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The parts of the upgrade request an app's authorizer was configured to see.
core::AuthorizationRequest CaptureAuthorizerContext(const core::AuthorizerSettings& settings,
                                                    const http::request<http::string_body>& upgrade,
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
  UpgradeDecision decision =
      CheckUpgrade(context_.apps, upgrade.target(), upgrade[http::field::origin]);
  deflate_ = AgreeOnCompression(upgrade, decision);
  outbox_.PushRaw(core::MakeFrame(websocket::SwitchingProtocolsResponse(
      accept_key, "realtime-gateway", deflate_ ? websocket::kPermessageDeflateAnswer : "")));
  Admit(upgrade, std::move(decision));
  if (!early_bytes.empty() && !Consume(early_bytes.data(), early_bytes.size())) return;
  RequestWrite();
  ReadAvailable();
}

bool WsSession::AgreeOnCompression(const http::request<http::string_body>& upgrade,
                                   const UpgradeDecision& decision) const {
  if (!context_.limits.websocket_compression || decision.app == nullptr ||
      !decision.app->app().enable_websocket_compression ||
      websocket::IgnoresClientNoContextTakeover(upgrade[http::field::user_agent])) {
    return false;
  }
  // Several header lines are one list (RFC 9110 §5.3).
  std::string offers;
  for (const auto& field : upgrade) {
    if (field.name() != http::field::sec_websocket_extensions) continue;
    if (!offers.empty()) offers += ", ";
    offers += field.value();
  }
  return websocket::OffersPermessageDeflate(offers);
}

void WsSession::Admit(const http::request<http::string_body>& upgrade, UpgradeDecision decision) {
  if (context_.draining.load()) {
    return CloseWith(pusher::kReconnectImmediately, "Server is shutting down", true);
  }
  auto refuse = [this](uint16_t code, std::string_view message) {
    if (context_.metrics != nullptr) context_.metrics->ConnectionRefused(code);
    observability::LogDebug("connection refused",
                            {{"code", static_cast<int>(code)}, {"message", message}});
    CloseWith(code, message, true);
  };
  if (decision.refuse_code != 0) return refuse(decision.refuse_code, decision.message);
  if (!context_.TryAddConnection()) return refuse(pusher::kOverCapacity, "Over capacity");
  holds_server_slot_ = true;
  if (!decision.app->TryAddConnection()) {
    return refuse(pusher::kAppOverConnectionQuota, "App over connection quota");
  }
  app_slot_ = decision.app;
  core::AppState& app = *decision.app;
  session::ConnectionCounters counters;
  if (context_.metrics != nullptr) {
    metrics_ = context_.metrics->For(&app);
    if (metrics_ != nullptr) {
      metrics_->connections_opened->Add();
      counters = {metrics_->client_events, metrics_->client_events_rate_limited,
                  metrics_->subscriptions_refused_channel_limit,
                  metrics_->subscriptions_refused_rate_limit,
                  metrics_->subscriptions_refused_presence_rate_limit};
    }
  }
  std::unique_ptr<core::AuthorizationRequest> authorizer_context;
  if (!app.app().authorizer.target.empty() && context_.services.authorizer != nullptr) {
    authorizer_context = std::make_unique<core::AuthorizationRequest>(
        CaptureAuthorizerContext(app.app().authorizer, upgrade, socket_));
  }
  connection_.emplace(context_.services, *this, app, shard_.index(), shard_.socket_ids().Next(),
                      counters, std::move(authorizer_context), Clock::now());
  observability::LogDebug("connection opened",
                          {{"socket_id", connection_->socket_id()}, {"app", app.app().id}});
  connection_->Start();
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
  // The wait is what an idle connection holds for its whole life, so it is allocated at its own
  // size (OwnSizeAllocator).
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     boost::asio::bind_allocator(
                         OwnSizeAllocator<void>(), [self = shared_from_this()](
                                                       boost::system::error_code ec) {
                           if (ec) return self->Teardown();
                           self->ReadAvailable();
                         }));
}

bool WsSession::Consume(char* bytes, size_t size) {
  const Clock::time_point now = Clock::now();
  if (connection_) connection_->NoteActivity(now);
  const bool had_partial = reader_.buffered_bytes() > 0;
  bool message_done = false;
  const uint16_t violation = reader_.Read(
      bytes, size,
      [&](const ClientMessage& message) {
        message_done |= message.kind == ClientMessage::Kind::kText ||
                        message.kind == ClientMessage::Kind::kBinary;
        return OnClientMessage(message);
      },
      deflate_ ? &shard_.inflater() : nullptr);
  // The deadline runs from the first byte of the message left unfinished: trickling more bytes
  // of it does not extend it, but a message completed in this read starts a new one.
  if (reader_.buffered_bytes() == 0) {
    partial_since_ = Clock::time_point();
  } else if (!had_partial || message_done) {
    partial_since_ = now;
  }
  // After a violation the rest is read and dropped until the client closes, so that our close
  // frame is not lost to the reset that closing with unread data would cause.
  if (violation != 0) FailConnection(violation);
  return state_ != State::kClosed && !reading_stopped_;
}

bool WsSession::OnClientMessage(const ClientMessage& message) {
  switch (message.kind) {
    case ClientMessage::Kind::kText:
      if (state_ == State::kOpen && connection_) {
        if (metrics_ != nullptr) {
          metrics_->messages_in->Add();
          metrics_->bytes_in->Add(message.payload.size());
        }
        connection_->OnText(message.payload);
      }
      break;
    case ClientMessage::Kind::kBinary:
      if (state_ == State::kOpen && connection_) {
        if (metrics_ != nullptr) metrics_->messages_in->Add();
        Send(core::MakeFrame(pusher::ErrorFrame(std::nullopt, "Binary frames are not supported")),
             websocket::Opcode::kText);
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
  if (outbox_.close_queued()) {
    // Our own close was already on its way: the handshake is complete.
    return Teardown();
  }
  state_ = State::kClosing;
  close_started_ = Clock::now();
  close_reason_ = "client";
  peer_close_code_ = code;
  end_after_flush_ = true;
  outbox_.DropUnstarted();
  // Echo the client's code (RFC 6455 §5.5.1); a close without one is answered without one.
  outbox_.PushClose(core::MakeFrame(code == 0 ? std::string() : websocket::ClosePayload(code, "")));
  RequestWrite();
}

void WsSession::FailConnection(uint16_t code) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_started_ = Clock::now();
  close_reason_ = absl::StrCat(code);
  outbox_.DropUnstarted();
  const char* why = code == websocket::kCloseMessageTooBig     ? "Message too big"
                    : code == websocket::kCloseInvalidPayload  ? "Invalid UTF-8"
                    : code == websocket::kClosePolicyViolation ? "Message not completed in time"
                                                               : "Protocol error";
  SendClose(code, why);
}

void WsSession::Disconnect(uint16_t code, std::string_view reason) {
  CloseWith(code, reason, false);
}

void WsSession::Deliver(const core::Frame& frame) {
  if (state_ != State::kOpen) return;
  const std::string* compressed = nullptr;
  if (deflate_ && frame->size() >= context_.limits.compression_min_bytes) {
    // Made by whichever subscriber, on whichever shard, wants it first; shared by the rest.
    const std::string& form = frame->CompressedForm(
        [this](std::string_view text) { return shard_.deflater().Deflate(text); });
    if (!form.empty()) compressed = &form;
  }
  if (!Queue(frame, websocket::Opcode::kText, compressed)) return;
  if (metrics_ != nullptr) {
    metrics_->messages_out->Add();
    metrics_->bytes_out->Add(compressed != nullptr ? compressed->size() : frame->size());
    if (compressed != nullptr) metrics_->messages_out_compressed->Add();
  }
}

void WsSession::CutSlowConsumer() {
  if (metrics_ != nullptr) metrics_->slow_consumers->Add();
  observability::LogWarn("slow consumer disconnected",
                         {{"socket_id", std::string(socket_id())},
                          {"app", app_slot_ != nullptr ? app_slot_->app().id : std::string()},
                          {"queued_bytes", static_cast<uint64_t>(outbox_.bytes())}});
  CloseWith(pusher::kOverCapacity, "Client is too slow: write buffer full", true);
}

void WsSession::Send(core::Frame frame, websocket::Opcode opcode) {
  Queue(std::move(frame), opcode);
}

bool WsSession::Queue(core::Frame frame, websocket::Opcode opcode,
                      const std::string* compressed) {
  if (state_ == State::kClosed) return false;
  // Replies count against the cap like deliveries: a client that keeps sending pings or requests
  // but never reads the answers would otherwise grow its queue without bound. What CloseWith
  // queues while closing (the pusher:error before the close frame) is the last and always fits.
  const size_t cap = state_ == State::kOpen ? context_.limits.max_write_buffer_bytes
                                            : std::numeric_limits<size_t>::max();
  switch (outbox_.Push(std::move(frame), opcode, cap, compressed)) {
    case Outbox::Queued::kYes:
      RequestWrite();
      return true;
    case Outbox::Queued::kOverCap:
      CutSlowConsumer();
      return false;
    case Outbox::Queued::kAfterClose:
      return false;
  }
  return false;
}

void WsSession::SendClose(uint16_t code, std::string_view reason) {
  if (state_ == State::kClosed || outbox_.close_queued()) return;
  outbox_.PushClose(core::MakeFrame(websocket::ClosePayload(code, reason)));
  RequestWrite();
}

void WsSession::RequestWrite() {
  if (state_ == State::kClosed || awaiting_writable_) return;
  if (outbox_.write_worth_now()) return Write();
  if (write_scheduled_) return;
  write_scheduled_ = true;
  shard_.end_of_turn().Schedule(shared_from_this());
}

void WsSession::WriteQueued() {
  write_scheduled_ = false;
  Write();
}

void WsSession::Write() {
  if (state_ == State::kClosed || awaiting_writable_ || outbox_.empty()) return;
  switch (outbox_.WriteTo(socket_.native_handle())) {
    case Outbox::Written::kAll:
      return OnAllWritten();
    case Outbox::Written::kBlocked:
      return WaitWritable();
    case Outbox::Written::kFailed:
      // Maybe inside a fan-out's walk of a channel, where this session may not leave its
      // channels: the socket ends now, the session on a later turn.
      CutSocket();
      boost::asio::post(socket_.get_executor(),
                        [self = shared_from_this()] { self->Teardown(); });
      return;
  }
}

void WsSession::WaitWritable() {
  awaiting_writable_ = true;
  // Safe with edge-triggered readiness for the same reason as WaitReadable: the write that
  // found the socket full ran on this thread, the only one that polls.
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_write,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       self->awaiting_writable_ = false;
                       if (ec) return self->Teardown();
                       self->Write();
                     });
}

void WsSession::OnAllWritten() {
  if (!outbox_.close_queued()) return;
  // Our close frame is out. Half-close, so the client sees the end of the stream and closes
  // its side; the read loop (or the sweep's close timeout) then ends the session.
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  if (end_after_flush_) Teardown();
}

void WsSession::CloseWith(uint16_t code, std::string_view message, bool drop_queued) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_started_ = Clock::now();
  close_reason_ = absl::StrCat(code);
  // A frame already written in part stays (the socket holds part of it); the rest may go.
  if (drop_queued) outbox_.DropUnstarted();
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
    case State::kOpen:
      if (partial_since_ != Clock::time_point() &&
          now - partial_since_ >= context_.limits.message_timeout) {
        return FailConnection(websocket::kClosePolicyViolation);
      }
      if (connection_) connection_->OnTick(now);
      return;
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
  if (connection_) connection_->Close();
  if (app_slot_ != nullptr) {
    observability::LogDebug("connection closed", {{"socket_id", std::string(socket_id())},
                                                  {"app", app_slot_->app().id},
                                                  {"reason", close_reason_}});
    // Counted closed before the gauge drops: whoever sees the gauge at its new value also sees
    // the close.
    if (context_.metrics != nullptr) context_.metrics->ConnectionClosed(app_slot_, close_reason_);
    app_slot_->RemoveConnection();
    if (app_slot_->activity().watched()) {
      core::Activity closed(core::Activity::Kind::kConnectionClosed, std::string(socket_id()));
      closed.detail = close_reason_ == "client" && peer_close_code_ != 0
                          ? absl::StrCat("client ", peer_close_code_)
                          : close_reason_;
      app_slot_->activity().Record(std::move(closed));
    }
  }
  if (holds_server_slot_) context_.RemoveConnection();
  app_slot_ = nullptr;
  holds_server_slot_ = false;
  // Nothing is written after this.
  outbox_.Clear();
  shard_.RemoveSession(this);
  CutSocket();
}

std::string_view WsSession::socket_id() const {
  return connection_ ? std::string_view(connection_->socket_id()) : std::string_view();
}

}  // namespace gw::edge
