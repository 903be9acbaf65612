#ifndef GATEWAY_CORE_PRESENCE_VIEW_H_
#define GATEWAY_CORE_PRESENCE_VIEW_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/presence_roster.h"
#include "gateway/core/string_map.h"

namespace gw::core {

// The members of one presence channel as this node's clients are told them, and a sequence
// number that grows with every change they are told of. A client that joins is given the members
// and the sequence they stand at (its subscription_succeeded); from then on it is delivered
// exactly the changes numbered after that, so it never sees a member added twice, a member
// removed that it was never shown, or a change older than its own snapshot, however the
// announcements and its join interleave across threads and nodes.
//
// A change that would tell the clients nothing (adding a member already listed, removing one
// that is not) gets no number. Not thread-safe; ChannelRegistry guards it.
class PresenceView {
 public:
  struct Change {
    enum class Kind { kAdded, kRemoved };
    Kind kind = Kind::kAdded;
    std::string user_id;
    std::string user_info;  // kAdded only
  };
  struct Numbered {
    Change change;
    uint64_t seq = 0;
  };

  // Applies `change`; returns its sequence number, or 0 when the clients need not hear of it. An
  // added member already listed only takes the newer user_info.
  uint64_t Apply(const Change& change);
  // Makes the view list exactly `members` (after another node's changes were missed, or a
  // resynchronisation); returns, numbered, the removals and additions that take the clients from
  // the old list to the new one.
  std::vector<Numbered> Replace(const std::vector<PresenceRoster::Member>& members);

  uint64_t seq() const { return seq_; }
  size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  bool Contains(std::string_view user_id) const { return members_.contains(user_id); }
  // Sorted by user id.
  std::vector<PresenceRoster::Member> Members() const;

 private:
  StringMap<std::string> members_;  // user id -> user_info
  uint64_t seq_ = 0;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_PRESENCE_VIEW_H_
