#ifndef GATEWAY_CORE_FANOUT_H_
#define GATEWAY_CORE_FANOUT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gateway/core/app_state.h"
#include "gateway/core/fanout_barrier.h"
#include "gateway/core/frame.h"
#include "gateway/core/shard_backlog.h"
#include "gateway/core/shard_executor.h"

namespace gw::core {

struct FanoutLimits {
  // Tasks one shard may have waiting before a backend's publish is refused (AdmitPublish); 0 =
  // no ceiling. Acknowledging after fan-out already slows every closed-loop publisher to the
  // shards' pace; this bounds what many concurrent publishers can pile up, so that an overload
  // is answered with "retry later" at once instead of by queues that grow until every
  // subscriber is cut off as a slow consumer.
  size_t max_backlog = 0;
};

// Delivers one encoded frame to a channel's subscribers on every shard. Thread-safe.
//
// Each shard gets one posted task that walks its own ShardIndex. Posting to every shard, rather
// than only to those that hold the channel, keeps the publish path free of any lock: the shard
// count is the core count, and a shard without subscribers answers with one hash miss.
//
// Every task posted is counted in backlog() until it has run, so the Fanout must outlive every
// task that runs (it may die before tasks that are dropped unrun). Publishing itself is never
// refused (the server's own events, member_added / member_removed, client events, subscription
// counts, must not be lost); a backend's publish asks AdmitPublish first.
class Fanout {
 public:
  explicit Fanout(ShardExecutor& shards, FanoutLimits limits = {});

  // Whether a backend's publish may be queued now: OK, or Unavailable (retry later) while some
  // shard, here or on another node of the cluster, has more than max_backlog tasks waiting.
  // Refusals are counted (refused()).
  absl::Status AdmitPublish();
  // In a cluster: the deepest backlog another node reported lately (0 = none over the limit).
  void SetRemoteBacklog(size_t depth) { remote_backlog_.store(depth, std::memory_order_relaxed); }
  size_t max_backlog() const { return limits_.max_backlog; }
  // `except_socket_id` (may be empty) does not receive the frame. `barrier` (may be null) is
  // told when every shard has run its task. `seq` numbers a presence announcement: subscribers
  // whose roster snapshot already covers it skip it (ShardIndex::Deliver).
  void Publish(AppState& app, std::string_view channel, Frame frame,
               std::string_view except_socket_id,
               const std::shared_ptr<FanoutBarrier>& barrier = nullptr, uint64_t seq = 0);
  // Disconnects every connection signed in as `user_id`, on every shard.
  void DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                      std::string_view reason);

  const ShardBacklog& backlog() const { return backlog_; }
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  ShardExecutor& shards_;
  const FanoutLimits limits_;
  ShardBacklog backlog_;
  std::atomic<size_t> remote_backlog_{0};
  std::atomic<uint64_t> refused_{0};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_FANOUT_H_
