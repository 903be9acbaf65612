#include "gateway/cluster/redis_connection.h"

#include <boost/asio/post.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/cluster/redis_reply_reader.h"

namespace gw::cluster {

std::shared_ptr<RedisConnection> RedisConnection::Create(boost::asio::io_context& io,
                                                         RedisOptions options, Handlers handlers) {
  return std::make_shared<RedisConnection>(io, std::move(options), std::move(handlers));
}

RedisConnection::RedisConnection(boost::asio::io_context& io, RedisOptions options,
                                 Handlers handlers)
    : RedisSession(io, std::move(options)), handlers_(std::move(handlers)) {}

void RedisConnection::Stop() {
  if (stopped_) return;
  stopped_ = true;
  Shutdown();
  FailPending(absl::CancelledError("redis connection stopped"));
}

void RedisConnection::Command(std::initializer_list<std::string_view> args, Callback done) {
  Send(RedisCommand::Format(args), std::move(done), {});
}

void RedisConnection::Command(std::span<const std::string_view> args, Callback done) {
  Send(RedisCommand::Format(args), std::move(done), {});
}

void RedisConnection::Eval(const RedisScript& script, std::span<const std::string_view> keys,
                           std::span<const std::string_view> args, Callback done) {
  const std::string& sha = script.sha1();
  if (ready() && !loaded_on_link_.contains(sha)) {
    // Loaded in line, before the EVALSHA, so the first call of a script on a fresh Redis keeps
    // its place among the commands around it (a NOSCRIPT retry would not).
    loaded_on_link_.insert(sha);
    scripts_.try_emplace(sha, Script{script.source(), false});
    Send(RedisCommand::Format({"SCRIPT", "LOAD", script.source()}),
         [weak = weak_from_this(), sha](absl::StatusOr<RedisReply> reply) {
           const std::shared_ptr<RedisSession> self = weak.lock();
           if (self == nullptr) return;
           auto& connection = static_cast<RedisConnection&>(*self);
           // One that does not compile is not loaded on reconnect (it would fail the setup);
           // its callers get the compile error from the EVAL that follows their NOSCRIPT. One
           // refused here (over the bound) is tried again at its next call.
           if (!reply.ok() || reply->is_error()) {
             connection.loaded_on_link_.erase(sha);
           } else {
             connection.scripts_[sha].loads = true;
           }
         },
         {});
  }
  const std::string key_count = absl::StrCat(keys.size());
  RedisCommand command = RedisCommand::Format({"EVALSHA", sha, key_count}, keys, args);
  std::string evalsha(command.bytes());
  Send(std::move(command), std::move(done), std::move(evalsha));
}

void RedisConnection::Send(RedisCommand command, Callback done, std::string evalsha) {
  if (stopped_) return Refuse(std::move(done), absl::CancelledError("redis connection stopped"));
  if (!ready()) {
    RedisCounters::Add(mutable_counters().commands_failed);
    return Refuse(std::move(done), absl::UnavailableError(absl::StrCat(
                                       "redis ", options().url.Address(), ": not connected")));
  }
  const size_t bytes = command.size() + evalsha.size();
  if (pending_bytes_ + bytes > options().limits.max_pending_bytes) {
    RedisCounters::Add(mutable_counters().commands_refused);
    return Refuse(std::move(done),
                  absl::ResourceExhaustedError(absl::StrCat(
                      "redis ", options().url.Address(), ": more than ",
                      options().limits.max_pending_bytes, " bytes of commands waiting")));
  }
  Write(std::move(command));
  pending_bytes_ += bytes;
  pending_.push_back(Pending{std::move(done), bytes, std::move(evalsha)});
  RedisCounters::Add(mutable_counters().commands_sent);
}

void RedisConnection::Refuse(Callback done, absl::Status why) {
  if (!done) return;
  // Never from inside the caller's own call; and not at all once the connection is gone.
  boost::asio::post(
      io(), [weak = weak_from_this(), done = std::move(done), why = std::move(why)]() mutable {
        if (weak.lock() != nullptr) done(std::move(why));
      });
}

void RedisConnection::FailPending(const absl::Status& why) {
  // Moved out first: a callback may send again (and be refused, the link being down).
  std::deque<Pending> failed = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  for (Pending& pending : failed) {
    if (!pending.done) continue;
    RedisCounters::Add(mutable_counters().commands_failed);
    pending.done(why);
  }
}

void RedisConnection::Resend(Pending pending) {
  // The EVALSHA's own bytes, read back, give the keys and arguments for the EVAL.
  RedisReplyReader reader(pending.evalsha.size() + 1024);
  absl::StatusOr<std::optional<RedisReply>> call =
      reader.Feed(pending.evalsha).ok() ? reader.Next() : absl::InternalError("unreadable");
  const auto script = call.ok() && call->has_value() && (*call)->elements.size() >= 3
                          ? scripts_.find((*call)->elements[1].str)
                          : scripts_.end();
  if (script == scripts_.end()) {
    if (pending.done) pending.done(absl::InternalError("NOSCRIPT for a script never run here"));
    return;
  }
  RedisCounters::Add(mutable_counters().script_reloads);
  std::vector<std::string_view> args = {"EVAL", script->second.source};
  for (size_t i = 2; i < (*call)->elements.size(); ++i) args.push_back((*call)->elements[i].str);
  Send(RedisCommand::Format(args), std::move(pending.done), {});
}

std::vector<RedisLink::SetupStep> RedisConnection::SetupCommands() {
  std::vector<RedisLink::SetupStep> steps;
  for (const auto& [sha, script] : scripts_) {
    if (!script.loads) continue;
    steps.push_back({"SCRIPT LOAD", RedisCommand::Format({"SCRIPT", "LOAD", script.source})});
  }
  return steps;
}

void RedisConnection::OnReady() {
  loaded_on_link_.clear();
  for (const auto& [sha, script] : scripts_) {
    if (script.loads) loaded_on_link_.insert(sha);
  }
  if (!stopped_ && handlers_.on_connected) handlers_.on_connected();
}

void RedisConnection::OnReply(RedisReply& reply) {
  if (pending_.empty()) {
    RedisCounters::Add(mutable_counters().protocol_errors);
    return DropLink(absl::InternalError(
        absl::StrCat("redis ", options().url.Address(),
                     ": a reply that answers no command: ", reply.DebugString())));
  }
  Pending pending = std::move(pending_.front());
  pending_.pop_front();
  pending_bytes_ -= pending.bytes;
  if (!pending.evalsha.empty() && reply.IsError("NOSCRIPT")) return Resend(std::move(pending));
  if (pending.done) pending.done(std::move(reply));
}

void RedisConnection::OnDown(const absl::Status& why) {
  loaded_on_link_.clear();
  FailPending(absl::UnavailableError(why.message()));
  if (!stopped_ && handlers_.on_disconnected) handlers_.on_disconnected(why);
}

void RedisConnection::OnPingDue() {
  // Health only (RedisLink watches for input); over the bound or not, it goes.
  RedisCommand ping = RedisCommand::Format({"PING"});
  pending_bytes_ += ping.size();
  pending_.push_back(Pending{nullptr, ping.size(), {}});
  Write(std::move(ping));
}

}  // namespace gw::cluster
