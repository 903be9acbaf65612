#ifndef GATEWAY_CORE_CHANNEL_REGISTRY_H_
#define GATEWAY_CORE_CHANNEL_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/channel_event.h"
#include "gateway/core/event_hub.h"
#include "gateway/core/presence_roster.h"
#include "gateway/core/presence_view.h"
#include "gateway/core/string_map.h"

namespace gw::core {

// What the API reports about one occupied channel.
struct ChannelCounts {
  uint32_t subscription_count = 0;
  std::optional<uint32_t> user_count;  // presence channels only
};

// The cross-shard facts of one app's channels on this node: subscription counts, presence rosters
// (this node's connections per member) and presence views (the members this node's clients are
// shown, numbered; see PresenceView). Shared by every shard and the control plane, guarded by one
// mutex, and changed only on subscribe and unsubscribe, never per message. Presence announcements
// run under the same lock, so every shard is handed them in the order of their numbers.
//
// On a single node these facts are the whole truth. In a cluster they are this node's share and
// view of it: the cluster module keeps the totals elsewhere and feeds the views.
class ChannelRegistry {
 public:
  // `events` (may be null) hears occupied / vacated / member added / member removed, emitted under
  // this registry's lock so watchers see them in the order the registry changed.
  explicit ChannelRegistry(EventHub* events = nullptr) : events_(events) {}

  // Returns the channel's subscription count after the change.
  uint32_t Subscribe(std::string_view channel);
  uint32_t Unsubscribe(std::string_view channel);

  // What a joining presence connection is told: the members (itself included) and the sequence
  // number they stand at, below which it must not be delivered announcements.
  struct RosterSnapshot {
    uint64_t seq = 0;
    std::vector<PresenceRoster::Member> members;
  };
  struct PresenceJoin {
    bool first_connection = false;
    RosterSnapshot snapshot;
  };
  // Runs under the lock with an announcement's sequence number; it should only post frames.
  using Announce = absl::FunctionRef<void(uint64_t seq)>;

  // Single node: counts the subscription, joins the roster and the view. When this is the
  // user's first connection, `announce_added` runs while the lock is held. ResourceExhausted
  // when the roster is full; nothing changes then.
  absl::StatusOr<PresenceJoin> JoinPresence(std::string_view channel, std::string_view user_id,
                                            std::string_view user_info, uint32_t max_members,
                                            Announce announce_added);
  // Single node: uncounts the subscription and leaves the roster and the view;
  // `announce_removed` runs under the lock when this was the user's last connection.
  void LeavePresence(std::string_view channel, std::string_view user_id, Announce announce_removed);

  // --- In a cluster: this node's share, and its view of the cluster's rosters ---

  // The cluster's totals are kept elsewhere, which emits their events: this registry stops
  // emitting. Before any traffic.
  void StopEmitting() { events_ = nullptr; }
  // Counts one of this node's presence connections (no limit: the cluster checks it) and makes
  // sure the channel has a view. The view itself changes only through ApplyToView/ReplaceView.
  void JoinLocal(std::string_view channel, std::string_view user_id, std::string_view user_info);
  // Uncounts it; true when it was the user's last connection on this node.
  bool LeaveLocal(std::string_view channel, std::string_view user_id);
  // Applies a change to the channel's view, if it has one; `announce` runs under the lock with
  // its sequence number when the clients must hear of it.
  void ApplyToView(std::string_view channel, const PresenceView::Change& change,
                   Announce announce);
  using AnnounceChange = absl::FunctionRef<void(const PresenceView::Change&, uint64_t seq)>;
  // Makes the view list `members`; `announce` runs under the lock for each change it tells.
  void ReplaceView(std::string_view channel, const std::vector<PresenceRoster::Member>& members,
                   AnnounceChange announce);
  // Runs `use` under the lock with the view's snapshot (empty if the channel has none), so that
  // what `use` posts is ordered with the announcements.
  void WithPresenceSnapshot(std::string_view channel,
                            absl::FunctionRef<void(const RosterSnapshot&)> use) const;
  // Whether `user_id` is in the channel's view.
  bool InView(std::string_view channel, std::string_view user_id) const;

  // nullopt when nobody is subscribed.
  std::optional<ChannelCounts> Find(std::string_view channel) const;
  // Occupied channels whose name starts with `prefix`, sorted by name.
  std::vector<std::pair<std::string, ChannelCounts>> List(std::string_view prefix) const;
  // Sorted user ids of a presence channel; empty when unoccupied.
  std::vector<std::string> PresenceUserIds(std::string_view channel) const;
  std::vector<PresenceRoster::Member> PresenceMembers(std::string_view channel) const;
  // The view of a presence channel as a connection that is (re)told it must be shown it.
  RosterSnapshot PresenceSnapshot(std::string_view channel) const;
  size_t OccupiedChannelCount() const;
  uint64_t TotalSubscriptions() const;

  // Non-presence channels whose subscription count changed since the last call, with their count
  // now (0 = vacated). Lets a reporter coalesce a crowd joining into one update per interval.
  std::vector<std::pair<std::string, uint32_t>> TakeCountChanges();

 private:
  struct Channel {
    uint32_t subscriptions = 0;
    std::optional<PresenceRoster> roster;  // this node's connections of each member
    std::optional<PresenceView> view;      // what this node's clients are shown
  };
  static ChannelCounts CountsOf(const Channel& channel);
  void EmitLocked(ChannelEvent::Kind kind, std::string_view channel, std::string_view user_id,
                  uint32_t subscriptions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventHub* events_;
  mutable absl::Mutex mu_;
  StringMap<Channel> channels_ ABSL_GUARDED_BY(mu_);
  StringSet changed_counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_CHANNEL_REGISTRY_H_
