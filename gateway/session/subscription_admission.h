#ifndef GATEWAY_SESSION_SUBSCRIPTION_ADMISSION_H_
#define GATEWAY_SESSION_SUBSCRIPTION_ADMISSION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "gateway/core/app.h"
#include "gateway/core/rate_limiter.h"

namespace gw::session {

// Whether one connection may subscribe once more (issue 13): a cap on the channels it holds, a
// token bucket on its subscribes, and a stricter one on its presence joins. Through these it
// also bounds the webhooks it can cause, since every channel_occupied / member_added / cache_miss
// it causes needs a subscribe (and every vacated / member_removed an earlier one).
// Unsubscribes are never asked about: refusing one would keep delivering what the client asked
// to stop, and each needs an earlier admitted subscribe, so the bucket bounds them too.
//
// A pure rule driven with time values; one per connection, used on its shard's thread.
class SubscriptionAdmission {
 public:
  using Clock = core::RateLimiter::Clock;

  // Without a channel cap, the subscribe bucket holds this many (what the default cap allows).
  static constexpr uint32_t kBurstWithoutChannelCap = 500;

  enum class Verdict {
    kAdmitted,
    kChannelLimit,       // the connection holds max_channels_per_connection already
    kRateLimit,          // max_subscriptions_per_second
    kPresenceRateLimit,  // max_presence_joins_per_second
  };

  explicit SubscriptionAdmission(const core::AppLimits& limits);

  // A subscribe to a channel the connection neither holds nor is joining; `held` counts those
  // it holds or is joining (pending joins and authorizer questions included). The cap is asked
  // first and a refusal there spends no token; a presence join must pass both buckets, the
  // stricter first.
  Verdict AdmitNew(size_t held, bool presence, Clock::time_point now);
  // A subscribe repeated for a channel the connection holds: answered again (for presence, with
  // the whole roster), so it spends a subscribe token but holds nothing more.
  Verdict AdmitRepeat(Clock::time_point now);

 private:
  const uint32_t max_channels_;
  core::RateLimiter subscribes_;
  core::RateLimiter presence_joins_;
};

}  // namespace gw::session

#endif  // GATEWAY_SESSION_SUBSCRIPTION_ADMISSION_H_
