#ifndef GATEWAY_CORE_RATE_LIMITER_H_
#define GATEWAY_CORE_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>

namespace gw::core {

// A token bucket: up to `per_second` events in any one second, refilled continuously, so a
// steady sender at the limit is never refused and a burst is. Time is passed in (testable without
// sleeping). Not thread-safe: one per connection, used on its shard.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second == 0 means unlimited.
  explicit RateLimiter(uint32_t per_second)
      : per_second_(per_second), tokens_(static_cast<double>(per_second)) {}

  bool TryAcquire(Clock::time_point now);

 private:
  uint32_t per_second_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_RATE_LIMITER_H_
