#include "gateway/core/rate_limiter.h"

#include <algorithm>

namespace gw::core {

bool RateLimiter::TryAcquire(Clock::time_point now) {
  if (per_second_ == 0) return true;
  if (last_ != Clock::time_point{}) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed) * per_second_);
  }
  last_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace gw::core
