#ifndef GATEWAY_CORE_PRESENCE_ROSTER_H_
#define GATEWAY_CORE_PRESENCE_ROSTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/string_map.h"
#include "absl/status/statusor.h"

namespace gw::core {

// The members of one presence channel, deduplicated by user id: a user with three tabs open is
// one member. Not thread-safe; ChannelRegistry guards it.
class PresenceRoster {
 public:
  struct Member {
    std::string user_id;
    std::string user_info;  // opaque to the core (JSON text at the edge)
  };

  // Adds one connection of `user_id`. Returns true if this is the user's first connection (so
  // member_added must be announced). ResourceExhausted if the user is new and the roster already
  // holds `max_members` users (0 = no limit). A later connection's user_info replaces the
  // earlier one, as the newest authorization is the freshest.
  absl::StatusOr<bool> Join(std::string_view user_id, std::string_view user_info,
                            uint32_t max_members);
  // Removes one connection of `user_id`. Returns true if it was the user's last (so
  // member_removed must be announced); false also if the user was unknown.
  bool Leave(std::string_view user_id);

  size_t user_count() const { return members_.size(); }
  // Calls `visit(user_id, user_info, connections)` for each member.
  template <typename Visit>
  void ForEach(Visit visit) const {
    for (const auto& [id, entry] : members_) visit(id, entry.user_info, entry.connections);
  }
  bool empty() const { return members_.empty(); }
  std::vector<Member> Members() const;
  std::vector<std::string> UserIds() const;

 private:
  struct Entry {
    std::string user_info;
    uint32_t connections = 0;
  };
  StringMap<Entry> members_;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_PRESENCE_ROSTER_H_
