#ifndef GATEWAY_CLUSTER_RECONNECT_BACKOFF_H_
#define GATEWAY_CLUSTER_RECONNECT_BACKOFF_H_

#include <chrono>

namespace gw::cluster {

// How long to wait before the next attempt to reach Redis: `initial` after the first failure,
// twice as long after each further one, at most `max`; each wait is shortened by up to `jitter`
// (a random fraction), so nodes that lost the same Redis do not come back in step, and no wait
// exceeds `max`. Never gives up: a node keeps serving alone while Redis is away. Pure; the
// caller supplies the randomness.
class ReconnectBackoff {
 public:
  using Duration = std::chrono::steady_clock::duration;

  struct Policy {
    Duration initial = std::chrono::milliseconds(100);
    Duration max = std::chrono::seconds(5);
    double jitter = 0.2;  // in [0, 1]
  };

  ReconnectBackoff() = default;
  explicit ReconnectBackoff(Policy policy) : policy_(policy) {}

  // The wait before the next attempt, after one more failure. `random` in [0, 1).
  Duration NextDelay(double random);
  // A connection succeeded: the next failure waits `initial` again.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  Policy policy_;
  int failures_ = 0;
};

}  // namespace gw::cluster

#endif  // GATEWAY_CLUSTER_RECONNECT_BACKOFF_H_
