#ifndef GATEWAY_CLUSTER_REDIS_LINK_H_
#define GATEWAY_CLUSTER_REDIS_LINK_H_

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/cluster/redis_command.h"
#include "gateway/cluster/redis_counters.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_reply.h"
#include "gateway/cluster/redis_reply_reader.h"

namespace gw::cluster {

// One TCP (or TLS) connection to Redis, from resolve to close; RedisSession makes a new one for
// every attempt. Internal to gateway/cluster.
//
// Open: resolve, connect, TLS handshake (verifying the certificate and the URL's host), then
// the setup commands (AUTH, SELECT, CLIENT SETNAME, whatever the owner adds) pipelined, all
// within connect_timeout. Every setup reply must not be an error; then OnLinkReady.
//
// After that: Write queues commands (one gather write in flight, the rest behind it); replies
// are read into hiredis's reader (bounded by max_reply_bytes) and handed to OnLinkReply one by
// one, in order. Every ping_interval the owner is asked to send a PING (OnLinkPingDue); if not
// one byte arrives within ping_timeout after it, the peer is taken for dead.
//
// The link closes once, on the first failure, and then tells the owner (OnLinkClosed), unless
// the owner closed it itself (Shutdown). Thread: the io thread. Ownership: a shared_ptr, held by
// the owner and by every pending operation; the owner is held weakly, so a link never keeps its
// owner alive and never calls one that is gone.
class RedisLink : public std::enable_shared_from_this<RedisLink> {
 public:
  class Owner {
   public:
    virtual void OnLinkReady() = 0;
    // `reply` may be moved from.
    virtual void OnLinkReply(RedisReply& reply) = 0;
    virtual void OnLinkPingDue() = 0;
    // Everything written has been handed to the socket.
    virtual void OnLinkWritten() = 0;
    // Once, for a link that failed, before or after ready. `why` is Unavailable for the network
    // and timeouts, Unauthenticated for AUTH, ResourceExhausted for a reply over the bound,
    // InvalidArgument for bytes that are not RESP2, FailedPrecondition for another setup error.
    virtual void OnLinkClosed(const absl::Status& why) = 0;

   protected:
    ~Owner() = default;
  };

  // One command of the setup, named for the error if Redis refuses it ("SCRIPT LOAD").
  struct SetupStep {
    std::string name;
    RedisCommand command;
  };

  // Use Open. Public only for std::make_shared.
  RedisLink(boost::asio::io_context& io, std::shared_ptr<const RedisOptions> options,
            std::shared_ptr<RedisCounters> counters, std::weak_ptr<Owner> owner);

  // Starts a link; `setup` runs after the built-in AUTH / SELECT / CLIENT SETNAME.
  static std::shared_ptr<RedisLink> Open(boost::asio::io_context& io,
                                         std::shared_ptr<const RedisOptions> options,
                                         std::shared_ptr<RedisCounters> counters,
                                         std::weak_ptr<Owner> owner, std::vector<SetupStep> setup);

  // Queues a command for writing. Only once ready; a closed link drops it.
  void Write(RedisCommand command);
  // Closes without telling the owner. Idempotent.
  void Shutdown();
  // Closes and tells the owner `why` (e.g. a reply that makes no sense to it). Idempotent.
  void Fail(absl::Status why);

  bool ready() const { return state_ == State::kReady; }
  // Bytes queued and not yet handed to the socket.
  size_t queued_bytes() const { return queued_bytes_; }

 private:
  using Tcp = boost::asio::ip::tcp;
  using Clock = std::chrono::steady_clock;
  enum class State { kResolving, kConnecting, kHandshaking, kSetup, kReady, kClosed };

  void Begin(std::vector<SetupStep> setup);
  void OnResolved(const boost::system::error_code& error, Tcp::resolver::results_type endpoints);
  void OnConnected(const boost::system::error_code& error);
  void OnHandshake(const boost::system::error_code& error);
  void StartSetup();
  void ReadSome();
  void OnRead(const boost::system::error_code& error, size_t bytes);
  bool DeliverReplies();
  void HandleSetupReply(const RedisReply& reply);
  void WriteQueued();
  void OnWritten(const boost::system::error_code& error, size_t bytes);
  void ArmTimer(Clock::time_point when);
  void OnTimer();
  absl::Status Problem(absl::StatusCode code, absl::string_view what) const;
  absl::Status NetworkProblem(absl::string_view stage,
                              const boost::system::error_code& error) const;

  boost::asio::io_context& io_;
  const std::shared_ptr<const RedisOptions> options_;
  const std::shared_ptr<RedisCounters> counters_;
  std::weak_ptr<Owner> owner_;
  State state_ = State::kResolving;

  Tcp::resolver resolver_;
  Tcp::socket socket_;
  std::optional<boost::asio::ssl::stream<Tcp::socket&>> tls_;
  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_;

  RedisReplyReader reader_;
  std::array<char, 64 * 1024> read_buffer_;

  std::deque<RedisCommand> queue_;  // the front `writing_` are in flight
  size_t writing_ = 0;
  size_t queued_bytes_ = 0;

  // Setup replies still expected, and what each command was (for the error message).
  std::deque<std::string> setup_steps_;

  // Health: when the last PING was sent and whether any byte arrived since.
  Clock::time_point ping_sent_at_;
  bool awaiting_input_ = false;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_LINK_H_
