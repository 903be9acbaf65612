#include "clients/bench/rate_pacer.h"

#include <cmath>
#include <cstdint>

namespace gw::bench {

RatePacer::RatePacer(double per_second, int64_t start_ns)
    : per_second_(per_second > 0 ? per_second : 0), start_ns_(start_ns) {}

int64_t RatePacer::DueAt(uint64_t index) const {
  if (!paced()) return start_ns_;
  // long double keeps index * 1e9 exact well past any run's message count.
  const long double offset = std::ceil(static_cast<long double>(index) * 1e9L / per_second_);
  return start_ns_ + static_cast<int64_t>(offset);
}

uint64_t RatePacer::DueCount(int64_t now_ns) const {
  if (!paced()) return UINT64_MAX;
  if (now_ns < start_ns_) return 0;
  const long double elapsed = static_cast<long double>(now_ns - start_ns_);
  uint64_t count = static_cast<uint64_t>(std::floor(elapsed * per_second_ / 1e9L)) + 1;
  // Rounding in the division above may land one short or one over; settle it against DueAt,
  // which is the definition.
  while (count > 0 && DueAt(count - 1) > now_ns) --count;
  while (DueAt(count) <= now_ns) ++count;
  return count;
}

}  // namespace gw::bench
