#ifndef GATEWAY_EDGE_HTTP_SESSION_H_
#define GATEWAY_EDGE_HTTP_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/edge/io_shard.h"

namespace gw::edge {

// One accepted TCP connection while it speaks HTTP/1.1: answers the Pusher HTTP API and health
// requests with keep-alive, and hands the socket to a WsSession when a request upgrades to a
// WebSocket. Lives on its shard's thread; kept alive by its pending operation.
//
// One request at a time: the next is read only once the answer to the current one is written,
// so a publish answered after its fan-out keeps pipelined requests in order. While it waits for
// that answer, the pending operation is a timer that bounds the wait.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `slot` counts the socket against EdgeLimits::max_sockets; it moves on to the WsSession.
  HttpSession(IoShard& shard, boost::asio::ip::tcp::socket socket, SocketSlot slot);
  void Run();

 private:
  void Read();
  void OnRead(boost::system::error_code ec);
  // Routes the request just read; its answer may come later, from another thread.
  void Route();
  // The answer to request number `request`, on this shard's thread; ignored if that request was
  // already answered.
  void Answer(uint64_t request,
              boost::beast::http::response<boost::beast::http::string_body> response);
  // Checks the WebSocket handshake and hands the socket to a WsSession, or answers 400 / 426.
  void Upgrade();
  void Write(boost::beast::http::response<boost::beast::http::string_body> response);

  IoShard& shard_;
  SocketSlot slot_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::asio::steady_timer answer_timer_;
  uint64_t requests_ = 0;  // requests routed; the last is the one being answered
  bool answered_ = true;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_HTTP_SESSION_H_
