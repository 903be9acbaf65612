#ifndef GATEWAY_WEBHOOKS_RETRY_POLICY_H_
#define GATEWAY_WEBHOOKS_RETRY_POLICY_H_

#include <chrono>
#include <optional>

namespace gw::webhooks {

// When a failed webhook request is tried again: exponential backoff from `initial` doubling to
// at most `max`, spread by ±`jitter` so that endpoints failing together do not retry in step,
// for as long as the next attempt starts within `give_up_after` of the first. Pure.
struct RetryPolicy {
  using Duration = std::chrono::steady_clock::duration;

  Duration initial = std::chrono::seconds(1);
  Duration max = std::chrono::seconds(60);
  Duration give_up_after = std::chrono::seconds(300);
  double jitter = 0.2;

  // The wait before retry number `retry` (1 = the first retry): initial * 2^(retry - 1) capped at
  // `max`, scaled by 1 - jitter + 2 * jitter * random, never above `max`. `random` in [0, 1).
  Duration Backoff(int retry, double random) const;
  // The wait before retry number `retry`, or nullopt to give up because that retry would start
  // more than give_up_after after the first attempt (`elapsed` ago).
  std::optional<Duration> NextRetry(int retry, Duration elapsed, double random) const;
};

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_RETRY_POLICY_H_
