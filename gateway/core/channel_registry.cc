#include "gateway/core/channel_registry.h"

#include <algorithm>

namespace gw::core {

void ChannelRegistry::EmitLocked(ChannelEvent::Kind kind, std::string_view channel,
                                 std::string_view user_id, uint32_t subscriptions) {
  if (events_ == nullptr || !events_->HasWatchers()) return;
  ChannelEvent event;
  event.kind = kind;
  event.channel = std::string(channel);
  event.user_id = std::string(user_id);
  event.subscription_count = subscriptions;
  events_->Emit(std::move(event));
}

uint32_t ChannelRegistry::Subscribe(std::string_view channel) {
  absl::MutexLock lock(&mu_);
  const uint32_t count = ++channels_[channel].subscriptions;
  changed_counts_.insert(std::string(channel));
  if (count == 1) EmitLocked(ChannelEvent::Kind::kChannelOccupied, channel, "", count);
  return count;
}

uint32_t ChannelRegistry::Unsubscribe(std::string_view channel) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.subscriptions == 0) return 0;
  uint32_t left = --it->second.subscriptions;
  changed_counts_.insert(std::string(channel));
  if (left == 0) {
    channels_.erase(it);
    ShrinkIfSparse(channels_);
    EmitLocked(ChannelEvent::Kind::kChannelVacated, channel, "", 0);
  }
  return left;
}

absl::StatusOr<ChannelRegistry::PresenceJoin> ChannelRegistry::JoinPresence(
    std::string_view channel, std::string_view user_id, std::string_view user_info,
    uint32_t max_members, Announce announce_added) {
  absl::MutexLock lock(&mu_);
  Channel& entry = channels_[channel];
  if (!entry.roster) entry.roster.emplace();
  if (!entry.view) entry.view.emplace();
  absl::StatusOr<bool> first = entry.roster->Join(user_id, user_info, max_members);
  if (!first.ok()) {
    if (entry.subscriptions == 0) {
      channels_.erase(channels_.find(channel));
      ShrinkIfSparse(channels_);
    }
    return first.status();
  }
  ++entry.subscriptions;
  if (entry.subscriptions == 1) {
    EmitLocked(ChannelEvent::Kind::kChannelOccupied, channel, "", 1);
  }
  const uint64_t seq = entry.view->Apply(
      {PresenceView::Change::Kind::kAdded, std::string(user_id), std::string(user_info)});
  if (*first) {
    if (seq != 0) announce_added(seq);
    EmitLocked(ChannelEvent::Kind::kMemberAdded, channel, user_id, entry.subscriptions);
  }
  return PresenceJoin{*first, {entry.view->seq(), entry.view->Members()}};
}

void ChannelRegistry::LeavePresence(std::string_view channel, std::string_view user_id,
                                    Announce announce_removed) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  Channel& entry = it->second;
  if (entry.subscriptions > 0) --entry.subscriptions;
  if (entry.roster && entry.roster->Leave(user_id)) {
    if (entry.view) {
      const uint64_t seq =
          entry.view->Apply({PresenceView::Change::Kind::kRemoved, std::string(user_id), ""});
      if (seq != 0) announce_removed(seq);
    }
    EmitLocked(ChannelEvent::Kind::kMemberRemoved, channel, user_id, entry.subscriptions);
  }
  if (entry.subscriptions == 0) {
    channels_.erase(it);
    ShrinkIfSparse(channels_);
    EmitLocked(ChannelEvent::Kind::kChannelVacated, channel, "", 0);
  }
}

void ChannelRegistry::JoinLocal(std::string_view channel, std::string_view user_id,
                                std::string_view user_info) {
  absl::MutexLock lock(&mu_);
  Channel& entry = channels_[channel];
  if (!entry.roster) entry.roster.emplace();
  if (!entry.view) entry.view.emplace();
  (void)entry.roster->Join(user_id, user_info, 0);  // no limit: never fails
  ++entry.subscriptions;
}

bool ChannelRegistry::LeaveLocal(std::string_view channel, std::string_view user_id) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return false;
  Channel& entry = it->second;
  if (entry.subscriptions > 0) --entry.subscriptions;
  const bool last = entry.roster && entry.roster->Leave(user_id);
  if (entry.subscriptions == 0) channels_.erase(it);
  return last;
}

void ChannelRegistry::ApplyToView(std::string_view channel, const PresenceView::Change& change,
                                  Announce announce) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.view) return;
  if (const uint64_t seq = it->second.view->Apply(change); seq != 0) announce(seq);
}

void ChannelRegistry::ReplaceView(std::string_view channel,
                                  const std::vector<PresenceRoster::Member>& members,
                                  AnnounceChange announce) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.view) return;
  for (const auto& numbered : it->second.view->Replace(members)) {
    announce(numbered.change, numbered.seq);
  }
}

void ChannelRegistry::WithPresenceSnapshot(
    std::string_view channel, absl::FunctionRef<void(const RosterSnapshot&)> use) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.view) return use(RosterSnapshot{});
  use(RosterSnapshot{it->second.view->seq(), it->second.view->Members()});
}

bool ChannelRegistry::InView(std::string_view channel, std::string_view user_id) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  return it != channels_.end() && it->second.view && it->second.view->Contains(user_id);
}

ChannelCounts ChannelRegistry::CountsOf(const Channel& channel) {
  ChannelCounts counts;
  counts.subscription_count = channel.subscriptions;
  if (channel.view) counts.user_count = static_cast<uint32_t>(channel.view->size());
  return counts;
}

std::optional<ChannelCounts> ChannelRegistry::Find(std::string_view channel) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return std::nullopt;
  return CountsOf(it->second);
}

std::vector<std::pair<std::string, ChannelCounts>> ChannelRegistry::List(
    std::string_view prefix) const {
  std::vector<std::pair<std::string, ChannelCounts>> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, channel] : channels_) {
      if (name.starts_with(prefix)) out.emplace_back(name, CountsOf(channel));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::vector<std::string> ChannelRegistry::PresenceUserIds(std::string_view channel) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.view) return {};
  std::vector<std::string> ids;
  for (auto& member : it->second.view->Members()) ids.push_back(std::move(member.user_id));
  return ids;
}

std::vector<PresenceRoster::Member> ChannelRegistry::PresenceMembers(
    std::string_view channel) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.view) return {};
  return it->second.view->Members();
}

ChannelRegistry::RosterSnapshot ChannelRegistry::PresenceSnapshot(std::string_view channel) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.view) return {};
  return {it->second.view->seq(), it->second.view->Members()};
}

std::vector<std::pair<std::string, uint32_t>> ChannelRegistry::TakeCountChanges() {
  std::vector<std::pair<std::string, uint32_t>> changes;
  absl::MutexLock lock(&mu_);
  if (changed_counts_.empty()) return changes;
  changes.reserve(changed_counts_.size());
  for (const std::string& name : changed_counts_) {
    auto it = channels_.find(name);
    changes.emplace_back(name, it == channels_.end() ? 0 : it->second.subscriptions);
  }
  changed_counts_.clear();
  return changes;
}

uint64_t ChannelRegistry::TotalSubscriptions() const {
  absl::MutexLock lock(&mu_);
  uint64_t total = 0;
  for (const auto& [name, channel] : channels_) total += channel.subscriptions;
  return total;
}

size_t ChannelRegistry::OccupiedChannelCount() const {
  absl::MutexLock lock(&mu_);
  return channels_.size();
}

}  // namespace gw::core
