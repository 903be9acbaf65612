#include "gateway/core/presence_roster.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace gw::core {

absl::StatusOr<bool> PresenceRoster::Join(std::string_view user_id, std::string_view user_info,
                                          uint32_t max_members) {
  auto it = members_.find(user_id);
  if (it != members_.end()) {
    it->second.user_info = std::string(user_info);
    ++it->second.connections;
    return false;
  }
  if (max_members != 0 && members_.size() >= max_members) {
    return absl::ResourceExhaustedError(
        absl::StrCat("presence channel is full (", max_members, " members)"));
  }
  members_.emplace(std::string(user_id), Entry{std::string(user_info), 1});
  return true;
}

bool PresenceRoster::Leave(std::string_view user_id) {
  auto it = members_.find(user_id);
  if (it == members_.end()) return false;
  if (--it->second.connections > 0) return false;
  members_.erase(it);
  return true;
}

std::vector<PresenceRoster::Member> PresenceRoster::Members() const {
  std::vector<Member> out;
  out.reserve(members_.size());
  for (const auto& [id, entry] : members_) out.push_back(Member{id, entry.user_info});
  // Hash order would make replies differ run to run; sorted ids are stable and testable.
  std::sort(out.begin(), out.end(),
            [](const Member& a, const Member& b) { return a.user_id < b.user_id; });
  return out;
}

std::vector<std::string> PresenceRoster::UserIds() const {
  std::vector<std::string> out;
  out.reserve(members_.size());
  for (const auto& [id, entry] : members_) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gw::core
