#ifndef GATEWAY_DASHBOARD_TRAFFIC_HISTORY_H_
#define GATEWAY_DASHBOARD_TRAFFIC_HISTORY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "gateway/core/traffic_totals.h"

namespace gw::dashboard {

using core::TrafficTotals;

// One bucket of the chart: the gauges as they stood at its end (or now, for the bucket in
// progress) and what the totals grew by within it.
struct TrafficPoint {
  int64_t index = 0;  // start time / kResolution: consecutive buckets have consecutive indexes
  // The time the growth was measured over: about kResolutionMs, less for the bucket in progress
  // and the first one.
  uint32_t covered_ms = 0;
  TrafficTotals figures;
};

// An app's traffic over the last hour at a fixed resolution, in memory and bounded: 720 buckets
// of 5 seconds, each an 80-byte TrafficPoint, so about 56 KiB per app. Driven with time values
// (Unix milliseconds): Sample is called often (every second or so) with the totals read then; a
// bucket closes at the first sample past its end. Buckets no sample reached (the process was
// stopped, or idle between samples) are filled in: gauges as last seen, nothing grown.
//
// Not thread-safe: the dashboard calls it under its lock.
class TrafficHistory {
 public:
  static constexpr int64_t kResolutionMs = 5000;
  static constexpr size_t kBuckets = 720;

  void Sample(int64_t now_ms, const TrafficTotals& totals);
  // Closed buckets with an index above `after`, oldest first (at most the last hour's).
  std::vector<TrafficPoint> Since(int64_t after) const;
  // The bucket in progress, as of the last sample; nullopt before the first.
  std::optional<TrafficPoint> Current() const;

 private:
  void Append(const TrafficPoint& point);

  std::array<TrafficPoint, kBuckets> ring_{};
  uint64_t closed_ = 0;  // buckets ever closed; the last kBuckets of them are in the ring
  std::optional<int64_t> open_index_;  // the bucket in progress
  int64_t open_since_ms_ = 0;          // its first sample
  int64_t last_sample_ms_ = 0;
  TrafficTotals open_start_;  // the totals its growth is measured from
  TrafficTotals last_;
};

}  // namespace gw::dashboard

#endif  // GATEWAY_DASHBOARD_TRAFFIC_HISTORY_H_
