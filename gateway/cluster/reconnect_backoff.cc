#include "gateway/cluster/reconnect_backoff.h"

#include <algorithm>

namespace gw::cluster {

ReconnectBackoff::Duration ReconnectBackoff::NextDelay(double random) {
  ++failures_;
  Duration wait = policy_.initial;
  for (int i = 1; i < failures_ && wait < policy_.max; ++i) wait *= 2;
  wait = std::min(wait, policy_.max);
  // Shortened only, so that `max` holds with the jitter too.
  const double keep = 1.0 - std::clamp(policy_.jitter, 0.0, 1.0) * std::clamp(random, 0.0, 1.0);
  return std::chrono::duration_cast<Duration>(wait * keep);
}

}  // namespace gw::cluster
