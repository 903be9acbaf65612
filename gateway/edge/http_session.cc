#include "gateway/edge/http_session.h"

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

HttpSession::HttpSession(IoShard& shard, boost::asio::ip::tcp::socket socket)
    : shard_(shard), stream_(std::move(socket)) {}

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
  Write(RouteHttpRequest(shard_.context(), parser_->get()));
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
  auto session = std::make_shared<WsSession>(shard_, stream_.release_socket());
  session->Run(request, verdict.accept_key, std::move(early_bytes));
}

void HttpSession::Write(http::response<http::string_body> response) {
  response_ = std::move(response);
  response_.prepare_payload();
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
