#ifndef CLIENTS_BENCH_MONOTONIC_CLOCK_H_
#define CLIENTS_BENCH_MONOTONIC_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace gw::bench {

// Nanoseconds of std::chrono::steady_clock (CLOCK_MONOTONIC on Linux): the one clock every
// timestamp, deadline and Asio timer of the bench uses. Senders and receivers share the process,
// so a stamp written by one thread is comparable with a reading on another.
inline int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::chrono::steady_clock::time_point MonotonicTimePoint(int64_t nanos) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::nanoseconds(nanos)));
}

inline int64_t SecondsToNanos(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_MONOTONIC_CLOCK_H_
