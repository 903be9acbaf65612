#include "gateway/core/presence_view.h"

#include <algorithm>

namespace gw::core {

uint64_t PresenceView::Apply(const Change& change) {
  if (change.kind == Change::Kind::kAdded) {
    auto [it, inserted] = members_.try_emplace(change.user_id, change.user_info);
    if (!inserted) {
      it->second = change.user_info;
      return 0;
    }
    return ++seq_;
  }
  if (members_.erase(change.user_id) == 0) return 0;
  return ++seq_;
}

std::vector<PresenceView::Numbered> PresenceView::Replace(
    const std::vector<PresenceRoster::Member>& members) {
  StringMap<const std::string*> wanted;
  wanted.reserve(members.size());
  for (const auto& member : members) wanted.emplace(member.user_id, &member.user_info);
  std::vector<Numbered> changes;
  std::vector<std::string> gone;
  for (const auto& [user_id, info] : members_) {
    if (!wanted.contains(user_id)) gone.push_back(user_id);
  }
  // Sorted, so that the clients of every node hear one resynchronisation in the same order.
  std::sort(gone.begin(), gone.end());
  for (std::string& user_id : gone) {
    Change change{Change::Kind::kRemoved, std::move(user_id), ""};
    const uint64_t seq = Apply(change);
    changes.push_back({std::move(change), seq});
  }
  for (const auto& member : members) {  // callers pass members sorted by id
    Change change{Change::Kind::kAdded, member.user_id, member.user_info};
    if (const uint64_t seq = Apply(change); seq != 0) changes.push_back({std::move(change), seq});
  }
  return changes;
}

std::vector<PresenceRoster::Member> PresenceView::Members() const {
  std::vector<PresenceRoster::Member> out;
  out.reserve(members_.size());
  for (const auto& [id, info] : members_) out.push_back({id, info});
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
  return out;
}

}  // namespace gw::core
