#include "gateway/core/event_hub.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace gw::core {

void EventHub::Add(std::shared_ptr<EventWatcher> watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.push_back(std::move(watcher));
  watcher_count_.store(watchers_.size(), std::memory_order_relaxed);
}

void EventHub::Remove(const EventWatcher* watcher) {
  absl::MutexLock lock(&mu_);
  std::erase_if(watchers_, [watcher](const auto& w) { return w.get() == watcher; });
  watcher_count_.store(watchers_.size(), std::memory_order_relaxed);
}

void EventHub::Emit(ChannelEvent event) {
  if (!HasWatchers()) return;
  if (event.time_ms == 0) event.time_ms = absl::ToUnixMillis(absl::Now());
  absl::MutexLock lock(&mu_);
  for (const auto& watcher : watchers_) watcher->OnEvent(event);
}

}  // namespace gw::core
