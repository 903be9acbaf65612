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

// Who hears an event: a WatchEvents stream wants every event of the cluster on the node it is
// connected to; webhooks must fire once per cluster, so only one node's webhook watcher hears them.
enum class WatchScope { kEveryNode, kOncePerCluster };

// Carries the events this node emits to every node, and back (the cluster's event stream).
// Implemented by the Redis cluster; a single node has none.
class EventRelay {
 public:
  virtual ~EventRelay() = default;
  // An event this node emitted (a client event, a cache miss). Must not block.
  virtual void Forward(ChannelEvent event) = 0;
};

// One app's watchers. Thread-safe. Emitting costs one relaxed atomic load when nobody listens.
//
// A single node delivers what it emits to its watchers. In a cluster a relay is set at start:
// Emit hands events to it, and the cluster's stream comes back through Deliver, to kEveryNode
// watchers always and to kOncePerCluster ones only while this node is the one that sends them.
class EventHub {
 public:
  void Add(std::shared_ptr<EventWatcher> watcher, WatchScope scope = WatchScope::kEveryNode);
  void Remove(const EventWatcher* watcher);
  // Whether an emitted event would go anywhere: build none otherwise.
  bool HasWatchers() const {
    return relay_ != nullptr ? relay_wants_.load(std::memory_order_relaxed)
                             : watcher_count_.load(std::memory_order_relaxed) > 0;
  }
  // Delivers to every watcher (or the relay) in the order Emit was called (one lock orders all
  // emitters).
  void Emit(ChannelEvent event);

  // --- Cluster mode ---
  // Before any traffic; `relay` outlives the hub's use.
  void SetRelay(EventRelay* relay) { relay_ = relay; }
  // Whether the cluster has anyone to hear what this node emits (the relay decides).
  void SetRelayWants(bool wants) { relay_wants_.store(wants, std::memory_order_relaxed); }
  // This node sends the cluster's webhooks (or stops).
  void SetOncePerClusterHere(bool here) { once_here_.store(here, std::memory_order_relaxed); }
  // An event of the cluster's stream, to this node's watchers as their scope says.
  void Deliver(const ChannelEvent& event);
  // The same, to the watchers of one scope only: a cluster that carries an event to its
  // kOncePerCluster watchers on a path of its own (a durable stream) sends the copy its
  // kEveryNode watchers get here.
  void DeliverTo(WatchScope scope, const ChannelEvent& event);
  // Watchers of each scope, for the relay to know which streams this node must follow.
  size_t WatcherCount(WatchScope scope) const;

 private:
  struct Entry {
    std::shared_ptr<EventWatcher> watcher;
    WatchScope scope;
  };
  mutable absl::Mutex mu_;
  std::vector<Entry> watchers_ ABSL_GUARDED_BY(mu_);
  std::atomic<size_t> watcher_count_{0};
  EventRelay* relay_ = nullptr;
  std::atomic<bool> relay_wants_{false};
  std::atomic<bool> once_here_{false};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_EVENT_HUB_H_
