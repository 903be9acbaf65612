#ifndef GATEWAY_CLUSTER_REDIS_CLUSTER_H_
#define GATEWAY_CLUSTER_REDIS_CLUSTER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/notification.h"
#include "gateway/cluster/cluster_message.h"
#include "gateway/cluster/cluster_names.h"
#include "gateway/cluster/presence_feed.h"
#include "gateway/cluster/redis_connection.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_subscriber.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/cluster.h"
#include "gateway/core/event_hub.h"
#include "gateway/core/fanout.h"
#include "gateway/core/server_frames.h"
#include "gateway/core/shard_executor.h"
#include "gateway/core/string_map.h"

namespace gw::cluster {

struct ClusterOptions {
  RedisOptions redis;
  std::string prefix = "realtime";
  // A node that has not renewed its lease for this long is taken for dead and reaped.
  std::chrono::milliseconds lease{10000};
  // How often the lease is renewed, connection counts are exchanged and dead nodes looked for.
  std::chrono::milliseconds heartbeat{1000};
  // Longest wait for the other nodes to confirm a backend publish was delivered.
  std::chrono::milliseconds ack_deadline{5000};
  // Entries kept per app in its webhook stream (MAXLEN ~, README.md "Webhooks").
  size_t webhook_stream_max_len = 100000;
};

// What the cluster did, for /metrics. Atomics, read from any thread.
struct ClusterCounters {
  std::atomic<bool> connected{false};
  std::atomic<uint64_t> disconnects{0};
  std::atomic<uint64_t> publishes_forwarded{0};
  // Publishes this node delivered locally but could not hand to the other nodes (Redis down).
  std::atomic<uint64_t> publishes_not_forwarded{0};
  std::atomic<uint64_t> messages_received{0};
  // Bytes on the deployment's channels that are no message of ours: dropped.
  std::atomic<uint64_t> messages_foreign{0};
  // Backend publishes acknowledged without every node's word that it had delivered them
  // (a node died with the publish in flight, or took longer than the deadline).
  std::atomic<uint64_t> ack_timeouts{0};
  std::atomic<uint64_t> reseeds{0};
  std::atomic<uint64_t> nodes_reaped{0};
  std::atomic<uint64_t> roster_resyncs{0};
  // The webhook streams (this node while it sends the webhooks): entries handed to the webhook
  // dispatcher, entries trimmed away (the stream's bound) before any sender read them, and how
  // many entries the streams held past their cursors at the last read (a gauge).
  std::atomic<uint64_t> webhook_events_read{0};
  std::atomic<uint64_t> webhook_events_trimmed{0};
  std::atomic<uint64_t> webhook_stream_lag{0};
};

// The cluster of many nodes over one Redis (README.md in this folder: the data model, the
// scripts, the leases, and why). This node's share of every count and roster lives in Redis
// under a lease, changed by scripts that also announce what changed; traffic crosses between
// nodes on per-channel pub/sub channels that a node follows only while it has subscribers there.
//
// Threads. One thread of its own (the cluster thread) runs both Redis connections and every
// piece of state below; the Cluster methods post to it and return. Joins are answered on the
// joiner's shard. While Redis is unreachable the node serves alone: joins are answered from what
// it knows, publishes reach its own subscribers, queries are refused (Unavailable); once Redis
// is back the node re-seeds its whole share under a new lease and retires the old one, so only
// what really changed is announced, and every presence view is brought up to date.
class RedisCluster final : public core::Cluster {
 public:
  RedisCluster(core::AppDirectory& apps, core::Fanout& fanout, core::ShardExecutor& shards,
               const core::ServerFrames& frames, ClusterOptions options);
  ~RedisCluster() override;
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  // Starts the cluster thread and connects. Once, before any traffic.
  void Start();
  // Shutdown (SIGTERM): takes this node's whole share out of the cluster (its members are
  // removed and announced everywhere) and gives up the webhook lease, waiting at most until
  // `deadline`. Call after the connections drained, then Stop.
  void Depart(std::chrono::steady_clock::time_point deadline);
  // Disconnects and joins the thread. Idempotent.
  void Stop();

  const ClusterCounters& counters() const { return counters_; }
  // This node's id in the cluster (for logs).
  std::string node_id() const;

  // core::Cluster
  void Join(core::AppState& app, core::ChannelJoin join, core::Subscriber* subscriber,
            size_t shard, JoinDone done) override;
  void Leave(core::AppState& app, std::string_view channel, std::string_view user_id,
             core::Subscriber* subscriber, size_t shard) override;
  void SignIn(core::AppState& app, std::string_view user_id, core::Subscriber* subscriber,
              size_t shard) override;
  void SignOut(core::AppState& app, std::string_view user_id, core::Subscriber* subscriber,
               size_t shard) override;
  void Watch(core::AppState& app, std::vector<std::string> user_ids, core::Subscriber* subscriber,
             size_t shard, UsersDone done) override;
  void Unwatch(core::AppState& app, const std::vector<std::string>& user_ids,
               core::Subscriber* subscriber, size_t shard) override;
  void Publish(core::AppState& app, std::string_view channel, core::Frame frame,
               const core::PublishOptions& options,
               const std::shared_ptr<core::PublishReceipt>& receipt, size_t slot) override;
  void DisconnectUser(core::AppState& app, std::string_view user_id, uint16_t code,
                      std::string_view reason) override;
  void FlushCountChanges() override;
  void FindChannel(core::AppState& app, std::string_view channel, CountsDone done) override;
  void ListChannels(core::AppState& app, std::string_view prefix, ChannelsDone done) override;
  void PresenceMembers(core::AppState& app, std::string_view channel, MembersDone done) override;
  // Written to `P:A:figures` on each heartbeat (the connections as counted then); read from
  // there, leaving out entries older than the lease. A reaped node's entry goes with its share.
  void ShareTraffic(core::AppState& app, const core::TrafficTotals& totals) override;
  void ReadTraffic(core::AppState& app, TrafficDone done) override;

 private:
  // A pub/sub channel this node follows, and this node's share of what it stands for.
  struct Route {
    enum class Kind { kTraffic, kUser, kEvents, kControl, kAcks };
    Kind kind = Kind::kTraffic;
    core::AppState* app = nullptr;
    std::string name;   // the Pusher channel, the user id, or empty
    uint32_t refs = 0;  // reasons to follow it (subscriptions, watchers, signed-in connections)
    bool confirmed = false;
    std::vector<absl::AnyInvocable<void() &&>> when_confirmed;
    std::optional<PresenceFeed> feed;  // presence channels
    // This node's share (re-seeded after a reconnect): client subscriptions, each presence
    // member's connections and info, signed-in connections.
    uint32_t subscriptions = 0;
    struct Member {
      uint32_t connections = 0;
      std::string info;
    };
    absl::flat_hash_map<std::string, Member> members;
    uint32_t signed_in = 0;
  };
  struct PendingJoin;
  class AppRelay;
  // The webhook leader's progress through one app's webhook stream.
  struct WebhookFeed {
    bool reading = false;  // a read in flight: at most one per app
    bool again = false;    // something was added meanwhile: read once more
    std::string cursor;    // the cursor id the last read started from
    // The last batch handed to the dispatcher: committed by the next read.
    std::string commit_id;
    uint64_t commit_done = 0;
    uint64_t lag = 0;
  };
  // A backend publish waiting for the nodes that received it to say they delivered it.
  struct PendingAck {
    std::shared_ptr<core::PublishReceipt> receipt;
    size_t slot = 0;
    core::ChannelCounts counts;
    int64_t expected = -1;  // the nodes PUBLISH reached; -1 until its reply arrived
    int64_t acked = 0;
    std::chrono::steady_clock::time_point deadline;
  };

  // --- on the cluster thread ---
  void Post(absl::AnyInvocable<void() &&> task);
  Route& Follow(Route::Kind kind, core::AppState* app, std::string_view name);
  void Unfollow(const std::string& pubsub);
  void WhenConfirmed(Route& route, absl::AnyInvocable<void() &&> task);
  void OnSubscribed(std::string_view pubsub);
  void OnMessage(std::string_view pubsub, std::string_view payload);
  void OnTraffic(Route& route, const ClusterMessage& message);
  void OnChannelEvent(Route& route, const ClusterMessage& message);
  void OnControl(const ClusterMessage& message);
  void ApplySteps(core::AppState& app, const std::string& channel,
                  std::vector<PresenceFeed::Step> steps);
  // After Redis lost its state, the other nodes' members come back as each node re-seeds:
  // until they all could have, a roster snapshot may add members to a view but not remove any.
  void BeginSettling();
  bool settling() const { return std::chrono::steady_clock::now() < settle_until_; }
  void RequestSnapshot(const std::string& pubsub);
  void SendJoin(std::shared_ptr<PendingJoin> join);
  // Answers a join from this node's own view (Redis unreachable or the lease being renewed).
  void AnswerLocally(std::shared_ptr<PendingJoin> join);
  void Answer(std::shared_ptr<PendingJoin> join, core::Frame cached);
  void OnCommandsUp();
  void OnCommandsDown(const absl::Status& why);
  void OnSubscriberDown();
  // A new lease and this node's whole share under it, then the old lease retired.
  void Reseed();
  void Retire(std::string node, absl::AnyInvocable<void() &&> done);
  void Reap(std::string node, bool force, absl::AnyInvocable<void() &&> done);
  void Heartbeat();
  void ScheduleHeartbeat();
  void CheckWatchers();
  void ScheduleWatchCheck();
  void ForwardEvent(core::AppState& app, core::ChannelEvent event);
  // Webhook streams (redis_cluster_webhooks.cc): each connection turns on the stream of every
  // app with webhooks (its cursor); the leader reads what was added past the cursor, hands it to
  // the webhook watchers, and commits the cursor with its next read.
  void SetUpWebhookStreams();
  void ReadWebhookEvents(core::AppState& app);
  void OnWebhookEntries(core::AppState& app, const RedisReply& reply);
  void StopReadingWebhookEvents();
  // Delivery acknowledgements: this node's word to an origin, batched per loop turn, and the
  // origin's bookkeeping.
  void QueueAck(std::string origin, uint64_t id);
  void FlushAcks();
  void OnAcks(const ClusterMessage& message);
  void Acked(uint64_t id, int64_t count);
  void ExpireAcks();
  // A script reply said this node holds no lease: re-seed, once per lost lease.
  void LostLease(const std::string& node);
  bool ready() const;

  core::AppDirectory& apps_;
  core::Fanout& fanout_;
  core::ShardExecutor& shards_;
  const core::ServerFrames& frames_;
  const ClusterOptions options_;
  const ClusterNames names_;
  const std::string node_base_;  // this process; origin of its messages
  ClusterCounters counters_;
  std::vector<std::unique_ptr<AppRelay>> relays_;

  boost::asio::io_context io_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::shared_ptr<RedisConnection> redis_;
  std::shared_ptr<RedisSubscriber> subscriber_;
  boost::asio::steady_timer heartbeat_timer_{io_};
  boost::asio::steady_timer watch_timer_{io_};
  boost::asio::steady_timer settle_timer_{io_};

  // Cluster thread only.
  std::string node_;  // node_base_ + "." + generation: the current lease
  uint64_t generation_ = 0;
  bool seeded_ = false;
  std::string epoch_;  // the Redis lifetime this node last seeded into
  std::chrono::steady_clock::time_point settle_until_{};
  bool reseeding_ = false;
  bool reseed_again_ = false;
  bool departing_ = false;
  core::StringMap<Route> routes_;  // by pub/sub channel name
  // Apps that other nodes follow the events of, until when (heard on the control channel).
  absl::flat_hash_map<const core::AppState*, std::chrono::steady_clock::time_point>
      remote_watchers_;
  absl::flat_hash_map<const core::AppState*, size_t> local_watchers_;
  absl::flat_hash_map<const core::AppState*, std::chrono::steady_clock::time_point>
      last_announce_;
  bool leads_webhooks_ = false;
  absl::flat_hash_map<core::AppState*, WebhookFeed> webhook_feeds_;
  uint64_t webhook_reading_term_ = 0;  // replies of reads sent in an earlier term are stale
  std::chrono::steady_clock::time_point last_foreign_log_{};
  uint64_t next_publish_id_ = 0;
  absl::flat_hash_map<uint64_t, PendingAck> pending_acks_;
  absl::flat_hash_map<std::string, std::vector<uint64_t>> acks_to_send_;  // by origin node
  bool ack_flush_scheduled_ = false;
  // Each app's figures as last shared, for the next heartbeat.
  absl::flat_hash_map<const core::AppState*, core::TrafficTotals> shared_traffic_;
  // The deepest backlog each node reported in its acks, and when.
  absl::flat_hash_map<std::string, std::pair<size_t, std::chrono::steady_clock::time_point>>
      remote_backlogs_;

  std::atomic<bool> stopped_{false};
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_CLUSTER_H_
