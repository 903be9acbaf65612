#ifndef GATEWAY_CORE_EVENT_HUB_H_
#define GATEWAY_CORE_EVENT_HUB_H_

#include <atomic>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/channel_event.h"

namespace gw::core {

// Receives an app's channel events. OnEvent is called from any thread, possibly with the channel
// registry's lock held, so it must only copy the event into its own bounded buffer: no blocking,
// no call back into the core.
class EventWatcher {
 public:
  virtual ~EventWatcher() = default;
  virtual void OnEvent(const ChannelEvent& event) = 0;
};

// One app's watchers. Thread-safe. Emitting costs one relaxed atomic load when nobody watches.
class EventHub {
 public:
  void Add(std::shared_ptr<EventWatcher> watcher);
  void Remove(const EventWatcher* watcher);
  bool HasWatchers() const { return watcher_count_.load(std::memory_order_relaxed) > 0; }
  // Delivers to every watcher in the order Emit was called (one lock orders all emitters).
  void Emit(ChannelEvent event);

 private:
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<EventWatcher>> watchers_ ABSL_GUARDED_BY(mu_);
  std::atomic<size_t> watcher_count_{0};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_EVENT_HUB_H_
