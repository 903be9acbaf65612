#ifndef GATEWAY_CLUSTER_PRESENCE_FEED_H_
#define GATEWAY_CLUSTER_PRESENCE_FEED_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "gateway/core/presence_roster.h"
#include "gateway/core/presence_view.h"

namespace gw::cluster {

// Puts one presence channel's roster changes, as they arrive from Redis, into the order of their
// roster version, for this node's PresenceView. Redis numbers every change of a roster (a script
// changes the roster, increments its version and publishes the change, atomically), and one
// subscription delivers them in that order; but a join's snapshot arrives on another connection
// than the announcements, and a (re)subscription starts with a gap. So:
//   - until a snapshot arrives (kSyncing) announcements are buffered;
//   - a snapshot replaces the view (PresenceView::Replace tells the clients the difference) when
//     it is newer than what was applied, then the buffered announcements after it are applied;
//   - announcements at or below the applied version are dropped (the snapshot covered them), the
//     next one is applied, and one further ahead is applied too but means something was missed:
//     needs_resync() asks the owner for a fresh snapshot.
// A change applied twice does no harm: PresenceView numbers only what changes the clients' view.
//
// Pure; driven by the cluster thread.
class PresenceFeed {
 public:
  // What to do to the view, in order.
  struct Step {
    // Set: make the view list exactly these members. Else apply `change`.
    std::optional<std::vector<core::PresenceRoster::Member>> replace;
    core::PresenceView::Change change;
  };

  // Announcements buffered while syncing, at most; beyond it the oldest go, and the feed will
  // need another snapshot once this one is applied.
  static constexpr size_t kMaxBuffered = 4096;

  std::vector<Step> OnAnnouncement(uint64_t version, core::PresenceView::Change change);
  std::vector<Step> OnSnapshot(uint64_t version, std::vector<core::PresenceRoster::Member> members);
  // The announcements stream restarts (a new subscription, a new Redis, a new lease): buffer
  // until the next snapshot, whatever its version.
  void Resync();

  bool syncing() const { return syncing_; }
  uint64_t applied() const { return applied_; }
  // Something was missed; cleared by the next snapshot.
  bool needs_resync() const { return needs_resync_; }

 private:
  bool syncing_ = true;
  bool needs_resync_ = false;
  bool lost_buffered_ = false;
  uint64_t applied_ = 0;
  std::map<uint64_t, core::PresenceView::Change> buffered_;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_PRESENCE_FEED_H_
