#include "gateway/cluster/redis_link.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gw::cluster {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Commands per gather write; the rest wait for the next one.
constexpr size_t kMaxBuffersPerWrite = 64;

bool IsIpAddress(const std::string& host) {
  error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// The built-in setup: log in, pick the database, name the connection. CLIENT SETNAME (or PING)
// also makes a server that wants a password we did not give answer NOAUTH now.
std::vector<RedisLink::SetupStep> LoginSteps(const RedisOptions& options) {
  std::vector<RedisLink::SetupStep> steps;
  const RedisUrl& url = options.url;
  if (!url.password.empty()) {
    steps.push_back({"AUTH", url.username.empty()
                                 ? RedisCommand::Format({"AUTH", url.password})
                                 : RedisCommand::Format({"AUTH", url.username, url.password})});
  }
  if (url.db != 0) {
    steps.push_back({"SELECT", RedisCommand::Format({"SELECT", absl::StrCat(url.db)})});
  }
  if (options.client_name.empty()) {
    steps.push_back({"PING", RedisCommand::Format({"PING"})});
  } else {
    steps.push_back(
        {"CLIENT SETNAME", RedisCommand::Format({"CLIENT", "SETNAME", options.client_name})});
  }
  return steps;
}

}  // namespace

RedisLink::RedisLink(asio::io_context& io, std::shared_ptr<const RedisOptions> options,
                     std::shared_ptr<RedisCounters> counters, std::weak_ptr<Owner> owner)
    : io_(io),
      options_(std::move(options)),
      counters_(std::move(counters)),
      owner_(std::move(owner)),
      resolver_(io),
      socket_(io),
      timer_(io),
      reader_(options_->limits.max_reply_bytes) {}

std::shared_ptr<RedisLink> RedisLink::Open(asio::io_context& io,
                                           std::shared_ptr<const RedisOptions> options,
                                           std::shared_ptr<RedisCounters> counters,
                                           std::weak_ptr<Owner> owner,
                                           std::vector<SetupStep> setup) {
  auto link =
      std::make_shared<RedisLink>(io, std::move(options), std::move(counters), std::move(owner));
  link->Begin(std::move(setup));
  return link;
}

void RedisLink::Begin(std::vector<SetupStep> setup) {
  std::vector<SetupStep> steps = LoginSteps(*options_);
  std::move(setup.begin(), setup.end(), std::back_inserter(steps));
  for (SetupStep& step : steps) {
    setup_steps_.push_back(std::move(step.name));
    queued_bytes_ += step.command.size();
    queue_.push_back(std::move(step.command));
  }
  ArmTimer(Clock::now() + options_->limits.connect_timeout);
  resolver_.async_resolve(
      options_->url.host, absl::StrCat(options_->url.port),
      [self = shared_from_this()](const error_code& error, Tcp::resolver::results_type endpoints) {
        self->OnResolved(error, std::move(endpoints));
      });
}

void RedisLink::OnResolved(const error_code& error, Tcp::resolver::results_type endpoints) {
  if (state_ == State::kClosed) return;
  if (error) return Fail(NetworkProblem("resolve", error));
  state_ = State::kConnecting;
  asio::async_connect(socket_, endpoints,
                      [self = shared_from_this()](const error_code& error, const Tcp::endpoint&) {
                        self->OnConnected(error);
                      });
}

void RedisLink::OnConnected(const error_code& error) {
  if (state_ == State::kClosed) return;
  if (error) return Fail(NetworkProblem("connect", error));
  error_code ignored;
  socket_.set_option(Tcp::no_delay(true), ignored);
  if (!options_->url.tls) return StartSetup();
  if (options_->tls == nullptr) {
    return Fail(Problem(absl::StatusCode::kFailedPrecondition, "rediss:// without a TLS context"));
  }
  state_ = State::kHandshaking;
  tls_.emplace(socket_, *options_->tls);
  // OpenSSL checks the name (or IP address) itself, so that a mismatch is reported as one. SNI
  // carries host names only (RFC 6066).
  const std::string& host = options_->url.host;
  SSL* ssl = tls_->native_handle();
  const bool named = IsIpAddress(host)
                         ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1
                         : SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
                               SSL_set1_host(ssl, host.c_str()) == 1;
  if (!named) return Fail(Problem(absl::StatusCode::kInternal, "TLS: cannot set the server name"));
  tls_->set_verify_mode(asio::ssl::verify_peer);
  tls_->async_handshake(
      asio::ssl::stream_base::client,
      [self = shared_from_this()](const error_code& error) { self->OnHandshake(error); });
}

void RedisLink::OnHandshake(const error_code& error) {
  if (state_ == State::kClosed) return;
  if (error) {
    const long verify = SSL_get_verify_result(tls_->native_handle());
    return Fail(Problem(absl::StatusCode::kUnavailable,
                        verify != X509_V_OK
                            ? absl::StrCat("TLS handshake: certificate verify failed: ",
                                           X509_verify_cert_error_string(verify))
                            : absl::StrCat("TLS handshake: ", error.message())));
  }
  StartSetup();
}

void RedisLink::StartSetup() {
  state_ = State::kSetup;
  ReadSome();
  WriteQueued();
}

void RedisLink::HandleSetupReply(const RedisReply& reply) {
  const std::string step = std::move(setup_steps_.front());
  setup_steps_.pop_front();
  if (reply.is_error()) {
    const bool login = step == "AUTH" || reply.IsError("NOAUTH") || reply.IsError("WRONGPASS");
    return Fail(
        Problem(login ? absl::StatusCode::kUnauthenticated : absl::StatusCode::kFailedPrecondition,
                absl::StrCat(step, " failed: ", reply.str)));
  }
  if (!setup_steps_.empty()) return;
  state_ = State::kReady;
  ping_sent_at_ = Clock::now();
  awaiting_input_ = false;
  ArmTimer(ping_sent_at_ + options_->limits.ping_interval);
  if (const std::shared_ptr<Owner> owner = owner_.lock()) {
    owner->OnLinkReady();
  } else {
    Shutdown();
  }
}

void RedisLink::ReadSome() {
  auto on_read = [self = shared_from_this()](const error_code& error, size_t bytes) {
    self->OnRead(error, bytes);
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(read_buffer_), std::move(on_read));
  } else {
    socket_.async_read_some(asio::buffer(read_buffer_), std::move(on_read));
  }
}

void RedisLink::OnRead(const error_code& error, size_t bytes) {
  if (state_ == State::kClosed) return;
  if (error) return Fail(NetworkProblem("read", error));
  awaiting_input_ = false;
  if (absl::Status fed = reader_.Feed(std::string_view(read_buffer_.data(), bytes)); !fed.ok()) {
    RedisCounters::Add(counters_->replies_too_large);
    return Fail(Problem(fed.code(), fed.message()));
  }
  if (DeliverReplies()) ReadSome();
}

bool RedisLink::DeliverReplies() {
  std::shared_ptr<Owner> owner;
  while (true) {
    absl::StatusOr<std::optional<RedisReply>> next = reader_.Next();
    if (!next.ok()) {
      RedisCounters::Add(next.status().code() == absl::StatusCode::kResourceExhausted
                             ? counters_->replies_too_large
                             : counters_->protocol_errors);
      Fail(Problem(next.status().code(), next.status().message()));
      return false;
    }
    if (!next->has_value()) return true;
    if (state_ == State::kSetup) {
      HandleSetupReply(**next);
      if (state_ == State::kClosed) return false;
      continue;
    }
    if (owner == nullptr) owner = owner_.lock();
    if (owner == nullptr) {
      Shutdown();
      return false;
    }
    owner->OnLinkReply(**next);
    if (state_ != State::kReady) return false;
  }
}

void RedisLink::Write(RedisCommand command) {
  if (state_ == State::kClosed) return;
  queued_bytes_ += command.size();
  queue_.push_back(std::move(command));
  if (state_ == State::kReady && writing_ == 0) WriteQueued();
}

void RedisLink::WriteQueued() {
  writing_ = std::min(queue_.size(), kMaxBuffersPerWrite);
  if (writing_ == 0) return;
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(writing_);
  for (size_t i = 0; i < writing_; ++i) {
    buffers.emplace_back(queue_[i].bytes().data(), queue_[i].size());
  }
  auto on_written = [self = shared_from_this()](const error_code& error, size_t bytes) {
    self->OnWritten(error, bytes);
  };
  if (tls_) {
    asio::async_write(*tls_, buffers, std::move(on_written));
  } else {
    asio::async_write(socket_, buffers, std::move(on_written));
  }
}

void RedisLink::OnWritten(const error_code& error, size_t bytes) {
  if (state_ == State::kClosed) return;
  if (error) return Fail(NetworkProblem("write", error));
  for (size_t i = 0; i < writing_; ++i) {
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  writing_ = 0;
  if (!queue_.empty()) return WriteQueued();
  if (state_ != State::kReady) return;
  if (const std::shared_ptr<Owner> owner = owner_.lock()) owner->OnLinkWritten();
}

void RedisLink::ArmTimer(Clock::time_point when) {
  timer_.expires_at(when);
  timer_.async_wait([self = shared_from_this()](const error_code& error) {
    if (!error) self->OnTimer();
  });
}

void RedisLink::OnTimer() {
  if (state_ == State::kClosed) return;
  const RedisLimits& limits = options_->limits;
  if (state_ != State::kReady) {
    const absl::string_view stage = state_ == State::kResolving    ? "resolving"
                                    : state_ == State::kConnecting ? "connecting"
                                    : state_ == State::kHandshaking
                                        ? "in the TLS handshake"
                                        : "in the setup (AUTH, SELECT, CLIENT SETNAME)";
    return Fail(
        Problem(absl::StatusCode::kUnavailable,
                absl::StrCat("timed out after ", limits.connect_timeout.count(), " ms ", stage)));
  }
  // Any byte received since the PING proves the peer alive; silence past ping_timeout does not.
  const Clock::time_point now = Clock::now();
  if (awaiting_input_ && now - ping_sent_at_ >= limits.ping_timeout) {
    RedisCounters::Add(counters_->ping_timeouts);
    return Fail(
        Problem(absl::StatusCode::kUnavailable,
                absl::StrCat("no answer within ", limits.ping_timeout.count(), " ms of a PING")));
  }
  if (!awaiting_input_ && now - ping_sent_at_ >= limits.ping_interval) {
    ping_sent_at_ = now;
    awaiting_input_ = true;
    if (const std::shared_ptr<Owner> owner = owner_.lock()) owner->OnLinkPingDue();
    if (state_ != State::kReady) return;
  }
  Clock::time_point next = ping_sent_at_ + limits.ping_interval;
  if (awaiting_input_) {
    const Clock::time_point deadline = ping_sent_at_ + limits.ping_timeout;
    next = now >= next ? deadline : std::min(next, deadline);
  }
  ArmTimer(next);
}

void RedisLink::Shutdown() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  error_code ignored;
  resolver_.cancel();
  timer_.cancel();
  socket_.close(ignored);
}

void RedisLink::Fail(absl::Status why) {
  if (state_ == State::kClosed) return;
  Shutdown();
  if (const std::shared_ptr<Owner> owner = owner_.lock()) owner->OnLinkClosed(why);
}

absl::Status RedisLink::Problem(absl::StatusCode code, absl::string_view what) const {
  return absl::Status(code, absl::StrCat("redis ", options_->url.Address(), ": ", what));
}

absl::Status RedisLink::NetworkProblem(absl::string_view stage, const error_code& error) const {
  if (error == asio::error::eof || error == asio::ssl::error::stream_truncated) {
    return Problem(absl::StatusCode::kUnavailable, "connection closed by the server");
  }
  return Problem(absl::StatusCode::kUnavailable, absl::StrCat(stage, ": ", error.message()));
}

}  // namespace gw::cluster
