#include "gateway/webhooks/retry_policy.h"

#include <algorithm>

namespace gw::webhooks {

RetryPolicy::Duration RetryPolicy::Backoff(int retry, double random) const {
  Duration base = initial;
  for (int i = 1; i < retry && base < max; ++i) base *= 2;
  base = std::min(base, max);
  const double scale = 1.0 - jitter + 2.0 * jitter * std::clamp(random, 0.0, 1.0);
  const auto jittered = std::chrono::round<Duration>(
      std::chrono::duration<double, Duration::period>(base.count() * scale));
  return std::clamp(jittered, Duration::zero(), max);
}

std::optional<RetryPolicy::Duration> RetryPolicy::NextRetry(int retry, Duration elapsed,
                                                            double random) const {
  const Duration wait = Backoff(retry, random);
  if (elapsed + wait > give_up_after) return std::nullopt;
  return wait;
}

}  // namespace gw::webhooks
