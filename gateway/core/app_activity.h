#ifndef GATEWAY_CORE_APP_ACTIVITY_H_
#define GATEWAY_CORE_APP_ACTIVITY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/bounded_queue.h"

namespace gw::core {

// One thing that happened in an app, as the dashboard's debug console lists it.
struct Activity {
  enum class Kind : uint8_t {
    kConnectionOpened,
    kConnectionClosed,  // detail: the close code we sent, or "client <code>"
    kSubscribed,
    kSubscriptionFailed,  // detail: the error; size: its status (401, 4100, ...)
    kPublished,           // detail: the door ("http", "grpc", "dashboard"); size: data bytes
    kClientEvent,         // size: data bytes
    kWebhookSent,         // detail: the URL; size: events in the request
    kWebhookFailed,       // detail: the URL and the status or error; size: events
    kChannelOccupied,
    kChannelVacated,
    kMemberAdded,
    kMemberRemoved,
    kCacheMiss,
  };
  Activity() = default;
  Activity(Kind kind, std::string socket_id, std::string channel = {})
      : kind(kind), socket_id(std::move(socket_id)), channel(std::move(channel)) {}

  Kind kind = Kind::kConnectionOpened;
  int64_t time_ms = 0;  // Unix milliseconds; Record sets it when 0
  std::string socket_id;
  std::string channel;
  std::string event;  // the event name of publishes and client events
  std::string user_id;
  std::string detail;
  std::string data;  // the start of the payload (Preview)
  uint64_t size = 0;
};

// What the dashboard watches of one app: a feed of its activity for the debug console, and the
// totals its charts need that no metric counts per app.
//
// The feed costs nothing while no console is open: a tap asks watched() (one relaxed load) and
// builds nothing when it is false. While one is open, Record hands the activity to a bounded
// queue that never blocks; when the console's reader does not keep up, what does not fit is
// dropped and counted. The queue is made the first time a console opens and kept.
//
// Threads: watched(), Record and the Count* methods from any thread. Watch, Unwatch and Drain
// from one thread at a time (the dashboard's, under its own lock).
class AppActivity {
 public:
  static constexpr size_t kQueueCapacity = 1024;
  static constexpr size_t kMaxPreviewBytes = 200;

  AppActivity() = default;
  AppActivity(const AppActivity&) = delete;
  AppActivity& operator=(const AppActivity&) = delete;

  bool watched() const { return watched_.load(std::memory_order_relaxed); }
  void Record(Activity activity);
  // At most kMaxPreviewBytes of `data`, cut at a UTF-8 character boundary.
  static std::string Preview(std::string_view data);

  void Watch();
  void Unwatch();
  // Appends what waits, oldest first, up to `max`; returns how many.
  size_t Drain(std::vector<Activity>& out, size_t max);
  // Activities dropped because the queue was full.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Totals since start, always counted (the charts cover the last hour, console or not).
  void CountPublished() { published_.fetch_add(1, std::memory_order_relaxed); }
  void CountWebhooks(uint64_t sent, uint64_t failed) {
    if (sent != 0) webhooks_sent_.fetch_add(sent, std::memory_order_relaxed);
    if (failed != 0) webhooks_failed_.fetch_add(failed, std::memory_order_relaxed);
  }
  uint64_t published() const { return published_.load(std::memory_order_relaxed); }
  uint64_t webhooks_sent() const { return webhooks_sent_.load(std::memory_order_relaxed); }
  uint64_t webhooks_failed() const { return webhooks_failed_.load(std::memory_order_relaxed); }

 private:
  // Read by every tap: alone on its line, so the counters below never invalidate it.
  alignas(64) std::atomic<bool> watched_{false};
  std::atomic<BoundedQueue<Activity>*> queue_{nullptr};
  std::unique_ptr<BoundedQueue<Activity>> owned_queue_;  // the console's thread only
  alignas(64) std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> webhooks_sent_{0};
  std::atomic<uint64_t> webhooks_failed_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_APP_ACTIVITY_H_
