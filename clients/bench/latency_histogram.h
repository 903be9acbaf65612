#ifndef CLIENTS_BENCH_LATENCY_HISTOGRAM_H_
#define CLIENTS_BENCH_LATENCY_HISTOGRAM_H_

#include <array>
#include <cstdint>

namespace gw::bench {

// Latencies in nanoseconds, recorded without allocating: a log-linear histogram (as
// HdrHistogram) with 128 linear sub-buckets per power of two, so values below 256 are exact and
// every other value is kept within 1/128 (0.8%) of itself. Min, max, count and sum are exact.
//
// Percentile(q) uses the nearest-rank definition: the smallest recorded value v such that at
// least q * count values are <= v, reported as the upper end of v's bucket (never above Max()).
//
// Not thread-safe: one histogram per thread, merged at the end.
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kBucketCount = (64 - kSubBucketBits + 1) * kSubBuckets;

  // Negative values (clock steps) count as 0.
  void Record(int64_t nanos);
  void Merge(const LatencyHistogram& other);
  void Clear();

  uint64_t Count() const { return count_; }
  int64_t Min() const { return count_ == 0 ? 0 : min_; }
  int64_t Max() const { return max_; }
  double Mean() const;
  // q in [0, 1]; 0 when empty.
  int64_t Percentile(double q) const;

  // The bucket of a value and the range of values a bucket holds (exposed for tests).
  static int BucketOf(uint64_t value);
  static uint64_t BucketLow(int bucket);
  static uint64_t BucketHigh(int bucket);

 private:
  std::array<uint64_t, kBucketCount> buckets_{};
  uint64_t count_ = 0;
  // Sum in long double: at 1e9 samples of seconds each, uint64 nanoseconds would overflow.
  long double sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_LATENCY_HISTOGRAM_H_
