#ifndef GATEWAY_EDGE_IO_SHARD_H_
#define GATEWAY_EDGE_IO_SHARD_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gateway/core/socket_id.h"
#include "gateway/edge/edge_context.h"
#include "gateway/edge/end_of_turn.h"
#include "gateway/websocket/message_deflater.h"
#include "gateway/websocket/message_inflater.h"

namespace gw::edge {

class WsSession;

// One I/O thread: its io_context, its own listening socket (SO_REUSEPORT: the kernel spreads
// connections across shards) and the WebSocket sessions that live on it for their whole life.
// Everything here but Post-ed work runs on this shard's thread only.
class IoShard {
 public:
  IoShard(size_t index, EdgeContext& context);
  ~IoShard();

  size_t index() const { return index_; }
  boost::asio::io_context& io_context() { return io_context_; }
  EdgeContext& context() { return context_; }
  core::SocketIdGenerator& socket_ids() { return socket_ids_; }

  // Opens the listener on address:port (port 0 picks one; other shards then pass the port that
  // the first one got). Call before Start.
  absl::Status Listen(const boost::asio::ip::address& address, uint16_t port);
  uint16_t bound_port() const;
  void Start();  // accept loop, sweep timer, thread
  // From any thread: stop accepting, and tell every WebSocket to reconnect elsewhere (4200).
  void BeginDrain();
  // From any thread: stop the event loop. Join waits for the thread.
  void Stop();
  void Join();

  // Where this shard's sessions read into: filled and parsed within one handler, so one buffer
  // serves every connection on the shard and an idle connection holds none.
  std::vector<char>& read_buffer() { return read_buffer_; }
  // Where sessions ask to be written once, at the end of the current loop turn.
  EndOfTurn& end_of_turn() { return end_of_turn_; }
  // permessage-deflate, one of each per shard and none per connection: the deflater makes the
  // compressed form of a published frame that this shard's subscribers are first to want; the
  // inflater reads every compressed client message on the shard (client_no_context_takeover).
  websocket::MessageDeflater& deflater() { return deflater_; }
  websocket::MessageInflater& inflater() { return inflater_; }

  void AddSession(WsSession* session) { sessions_.insert(session); }
  void RemoveSession(WsSession* session) { sessions_.erase(session); }

 private:
  void Accept();
  // Accepting failed (out of descriptors, ...): accept again after a growing delay.
  void OnAcceptFailed(boost::system::error_code ec);
  void ScheduleSweep();

  const size_t index_;
  EdgeContext& context_;
  boost::asio::io_context io_context_{1};
  // Declared after io_context_: sessions it still holds are freed while their sockets' reactor is
  // alive.
  EndOfTurn end_of_turn_{io_context_};
  boost::asio::ip::tcp::acceptor acceptor_{io_context_};
  boost::asio::steady_timer sweep_timer_{io_context_};
  boost::asio::steady_timer accept_timer_{io_context_};
  std::chrono::milliseconds accept_delay_{0};
  std::chrono::steady_clock::time_point last_accept_log_{};
  uint64_t accept_failures_unlogged_ = 0;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  core::SocketIdGenerator socket_ids_;
  // Raw pointers: a session removes itself when it ends, on this thread.
  absl::flat_hash_set<WsSession*> sessions_;
  std::vector<char> read_buffer_ = std::vector<char>(64 * 1024);
  websocket::MessageDeflater deflater_;
  websocket::MessageInflater inflater_;
  uint64_t sweeps_ = 0;
  std::thread thread_;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_IO_SHARD_H_
