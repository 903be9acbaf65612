#include "gateway/edge/io_shard.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "gateway/edge/http_session.h"
#include "gateway/edge/ws_session.h"
#include "gateway/observability/log.h"

namespace gw::edge {
namespace {

using ReusePort = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
// Timeouts (ping, pong wait, close flush, handshake) are checked by one sweep per shard instead
// of a timer per connection: at 100k connections a sweep is a cheap linear walk, and a
// connection carries no timer state of its own.
constexpr auto kSweepInterval = std::chrono::milliseconds(500);
constexpr uint64_t kCachePurgeEverySweeps = 60;
constexpr auto kMinAcceptDelay = std::chrono::milliseconds(50);
constexpr auto kMaxAcceptDelay = std::chrono::milliseconds(1000);
constexpr auto kAcceptLogInterval = std::chrono::seconds(10);

uint64_t SeedFor(size_t index) {
  std::random_device random;
  return (static_cast<uint64_t>(random()) << 32) ^ random() ^ index;
}

}  // namespace

IoShard::IoShard(size_t index, EdgeContext& context)
    : index_(index),
      context_(context),
      socket_ids_(SeedFor(index)),
      inflater_(context.limits.max_request_bytes) {}

IoShard::~IoShard() { Join(); }

absl::Status IoShard::Listen(const boost::asio::ip::address& address, uint16_t port) {
  boost::system::error_code ec;
  boost::asio::ip::tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.set_option(ReusePort(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address.to_string(), ":",
                                               port, ": ", ec.message()));
  }
  return absl::OkStatus();
}

uint16_t IoShard::bound_port() const {
  boost::system::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void IoShard::Start() {
  work_.emplace(io_context_.get_executor());
  Accept();
  ScheduleSweep();
  thread_ = std::thread([this] { io_context_.run(); });
}

void IoShard::Accept() {
  acceptor_.async_accept(io_context_, [this](boost::system::error_code ec,
                                             boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) return OnAcceptFailed(ec);
    accept_delay_ = std::chrono::milliseconds(0);
    SocketSlot slot = SocketSlot::TryClaim(context_);
    if (!slot) {
      // Every client slot is taken: closing at once keeps descriptors for what is open.
      context_.sockets_shed.fetch_add(1, std::memory_order_relaxed);
      socket.close(ec);
    } else {
      socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(*this, std::move(socket), std::move(slot))->Run();
    }
    Accept();
  });
}

void IoShard::OnAcceptFailed(boost::system::error_code ec) {
  context_.accept_failures.fetch_add(1, std::memory_order_relaxed);
  // The connection stays in the backlog, so the listener is readable again at once: accepting
  // right away would spin (EMFILE, ENFILE, ENOBUFS, ENOMEM). Wait, doubling to a second, as Go's
  // net/http does; the log says so once per interval, not once per failure.
  accept_delay_ =
      std::clamp<std::chrono::milliseconds>(accept_delay_ * 2, kMinAcceptDelay, kMaxAcceptDelay);
  ++accept_failures_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_accept_log_ >= kAcceptLogInterval) {
    observability::LogWarn("accept failed, backing off",
                           {{"error", ec.message()},
                            {"shard", index_},
                            {"failures", accept_failures_unlogged_},
                            {"retry_ms", static_cast<uint64_t>(accept_delay_.count())}});
    last_accept_log_ = now;
    accept_failures_unlogged_ = 0;
  }
  accept_timer_.expires_after(accept_delay_);
  accept_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Accept();
  });
}

void IoShard::ScheduleSweep() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    // A tick may end a session's socket but never removes it from the set synchronously (that
    // happens on a later turn), so iterating here is safe.
    for (WsSession* session : sessions_) session->OnTick(now);
    // One shard coalesces subscription counts for all: the sweep interval is the coalescing
    // window, and the reporter's posts reach every shard anyway.
    if (index_ == 0) {
      context_.cluster.FlushCountChanges();
    }
    // Expired cache entries of channels nobody subscribes to would otherwise stay until read.
    if (index_ == 0 && ++sweeps_ % kCachePurgeEverySweeps == 0) {
      const auto cache_now = core::ChannelCache::Clock::now();
      for (const auto& app : context_.apps.apps()) app->cache().PurgeExpired(cache_now);
    }
    ScheduleSweep();
  });
}

void IoShard::BeginDrain() {
  boost::asio::post(io_context_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    accept_timer_.cancel();
    for (WsSession* session : sessions_) session->Drain();
  });
}

void IoShard::Stop() {
  boost::asio::post(io_context_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    accept_timer_.cancel();
    sweep_timer_.cancel();
    work_.reset();
    io_context_.stop();
  });
}

void IoShard::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace gw::edge
