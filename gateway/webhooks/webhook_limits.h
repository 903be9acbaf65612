#ifndef GATEWAY_WEBHOOKS_WEBHOOK_LIMITS_H_
#define GATEWAY_WEBHOOKS_WEBHOOK_LIMITS_H_

#include <chrono>
#include <cstddef>

namespace gw::webhooks {

// How webhooks are held, batched, sent and retried. The defaults are what Pusher documents (3 s
// vacate delay, retries for 5 minutes) and what sockudo uses for the rest (50 ms / 100 event
// batches, 10 s requests, backoff 1 s doubling to 60 s).
struct WebhookLimits {
  // channel_vacated and member_removed wait this long; a channel occupied again (a user added
  // again) within it drops both events. Zero sends them at once.
  std::chrono::milliseconds vacate_delay{3000};
  // One request: connect, TLS handshake, write, response.
  std::chrono::milliseconds request_timeout{10000};
  // A failed batch is retried until this long after its first attempt, then dropped.
  std::chrono::seconds retry_max{300};
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  // Events waiting per endpoint (one configured webhook of one app); beyond it the oldest go.
  size_t max_queued_events = 10000;
  // Apps with webhook_batching collect events this long, up to this many per POST.
  std::chrono::milliseconds batch_window{50};
  size_t max_batch_events = 100;
};

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_WEBHOOK_LIMITS_H_
