#ifndef GATEWAY_CLUSTER_REDIS_CONNECTION_H_
#define GATEWAY_CLUSTER_REDIS_CONNECTION_H_

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/cluster/redis_command.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_reply.h"
#include "gateway/cluster/redis_script.h"
#include "gateway/cluster/redis_session.h"
#include "gateway/core/string_map.h"

namespace gw::cluster {

// A command connection to one Redis that stays open: it connects (AUTH, SELECT, CLIENT
// SETNAME), pipelines commands with their callbacks in order, checks the peer with PING, and
// when the link drops it fails what was waiting and reconnects with backoff, logging one line
// when the link goes down and one when it is back (RedisSession).
//
// Threads: everything, destruction included, on the thread that runs `io` (the caller's one
// cluster thread); every callback and handler runs there. Nothing blocks. Create may run on
// another thread before that thread starts.
//
// Ownership: always held by a shared_ptr (Create), because its socket operations and timers may
// outlive a call. Dropping the last reference closes the link at once and destroys pending
// callbacks without calling them; Stop first to have them called.
class RedisConnection final : public RedisSession {
 public:
  // Called exactly once for every command, never from inside the call that sent the command:
  // the reply (an error reply is a reply: check is_error()), Unavailable when the link was
  // not up or dropped before the answer, ResourceExhausted when max_pending_bytes was reached,
  // Cancelled by Stop.
  using Callback = absl::AnyInvocable<void(absl::StatusOr<RedisReply>)>;

  struct Handlers {
    // The link is up (first time and after every reconnect); commands flow. Re-seed here.
    std::function<void()> on_connected;
    // The link went down (only after on_connected): every pending callback has been failed,
    // in order, before this. `why` says what happened. A reconnect is already scheduled.
    std::function<void(const absl::Status& why)> on_disconnected;
  };

  static std::shared_ptr<RedisConnection> Create(boost::asio::io_context& io, RedisOptions options,
                                                 Handlers handlers);

  // Starts connecting (the first attempt at once). Once.
  void Start() { RedisSession::Start(); }
  // Closes the link and stops reconnecting; pending callbacks get Cancelled before it returns
  // and no handler runs afterwards. Idempotent.
  void Stop();

  bool connected() const { return ready(); }

  // Sends one command; `done` may be empty (the reply is then dropped). Arguments are binary
  // safe and copied.
  void Command(std::initializer_list<std::string_view> args, Callback done = nullptr);
  void Command(std::span<const std::string_view> args, Callback done = nullptr);

  // Runs `script` with EVALSHA. The first call on a link is preceded by SCRIPT LOAD in the same
  // pipeline, and a script that loaded once is loaded again as part of every reconnect (before
  // on_connected), so a restarted Redis, which forgets scripts, still answers EVALSHA in order.
  // If Redis answers NOSCRIPT anyway (SCRIPT FLUSH while connected), the call is sent again as
  // EVAL, which also loads it: that one call then runs after the commands pipelined behind it.
  void Eval(const RedisScript& script, std::span<const std::string_view> keys,
            std::span<const std::string_view> args, Callback done = nullptr);

  // Bytes of commands sent or queued and not yet answered (bounded by max_pending_bytes).
  size_t pending_bytes() const { return pending_bytes_; }

  // Use Create. Public only for std::make_shared.
  RedisConnection(boost::asio::io_context& io, RedisOptions options, Handlers handlers);

 private:
  struct Pending {
    Callback done;     // empty for the health PING and fire-and-forget commands
    size_t bytes = 0;  // counted in pending_bytes_
    // An EVALSHA's own bytes, to send again as EVAL if Redis answers NOSCRIPT.
    std::string evalsha;
  };
  struct Script {
    std::string source;
    bool loads = false;  // SCRIPT LOAD succeeded once: loaded again on every reconnect
  };

  void Send(RedisCommand command, Callback done, std::string evalsha);
  void Refuse(Callback done, absl::Status why);
  void FailPending(const absl::Status& why);
  void Resend(Pending pending);

  // RedisSession
  std::vector<RedisLink::SetupStep> SetupCommands() override;
  void OnReady() override;
  void OnReply(RedisReply& reply) override;
  void OnDown(const absl::Status& why) override;
  void OnPingDue() override;

  Handlers handlers_;
  std::deque<Pending> pending_;
  size_t pending_bytes_ = 0;
  bool stopped_ = false;
  // Scripts run on this connection, by SHA1, and those loaded (or being loaded) on this link.
  core::StringMap<Script> scripts_;
  core::StringSet loaded_on_link_;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_CONNECTION_H_
