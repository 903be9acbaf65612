#ifndef GATEWAY_CORE_SINGLE_NODE_H_
#define GATEWAY_CORE_SINGLE_NODE_H_

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/cluster.h"
#include "gateway/core/fanout.h"
#include "gateway/core/server_frames.h"
#include "gateway/core/work_queue.h"

namespace gw::core {

// The cluster of one: this node's registry is the whole truth, traffic goes through its own
// fan-out only, and every answer is at hand, so `done` runs before a method returns, except for
// ListChannels, whose answer can be large: it is built on `listings` (when given), never on the
// caller's I/O thread. Thread-safe as Cluster says; holds no state of its own beyond the apps',
// but for the figures shared last (ShareTraffic), which ReadTraffic answers with as its one node.
class SingleNode final : public Cluster {
 public:
  SingleNode(AppDirectory& apps, Fanout& fanout, const ServerFrames& frames,
             WorkQueue* listings = nullptr)
      : apps_(apps), fanout_(fanout), frames_(frames), listings_(listings) {}

  void Join(AppState& app, ChannelJoin join, Subscriber* subscriber, size_t shard,
            JoinDone done) override;
  void Leave(AppState& app, std::string_view channel, std::string_view user_id,
             Subscriber* subscriber, size_t shard) override;
  void SignIn(AppState& app, std::string_view user_id, Subscriber* subscriber,
              size_t shard) override;
  void SignOut(AppState& app, std::string_view user_id, Subscriber* subscriber,
               size_t shard) override;
  void Watch(AppState& app, std::vector<std::string> user_ids, Subscriber* subscriber, size_t shard,
             UsersDone done) override;
  void Unwatch(AppState& app, const std::vector<std::string>& user_ids, Subscriber* subscriber,
               size_t shard) override;
  void Publish(AppState& app, std::string_view channel, Frame frame, const PublishOptions& options,
               const std::shared_ptr<PublishReceipt>& receipt, size_t slot) override;
  void DisconnectUser(AppState& app, std::string_view user_id, uint16_t code,
                      std::string_view reason) override;
  void FlushCountChanges() override;
  void FindChannel(AppState& app, std::string_view channel, CountsDone done) override;
  void ListChannels(AppState& app, std::string_view prefix, ChannelsDone done) override;
  void PresenceMembers(AppState& app, std::string_view channel, MembersDone done) override;
  void ShareTraffic(AppState& app, const TrafficTotals& totals) override;
  void ReadTraffic(AppState& app, TrafficDone done) override;

 private:
  AppDirectory& apps_;
  Fanout& fanout_;
  const ServerFrames& frames_;
  WorkQueue* const listings_;  // may be null: list on the caller's thread
  absl::Mutex traffic_mu_;
  absl::flat_hash_map<const AppState*, TrafficTotals> shared_ ABSL_GUARDED_BY(traffic_mu_);
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SINGLE_NODE_H_
