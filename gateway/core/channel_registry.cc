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
    uint32_t max_members, absl::FunctionRef<void()> announce_added) {
  absl::MutexLock lock(&mu_);
  Channel& entry = channels_[channel];
  if (!entry.roster) entry.roster.emplace();
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
  if (*first) {
    announce_added();
    EmitLocked(ChannelEvent::Kind::kMemberAdded, channel, user_id, entry.subscriptions);
  }
  return PresenceJoin{*first, entry.roster->Members()};
}

void ChannelRegistry::LeavePresence(std::string_view channel, std::string_view user_id,
                                    absl::FunctionRef<void()> announce_removed) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  Channel& entry = it->second;
  if (entry.subscriptions > 0) --entry.subscriptions;
  if (entry.roster && entry.roster->Leave(user_id)) {
    announce_removed();
    EmitLocked(ChannelEvent::Kind::kMemberRemoved, channel, user_id, entry.subscriptions);
  }
  if (entry.subscriptions == 0) {
    channels_.erase(it);
    ShrinkIfSparse(channels_);
    EmitLocked(ChannelEvent::Kind::kChannelVacated, channel, "", 0);
  }
}

ChannelCounts ChannelRegistry::CountsOf(const Channel& channel) {
  ChannelCounts counts;
  counts.subscription_count = channel.subscriptions;
  if (channel.roster) counts.user_count = static_cast<uint32_t>(channel.roster->user_count());
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
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::vector<std::string> ChannelRegistry::PresenceUserIds(std::string_view channel) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.roster) return {};
  return it->second.roster->UserIds();
}

std::vector<PresenceRoster::Member> ChannelRegistry::PresenceMembers(
    std::string_view channel) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.roster) return {};
  return it->second.roster->Members();
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
