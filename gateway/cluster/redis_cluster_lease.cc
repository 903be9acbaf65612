// RedisCluster's life in the cluster: its lease and re-seeding, the heartbeat (connection counts,
// traffic figures, the webhook lease, dead nodes), reaping, following event streams, and departing.
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gateway/cluster/cluster_scripts.h"
#include "gateway/cluster/redis_cluster.h"
#include "gateway/cluster/traffic_figures.h"
#include "gateway/observability/log.h"

namespace gw::cluster {
namespace {

namespace obs = gw::observability;

// Entries per seed call: keeps each script run short (Redis runs nothing else meanwhile).
constexpr size_t kSeedEntriesPerCall = 200;
constexpr char kReapBatch[] = "200";
constexpr auto kWatchCheckInterval = std::chrono::milliseconds(100);

std::string_view Reply0(const absl::StatusOr<RedisReply>& reply) {
  if (!reply.ok()) return "";
  if (reply->is_array() && !reply->elements.empty()) return reply->elements[0].str;
  return reply->str;
}

}  // namespace

void RedisCluster::OnCommandsUp() {
  counters_.connected.store(true, std::memory_order_relaxed);
  // Before the seed, whose announcements must reach the streams (an empty Redis has none).
  SetUpWebhookStreams();
  Reseed();
  obs::LogInfo("cluster joined", {{"node", node_}, {"redis", options_.redis.url.Address()}});
}

void RedisCluster::OnCommandsDown(const absl::Status& why) {
  counters_.connected.store(false, std::memory_order_relaxed);
  seeded_ = false;
  obs::LogWarn("cluster unreachable: serving this node's clients alone",
               {{"node", node_}, {"error", std::string(why.message())}});
}

void RedisCluster::LostLease(const std::string& node) {
  if (node != node_ || departing_) return;  // an older lease, already replaced
  obs::LogWarn("cluster lease lost: re-seeding", {{"node", node_}});
  Reseed();
}

void RedisCluster::Reseed() {
  if (departing_ || !redis_->connected()) return;
  counters_.reseeds.fetch_add(1, std::memory_order_relaxed);
  const std::string old = node_;
  node_ = node_base_ + "." + std::to_string(++generation_);
  // This node's whole share, as this thread knows it now: every script sent from here on is
  // pipelined behind the seed, so nothing is counted twice or missed.
  std::vector<std::string> entries;
  auto add = [&](std::string_view type, std::string_view app, std::string_view channel,
                 std::string_view user, std::string_view info, uint32_t count) {
    for (std::string_view part : {type, app, channel, user, info}) entries.emplace_back(part);
    entries.push_back(std::to_string(count));
  };
  for (const auto& app : apps_.apps()) add("a", app->app().id, "", "", "", 1);
  for (const auto& [pubsub, route] : routes_) {
    if (route.kind == Route::Kind::kTraffic && route.subscriptions > 0) {
      add("s", route.app->app().id, route.name, "", "", route.subscriptions);
    }
  }
  for (const auto& [pubsub, route] : routes_) {
    for (const auto& [user, member] : route.members) {
      add("m", route.app->app().id, route.name, user, member.info, member.connections);
    }
  }
  for (const auto& [pubsub, route] : routes_) {
    if (route.kind == Route::Kind::kUser && route.signed_in > 0) {
      add("u", route.app->app().id, "", route.name, "", route.signed_in);
    }
  }
  const std::string nodes = names_.Nodes(), node_key = names_.Node(node_);
  const std::string epoch_key = names_.Epoch();
  const std::string lease = std::to_string(options_.lease.count());
  const std::string proposed = node_ + "." + std::to_string(
      std::chrono::steady_clock::now().time_since_epoch().count());
  const std::string_view keys[] = {nodes, node_key, epoch_key};
  const size_t per_call = kSeedEntriesPerCall * 6;
  for (size_t first = 0; first == 0 || first < entries.size(); first += per_call) {
    std::vector<std::string_view> args = {node_, lease, names_.prefix(), epoch_, proposed};
    for (size_t i = first; i < std::min(entries.size(), first + per_call); ++i) {
      args.push_back(entries[i]);
    }
    // Every chunk compares epochs the same way; the first reply tells this node.
    RedisConnection::Callback seeded = nullptr;
    if (first == 0) {
      seeded = [this](absl::StatusOr<RedisReply> reply) {
        if (!reply.ok() || !reply->is_string()) return;
        if (!epoch_.empty() && reply->str != epoch_) {
          obs::LogInfo("cluster state restored into a Redis that had lost it",
                       {{"node", node_}});
          BeginSettling();
        }
        epoch_ = reply->str;
      };
    }
    redis_->Eval(ClusterScripts::Get().seed, keys, args, std::move(seeded));
    if (entries.empty()) break;
  }
  seeded_ = true;
  // The old share goes after the new one is in: only what really changed is announced.
  if (!old.empty()) Retire(old, [] {});
  // Every roster is fetched anew: announcements were missed, or numbered by a Redis that is gone.
  for (auto& [pubsub, route] : routes_) {
    if (!route.feed) continue;
    route.feed->Resync();
    if (route.confirmed) RequestSnapshot(pubsub);
  }
  Heartbeat();
}

void RedisCluster::BeginSettling() {
  // Every node reconnects within its backoff's longest wait, then seeds within a heartbeat.
  const auto settle = options_.redis.limits.backoff.max + 2 * options_.heartbeat;
  settle_until_ = std::chrono::steady_clock::now() + settle;
  settle_timer_.expires_at(settle_until_);
  settle_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    // Now every node has re-seeded: the rosters are whole, and what is missing really left.
    for (auto& [pubsub, route] : routes_) {
      if (!route.feed) continue;
      route.feed->Resync();
      if (route.confirmed) RequestSnapshot(pubsub);
    }
  });
}

void RedisCluster::Retire(std::string node, absl::AnyInvocable<void() &&> done) {
  Reap(std::move(node), true, std::move(done));
}

void RedisCluster::Reap(std::string node, bool force, absl::AnyInvocable<void() &&> done) {
  if (!redis_->connected()) return std::move(done)();
  const std::string nodes = names_.Nodes(), node_key = names_.Node(node);
  const std::string_view keys[] = {nodes, node_key};
  const std::string_view args[] = {node, names_.prefix(), kReapBatch, force ? "1" : "0"};
  redis_->Eval(ClusterScripts::Get().reap, keys, args,
               [this, node = std::move(node), force, done = std::move(done)](
                   absl::StatusOr<RedisReply> reply) mutable {
                 const std::string_view verdict = Reply0(reply);
                 if (verdict == "MORE") return Reap(std::move(node), force, std::move(done));
                 if (verdict == "DONE" && !force) {
                   counters_.nodes_reaped.fetch_add(1, std::memory_order_relaxed);
                   obs::LogInfo("cluster node reaped: its lease expired", {{"node", node}});
                 }
                 std::move(done)();
               });
}

void RedisCluster::ScheduleHeartbeat() {
  heartbeat_timer_.expires_after(options_.heartbeat);
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    // Stop's cancel misses a wait that had already completed and was queued: without the flag
    // that one would schedule the next, and the thread Stop joins would never run out of work.
    if (ec || stopped_.load()) return;
    Heartbeat();
    ScheduleHeartbeat();
  });
}

void RedisCluster::Heartbeat() {
  if (!ready()) return;
  bool any_webhooks = false;
  std::vector<std::string> counts, figures;
  for (const auto& app : apps_.apps()) {
    any_webhooks |= !app->app().webhooks.empty();
    const uint32_t connections = app->connection_count();
    counts.push_back(std::to_string(connections));
    auto shared = shared_traffic_.find(app.get());
    if (shared == shared_traffic_.end()) {
      figures.emplace_back();
      continue;
    }
    // The connections as counted now: up to a second fresher than the dashboard's last sample.
    core::TrafficTotals totals = shared->second;
    totals.connections = connections;
    figures.push_back(EncodeTrafficFigures(totals));
  }
  const std::string node = node_;
  const std::string nodes = names_.Nodes(), leader = names_.WebhookLeader();
  const std::string lease = std::to_string(options_.lease.count());
  std::vector<std::string_view> args = {node, lease, any_webhooks ? "1" : "0", names_.prefix()};
  for (size_t i = 0; i < apps_.apps().size(); ++i) {
    args.push_back(apps_.apps()[i]->app().id);
    args.push_back(counts[i]);
    args.push_back(figures[i]);
  }
  const std::string_view keys[] = {nodes, leader};
  redis_->Eval(
      ClusterScripts::Get().heartbeat, keys, args, [this, node](absl::StatusOr<RedisReply> reply) {
        const std::string_view verdict = Reply0(reply);
        if (verdict == "NOLEASE") return LostLease(node);
        if (verdict != "OK" || reply->elements.size() < 4) return;
        const bool leads = reply->elements[1].integer == 1;
        if (leads != leads_webhooks_) {
          leads_webhooks_ = leads;
          for (const auto& app : apps_.apps()) app->events().SetOncePerClusterHere(leads);
          if (!leads) StopReadingWebhookEvents();
          obs::LogInfo(leads ? "cluster: this node sends the webhooks"
                             : "cluster: another node sends the webhooks",
                       {{"node", node_}});
        }
        // Each heartbeat, in case a wake-up was missed (the subscriber reconnecting, the lease
        // just taken over): the streams keep what the pub/sub wake-ups do not.
        if (leads_webhooks_) {
          for (const auto& app : apps_.apps()) {
            if (!app->app().webhooks.empty()) ReadWebhookEvents(*app);
          }
        }
        const RedisReply& others = reply->elements[2];
        for (size_t i = 0; i < apps_.apps().size() && i < others.elements.size(); ++i) {
          const int64_t remote = std::max<int64_t>(0, others.elements[i].integer);
          apps_.apps()[i]->SetRemoteConnections(static_cast<uint32_t>(remote));
        }
        // Any node reaps: what a reap announces for the webhooks goes into the webhook streams
        // in the same script, whoever sends them and whenever it reads.
        for (const RedisReply& dead : reply->elements[3].elements) {
          if (dead.str == node_) continue;
          Reap(dead.str, false, [] {});
        }
      });
}

void RedisCluster::ScheduleWatchCheck() {
  watch_timer_.expires_after(kWatchCheckInterval);
  watch_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_.load()) return;  // as the heartbeat's
    CheckWatchers();
    ExpireAcks();
    ScheduleWatchCheck();
  });
}

void RedisCluster::CheckWatchers() {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& app_ptr : apps_.apps()) {
    core::AppState* app = app_ptr.get();
    const size_t local = app->events().WatcherCount(core::WatchScope::kEveryNode);
    const bool has_webhooks = !app->app().webhooks.empty();
    const bool follow = local > 0 || (leads_webhooks_ && has_webhooks);
    const std::string pubsub = names_.Events(app->app().id);
    const bool following = routes_.contains(pubsub);
    if (follow && !following) Follow(Route::Kind::kEvents, app, "");
    if (!follow && following) Unfollow(pubsub);
    // Tell the other nodes to forward what they emit, on the first watcher and then as often
    // as they forget (a few heartbeats).
    size_t& previous = local_watchers_[app];
    auto& last_announce = last_announce_[app];
    if (local > 0 && ready() &&
        (previous == 0 || now - last_announce > options_.heartbeat)) {
      last_announce = now;
      redis_->Command({"PUBLISH", names_.prefix() + ":control",
                       EncodeClusterMessage(ClusterMessage::Type::kFollowing, {app->app().id})});
    }
    previous = local;
    auto remote = remote_watchers_.find(app);
    const bool remote_wants = remote != remote_watchers_.end() && remote->second > now;
    app->events().SetRelayWants(has_webhooks || local > 0 || remote_wants);
  }
}

void RedisCluster::Depart(std::chrono::steady_clock::time_point deadline) {
  if (!thread_.joinable() || stopped_.load()) return;
  auto done = std::make_shared<absl::Notification>();
  Post([this, done] {
    if (!redis_->connected() || !seeded_) return done->Notify();
    const std::string node = node_;
    departing_ = true;  // nothing of this node's is added any more
    redis_->Command({"EVAL",
                     "if redis.call('GET', KEYS[1]) == ARGV[1] then "
                     "return redis.call('DEL', KEYS[1]) end return 0",
                     "1", names_.WebhookLeader(), node});
    Retire(node, [this, done, node] {
      obs::LogInfo("cluster left", {{"node", node}});
      done->Notify();
    });
  });
  const auto left = deadline - std::chrono::steady_clock::now();
  if (left > std::chrono::steady_clock::duration::zero()) {
    done->WaitForNotificationWithTimeout(absl::FromChrono(left));
  }
}

}  // namespace gw::cluster
