#ifndef GATEWAY_WEBHOOKS_WEBHOOK_DISPATCHER_H_
#define GATEWAY_WEBHOOKS_WEBHOOK_DISPATCHER_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/channel_event.h"
#include "gateway/webhooks/webhook_limits.h"

namespace gw::webhooks {

// Sends every app's Pusher webhooks from its own thread and io_context, so no I/O shard ever
// waits on a webhook receiver.
//
// Each app's EventHub hands events to a watcher that only copies them into a bounded inbox. The
// dispatcher's thread then holds departures (DepartureHold: the vacate delay), picks the
// configured webhooks that want each event (WebhookFilter), encodes it once, and queues it per
// endpoint (DeliveryQueue). An endpoint is one configured webhook of one app: one kept-alive
// connection (WebhookConnection), one batch in flight, its batches in order; a failed batch is
// retried with backoff (RetryPolicy) and holds back the later ones until it is sent or dropped.
//
// Thread-safety: Start, Stop and counters() may be called from any thread; Start at most once,
// and Stop (or the destructor) after it. `apps` must outlive the dispatcher.
class WebhookDispatcher {
 public:
  // Totals since start, for metrics. Relaxed atomics, read from any thread.
  struct Counters {
    std::atomic<uint64_t> sent{0};             // events a receiver accepted (2xx)
    std::atomic<uint64_t> failed_attempts{0};  // requests without a 2xx: status, transport, timeout
    std::atomic<uint64_t> retries{0};          // requests that repeated a failed one
    // Events given up: the endpoint's queue was full, its retries ran out, or shutdown came.
    std::atomic<uint64_t> dropped{0};
  };

  // `extra_ca_pem`: certificates trusted for https:// webhooks besides the system store (a
  // private CA; tests).
  WebhookDispatcher(const core::AppDirectory& apps, WebhookLimits limits,
                    std::string extra_ca_pem = "");
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;
  // Stops at once if still running (what is pending is dropped).
  ~WebhookDispatcher();

  // Watches every app that has webhooks and starts the thread (none when no app has any).
  // InvalidArgument naming the app and webhook when a URL or header cannot be used.
  absl::Status Start();
  // Stops taking events, releases held departures, and delivers what is pending until
  // `deadline` (sooner when all is sent); then stops the thread. What is left is dropped and
  // counted.
  void Stop(std::chrono::steady_clock::time_point deadline);

  const Counters& counters() const { return counters_; }

 private:
  using Clock = std::chrono::steady_clock;
  class Endpoint;
  class Sink;
  struct AppWebhooks;

  // Any thread (a Sink): copy one event into the inbox and make sure a drain is posted.
  void Enqueue(AppWebhooks& app, const core::ChannelEvent& event);

  // The dispatcher's thread only, from here on.
  void Drain();
  void Route(AppWebhooks& app, const core::ChannelEvent& event, Clock::time_point now);
  void ReleaseDue();
  void ArmHoldTimer();
  void BeginStop(Clock::time_point deadline);
  void NotifyIfDrained();
  double Random();

  const core::AppDirectory& directory_;
  const WebhookLimits limits_;

  // Declared before everything that holds Asio objects, so that it is destroyed last.
  boost::asio::io_context io_{1};
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_client};
  std::vector<std::unique_ptr<AppWebhooks>> apps_;  // fixed once Start returns
  Counters counters_;

  absl::Mutex inbox_mu_;
  std::deque<std::pair<AppWebhooks*, core::ChannelEvent>> inbox_ ABSL_GUARDED_BY(inbox_mu_);
  bool accepting_ ABSL_GUARDED_BY(inbox_mu_) = false;
  bool drain_posted_ ABSL_GUARDED_BY(inbox_mu_) = false;

  // The dispatcher's thread only.
  boost::asio::steady_timer hold_timer_{io_};
  std::optional<Clock::time_point> hold_timer_at_;
  bool stopping_ = false;
  Clock::time_point stop_deadline_;
  std::mt19937_64 random_;
  absl::Notification drained_;

  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_WEBHOOK_DISPATCHER_H_
