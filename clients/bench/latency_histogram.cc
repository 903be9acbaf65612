#include "clients/bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gw::bench {

int LatencyHistogram::BucketOf(uint64_t value) {
  if (value < static_cast<uint64_t>(kSubBuckets)) return static_cast<int>(value);
  // The value's top kSubBucketBits + 1 bits pick the bucket: its power of two picks the block, the
  // bits below the leading one the sub-bucket.
  const int magnitude = std::bit_width(value) - 1;  // >= kSubBucketBits
  const int shift = magnitude - kSubBucketBits;
  const int block = shift + 1;
  return block * kSubBuckets + static_cast<int>((value >> shift) - kSubBuckets);
}

uint64_t LatencyHistogram::BucketLow(int bucket) {
  const int block = bucket / kSubBuckets;
  const uint64_t sub = static_cast<uint64_t>(bucket % kSubBuckets);
  if (block == 0) return sub;
  return (kSubBuckets + sub) << (block - 1);
}

uint64_t LatencyHistogram::BucketHigh(int bucket) {
  const int block = bucket / kSubBuckets;
  if (block <= 1) return BucketLow(bucket);
  return BucketLow(bucket) + ((uint64_t{1} << (block - 1)) - 1);
}

void LatencyHistogram::Record(int64_t nanos) {
  if (nanos < 0) nanos = 0;
  ++buckets_[BucketOf(static_cast<uint64_t>(nanos))];
  if (count_ == 0 || nanos < min_) min_ = nanos;
  if (nanos > max_) max_ = nanos;
  ++count_;
  sum_ += static_cast<long double>(nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (int i = 0; i < kBucketCount; ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::Clear() { *this = LatencyHistogram(); }

double LatencyHistogram::Mean() const {
  return count_ == 0 ? 0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const uint64_t high = BucketHigh(i);
      return std::clamp(static_cast<int64_t>(high), min_, max_);
    }
  }
  return max_;
}

}  // namespace gw::bench
