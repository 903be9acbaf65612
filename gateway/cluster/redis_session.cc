#include "gateway/cluster/redis_session.h"

#include <utility>

#include "gateway/observability/log.h"

namespace gw::cluster {

namespace log = observability;

RedisSession::RedisSession(boost::asio::io_context& io, RedisOptions options)
    : io_(io),
      options_(std::make_shared<const RedisOptions>(std::move(options))),
      counters_(std::make_shared<RedisCounters>()),
      reconnect_timer_(io),
      backoff_(options_->limits.backoff),
      random_(std::random_device()()) {}

RedisSession::~RedisSession() {
  // The link's pending operations keep it alive until they complete; it holds us weakly.
  if (link_ != nullptr) link_->Shutdown();
}

void RedisSession::Start() {
  if (started_ || shut_down_) return;
  started_ = true;
  Connect();
}

void RedisSession::Shutdown() {
  shut_down_ = true;
  reconnect_timer_.cancel();
  if (link_ != nullptr) {
    link_->Shutdown();
    link_.reset();
  }
  link_ready_ = false;
}

void RedisSession::DropLink(absl::Status why) {
  // Fail calls OnLinkClosed before it returns, which drops link_ and schedules the reconnect.
  if (const std::shared_ptr<RedisLink> link = link_) link->Fail(std::move(why));
}

bool RedisSession::Write(RedisCommand command) {
  if (!ready()) return false;
  link_->Write(std::move(command));
  return true;
}

void RedisSession::Connect() {
  if (shut_down_) return;
  ++attempts_while_down_;
  // A private base: the aliasing constructor names it from here, where it is accessible.
  const std::shared_ptr<RedisSession> self = shared_from_this();
  std::weak_ptr<RedisLink::Owner> owner(
      std::shared_ptr<RedisLink::Owner>(self, static_cast<RedisLink::Owner*>(this)));
  link_ = RedisLink::Open(io_, options_, counters_, std::move(owner), SetupCommands());
}

void RedisSession::ScheduleReconnect() {
  const double random = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  reconnect_timer_.expires_after(backoff_.NextDelay(random));
  reconnect_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    if (error) return;
    if (const std::shared_ptr<RedisSession> self = weak.lock()) self->Connect();
  });
}

void RedisSession::OnLinkReady() {
  RedisCounters::Add(counters_->connects);
  link_ready_ = true;
  const std::string address = options_->url.Address();
  if (logged_down_) {
    const auto down = std::chrono::steady_clock::now() - down_since_;
    log::LogInfo(
        "redis link up again",
        {{"role", options_->role},
         {"address", address},
         {"attempts", attempts_while_down_},
         {"down_ms", static_cast<int64_t>(
                         std::chrono::duration_cast<std::chrono::milliseconds>(down).count())}});
    logged_down_ = false;
  } else {
    log::LogInfo("redis link up", {{"role", options_->role}, {"address", address}});
  }
  backoff_.Reset();
  attempts_while_down_ = 0;
  OnReady();
}

void RedisSession::OnLinkReply(RedisReply& reply) { OnReply(reply); }

void RedisSession::OnLinkPingDue() { OnPingDue(); }

void RedisSession::OnLinkWritten() { OnWritten(); }

void RedisSession::OnLinkClosed(const absl::Status& why) {
  const bool was_ready = link_ready_;
  link_ready_ = false;
  link_.reset();
  last_error_ = why;
  if (!logged_down_) {
    const std::string error(why.message());
    log::LogWarn(
        was_ready ? "redis link down" : "redis unreachable",
        {{"role", options_->role}, {"address", options_->url.Address()}, {"error", error}});
    logged_down_ = true;
    down_since_ = std::chrono::steady_clock::now();
  }
  if (was_ready) {
    RedisCounters::Add(counters_->disconnects);
    OnDown(why);
  } else {
    RedisCounters::Add(counters_->connect_failures);
  }
  if (!shut_down_) ScheduleReconnect();
}

}  // namespace gw::cluster
