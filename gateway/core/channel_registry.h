#ifndef GATEWAY_CORE_CHANNEL_REGISTRY_H_
#define GATEWAY_CORE_CHANNEL_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gateway/core/string_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/channel_event.h"
#include "gateway/core/event_hub.h"
#include "gateway/core/presence_roster.h"

namespace gw::core {

// What the API reports about one occupied channel.
struct ChannelCounts {
  uint32_t subscription_count = 0;
  std::optional<uint32_t> user_count;  // presence channels only
};

// The cross-shard facts of one app's channels: subscription counts and presence rosters. Shared by
// every shard and the control plane, guarded by one mutex, and changed only on subscribe and
// unsubscribe, never per message. Presence announcements run under the same lock, so every shard
// sees member_added / member_removed for a user in the order the roster changed.
class ChannelRegistry {
 public:
  // `events` (may be null) hears occupied / vacated / member added / member removed, emitted under
  // this registry's lock so watchers see them in the order the registry changed.
  explicit ChannelRegistry(EventHub* events = nullptr) : events_(events) {}

  // Returns the channel's subscription count after the change.
  uint32_t Subscribe(std::string_view channel);
  uint32_t Unsubscribe(std::string_view channel);

  struct PresenceJoin {
    bool first_connection = false;
    std::vector<PresenceRoster::Member> members;  // after the join, for subscription_succeeded
  };
  // Counts the subscription and joins the roster. When this is the user's first connection,
  // `announce_added` runs while the lock is held (it should only post frames). ResourceExhausted
  // when the roster is full; nothing changes then.
  absl::StatusOr<PresenceJoin> JoinPresence(std::string_view channel, std::string_view user_id,
                                            std::string_view user_info, uint32_t max_members,
                                            absl::FunctionRef<void()> announce_added);
  // Uncounts the subscription and leaves the roster; `announce_removed` runs under the lock when
  // this was the user's last connection.
  void LeavePresence(std::string_view channel, std::string_view user_id,
                     absl::FunctionRef<void()> announce_removed);

  // nullopt when nobody is subscribed.
  std::optional<ChannelCounts> Find(std::string_view channel) const;
  // Occupied channels whose name starts with `prefix`, sorted by name.
  std::vector<std::pair<std::string, ChannelCounts>> List(std::string_view prefix) const;
  // Sorted user ids of a presence channel; empty when unoccupied.
  std::vector<std::string> PresenceUserIds(std::string_view channel) const;
  std::vector<PresenceRoster::Member> PresenceMembers(std::string_view channel) const;
  size_t OccupiedChannelCount() const;
  uint64_t TotalSubscriptions() const;

  // Non-presence channels whose subscription count changed since the last call, with their count
  // now (0 = vacated). Lets a reporter coalesce a crowd joining into one update per interval.
  std::vector<std::pair<std::string, uint32_t>> TakeCountChanges();

 private:
  struct Channel {
    uint32_t subscriptions = 0;
    std::optional<PresenceRoster> roster;
  };
  static ChannelCounts CountsOf(const Channel& channel);
  void EmitLocked(ChannelEvent::Kind kind, std::string_view channel, std::string_view user_id,
                  uint32_t subscriptions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventHub* const events_;
  mutable absl::Mutex mu_;
  StringMap<Channel> channels_ ABSL_GUARDED_BY(mu_);
  StringSet changed_counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_CHANNEL_REGISTRY_H_
