#include "gateway/cluster/redis_cluster.h"

#include <algorithm>
#include <random>
#include <utility>

#include <boost/asio/post.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/cluster/cluster_scripts.h"
#include "gateway/observability/log.h"
#include "gateway/observability/trace_context.h"
#include "gateway/observability/tracer.h"
#include "gateway/pusher/channel_name.h"

namespace gw::cluster {
namespace {

namespace obs = gw::observability;
using Kind = ClusterMessage::Type;

std::string RandomNodeBase() {
  std::random_device device;
  std::mt19937_64 random((static_cast<uint64_t>(device()) << 32) ^ device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back(kHex[random() % 16]);
  return id;
}

std::string_view Reply0(const absl::StatusOr<RedisReply>& reply) {
  if (!reply.ok()) return "";
  if (reply->is_array() && !reply->elements.empty()) return reply->elements[0].str;
  return reply->str;
}

int64_t IntegerAt(const RedisReply& reply, size_t i) {
  if (!reply.is_array() || i >= reply.elements.size()) return 0;
  const RedisReply& element = reply.elements[i];
  if (element.type == RedisReply::Type::kInteger) return element.integer;
  int64_t value = 0;
  if (element.is_string() && absl::SimpleAtoi(element.str, &value)) return value;
  return 0;
}

// HGETALL's flat [user, info, ...] as members sorted by id.
std::vector<core::PresenceRoster::Member> MembersOf(const RedisReply& flat) {
  std::vector<core::PresenceRoster::Member> members;
  for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    members.push_back({flat.elements[i].str, flat.elements[i + 1].str});
  }
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
  return members;
}

bool IsPresence(std::string_view channel) { return channel.starts_with("presence-"); }

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

// Forwards what an app's hub emits (client events, cache misses) to the cluster's stream.
class RedisCluster::AppRelay final : public core::EventRelay {
 public:
  AppRelay(RedisCluster& cluster, core::AppState& app) : cluster_(cluster), app_(app) {}
  void Forward(core::ChannelEvent event) override {
    cluster_.Post([this, event = std::move(event)]() mutable {
      cluster_.ForwardEvent(app_, std::move(event));
    });
  }

 private:
  RedisCluster& cluster_;
  core::AppState& app_;
};

// One connection's join on its way through the cluster thread.
struct RedisCluster::PendingJoin {
  core::AppState* app;
  core::ChannelJoin join;
  core::Subscriber* subscriber;
  size_t shard;
  JoinDone done;
  std::string pubsub;
  // The lease generation when this node's share took the join in: a re-seed since then counted
  // it already, and the join script must not count it again.
  uint64_t generation = 0;
};

RedisCluster::RedisCluster(core::AppDirectory& apps, core::Fanout& fanout,
                           core::ShardExecutor& shards, const core::ServerFrames& frames,
                           ClusterOptions options)
    : apps_(apps),
      fanout_(fanout),
      shards_(shards),
      frames_(frames),
      options_(std::move(options)),
      names_(options_.prefix),
      node_base_(RandomNodeBase()) {
  for (const auto& app : apps_.apps()) {
    // The totals are in Redis, whose scripts announce occupied, member_added and the rest.
    app->channels().StopEmitting();
    relays_.push_back(std::make_unique<AppRelay>(*this, *app));
    app->events().SetRelay(relays_.back().get());
    app->events().SetRelayWants(!app->app().webhooks.empty());
  }
  RedisOptions commands = options_.redis;
  commands.role = "redis commands";
  commands.client_name = "realtime-gateway-" + node_base_;
  redis_ = RedisConnection::Create(
      io_, commands,
      {.on_connected = [this] { OnCommandsUp(); },
       .on_disconnected = [this](const absl::Status& why) { OnCommandsDown(why); }});
  RedisOptions pubsub = options_.redis;
  pubsub.role = "redis subscriber";
  pubsub.client_name = "realtime-gateway-" + node_base_ + "-sub";
  pubsub.limits = SubscriberLimits();
  pubsub.limits.backoff = options_.redis.limits.backoff;
  subscriber_ = RedisSubscriber::Create(
      io_, pubsub,
      {.on_connected = [] {},
       .on_disconnected = [this](const absl::Status&) { OnSubscriberDown(); },
       .on_subscribed = [this](std::string_view channel) { OnSubscribed(channel); },
       .on_message = [this](std::string_view channel, std::string_view payload) {
         OnMessage(channel, payload);
       }});
}

RedisCluster::~RedisCluster() { Stop(); }

void RedisCluster::Start() {
  work_.emplace(io_.get_executor());
  Post([this] {
    Follow(Route::Kind::kControl, nullptr, "");
    Follow(Route::Kind::kAcks, nullptr, node_base_);
    redis_->Start();
    subscriber_->Start();
    ScheduleHeartbeat();
    ScheduleWatchCheck();
  });
  thread_ = std::thread([this] { io_.run(); });
  obs::LogInfo("cluster", {{"redis", options_.redis.url.Address()},
                           {"prefix", options_.prefix},
                           {"node", node_base_},
                           {"lease_ms", static_cast<uint64_t>(options_.lease.count())}});
}

void RedisCluster::Stop() {
  if (stopped_.exchange(true) || !thread_.joinable()) return;
  Post([this] {
    heartbeat_timer_.cancel();
    watch_timer_.cancel();
    settle_timer_.cancel();
    redis_->Stop();
    subscriber_->Stop();
    work_.reset();
  });
  thread_.join();
}

std::string RedisCluster::node_id() const { return node_base_; }

void RedisCluster::Post(absl::AnyInvocable<void() &&> task) {
  boost::asio::post(io_, [task = std::move(task)]() mutable { std::move(task)(); });
}

bool RedisCluster::ready() const { return redis_->connected() && seeded_ && !departing_; }

// --- Following pub/sub channels ---

RedisCluster::Route& RedisCluster::Follow(Route::Kind kind, core::AppState* app,
                                          std::string_view name) {
  std::string pubsub;
  switch (kind) {
    case Route::Kind::kTraffic: pubsub = names_.Traffic(app->app().id, name); break;
    case Route::Kind::kUser: pubsub = names_.User(app->app().id, name); break;
    case Route::Kind::kEvents: pubsub = names_.Events(app->app().id); break;
    case Route::Kind::kControl: pubsub = names_.prefix() + ":control"; break;
    case Route::Kind::kAcks: pubsub = names_.Acks(name); break;
  }
  auto [it, created] = routes_.try_emplace(pubsub);
  Route& route = it->second;
  if (created) {
    route.kind = kind;
    route.app = app;
    route.name = std::string(name);
    if (kind == Route::Kind::kTraffic && IsPresence(name)) route.feed.emplace();
    subscriber_->Subscribe(pubsub);
  }
  ++route.refs;
  return route;
}

void RedisCluster::Unfollow(const std::string& pubsub) {
  auto it = routes_.find(pubsub);
  if (it == routes_.end() || --it->second.refs > 0) return;
  subscriber_->Unsubscribe(pubsub);
  // What waited on its confirmation runs now, with nothing to wait for.
  auto waiting = std::move(it->second.when_confirmed);
  routes_.erase(it);
  for (auto& task : waiting) std::move(task)();
}

void RedisCluster::WhenConfirmed(Route& route, absl::AnyInvocable<void() &&> task) {
  if (route.confirmed || !subscriber_->connected()) return std::move(task)();
  route.when_confirmed.push_back(std::move(task));
}

void RedisCluster::OnSubscribed(std::string_view pubsub) {
  auto it = routes_.find(pubsub);
  if (it == routes_.end()) return;
  Route& route = it->second;
  route.confirmed = true;
  // Whatever was announced before this subscription is not coming: the roster is fetched anew.
  if (route.feed && route.feed->syncing()) RequestSnapshot(std::string(pubsub));
  auto waiting = std::move(route.when_confirmed);
  route.when_confirmed.clear();
  for (auto& task : waiting) std::move(task)();
}

void RedisCluster::OnSubscriberDown() {
  counters_.disconnects.fetch_add(1, std::memory_order_relaxed);
  for (auto& [pubsub, route] : routes_) {
    route.confirmed = false;
    if (route.feed) route.feed->Resync();
    // Nothing to wait for while the link is down: answer from this node's own view.
    auto waiting = std::move(route.when_confirmed);
    route.when_confirmed.clear();
    for (auto& task : waiting) std::move(task)();
  }
}

// --- Joining and leaving ---

void RedisCluster::Join(core::AppState& app, core::ChannelJoin join,
                        core::Subscriber* subscriber, size_t shard, JoinDone done) {
  if (join.presence) {
    app.channels().JoinLocal(join.channel, join.user_id, join.user_info);
  } else {
    app.channels().Subscribe(join.channel);
  }
  auto pending = std::make_shared<PendingJoin>(
      PendingJoin{&app, std::move(join), subscriber, shard, std::move(done), "", 0});
  Post([this, pending]() mutable {
    Route& route = Follow(Route::Kind::kTraffic, pending->app, pending->join.channel);
    pending->pubsub = names_.Traffic(pending->app->app().id, pending->join.channel);
    ++route.subscriptions;
    if (pending->join.presence) {
      Route::Member& member = route.members[pending->join.user_id];
      ++member.connections;
      member.info = pending->join.user_info;
    }
    pending->generation = generation_;
    // A first subscriber of this node waits until the channel's announcements reach it, so
    // that nothing between its roster and the announcements after it is lost.
    WhenConfirmed(route, [this, pending]() mutable { SendJoin(std::move(pending)); });
  });
}

void RedisCluster::SendJoin(std::shared_ptr<PendingJoin> pending) {
  if (!ready()) return AnswerLocally(std::move(pending));
  const core::ChannelJoin& join = pending->join;
  const std::string& app_id = pending->app->app().id;
  const std::string node = node_;
  const std::string nodes = names_.Nodes(), node_key = names_.Node(node);
  const std::string max = std::to_string(pending->app->app().limits.max_presence_members);
  const std::string_view keys[] = {nodes, node_key};
  const std::string_view args[] = {node,
                                   names_.prefix(),
                                   app_id,
                                   join.channel,
                                   join.presence ? "1" : "0",
                                   join.user_id,
                                   join.user_info,
                                   max,
                                   join.cache ? "1" : "0",
                                   pending->generation != generation_ ? "1" : "0"};
  redis_->Eval(ClusterScripts::Get().join, keys, args,
               [this, pending, node](absl::StatusOr<RedisReply> reply) mutable {
                 const std::string_view verdict = Reply0(reply);
                 if (verdict == "FULL") {
                   // Refused before anything was counted: undo this node's share.
                   auto it = routes_.find(pending->pubsub);
                   if (it != routes_.end()) {
                     Route& route = it->second;
                     --route.subscriptions;
                     auto member = route.members.find(pending->join.user_id);
                     if (member != route.members.end() && --member->second.connections == 0) {
                       route.members.erase(member);
                     }
                   }
                   Unfollow(pending->pubsub);
                   shards_.Post(pending->shard, [pending]() mutable {
                     pending->app->channels().LeaveLocal(pending->join.channel,
                                                         pending->join.user_id);
                     std::move(pending->done)(absl::ResourceExhaustedError(absl::StrCat(
                         "presence channel is full (",
                         pending->app->app().limits.max_presence_members, " members)")));
                   });
                   return;
                 }
                 if (verdict == "NOLEASE") LostLease(node);
                 if (verdict != "OK") return AnswerLocally(std::move(pending));
                 if (pending->join.presence) {
                   auto it = routes_.find(pending->pubsub);
                   if (it != routes_.end() && it->second.feed) {
                     ApplySteps(*pending->app, pending->join.channel,
                                it->second.feed->OnSnapshot(
                                    static_cast<uint64_t>(IntegerAt(*reply, 2)),
                                    MembersOf(reply->elements[3])));
                   }
                 }
                 core::Frame cached;
                 if (reply->elements.size() > 4 && reply->elements[4].is_string()) {
                   cached = core::MakeFrame(reply->elements[4].str);
                 }
                 Answer(std::move(pending), std::move(cached));
               });
}

void RedisCluster::AnswerLocally(std::shared_ptr<PendingJoin> pending) {
  if (pending->join.presence) {
    // This node alone: its view gains the member if it did not show it yet.
    const core::PresenceView::Change added{core::PresenceView::Change::Kind::kAdded,
                                           pending->join.user_id, pending->join.user_info};
    core::AppState& app = *pending->app;
    const std::string& channel = pending->join.channel;
    app.channels().ApplyToView(channel, added, [&](uint64_t seq) {
      fanout_.Publish(app, channel, frames_.MemberAdded(channel, added.user_id, added.user_info),
                      "", nullptr, seq);
    });
  }
  Answer(std::move(pending), nullptr);
}

void RedisCluster::Answer(std::shared_ptr<PendingJoin> pending, core::Frame cached) {
  core::AppState& app = *pending->app;
  if (!pending->join.presence) {
    shards_.Post(pending->shard, [pending, cached = std::move(cached)]() mutable {
      pending->app->shard_index(pending->shard).Add(pending->join.channel, pending->subscriber);
      std::move(pending->done)(core::ChannelJoined{std::move(cached), {}});
    });
    return;
  }
  // Posted under the registry's lock, so it reaches the shard in order with the announcements
  // its snapshot covers (skipped there) and those after it (delivered).
  app.channels().WithPresenceSnapshot(
      pending->join.channel, [&](const core::ChannelRegistry::RosterSnapshot& snapshot) {
        shards_.Post(pending->shard, [pending, snapshot, cached = std::move(cached)]() mutable {
          pending->app->shard_index(pending->shard)
              .Add(pending->join.channel, pending->subscriber, snapshot.seq);
          std::move(pending->done)(core::ChannelJoined{std::move(cached), std::move(snapshot)});
        });
      });
}

void RedisCluster::Leave(core::AppState& app, std::string_view channel, std::string_view user_id,
                         core::Subscriber* subscriber, size_t shard) {
  app.shard_index(shard).Remove(channel, subscriber);
  const bool presence = !user_id.empty();
  if (presence) {
    app.channels().LeaveLocal(channel, user_id);
  } else {
    app.channels().Unsubscribe(channel);
  }
  Post([this, &app, channel = std::string(channel), user = std::string(user_id), presence] {
    const std::string pubsub = names_.Traffic(app.app().id, channel);
    auto it = routes_.find(pubsub);
    if (it == routes_.end()) return;
    Route& route = it->second;
    if (route.subscriptions > 0) --route.subscriptions;
    bool last_here = false;
    if (presence) {
      auto member = route.members.find(user);
      if (member != route.members.end() && --member->second.connections == 0) {
        route.members.erase(member);
        last_here = true;
      }
    }
    if (ready()) {
      const std::string nodes = names_.Nodes(), node_key = names_.Node(node_);
      const std::string_view keys[] = {nodes, node_key};
      const std::string_view args[] = {node_,   names_.prefix(),       app.app().id,
                                       channel, presence ? "1" : "0", user};
      redis_->Eval(ClusterScripts::Get().leave, keys, args);
    } else if (last_here) {
      // Alone, this node can only tell its own clients; the re-seed corrects the rest.
      const core::PresenceView::Change removed{core::PresenceView::Change::Kind::kRemoved, user,
                                               ""};
      app.channels().ApplyToView(channel, removed, [&](uint64_t seq) {
        fanout_.Publish(app, channel, frames_.MemberRemoved(channel, user), "", nullptr, seq);
      });
    }
    Unfollow(pubsub);
  });
}

// --- Signed-in users and watchlists ---

void RedisCluster::SignIn(core::AppState& app, std::string_view user_id,
                          core::Subscriber* subscriber, size_t shard) {
  app.shard_index(shard).AddUser(user_id, subscriber);
  app.online_users().Add(user_id, [] {});
  Post([this, &app, user = std::string(user_id)] {
    Route& route = Follow(Route::Kind::kUser, &app, user);
    ++route.signed_in;
    if (ready()) {
      const std::string nodes = names_.Nodes(), node_key = names_.Node(node_);
      const std::string_view keys[] = {nodes, node_key};
      const std::string_view args[] = {node_, names_.prefix(), app.app().id, user, "1"};
      const std::string node = node_;
      redis_->Eval(ClusterScripts::Get().sign, keys, args,
                   [this, node](absl::StatusOr<RedisReply> reply) {
                     if (Reply0(reply) == "NOLEASE") LostLease(node);
                   });
    } else if (route.signed_in == 1) {
      fanout_.Publish(app, core::WatchlistChannelOf(user), frames_.Watchlist(true, {user}), "");
    }
  });
}

void RedisCluster::SignOut(core::AppState& app, std::string_view user_id,
                           core::Subscriber* subscriber, size_t shard) {
  app.shard_index(shard).RemoveUser(user_id, subscriber);
  app.online_users().Remove(user_id, [] {});
  Post([this, &app, user = std::string(user_id)] {
    const std::string pubsub = names_.User(app.app().id, user);
    auto it = routes_.find(pubsub);
    if (it == routes_.end()) return;
    if (it->second.signed_in > 0) --it->second.signed_in;
    if (ready()) {
      const std::string nodes = names_.Nodes(), node_key = names_.Node(node_);
      const std::string_view keys[] = {nodes, node_key};
      const std::string_view args[] = {node_, names_.prefix(), app.app().id, user, "0"};
      redis_->Eval(ClusterScripts::Get().sign, keys, args);
    } else if (it->second.signed_in == 0) {
      fanout_.Publish(app, core::WatchlistChannelOf(user), frames_.Watchlist(false, {user}), "");
    }
    Unfollow(pubsub);
  });
}

void RedisCluster::Watch(core::AppState& app, std::vector<std::string> user_ids,
                         core::Subscriber* subscriber, size_t shard, UsersDone done) {
  core::ShardIndex& index = app.shard_index(shard);
  for (const std::string& id : user_ids) index.Add(core::WatchlistChannelOf(id), subscriber);
  Post([this, &app, shard, user_ids = std::move(user_ids), done = std::move(done)]() mutable {
    // Asked who is online once every announcement channel is followed: a user who comes online
    // in between is reported twice (harmless) rather than never.
    auto state = std::make_shared<std::pair<size_t, UsersDone>>(user_ids.size() + 1, std::move(done));
    auto ask = [this, &app, shard, state, user_ids]() mutable {
      if (--state->first > 0) return;
      auto answer = [this, shard, state](std::vector<std::string> online) mutable {
        shards_.Post(shard, [state, online = std::move(online)]() mutable {
          std::move(state->second)(std::move(online));
        });
      };
      if (!ready()) return answer(app.online_users().OnlineAmong(user_ids));
      std::vector<std::string_view> args = {"HMGET"};
      const std::string online_key = names_.Online(app.app().id);
      args.push_back(online_key);
      for (const std::string& id : user_ids) args.push_back(id);
      redis_->Command(args, [user_ids, answer = std::move(answer), &app](
                                absl::StatusOr<RedisReply> reply) mutable {
        if (!reply.ok() || !reply->is_array()) {
          return answer(app.online_users().OnlineAmong(user_ids));
        }
        std::vector<std::string> online;
        for (size_t i = 0; i < user_ids.size() && i < reply->elements.size(); ++i) {
          if (IntegerAt(*reply, i) > 0) online.push_back(user_ids[i]);
        }
        answer(std::move(online));
      });
    };
    for (const std::string& id : user_ids) {
      WhenConfirmed(Follow(Route::Kind::kTraffic, &app, core::WatchlistChannelOf(id)), ask);
    }
    ask();
  });
}

void RedisCluster::Unwatch(core::AppState& app, const std::vector<std::string>& user_ids,
                           core::Subscriber* subscriber, size_t shard) {
  core::ShardIndex& index = app.shard_index(shard);
  for (const std::string& id : user_ids) index.Remove(core::WatchlistChannelOf(id), subscriber);
  Post([this, &app, user_ids] {
    for (const std::string& id : user_ids) {
      Unfollow(names_.Traffic(app.app().id, core::WatchlistChannelOf(id)));
    }
  });
}

// --- Traffic ---

void RedisCluster::Publish(core::AppState& app, std::string_view channel, core::Frame frame,
                           const core::PublishOptions& options,
                           const std::shared_ptr<core::PublishReceipt>& receipt, size_t slot) {
  const core::ChannelCounts local = app.channels().Find(channel).value_or(core::ChannelCounts{});
  if (local.subscription_count > 0) {
    fanout_.Publish(app, channel, frame, options.except_socket_id,
                    receipt != nullptr ? core::PublishReceipt::BarrierOf(receipt) : nullptr);
  }
  if (receipt != nullptr) receipt->Expect(1);
  Post([this, &app, channel = std::string(channel), frame = std::move(frame), options, receipt,
        slot, local]() mutable {
    if (!ready()) {
      counters_.publishes_not_forwarded.fetch_add(1, std::memory_order_relaxed);
      if (receipt == nullptr) return;
      receipt->SetCounts(slot, local);
      return receipt->Arrive();
    }
    counters_.publishes_forwarded.fetch_add(1, std::memory_order_relaxed);
    // A backend's publish is acknowledged once every node it reached has delivered it, as on a
    // single node once every shard has: each such node confirms (QueueAck), this one included
    // through its own echo.
    const uint64_t id = receipt != nullptr ? ++next_publish_id_ : 0;
    if (id != 0) {
      pending_acks_.emplace(id, PendingAck{receipt, slot, local, -1, 0,
                                           std::chrono::steady_clock::now() +
                                               options_.ack_deadline});
    }
    const std::string message = EncodeClusterMessage(
        Kind::kEvent, {node_base_, id != 0 ? std::to_string(id) : "", options.except_socket_id,
                       options.traceparent, frame->text()});
    const std::string pubsub = names_.Traffic(app.app().id, channel);
    const bool want_counts = receipt != nullptr && options.want_counts;
    // The nodes PUBLISH reached, and (from the script) the channel's counts.
    auto published = [this, id, channel](absl::StatusOr<RedisReply> reply) {
      if (id == 0) return;
      auto it = pending_acks_.find(id);
      if (it == pending_acks_.end()) return;
      if (!reply.ok()) {
        counters_.publishes_not_forwarded.fetch_add(1, std::memory_order_relaxed);
        it->second.expected = 0;
      } else if (reply->type == RedisReply::Type::kInteger) {
        it->second.expected = reply->integer;
      } else {
        it->second.expected = IntegerAt(*reply, 2);
        core::ChannelCounts& counts = it->second.counts;
        counts.subscription_count = static_cast<uint32_t>(IntegerAt(*reply, 0));
        counts.user_count.reset();
        if (IsPresence(channel) && counts.subscription_count > 0) {
          counts.user_count = static_cast<uint32_t>(IntegerAt(*reply, 1));
        }
      }
      Acked(id, 0);
    };
    if (options.cache_ttl.count() == 0 && !want_counts) {
      redis_->Command({"PUBLISH", pubsub, message}, std::move(published));
      return;
    }
    const std::string counts = names_.Counts(app.app().id);
    const std::string roster = names_.Roster(app.app().id, channel);
    const std::string cache = names_.Cache(app.app().id, channel);
    const std::string ttl = std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(options.cache_ttl).count());
    const std::string_view keys[] = {counts, roster, cache};
    const std::string_view args[] = {channel, pubsub, message, ttl, frame->text(),
                                     want_counts ? "1" : "0"};
    redis_->Eval(ClusterScripts::Get().publish, keys, args, std::move(published));
  });
}

void RedisCluster::Acked(uint64_t id, int64_t count) {
  auto it = pending_acks_.find(id);
  if (it == pending_acks_.end()) return;
  PendingAck& pending = it->second;
  pending.acked += count;
  if (pending.expected < 0 || pending.acked < pending.expected) return;
  pending.receipt->SetCounts(pending.slot, pending.counts);
  std::shared_ptr<core::PublishReceipt> receipt = std::move(pending.receipt);
  pending_acks_.erase(it);
  receipt->Arrive();
}

void RedisCluster::ExpireAcks() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<uint64_t> expired;
  for (auto& [id, pending] : pending_acks_) {
    if (now >= pending.deadline) expired.push_back(id);
  }
  for (uint64_t id : expired) {
    counters_.ack_timeouts.fetch_add(1, std::memory_order_relaxed);
    PendingAck& pending = pending_acks_[id];
    pending.expected = 0;
    Acked(id, 0);
  }
  // A node that stopped reporting (it caught up and went quiet, or died) no longer holds
  // publishes back.
  size_t deepest = 0;
  for (auto it = remote_backlogs_.begin(); it != remote_backlogs_.end();) {
    if (now - it->second.second > std::chrono::seconds(1)) {
      remote_backlogs_.erase(it++);
      continue;
    }
    deepest = std::max(deepest, it->second.first);
    ++it;
  }
  fanout_.SetRemoteBacklog(deepest);
}

void RedisCluster::QueueAck(std::string origin, uint64_t id) {
  acks_to_send_[origin].push_back(id);
  if (ack_flush_scheduled_) return;
  ack_flush_scheduled_ = true;
  // Once per turn of the cluster thread: all the acks for one origin in one message.
  Post([this] { FlushAcks(); });
}

void RedisCluster::FlushAcks() {
  ack_flush_scheduled_ = false;
  if (!ready()) return acks_to_send_.clear();
  const std::string depth = std::to_string(fanout_.backlog().FindDeepest().depth);
  for (auto& [origin, ids] : acks_to_send_) {
    std::string list;
    for (uint64_t id : ids) absl::StrAppend(&list, list.empty() ? "" : ",", id);
    redis_->Command({"PUBLISH", names_.Acks(origin),
                     EncodeClusterMessage(Kind::kAcks, {node_base_, depth, list})});
  }
  acks_to_send_.clear();
}

void RedisCluster::OnAcks(const ClusterMessage& message) {
  size_t depth = 0;
  if (absl::SimpleAtoi(Sv(message.fields[1]), &depth)) {
    remote_backlogs_[std::string(message.fields[0])] = {depth, std::chrono::steady_clock::now()};
    if (depth > fanout_.max_backlog()) fanout_.SetRemoteBacklog(depth);
  }
  for (absl::string_view part : absl::StrSplit(Sv(message.fields[2]), ',', absl::SkipEmpty())) {
    uint64_t id = 0;
    if (absl::SimpleAtoi(part, &id)) Acked(id, 1);
  }
}

void RedisCluster::DisconnectUser(core::AppState& app, std::string_view user_id, uint16_t code,
                                  std::string_view reason) {
  fanout_.DisconnectUser(app, user_id, code, reason);
  Post([this, &app, user = std::string(user_id), code, reason = std::string(reason)] {
    if (!ready()) return;
    redis_->Command({"PUBLISH", names_.User(app.app().id, user),
                     EncodeClusterMessage(Kind::kTerminate,
                                          {node_base_, std::to_string(code), reason})});
  });
}

void RedisCluster::FlushCountChanges() {
  for (const auto& app_ptr : apps_.apps()) {
    core::AppState& app = *app_ptr;
    auto changes = app.channels().TakeCountChanges();
    if (changes.empty()) continue;
    Post([this, &app, changes = std::move(changes)]() mutable {
      const bool tell = app.app().enable_subscription_count;
      if (!ready()) {
        // Alone: this node's own counts, to its own subscribers.
        for (auto& [channel, count] : changes) {
          if (tell && count > 0) {
            fanout_.Publish(app, channel, frames_.SubscriptionCount(channel, count), "");
          }
        }
        return;
      }
      const std::string counts = names_.Counts(app.app().id);
      const std::string_view keys[] = {counts};
      constexpr size_t kPerCall = 256;
      for (size_t first = 0; first < changes.size(); first += kPerCall) {
        std::vector<std::string_view> args = {names_.prefix(), app.app().id, tell ? "1" : "0"};
        for (size_t i = first; i < std::min(changes.size(), first + kPerCall); ++i) {
          args.push_back(changes[i].first);
        }
        redis_->Eval(ClusterScripts::Get().count_report, keys, args);
      }
    });
  }
}

// --- Queries ---

void RedisCluster::FindChannel(core::AppState& app, std::string_view channel, CountsDone done) {
  Post([this, &app, channel = std::string(channel), done = std::move(done)]() mutable {
    if (!ready()) return std::move(done)(absl::UnavailableError("cluster state unavailable: Redis is unreachable"));
    const std::string counts = names_.Counts(app.app().id);
    const std::string roster = names_.Roster(app.app().id, channel);
    const std::string_view keys[] = {counts, roster};
    const std::string_view args[] = {channel};
    redis_->Eval(ClusterScripts::Get().find, keys, args,
                 [channel, done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
                   if (!reply.ok()) return std::move(done)(reply.status());
                   core::ChannelCounts counts;
                   counts.subscription_count = static_cast<uint32_t>(IntegerAt(*reply, 0));
                   if (IsPresence(channel) && counts.subscription_count > 0) {
                     counts.user_count = static_cast<uint32_t>(IntegerAt(*reply, 1));
                   }
                   std::move(done)(counts);
                 });
  });
}

void RedisCluster::ListChannels(core::AppState& app, std::string_view prefix,
                                ChannelsDone done) {
  Post([this, &app, prefix = std::string(prefix), done = std::move(done)]() mutable {
    if (!ready()) return std::move(done)(absl::UnavailableError("cluster state unavailable: Redis is unreachable"));
    const std::string occupied = names_.Occupied(app.app().id);
    const std::string_view keys[] = {occupied};
    const std::string_view args[] = {names_.prefix(), app.app().id, prefix};
    redis_->Eval(ClusterScripts::Get().list, keys, args,
                 [done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
                   if (!reply.ok()) return std::move(done)(reply.status());
                   std::vector<std::pair<std::string, core::ChannelCounts>> channels;
                   for (size_t i = 0; i + 2 < reply->elements.size(); i += 3) {
                     core::ChannelCounts counts;
                     counts.subscription_count = static_cast<uint32_t>(IntegerAt(*reply, i + 1));
                     const int64_t users = IntegerAt(*reply, i + 2);
                     if (users >= 0) counts.user_count = static_cast<uint32_t>(users);
                     channels.emplace_back(reply->elements[i].str, counts);
                   }
                   std::move(done)(std::move(channels));
                 });
  });
}

void RedisCluster::PresenceMembers(core::AppState& app, std::string_view channel,
                                   MembersDone done) {
  Post([this, &app, channel = std::string(channel), done = std::move(done)]() mutable {
    if (!ready()) return std::move(done)(absl::UnavailableError("cluster state unavailable: Redis is unreachable"));
    redis_->Command({"HGETALL", names_.Roster(app.app().id, channel)},
                    [done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
                      if (!reply.ok()) return std::move(done)(reply.status());
                      std::move(done)(MembersOf(*reply));
                    });
  });
}

// --- What arrives ---

void RedisCluster::OnMessage(std::string_view pubsub, std::string_view payload) {
  auto it = routes_.find(pubsub);
  if (it == routes_.end()) return;
  counters_.messages_received.fetch_add(1, std::memory_order_relaxed);
  auto message = DecodeClusterMessage(payload);
  Route& route = it->second;
  const bool expected =
      message.ok() &&
      (route.kind == Route::Kind::kTraffic
           ? (message->type == Kind::kEvent || message->type == Kind::kMemberAdded ||
              message->type == Kind::kMemberRemoved || message->type == Kind::kWatchlist ||
              message->type == Kind::kCount)
       : route.kind == Route::Kind::kUser   ? message->type == Kind::kTerminate
       : route.kind == Route::Kind::kEvents ? message->type == Kind::kChannelEvent
       : route.kind == Route::Kind::kAcks   ? message->type == Kind::kAcks
                                            : message->type == Kind::kFollowing);
  if (!expected) {
    counters_.messages_foreign.fetch_add(1, std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_foreign_log_ > std::chrono::seconds(10)) {
      last_foreign_log_ = now;
      obs::LogWarn("foreign message on a cluster channel dropped",
                   {{"channel", std::string(pubsub)},
                    {"error", message.ok() ? std::string("unexpected type")
                                           : std::string(message.status().message())}});
    }
    return;
  }
  switch (route.kind) {
    case Route::Kind::kTraffic: return OnTraffic(route, *message);
    case Route::Kind::kEvents: return OnChannelEvent(route, *message);
    case Route::Kind::kControl: return OnControl(*message);
    case Route::Kind::kAcks: return OnAcks(*message);
    case Route::Kind::kUser: {
      if (message->fields[0] == node_base_) return;  // this node disconnected its own already
      int code = 0;
      if (!absl::SimpleAtoi(Sv(message->fields[1]), &code) || code < 1000 || code > 4999) return;
      fanout_.DisconnectUser(*route.app, route.name, static_cast<uint16_t>(code),
                             message->fields[2]);
      return;
    }
  }
}

void RedisCluster::OnTraffic(Route& route, const ClusterMessage& message) {
  core::AppState& app = *route.app;
  const std::string& channel = route.name;
  switch (message.type) {
    case Kind::kEvent: {
      uint64_t id = 0;
      const bool wants_ack = !message.fields[1].empty() && absl::SimpleAtoi(Sv(message.fields[1]), &id);
      if (message.fields[0] == node_base_) {
        // Delivered here when it was published: this node's own delivery is its ack.
        if (wants_ack) Acked(id, 1);
        return;
      }
      tracing::Span span;
      tracing::Tracer& tracer = tracing::GlobalTracer();
      if (tracer.enabled() && !message.fields[3].empty()) {
        if (auto parent = tracing::ParseTraceparent(message.fields[3])) {
          const std::string_view family = pusher::ChannelTemplate(channel);
          span = tracer.StartSpan(absl::StrCat("deliver ", Sv(family)), tracing::SpanKind::kConsumer,
                                  *parent);
          span.SetAttribute("messaging.system", "pusher");
          span.SetAttribute("messaging.operation.name", "deliver");
          span.SetAttribute("messaging.operation.type", "receive");
          span.SetAttribute("messaging.destination.name", family);
          span.SetAttribute("messaging.message.body.size", message.fields[4].size());
          span.SetAttribute(
              "messaging.destination.subscriber_count",
              app.channels().Find(channel).value_or(core::ChannelCounts{}).subscription_count);
        }
      }
      auto delivered = wants_ack ? std::make_shared<core::FanoutBarrier>() : nullptr;
      fanout_.Publish(app, channel, core::MakeFrame(std::string(message.fields[4])),
                      message.fields[2], delivered);
      if (wants_ack) {
        // After Publish, which told the barrier how many shard tasks to wait for.
        delivered->Then([this, origin = std::string(message.fields[0]), id] {
          Post([this, origin = std::move(origin), id]() mutable { QueueAck(std::move(origin), id); });
        });
      }
      return;
    }
    case Kind::kMemberAdded:
    case Kind::kMemberRemoved: {
      if (!route.feed) return;
      uint64_t version = 0;
      if (!absl::SimpleAtoi(Sv(message.fields[0]), &version)) return;
      core::PresenceView::Change change;
      change.user_id = std::string(message.fields[1]);
      if (message.type == Kind::kMemberAdded) {
        change.user_info = std::string(message.fields[2]);
      } else {
        change.kind = core::PresenceView::Change::Kind::kRemoved;
      }
      ApplySteps(app, channel, route.feed->OnAnnouncement(version, std::move(change)));
      if (route.feed->needs_resync()) RequestSnapshot(names_.Traffic(app.app().id, channel));
      return;
    }
    case Kind::kWatchlist:
      fanout_.Publish(app, channel,
                      frames_.Watchlist(message.fields[0] == "1", {std::string(message.fields[1])}),
                      "");
      return;
    case Kind::kCount: {
      uint32_t count = 0;
      if (!app.app().enable_subscription_count ||
          !absl::SimpleAtoi(Sv(message.fields[0]), &count)) {
        return;
      }
      fanout_.Publish(app, channel, frames_.SubscriptionCount(channel, count), "");
      return;
    }
    default:
      return;
  }
}

void RedisCluster::OnChannelEvent(Route& route, const ClusterMessage& message) {
  absl::StatusOr<core::ChannelEvent> event = ChannelEventOf(message);
  if (!event.ok()) {
    counters_.messages_foreign.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  event->time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  core::AppState& app = *route.app;
  if (!app.app().webhooks.empty()) {
    // The webhooks take it from the app's webhook stream; this copy is for WatchEvents
    // streams, and it tells the webhook sender there is something to read.
    app.events().DeliverTo(core::WatchScope::kEveryNode, *event);
    return ReadWebhookEvents(app);
  }
  app.events().Deliver(*event);
}

void RedisCluster::ForwardEvent(core::AppState& app, core::ChannelEvent event) {
  if (!ready()) return app.events().Deliver(event);  // alone: to this node's own watchers
  const std::string kind = std::to_string(static_cast<int>(event.kind));
  const std::string count = std::to_string(event.subscription_count);
  const std::string message =
      EncodeClusterMessage(Kind::kChannelEvent, {kind, event.channel, event.user_id, event.event,
                                                 event.data, event.socket_id, count});
  // Into the app's webhook stream as well while its cursor exists, like the transitions the
  // scripts decide: a sender that is gone (until its lease runs out) then loses none of it, and
  // the next one sends it in the order Redis took it among the rest. The script decides, not
  // this node's config: the sender reads these only from the stream, also when this node has no
  // webhooks for the app.
  const std::string_view args[] = {names_.prefix(), app.app().id, message};
  redis_->Eval(ClusterScripts::Get().forward_event, {}, args);
}

void RedisCluster::ApplySteps(core::AppState& app, const std::string& channel,
                              std::vector<PresenceFeed::Step> steps) {
  auto announce = [&](const core::PresenceView::Change& change, uint64_t seq) {
    core::Frame frame = change.kind == core::PresenceView::Change::Kind::kAdded
                            ? frames_.MemberAdded(channel, change.user_id, change.user_info)
                            : frames_.MemberRemoved(channel, change.user_id);
    fanout_.Publish(app, channel, std::move(frame), "", nullptr, seq);
  };
  for (PresenceFeed::Step& step : steps) {
    if (step.replace) {
      if (settling()) {
        // Members missing from this snapshot may be on a node that has not re-seeded yet.
        for (auto& kept : app.channels().PresenceMembers(channel)) {
          auto same = [&](const auto& m) { return m.user_id == kept.user_id; };
          if (std::none_of(step.replace->begin(), step.replace->end(), same)) {
            step.replace->push_back(std::move(kept));
          }
        }
        std::sort(step.replace->begin(), step.replace->end(),
                  [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
      }
      app.channels().ReplaceView(channel, *step.replace, announce);
    } else {
      app.channels().ApplyToView(channel, step.change,
                                 [&](uint64_t seq) { announce(step.change, seq); });
    }
  }
}

void RedisCluster::RequestSnapshot(const std::string& pubsub) {
  if (!ready()) return;
  auto it = routes_.find(pubsub);
  if (it == routes_.end() || !it->second.feed) return;
  counters_.roster_resyncs.fetch_add(1, std::memory_order_relaxed);
  const std::string& app_id = it->second.app->app().id;
  const std::string roster = names_.Roster(app_id, it->second.name);
  const std::string version = names_.RosterVersion(app_id, it->second.name);
  const std::string_view keys[] = {roster, version};
  redis_->Eval(ClusterScripts::Get().snapshot, keys, {},
               [this, pubsub](absl::StatusOr<RedisReply> reply) {
                 if (!reply.ok() || !reply->is_array() || reply->elements.size() < 2) return;
                 auto it = routes_.find(pubsub);
                 if (it == routes_.end() || !it->second.feed) return;
                 Route& route = it->second;
                 ApplySteps(*route.app, route.name,
                            route.feed->OnSnapshot(static_cast<uint64_t>(IntegerAt(*reply, 0)),
                                                   MembersOf(reply->elements[1])));
               });
}

void RedisCluster::OnControl(const ClusterMessage& message) {
  // "Someone follows this app's events": forward what this node emits for a while.
  core::AppState* app = apps_.FindById(message.fields[0]);
  if (app == nullptr) return;
  remote_watchers_[app] = std::chrono::steady_clock::now() + 3 * options_.heartbeat +
                          std::chrono::seconds(1);
  app->events().SetRelayWants(true);
}

}  // namespace gw::cluster
