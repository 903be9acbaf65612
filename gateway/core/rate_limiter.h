#ifndef GATEWAY_CORE_RATE_LIMITER_H_
#define GATEWAY_CORE_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>

namespace gw::core {

// A token bucket: it holds up to `burst` tokens (by default one second's worth) and refills at
// `per_second`, continuously, so a steady sender at the rate is never refused and a burst beyond
// the bucket is. Time is passed in (testable without sleeping). Not thread-safe: one per
// connection, used on its shard.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second == 0 means unlimited.
  explicit RateLimiter(uint32_t per_second) : RateLimiter(per_second, per_second) {}
  // A bucket of `burst` tokens (at least one) refilled at `per_second`; it starts full.
  RateLimiter(uint32_t per_second, uint32_t burst)
      : per_second_(per_second),
        burst_(burst == 0 ? 1.0 : static_cast<double>(burst)),
        tokens_(burst_) {}

  bool TryAcquire(Clock::time_point now);

 private:
  uint32_t per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_RATE_LIMITER_H_
