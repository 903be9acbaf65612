#include "gateway/core/event_hub.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace gw::core {

void EventHub::Add(std::shared_ptr<EventWatcher> watcher, WatchScope scope) {
  absl::MutexLock lock(&mu_);
  watchers_.push_back({std::move(watcher), scope});
  watcher_count_.store(watchers_.size(), std::memory_order_relaxed);
}

void EventHub::Remove(const EventWatcher* watcher) {
  absl::MutexLock lock(&mu_);
  std::erase_if(watchers_, [watcher](const Entry& e) { return e.watcher.get() == watcher; });
  watcher_count_.store(watchers_.size(), std::memory_order_relaxed);
}

void EventHub::Emit(ChannelEvent event) {
  if (!HasWatchers()) return;
  if (event.time_ms == 0) event.time_ms = absl::ToUnixMillis(absl::Now());
  if (relay_ != nullptr) return relay_->Forward(std::move(event));
  absl::MutexLock lock(&mu_);
  for (const Entry& entry : watchers_) entry.watcher->OnEvent(event);
}

void EventHub::Deliver(const ChannelEvent& event) {
  if (watcher_count_.load(std::memory_order_relaxed) == 0) return;
  const bool once_here = once_here_.load(std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  for (const Entry& entry : watchers_) {
    if (entry.scope == WatchScope::kOncePerCluster && !once_here) continue;
    entry.watcher->OnEvent(event);
  }
}

void EventHub::DeliverTo(WatchScope scope, const ChannelEvent& event) {
  if (watcher_count_.load(std::memory_order_relaxed) == 0) return;
  if (scope == WatchScope::kOncePerCluster && !once_here_.load(std::memory_order_relaxed)) return;
  absl::MutexLock lock(&mu_);
  for (const Entry& entry : watchers_) {
    if (entry.scope == scope) entry.watcher->OnEvent(event);
  }
}

size_t EventHub::WatcherCount(WatchScope scope) const {
  absl::MutexLock lock(&mu_);
  return std::count_if(watchers_.begin(), watchers_.end(),
                       [scope](const Entry& e) { return e.scope == scope; });
}

}  // namespace gw::core
