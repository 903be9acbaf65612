#include "gateway/edge/operator_listener.h"

#include <openssl/crypto.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/observability/log.h"

namespace gw::edge {

namespace http = boost::beast::http;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr size_t kMaxBody = 64 * 1024;
constexpr size_t kMaxHeader = 16 * 1024;

bool SameSecret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

// Whether `authorization` carries `token`: "Bearer <token>", or "Basic base64(user:<token>)" for
// scrapers and browsers that only speak basic auth (any user name).
bool Authorized(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kBearer = "Bearer ";
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.starts_with(kBearer)) {
    return SameSecret(authorization.substr(kBearer.size()), token);
  }
  if (authorization.starts_with(kBasic)) {
    std::string decoded;
    const std::string_view encoded = authorization.substr(kBasic.size());
    if (!absl::Base64Unescape(absl::string_view(encoded.data(), encoded.size()), &decoded)) {
      return false;
    }
    const size_t colon = decoded.find(':');
    return colon != std::string::npos &&
           SameSecret(std::string_view(decoded).substr(colon + 1), token);
  }
  return false;
}

}  // namespace

// One connection: read a request, answer it, repeat while keep-alive. Kept alive by its pending
// operation, on the listener's thread.
class OperatorListener::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(const OperatorListener& listener, boost::asio::ip::tcp::socket socket)
      : listener_(listener), stream_(std::move(socket)) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    parser_->header_limit(kMaxHeader);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::system::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(boost::system::error_code ec) {
    if (ec == http::error::end_of_stream || ec == boost::beast::error::timeout ||
        ec == boost::asio::error::operation_aborted) {
      return Close();
    }
    if (ec) {
      auto response = ErrorResponse(http::status::bad_request, "malformed HTTP request", 11);
      response.keep_alive(false);
      return Write(std::move(response));
    }
    // The answer may come from another thread; the write is posted back to this one. Nothing
    // else touches the stream until it is written, since the next read starts after.
    listener_.Answer(parser_->get(), [self = shared_from_this()](HttpResponse response) {
      boost::asio::post(self->stream_.get_executor(),
                        [self, response = std::move(response)]() mutable {
                          response.keep_alive(self->parser_->get().keep_alive());
                          self->Write(std::move(response));
                        });
    });
  }

  void Write(HttpResponse response) {
    response_ = std::move(response);
    response_.prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  }

  const OperatorListener& listener_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;
};

OperatorListener::OperatorListener(std::string token) : token_(std::move(token)) {}

OperatorListener::~OperatorListener() { Stop(); }

void OperatorListener::Mount(std::string path, Handler handler) {
  routes_[std::move(path)] = std::move(handler);
}

void OperatorListener::MountTree(std::string prefix, TreeHandler handler) {
  tree_prefix_ = std::move(prefix);
  tree_ = std::move(handler);
}

absl::Status OperatorListener::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("operator_host: '", host, "' is not an IP address"));
  }
  const boost::asio::ip::tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host, ":", port, " (operator listener): ", ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return absl::OkStatus();
}

void OperatorListener::Start() {
  Accept();
  thread_ = std::thread([this] { io_context_.run(); });
}

void OperatorListener::Stop() {
  if (!thread_.joinable()) return;
  io_context_.stop();
  thread_.join();
}

void OperatorListener::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors and the like: wait a little rather than spin on the listener.
      auto timer = std::make_shared<boost::asio::steady_timer>(io_context_);
      timer->expires_after(std::chrono::milliseconds(100));
      timer->async_wait([this, timer](boost::system::error_code) { Accept(); });
      return;
    }
    std::make_shared<Session>(*this, std::move(socket))->Read();
    Accept();
  });
}

void OperatorListener::Answer(const HttpRequest& request, HttpResponder respond) const {
  const unsigned version = request.version();
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  if (tree_ && path.starts_with(tree_prefix_) &&
      (path.size() == tree_prefix_.size() || path[tree_prefix_.size()] == '/')) {
    return tree_(request, std::move(respond));
  }
  if (!token_.empty() && !Authorized(request[http::field::authorization], token_)) {
    HttpResponse response =
        ErrorResponse(http::status::unauthorized, "operator token required", version);
    response.set(http::field::www_authenticate,
                 R"(Bearer realm="realtime-gateway", Basic realm="realtime-gateway")");
    return std::move(respond)(std::move(response));
  }
  const auto route = routes_.find(path);
  if (route == routes_.end()) {
    return std::move(respond)(ErrorResponse(http::status::not_found, "no such endpoint", version));
  }
  std::move(respond)(route->second(request));
}

}  // namespace gw::edge
