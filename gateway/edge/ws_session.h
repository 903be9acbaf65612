#ifndef GATEWAY_EDGE_WS_SESSION_H_
#define GATEWAY_EDGE_WS_SESSION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gateway/core/app_state.h"
#include "gateway/core/frame.h"
#include "gateway/core/rate_limiter.h"
#include "gateway/core/subscriber.h"
#include "gateway/core/subscription_authorizer.h"
#include "gateway/edge/frame_queue.h"
#include "gateway/edge/io_shard.h"
#include "gateway/pusher/channel_name.h"
#include "gateway/pusher/client_message.h"
#include "gateway/websocket/frame_reader.h"

namespace gw::edge {

// One Pusher client over WebSocket, for its whole life on one shard's thread.
//
// The WebSocket layer is our own (gw::websocket) on the bare TCP socket, because the fan-out
// path is where the time goes: a published frame is written straight from the buffer every
// subscriber shares, and frames that queue behind a write leave together in one gather write.
// Inbound, the session holds no read buffer of its own: it waits for readability, then reads
// into its shard's buffer until the socket is empty, so an idle connection costs no buffer.
//
// Outbound: one write in flight, the rest queued (FrameQueue), capped at
// EdgeLimits::max_write_buffer_bytes; a client that falls further behind is closed with 4100 so it
// reconnects later instead of growing memory. Liveness, close and unfinished-message deadlines
// are checked by the shard's sweep (OnTick), not by timers of its own.
class WsSession : public std::enable_shared_from_this<WsSession>, public core::Subscriber {
 public:
  using Clock = std::chrono::steady_clock;

  // `slot` counts the socket against EdgeLimits::max_sockets until the session is destroyed.
  WsSession(IoShard& shard, boost::asio::ip::tcp::socket socket, SocketSlot slot);
  ~WsSession() override;

  // Answers the checked upgrade request with 101 (`accept_key` is its Sec-WebSocket-Accept),
  // admits or refuses the client, and reads what it sends, starting with `early_bytes`: what the
  // HTTP reader had already received past the request.
  void Run(const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
           std::string_view accept_key, std::string early_bytes);

  // core::Subscriber
  void Deliver(const core::Frame& frame) override;
  std::string_view socket_id() const override { return socket_id_; }
  void Disconnect(uint16_t code, std::string_view reason) override;

  // Shard sweep: pings idle clients, closes silent ones (4201), cuts stalled closes.
  void OnTick(Clock::time_point now);
  // Shutdown: pusher:error 4200 and close 4200, after what is already queued.
  void Drain();

 private:
  enum class State { kOpen, kClosing, kClosed };
  struct Subscription {
    pusher::ChannelKind kind;
    std::string user_id;  // presence only
  };

  void Admit(const boost::beast::http::request<boost::beast::http::string_body>& upgrade);
  // Reads until the socket has nothing more (or a turn's share is used), then waits for more.
  void ReadAvailable();
  void WaitReadable();
  // Hands received bytes to the frame reader; false when reading should stop.
  bool Consume(char* bytes, size_t size);
  bool OnClientMessage(const websocket::ClientMessage& message);
  // The client sent a close frame: answer it, then cut the connection once that is written.
  void OnPeerClose(uint16_t code);
  // The client broke RFC 6455 (1002, 1007, 1009) or left a message unfinished past its deadline
  // (1008): close with `code`, no Pusher error first.
  void FailConnection(uint16_t code);
  void HandleText(std::string_view text);
  void HandleSubscribe(pusher::SubscribeMessage& message);
  // Joins an authorized channel: counts it, indexes this session, replies subscription_succeeded.
  void JoinChannel(const std::string& channel, const pusher::ChannelTraits& traits,
                   std::optional<pusher::PresenceMember> member);
  // Cache channels: the cached last event right after subscription_succeeded, or cache_miss.
  void ReplayCache(const std::string& channel);
  void AskAuthorizer(const std::string& channel, const pusher::ChannelTraits& traits);
  void OnAuthorizerVerdict(const std::string& channel, const pusher::ChannelTraits& traits,
                           core::AuthorizationVerdict verdict);
  // Watchlist: follow each watched user's online / offline announcements, and report who of them
  // is online now.
  void WatchUsers(std::vector<std::string> user_ids);
  void HandleUnsubscribe(const pusher::UnsubscribeMessage& message);
  void HandleClientEvent(pusher::ClientEventMessage& message);
  void HandleSignin(const pusher::SigninMessage& message);
  void RefuseSubscription(std::string_view channel, std::string_view type, std::string_view error,
                          uint16_t status, std::optional<uint16_t> error_code);
  // Removes this connection from `channel` everywhere and announces member_removed if due.
  void Leave(const std::string& channel, const Subscription& subscription);

  // Whether `size` more bytes fit under the write cap; if not, closes the client with 4100 (it
  // does not read what it is sent or asks for) and returns false.
  bool FitsWriteBuffer(size_t size);
  void SendText(std::string text);
  // Queues one frame (text, or the pong answering a ping) and starts a write if none is in flight.
  void Send(core::Frame frame, websocket::Opcode opcode = websocket::Opcode::kText);
  // The close frame; nothing is queued after it.
  void SendClose(uint16_t code, std::string_view reason);
  void Write();
  void OnWrite(boost::system::error_code ec);
  // pusher:error `code` then a close with `code`. `drop_queued` discards frames not yet written
  // (a slow consumer); otherwise they are flushed first (a drain loses nothing acknowledged).
  void CloseWith(uint16_t code, std::string_view message, bool drop_queued);
  // Ends the socket; the pending read or write then fails and tears the session down. Safe
  // inside the shard's sweep, which must not see sessions removed while it walks them.
  void CutSocket();
  // Runs once: unsubscribes everything, frees the slots, closes the socket.
  void Teardown();

  IoShard& shard_;
  EdgeContext& context_;
  SocketSlot slot_;
  boost::asio::ip::tcp::socket socket_;
  websocket::FrameReader reader_;
  State state_ = State::kOpen;

  core::AppState* app_ = nullptr;
  const AppEdgeMetrics* metrics_ = nullptr;  // the app's series; null when refused or unmetered
  // Why the connection ended, for metrics: the code we closed with, or "client".
  std::string close_reason_ = "client";
  bool holds_server_slot_ = false;
  // The app whose connection quota this session counts against, if it got a slot.
  core::AppState* app_slot_ = nullptr;
  std::string socket_id_;
  // Set by a verified pusher:signin; the member this connection is on presence channels it
  // joins without channel_data, and the only user whose #server-to-user channel it may join.
  std::optional<pusher::PresenceMember> signed_in_;
  // Internal announcement channels ("#watchlist-{id}") this connection follows for its watchlist.
  std::vector<std::string> watched_channels_;
  // Pusher's "authorized connections": set once signed in or subscribed to a private channel.
  bool authorized_ = false;
  Clock::time_point admitted_at_;
  absl::flat_hash_map<std::string, Subscription> subscriptions_;
  std::optional<core::RateLimiter> client_event_limiter_;
  // What the app's authorizer may see of the upgrade request; captured only for such apps.
  std::unique_ptr<core::AuthorizationRequest> authorizer_context_;
  absl::flat_hash_set<std::string> awaiting_authorizer_;

  FrameQueue outbox_;
  bool close_queued_ = false;
  // The peer closed first: once our answering close frame is written, the session ends.
  bool end_after_flush_ = false;
  bool reading_stopped_ = false;

  Clock::time_point last_inbound_;
  // When the first byte of the message the reader holds unfinished arrived; {} = none.
  Clock::time_point partial_since_;
  std::optional<Clock::time_point> ping_sent_at_;
  Clock::time_point close_started_;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_WS_SESSION_H_
