#include "gateway/core/single_node.h"

#include <utility>

namespace gw::core {

void SingleNode::Join(AppState& app, ChannelJoin join, Subscriber* subscriber, size_t shard,
                      JoinDone done) {
  ShardIndex& index = app.shard_index(shard);
  ChannelJoined joined;
  if (!join.presence) {
    app.channels().Subscribe(join.channel);
    index.Add(join.channel, subscriber);
  } else {
    auto result = app.channels().JoinPresence(
        join.channel, join.user_id, join.user_info, app.app().limits.max_presence_members,
        [&](uint64_t seq) {
          fanout_.Publish(app, join.channel,
                          frames_.MemberAdded(join.channel, join.user_id, join.user_info), "",
                          nullptr, seq);
        });
    if (!result.ok()) return std::move(done)(result.status());
    // Announcements posted to this shard before the join ran are numbered up to the snapshot's
    // sequence and skip this subscriber; nothing runs on this thread before it is indexed.
    index.Add(join.channel, subscriber, result->snapshot.seq);
    joined.roster = std::move(result->snapshot);
  }
  if (join.cache) joined.cached = app.cache().Get(join.channel, ChannelCache::Clock::now());
  std::move(done)(std::move(joined));
}

void SingleNode::Leave(AppState& app, std::string_view channel, std::string_view user_id,
                       Subscriber* subscriber, size_t shard) {
  app.shard_index(shard).Remove(channel, subscriber);
  if (user_id.empty()) {
    app.channels().Unsubscribe(channel);
    return;
  }
  app.channels().LeavePresence(channel, user_id, [&](uint64_t seq) {
    fanout_.Publish(app, channel, frames_.MemberRemoved(channel, user_id), "", nullptr, seq);
  });
}

void SingleNode::SignIn(AppState& app, std::string_view user_id, Subscriber* subscriber,
                        size_t shard) {
  app.shard_index(shard).AddUser(user_id, subscriber);
  app.online_users().Add(user_id, [&] {
    fanout_.Publish(app, WatchlistChannelOf(user_id),
                    frames_.Watchlist(true, {std::string(user_id)}), "");
  });
}

void SingleNode::SignOut(AppState& app, std::string_view user_id, Subscriber* subscriber,
                         size_t shard) {
  app.shard_index(shard).RemoveUser(user_id, subscriber);
  app.online_users().Remove(user_id, [&] {
    fanout_.Publish(app, WatchlistChannelOf(user_id),
                    frames_.Watchlist(false, {std::string(user_id)}), "");
  });
}

void SingleNode::Watch(AppState& app, std::vector<std::string> user_ids, Subscriber* subscriber,
                       size_t shard, UsersDone done) {
  ShardIndex& index = app.shard_index(shard);
  for (const std::string& id : user_ids) index.Add(WatchlistChannelOf(id), subscriber);
  // Following first, then asking who is online: a user who comes online in between is reported
  // twice (harmless) rather than never.
  std::move(done)(app.online_users().OnlineAmong(user_ids));
}

void SingleNode::Unwatch(AppState& app, const std::vector<std::string>& user_ids,
                         Subscriber* subscriber, size_t shard) {
  ShardIndex& index = app.shard_index(shard);
  for (const std::string& id : user_ids) index.Remove(WatchlistChannelOf(id), subscriber);
}

void SingleNode::Publish(AppState& app, std::string_view channel, Frame frame,
                         const PublishOptions& options,
                         const std::shared_ptr<PublishReceipt>& receipt, size_t slot) {
  // A connection is counted before it is indexed on its shard and uncounted after it leaves
  // it, so a channel counted empty has no subscriber on any shard: the shards are not asked.
  // Backends publish to channels nobody is watching all the time (every model event a Laravel
  // app broadcasts), and those publishes then cost no cross-thread hop and are answered at once.
  const ChannelCounts counts = app.channels().Find(channel).value_or(ChannelCounts{});
  if (receipt != nullptr) receipt->SetCounts(slot, counts);
  if (options.cache_ttl.count() > 0) {
    // Stored before it is sent: a subscriber joining from now on is replayed this event.
    app.cache().Put(channel, frame, ChannelCache::Clock::now() + options.cache_ttl);
  }
  if (counts.subscription_count == 0) return;
  fanout_.Publish(app, channel, std::move(frame), options.except_socket_id,
                  receipt != nullptr ? PublishReceipt::BarrierOf(receipt) : nullptr);
}

void SingleNode::DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                                std::string_view reason) {
  fanout_.DisconnectUser(app, user_id, code, reason);
}

void SingleNode::FlushCountChanges() {
  for (const auto& app : apps_.apps()) {
    auto changes = app->channels().TakeCountChanges();
    if (changes.empty()) continue;
    const bool tell_subscribers = app->app().enable_subscription_count;
    for (auto& [channel, count] : changes) {
      if (tell_subscribers && count > 0) {
        fanout_.Publish(*app, channel, frames_.SubscriptionCount(channel, count), "");
      }
      if (app->events().HasWatchers()) {
        ChannelEvent event;
        event.kind = ChannelEvent::Kind::kSubscriptionCount;
        event.channel = std::move(channel);
        event.subscription_count = count;
        app->events().Emit(std::move(event));
      }
    }
  }
}

void SingleNode::FindChannel(AppState& app, std::string_view channel, CountsDone done) {
  std::move(done)(app.channels().Find(channel).value_or(ChannelCounts{}));
}

void SingleNode::ListChannels(AppState& app, std::string_view prefix, ChannelsDone done) {
  if (listings_ == nullptr) return std::move(done)(app.channels().List(prefix));
  // `done` is moved into the task only if it is queued; a refused task gives it back.
  auto pending = std::make_shared<ChannelsDone>(std::move(done));
  const bool queued = listings_->Post([&app, prefix = std::string(prefix), pending]() mutable {
    std::move(*pending)(app.channels().List(prefix));
  });
  if (!queued) {
    std::move(*pending)(absl::UnavailableError("too many channel listings waiting; retry shortly"));
  }
}

void SingleNode::PresenceMembers(AppState& app, std::string_view channel, MembersDone done) {
  std::move(done)(app.channels().PresenceMembers(channel));
}

void SingleNode::ShareTraffic(AppState& app, const TrafficTotals& totals) {
  absl::MutexLock lock(&traffic_mu_);
  shared_[&app] = totals;
}

void SingleNode::ReadTraffic(AppState& app, TrafficDone done) {
  NodeTraffic self{.node = "", .self = true, .age_ms = 0, .totals = {}};
  {
    absl::MutexLock lock(&traffic_mu_);
    if (auto it = shared_.find(&app); it != shared_.end()) self.totals = it->second;
  }
  std::move(done)(std::vector<NodeTraffic>{std::move(self)});
}

}  // namespace gw::core
