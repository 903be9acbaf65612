#include "gateway/core/channel_cache.h"

namespace gw::core {

void ChannelCache::Put(std::string_view channel, Frame frame, Clock::time_point expires_at) {
  absl::MutexLock lock(&mu_);
  entries_[channel] = Entry{std::move(frame), expires_at};
}

Frame ChannelCache::Get(std::string_view channel, Clock::time_point now) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(channel);
  if (it == entries_.end()) return nullptr;
  if (it->second.expires_at <= now) {
    entries_.erase(it);
    return nullptr;
  }
  return it->second.frame;
}

size_t ChannelCache::PurgeExpired(Clock::time_point now) {
  absl::MutexLock lock(&mu_);
  return absl::erase_if(entries_, [now](const auto& entry) { return entry.second.expires_at <= now; });
}

size_t ChannelCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace gw::core
