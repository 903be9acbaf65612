#include "gateway/edge/http_session.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "gateway/edge/http_router.h"
#include "gateway/edge/ws_session.h"
#include "gateway/websocket/handshake.h"

namespace gw::edge {

namespace http = boost::beast::http;
namespace websocket = gw::websocket;

HttpSession::HttpSession(IoShard& shard, boost::asio::ip::tcp::socket socket, SocketSlot slot)
    : shard_(shard),
      slot_(std::move(slot)),
      stream_(std::move(socket)),
      answer_timer_(shard.io_context()) {}

void HttpSession::Run() { Read(); }

void HttpSession::Read() {
  parser_.emplace();
  parser_->body_limit(shard_.context().limits.max_request_bytes);
  parser_->header_limit(16 * 1024);
  stream_.expires_after(shard_.context().limits.http_idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](boost::system::error_code ec, size_t) {
                     self->OnRead(ec);
                   });
}

void HttpSession::OnRead(boost::system::error_code ec) {
  if (ec == http::error::body_limit) {
    auto response = ErrorResponse(http::status::payload_too_large, "request body too large", 11);
    response.keep_alive(false);
    return Write(std::move(response));
  }
  if (ec) {
    // A malformed request gets one 400 and the connection ends; a peer that went away or idled
    // past the timeout has nobody left to answer.
    if (ec.category() == boost::beast::http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      auto response = ErrorResponse(http::status::bad_request, "malformed HTTP request", 11);
      response.keep_alive(false);
      return Write(std::move(response));
    }
    boost::system::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    return;
  }
  if (boost::beast::websocket::is_upgrade(parser_->get())) return Upgrade();
  Route();
}

void HttpSession::Route() {
  const uint64_t request = ++requests_;
  answered_ = false;
  // The responder may run on another shard's thread (a publish is answered by the shard that
  // fans it out last), or after this session is gone: it holds the session weakly and brings
  // the answer to this shard's thread.
  RouteHttpRequest(
      shard_.context(), parser_->get(),
      [session = weak_from_this(), &io = shard_.io_context(), request](HttpResponse response) {
        if (io.get_executor().running_in_this_thread()) {
          if (auto self = session.lock()) self->Answer(request, std::move(response));
          return;
        }
        boost::asio::post(io, [session, request, response = std::move(response)]() mutable {
          if (auto self = session.lock()) self->Answer(request, std::move(response));
        });
      });
  if (answered_) return;
  // Waiting for a fan-out: the timer's pending wait is what keeps this session alive meanwhile,
  // and it bounds the wait. A publish not confirmed by then may still be delivered, so the
  // answer says so rather than inviting a retry.
  answer_timer_.expires_after(shard_.context().limits.http_idle_timeout);
  answer_timer_.async_wait([self = shared_from_this(), request](boost::system::error_code ec) {
    if (ec) return;
    auto response = ErrorResponse(http::status::gateway_timeout,
                                  "publish accepted but not confirmed in time; it may still be "
                                  "delivered",
                                  self->parser_->get().version());
    response.keep_alive(false);
    self->Answer(request, std::move(response));
  });
}

void HttpSession::Answer(uint64_t request, http::response<http::string_body> response) {
  if (request != requests_ || answered_) return;
  answered_ = true;
  answer_timer_.cancel();
  Write(std::move(response));
}

void HttpSession::Upgrade() {
  const auto& request = parser_->get();
  websocket::HandshakeVerdict verdict =
      websocket::CheckHandshake(request[http::field::sec_websocket_version],
                                request[http::field::sec_websocket_key]);
  if (verdict.status != 101) {
    auto response = ErrorResponse(static_cast<http::status>(verdict.status), verdict.reason, 11);
    if (verdict.status == 426) response.set(http::field::sec_websocket_version, "13");
    response.keep_alive(false);
    return Write(std::move(response));
  }
  stream_.expires_never();
  // Frames a client sent right behind its request are already in our buffer.
  std::string early_bytes = boost::beast::buffers_to_string(buffer_.data());
  auto session = std::make_shared<WsSession>(shard_, stream_.release_socket(), std::move(slot_));
  session->Run(request, verdict.accept_key, std::move(early_bytes));
}

void HttpSession::Write(http::response<http::string_body> response) {
  response_ = std::move(response);
  response_.prepare_payload();
  // The read's deadline may have passed while the answer waited for a fan-out.
  stream_.expires_after(shard_.context().limits.http_idle_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (ec || !self->response_.keep_alive()) {
                        boost::system::error_code ignored;
                        self->stream_.socket().shutdown(
                            boost::asio::ip::tcp::socket::shutdown_both, ignored);
                        return;
                      }
                      self->Read();
                    });
}

}  // namespace gw::edge
