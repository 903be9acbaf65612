#include "gateway/webhooks/webhook_connection.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <tuple>
#include <utility>

namespace gw::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A receiver's answer body is read and discarded; more than this is a broken receiver.
constexpr size_t kMaxResponseBody = 1024 * 1024;

std::string Failure(std::string_view stage, const beast::error_code& error) {
  if (error == beast::error::timeout || error == asio::error::operation_aborted) {
    return std::string(stage).append(": timed out");
  }
  return std::string(stage).append(": ").append(error.message());
}

bool IsIpAddress(const std::string& host) {
  boost::system::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

}  // namespace

struct WebhookConnection::Exchange {
  Result result;
  // The request failed on a kept-alive connection before any byte of a response: the endpoint
  // had closed it, and a fresh connection may try again.
  bool stale = false;
};

WebhookConnection::WebhookConnection(asio::io_context& io, asio::ssl::context& tls, WebhookUrl url)
    : io_(io), tls_(tls), url_(std::move(url)) {}

void WebhookConnection::Close() {
  // No graceful TLS shutdown: the request is done, and the peer learns of the close from TCP.
  plain_.reset();
  secure_.reset();
  buffer_.clear();
}

asio::awaitable<std::string> WebhookConnection::Open(Clock::time_point deadline) {
  tcp::resolver resolver(io_);
  // getaddrinfo has no timeout of its own; the timer abandons a lookup that takes too long.
  asio::steady_timer resolve_timer(io_, deadline);
  resolve_timer.async_wait([&resolver](const beast::error_code& error) {
    if (!error) resolver.cancel();
  });
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(url_.host, url_.port, kUseTuple);
  resolve_timer.cancel();
  if (resolve_error) co_return Failure("resolve", resolve_error);

  beast::tcp_stream* tcp_layer = nullptr;
  if (url_.tls) {
    secure_.emplace(io_, tls_);
    tcp_layer = &beast::get_lowest_layer(*secure_);
  } else {
    plain_.emplace(io_);
    tcp_layer = &*plain_;
  }
  tcp_layer->expires_at(deadline);
  auto [connect_error, endpoint] = co_await tcp_layer->async_connect(endpoints, kUseTuple);
  if (connect_error) {
    Close();
    co_return Failure("connect", connect_error);
  }
  tcp_layer->socket().set_option(tcp::no_delay(true));
  if (url_.tls) {
    // SNI carries host names only (RFC 6066); the certificate must match the URL's host either way.
    if (!IsIpAddress(url_.host) &&
        SSL_set_tlsext_host_name(secure_->native_handle(), url_.host.c_str()) != 1) {
      Close();
      co_return std::string("tls: cannot set the server name");
    }
    secure_->set_verify_mode(asio::ssl::verify_peer);
    secure_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    auto [handshake_error] =
        co_await secure_->async_handshake(asio::ssl::stream_base::client, kUseTuple);
    if (handshake_error) {
      Close();
      co_return Failure("tls handshake", handshake_error);
    }
  }
  co_return std::string();
}

template <typename Stream>
asio::awaitable<WebhookConnection::Exchange> WebhookConnection::ExchangeOn(
    Stream& stream, const Request& request, Clock::time_point deadline) {
  Exchange exchange;
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
  if (write_error) {
    exchange.result.error = Failure("write", write_error);
    exchange.stale = write_error != beast::error::timeout;
    co_return exchange;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  auto [read_error, read] = co_await http::async_read(stream, buffer_, parser, kUseTuple);
  if (read_error && !parser.is_header_done()) {
    exchange.result.error = Failure("read", read_error);
    exchange.stale = !parser.got_some() &&
                     (read_error == http::error::end_of_stream || read_error == asio::error::eof ||
                      read_error == asio::error::connection_reset);
    co_return exchange;
  }
  // A response whose body went wrong still said what the receiver thought of the request.
  exchange.result.status = parser.get().result_int();
  if (read_error || !parser.get().keep_alive()) {
    Close();
  } else {
    beast::get_lowest_layer(stream).expires_never();
  }
  co_return exchange;
}

asio::awaitable<WebhookConnection::Result> WebhookConnection::Post(
    Request& request, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  request.set(http::field::host, url_.host_header);
  for (int round = 0;; ++round) {
    const bool reused = plain_.has_value() || secure_.has_value();
    if (!reused) {
      std::string error = co_await Open(deadline);
      if (!error.empty()) co_return Result{0, std::move(error)};
    }
    Exchange exchange;
    if (secure_) {
      exchange = co_await ExchangeOn(*secure_, request, deadline);
    } else {
      exchange = co_await ExchangeOn(*plain_, request, deadline);
    }
    if (exchange.result.status == 0) Close();
    if (exchange.result.status == 0 && exchange.stale && reused && round == 0) continue;
    co_return exchange.result;
  }
}

}  // namespace gw::webhooks
