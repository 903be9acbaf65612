#ifndef GATEWAY_WEBHOOKS_WEBHOOK_CONNECTION_H_
#define GATEWAY_WEBHOOKS_WEBHOOK_CONNECTION_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "gateway/webhooks/webhook_url.h"

namespace gw::webhooks {

// The HTTP/1.1 connection of one webhook endpoint, plain or TLS, kept alive between requests and
// opened again when the endpoint closed it. TLS sends SNI (for host names) and verifies the peer
// against the trust store of `tls` and the URL's host name.
//
// One request at a time, on the thread running `io`; the caller awaits Post before the next.
class WebhookConnection {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  struct Result {
    unsigned status = 0;  // the response's status; 0 when no response came
    std::string error;    // why no response came (resolve, connect, TLS, timeout, ...)
    bool ok() const { return status >= 200 && status < 300; }
  };

  WebhookConnection(boost::asio::io_context& io, boost::asio::ssl::context& tls, WebhookUrl url);
  WebhookConnection(const WebhookConnection&) = delete;
  WebhookConnection& operator=(const WebhookConnection&) = delete;

  // Sends `request` (Host is set here) and reads the response, all within `timeout`. A kept-alive
  // connection that the endpoint had closed meanwhile is reopened once, within the same timeout.
  boost::asio::awaitable<Result> Post(Request& request, std::chrono::milliseconds timeout);
  void Close();

 private:
  using Clock = std::chrono::steady_clock;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  struct Exchange;

  boost::asio::awaitable<std::string> Open(Clock::time_point deadline);
  template <typename Stream>
  boost::asio::awaitable<Exchange> ExchangeOn(Stream& stream, const Request& request,
                                              Clock::time_point deadline);

  boost::asio::io_context& io_;
  boost::asio::ssl::context& tls_;
  const WebhookUrl url_;
  // At most one is set, while the connection is open.
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<TlsStream> secure_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_WEBHOOK_CONNECTION_H_
