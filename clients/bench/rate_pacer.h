#ifndef CLIENTS_BENCH_RATE_PACER_H_
#define CLIENTS_BENCH_RATE_PACER_H_

#include <cstdint>

namespace gw::bench {

// Open-loop pacing of a fixed message rate: message i (0-based) is due at start + i / rate, no
// matter how late earlier messages went out, so a slow server shows up as latency rather than
// as a lower offered rate (no coordinated omission in the schedule). A rate of 0 means unpaced:
// every message is due at once and the senders' own concurrency sets the pace.
//
// Pure arithmetic on nanoseconds; safe to share between threads (it has no mutable state).
class RatePacer {
 public:
  RatePacer(double per_second, int64_t start_ns);

  bool paced() const { return per_second_ > 0; }
  double per_second() const { return per_second_; }
  int64_t start_ns() const { return start_ns_; }

  // When message `index` is due: the first nanosecond at or after start + index / rate.
  int64_t DueAt(uint64_t index) const;
  // How many messages are due by `now_ns` (messages 0 .. n-1): 0 before the start, and
  // DueCount(DueAt(i)) > i for every i. Unpaced: UINT64_MAX.
  uint64_t DueCount(int64_t now_ns) const;

 private:
  double per_second_;
  int64_t start_ns_;
};

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_RATE_PACER_H_
