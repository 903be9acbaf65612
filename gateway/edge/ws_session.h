#ifndef GATEWAY_EDGE_WS_SESSION_H_
#define GATEWAY_EDGE_WS_SESSION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/app_state.h"
#include "gateway/core/frame.h"
#include "gateway/core/subscriber.h"
#include "gateway/edge/connection_gate.h"
#include "gateway/edge/end_of_turn.h"
#include "gateway/edge/io_shard.h"
#include "gateway/edge/outbox.h"
#include "gateway/session/connection_transport.h"
#include "gateway/session/pusher_connection.h"
#include "gateway/websocket/frame_reader.h"
#include "gateway/websocket/frame_writer.h"

namespace gw::edge {

// One WebSocket connection, for its whole life on one shard's thread: the RFC 6455 transport
// of one Pusher client, whose protocol rules (subscriptions, client events, sign-in, liveness)
// live in session::PusherConnection, which knows no socket.
//
// The WebSocket layer is our own (gw::websocket) on the bare TCP socket, because the fan-out
// path is where the time goes: a published frame is written straight from the buffer every
// subscriber shares, and everything delivered to a connection in one loop turn leaves together
// in one gather write at the end of the turn (EndOfTurn).
// Inbound, the session holds no read buffer of its own: it waits for readability, then reads
// into its shard's buffer until the socket is empty, so an idle connection costs no buffer.
//
// Outbound: frames queue (Outbox), capped at EdgeLimits::max_write_buffer_bytes, and are written
// with one `sendmsg` per turn; only a socket the kernel takes no more from waits for
// writability. A client that falls further behind is closed with 4100 so it reconnects later
// instead of growing memory. Liveness, close and unfinished-message deadlines are checked by the
// shard's sweep (OnTick), not by timers of its own.
class WsSession : public std::enable_shared_from_this<WsSession>,
                  public core::Subscriber,
                  public session::ConnectionTransport,
                  public TurnWriter {
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
  std::string_view socket_id() const override;
  void Disconnect(uint16_t code, std::string_view reason) override;

  // session::ConnectionTransport
  void Send(core::Frame frame) override { Send(std::move(frame), websocket::Opcode::kText); }
  void Close(uint16_t code, std::string_view message, bool drop_queued) override {
    CloseWith(code, message, drop_queued);
  }
  core::Subscriber* subscriber() override { return this; }
  std::shared_ptr<void> KeepAlive() override { return shared_from_this(); }

  // Shard sweep: the connection's liveness rules, and cutting closes that do not finish.
  void OnTick(Clock::time_point now);
  // Shutdown: pusher:error 4200 and close 4200, after what is already queued.
  void Drain();

  // TurnWriter: the end of the shard's loop turn, when this session asked to be written.
  void WriteQueued() override;

 private:
  enum class State { kOpen, kClosing, kClosed };

  void Admit(const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
             UpgradeDecision decision);
  // permessage-deflate when the server and the client's app allow it and the client offers it.
  bool AgreeOnCompression(
      const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
      const UpgradeDecision& decision) const;
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

  // Queues one frame (text, or the pong answering a ping) to be written at the end of the turn.
  // A frame that would take the queue past the write cap closes the client with 4100 instead
  // (it does not read what it is sent or asks for).
  void Send(core::Frame frame, websocket::Opcode opcode);
  // Send, saying whether the frame was queued. `compressed`, when given, is the frame's
  // permessage-deflate form, sent in its place.
  bool Queue(core::Frame frame, websocket::Opcode opcode,
             const std::string* compressed = nullptr);
  // The close frame; nothing is queued after it.
  void SendClose(uint16_t code, std::string_view reason);
  // Asks for a write at the end of this turn, or writes now if enough waits for a write of its
  // own (Outbox::write_worth_now) or the socket is waited on already (then nothing).
  void RequestWrite();
  // Writes what waits until all is written or the kernel takes no more (then waits until the
  // socket is writable). Never ends the session synchronously: it may run inside a fan-out.
  void Write();
  void WaitWritable();
  // Everything queued is written: after our close frame, half-close (and end, if the peer
  // closed first).
  void OnAllWritten();
  // Over the write cap: counts, logs and closes with 4100, dropping what was not begun.
  void CutSlowConsumer();
  // pusher:error `code` then a close with `code`. `drop_queued` discards frames not yet written
  // (a slow consumer); otherwise they are flushed first (a drain loses nothing acknowledged).
  void CloseWith(uint16_t code, std::string_view message, bool drop_queued);
  // Ends the socket; the pending read or write then fails and tears the session down. Safe
  // inside the shard's sweep, which must not see sessions removed while it walks them.
  void CutSocket();
  // Runs once: ends the Pusher connection (it leaves its channels), frees the slots, closes the
  // socket.
  void Teardown();

  IoShard& shard_;
  EdgeContext& context_;
  SocketSlot slot_;
  boost::asio::ip::tcp::socket socket_;
  websocket::FrameReader reader_;
  State state_ = State::kOpen;
  // permessage-deflate was negotiated: published frames may go compressed, and the client's
  // compressed messages are inflated (by the shard's inflater; nothing is kept here).
  bool deflate_ = false;

  // The admitted client's protocol rules; empty until admitted (and for a refused client).
  std::optional<session::PusherConnection> connection_;
  const AppEdgeMetrics* metrics_ = nullptr;  // the app's series; null when refused or unmetered
  // Why the connection ended, for metrics: the code we closed with, or "client".
  std::string close_reason_ = "client";
  uint16_t peer_close_code_ = 0;  // the code of the client's close frame, if it sent one
  bool holds_server_slot_ = false;
  // The app whose connection quota this session counts against, if it got a slot.
  core::AppState* app_slot_ = nullptr;

  Outbox outbox_;
  // Waiting in the shard's EndOfTurn list, or for the socket to become writable.
  bool write_scheduled_ = false;
  bool awaiting_writable_ = false;
  // The peer closed first: once our answering close frame is written, the session ends.
  bool end_after_flush_ = false;
  bool reading_stopped_ = false;
  // When the first byte of the message the reader holds unfinished arrived; {} = none.
  Clock::time_point partial_since_;
  Clock::time_point close_started_;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_WS_SESSION_H_
