#ifndef GATEWAY_CLUSTER_REDIS_SESSION_H_
#define GATEWAY_CLUSTER_REDIS_SESSION_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "gateway/cluster/reconnect_backoff.h"
#include "gateway/cluster/redis_command.h"
#include "gateway/cluster/redis_counters.h"
#include "gateway/cluster/redis_link.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_reply.h"

namespace gw::cluster {

// Keeps one link to Redis up: opens a RedisLink, and when it fails opens another after a
// ReconnectBackoff wait, for as long as the session lives. Logs one warning when the link goes
// down (or the first attempt fails) and one info line when it is ready again, never one per
// attempt. The base of RedisConnection and RedisSubscriber, which say what replies mean.
//
// Thread: the io thread (see RedisConnection). Held by a shared_ptr; its timer and its links
// hold it weakly, and every call into a subclass comes with a strong reference held, so a
// handler may drop the owner's last reference safely.
class RedisSession : public std::enable_shared_from_this<RedisSession>, private RedisLink::Owner {
 public:
  RedisSession(const RedisSession&) = delete;
  RedisSession& operator=(const RedisSession&) = delete;

  // Counters of this connection, readable from any thread for as long as it lives; a /metrics
  // callback that may outlive it holds shared_counters().
  const RedisCounters& counters() const { return *counters_; }
  std::shared_ptr<const RedisCounters> shared_counters() const { return counters_; }
  const RedisOptions& options() const { return *options_; }
  // The link is ready: connected, logged in, set up.
  bool ready() const { return link_ready_; }
  // Why the last attempt failed or the last link went down (OK before any failure): "redis
  // 10.0.0.5:6379: AUTH failed: WRONGPASS ...". Never holds the password.
  const absl::Status& last_error() const { return last_error_; }

 protected:
  RedisSession(boost::asio::io_context& io, RedisOptions options);
  ~RedisSession();

  // Starts the first attempt. Once.
  void Start();
  // Closes the link without OnDown and stops reconnecting. Idempotent.
  void Shutdown();
  // Closes a ready link as failed (OnDown follows, then a reconnect), e.g. for a reply that
  // cannot be matched to a command.
  void DropLink(absl::Status why);
  // Writes to the ready link; false (nothing written) when it is not ready.
  bool Write(RedisCommand command);
  // Bytes given to Write and not yet handed to the socket.
  size_t queued_bytes() const { return link_ != nullptr ? link_->queued_bytes() : 0; }
  boost::asio::io_context& io() { return io_; }
  RedisCounters& mutable_counters() { return *counters_; }

  // What a subclass adds to every link's setup, after AUTH / SELECT / CLIENT SETNAME.
  virtual std::vector<RedisLink::SetupStep> SetupCommands() { return {}; }
  // The link is ready (after the setup).
  virtual void OnReady() = 0;
  // One reply, in order; may be moved from.
  virtual void OnReply(RedisReply& reply) = 0;
  // A ready link went down. A reconnect is scheduled after this returns.
  virtual void OnDown(const absl::Status& why) = 0;
  // Time to send a PING (health check), in whatever way replies are matched.
  virtual void OnPingDue() = 0;
  // Everything written so far has left the queue (for pacing).
  virtual void OnWritten() {}

 private:
  // RedisLink::Owner
  void OnLinkReady() override;
  void OnLinkReply(RedisReply& reply) override;
  void OnLinkPingDue() override;
  void OnLinkWritten() override;
  void OnLinkClosed(const absl::Status& why) override;

  void Connect();
  void ScheduleReconnect();

  boost::asio::io_context& io_;
  const std::shared_ptr<const RedisOptions> options_;
  const std::shared_ptr<RedisCounters> counters_;
  std::shared_ptr<RedisLink> link_;
  boost::asio::steady_timer reconnect_timer_;
  ReconnectBackoff backoff_;
  std::minstd_rand random_;
  bool link_ready_ = false;
  bool started_ = false;
  bool shut_down_ = false;
  // Whether the last transition was logged as down: one line down, one line back.
  bool logged_down_ = false;
  std::chrono::steady_clock::time_point down_since_;
  int attempts_while_down_ = 0;  // connection attempts since the last ready link
  absl::Status last_error_;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_SESSION_H_
