#ifndef GATEWAY_CORE_APP_STATE_H_
#define GATEWAY_CORE_APP_STATE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gateway/core/app.h"
#include "gateway/core/app_activity.h"
#include "gateway/core/channel_cache.h"
#include "gateway/core/channel_registry.h"
#include "gateway/core/event_hub.h"
#include "gateway/core/online_users.h"
#include "gateway/core/shard_index.h"

namespace gw::core {

// One app at run time: its configuration, connection count, channel registry and one ShardIndex
// per shard. Thread-safe except shard_index(i), which only shard i's thread may use.
class AppState {
 public:
  AppState(App app, size_t shard_count)
      : app_(std::move(app)), channels_(&events_), shard_indexes_(shard_count) {}
  AppState(const AppState&) = delete;
  AppState& operator=(const AppState&) = delete;

  const App& app() const { return app_; }
  ChannelRegistry& channels() { return channels_; }
  const ChannelRegistry& channels() const { return channels_; }
  ShardIndex& shard_index(size_t shard) { return shard_indexes_[shard]; }
  EventHub& events() { return events_; }
  ChannelCache& cache() { return cache_; }
  OnlineUsers& online_users() { return online_users_; }
  // What the dashboard watches: its debug console's feed and its charts' totals.
  AppActivity& activity() { return activity_; }
  const AppActivity& activity() const { return activity_; }

  // Claims a connection slot against limits.max_connections, counting the other nodes'
  // connections too; false when the app is full.
  bool TryAddConnection();
  // In a cluster: the other nodes' connections as last heard (a heartbeat refreshes it).
  void SetRemoteConnections(uint32_t count) {
    remote_connections_.store(count, std::memory_order_relaxed);
  }
  // Release and acquire: whoever reads the count after a close also sees what the closing
  // thread did before it (the close counted in /metrics).
  void RemoveConnection() { connections_.fetch_sub(1, std::memory_order_release); }
  uint32_t connection_count() const { return connections_.load(std::memory_order_acquire); }

 private:
  const App app_;
  std::atomic<uint32_t> connections_{0};
  std::atomic<uint32_t> remote_connections_{0};
  EventHub events_;  // before channels_, which emits into it
  ChannelRegistry channels_;
  ChannelCache cache_;
  OnlineUsers online_users_;
  AppActivity activity_;
  std::vector<ShardIndex> shard_indexes_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_APP_STATE_H_
