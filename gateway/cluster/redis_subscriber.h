#ifndef GATEWAY_CLUSTER_REDIS_SUBSCRIBER_H_
#define GATEWAY_CLUSTER_REDIS_SUBSCRIBER_H_

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "gateway/cluster/redis_options.h"
#include "gateway/cluster/redis_reply.h"
#include "gateway/cluster/redis_session.h"
#include "gateway/core/string_map.h"

namespace gw::cluster {

// A pub/sub connection to one Redis that stays open and keeps a set of channels subscribed.
// The owner says which channels it wants (Subscribe / Unsubscribe, any time, connected or not);
// the subscriber sends SUBSCRIBE / UNSUBSCRIBE in batches of up to 512 names, made once per
// turn of the io loop and paced by the socket (so re-subscribing 100k channels after a
// reconnect queues at most a few hundred KiB), and after every reconnect subscribes every wanted
// channel again. Only SUBSCRIBE, UNSUBSCRIBE and PING are ever sent once set up, the commands
// a subscribed RESP2 connection allows. Health: PING, answered ["pong", ""] (see RedisLink).
//
// Delivery: on_message for every "message" frame of a channel wanted at that moment (frames of
// channels unsubscribed meanwhile are dropped and counted); pub/sub is at most once, so what
// was published while the link was down is lost: on_disconnected marks the start of that gap.
//
// Threads and ownership: as RedisConnection (io thread only; shared_ptr; dropping it closes the
// link and calls nothing more).
class RedisSubscriber final : public RedisSession {
 public:
  struct Handlers {
    // The link is up (first time and after every reconnect); re-subscription of every wanted
    // channel is under way, each confirmed by on_subscribed.
    std::function<void()> on_connected;
    // The link went down (only after on_connected): every channel is unconfirmed now, and
    // messages published from now until its on_subscribed are lost.
    std::function<void(const absl::Status& why)> on_disconnected;
    // Redis confirmed `channel`: every message published to it from now on arrives, until
    // Unsubscribe or a disconnect. Once per subscription on a link.
    std::function<void(std::string_view channel)> on_subscribed;
    // One message; both views are valid during the call only. Binary safe.
    std::function<void(std::string_view channel, std::string_view payload)> on_message;
  };

  // Names per SUBSCRIBE / UNSUBSCRIBE (Centrifugo uses the same).
  static constexpr size_t kMaxChannelsPerCommand = 512;

  static std::shared_ptr<RedisSubscriber> Create(boost::asio::io_context& io, RedisOptions options,
                                                 Handlers handlers);

  // Starts connecting (the first attempt at once). Once.
  void Start() { RedisSession::Start(); }
  // Closes the link and stops reconnecting; no handler runs afterwards. Idempotent.
  void Stop();

  bool connected() const { return ready(); }

  // Wants `channel` (binary safe): subscribed on this turn's batch if connected, else once
  // connected. A channel already wanted stays as it is. Never calls a handler from inside.
  void Subscribe(std::string_view channel);
  // No longer wants `channel`: no on_message for it from now on; UNSUBSCRIBE follows in this
  // turn's batch. Never calls a handler from inside.
  void Unsubscribe(std::string_view channel);

  bool IsWanted(std::string_view channel) const;
  // Wanted, and its on_subscribed has been called on the current link.
  bool IsConfirmed(std::string_view channel) const;
  // Channels wanted.
  size_t channel_count() const { return wanted_; }

  // Use Create. Public only for std::make_shared.
  RedisSubscriber(boost::asio::io_context& io, RedisOptions options, Handlers handlers);

 private:
  struct Channel {
    bool wanted = false;
    // What Redis will hold once every command sent so far on this link has run.
    bool on_server = false;
    bool confirmed = false;
    bool queued = false;     // in dirty_
    uint32_t in_flight = 0;  // SUBSCRIBE / UNSUBSCRIBE naming it, sent and not yet answered
  };
  // Node-based, so dirty_ can point at entries; an entry is erased only when it is neither
  // wanted, queued nor in flight.
  using ChannelMap = absl::node_hash_map<std::string, Channel, core::StringHash, core::StringEq>;
  using Entry = ChannelMap::value_type;

  void MarkDirty(Entry& entry);
  void ScheduleFlush();
  void Flush();
  void WriteBatch(std::string_view command, std::vector<Entry*>& batch);
  void OnSubscribeReply(std::string_view channel);
  void OnUnsubscribeReply(std::string_view channel);
  void Confirm(Entry& entry);
  void EraseIfIdle(ChannelMap::iterator it);

  // RedisSession
  void OnReady() override;
  void OnReply(RedisReply& reply) override;
  void OnDown(const absl::Status& why) override;
  void OnPingDue() override;
  void OnWritten() override;

  Handlers handlers_;
  ChannelMap channels_;
  size_t wanted_ = 0;
  std::deque<Entry*> dirty_;  // wanted differs from on_server, or a confirmation is owed
  bool flush_scheduled_ = false;
  bool stopped_ = false;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_REDIS_SUBSCRIBER_H_
