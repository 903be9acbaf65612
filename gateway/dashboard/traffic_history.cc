#include "gateway/dashboard/traffic_history.h"

#include <algorithm>

namespace gw::dashboard {
namespace {

int64_t BucketOf(int64_t time_ms) {
  // Floor, also for times before 1970 (tests).
  return time_ms >= 0
             ? time_ms / TrafficHistory::kResolutionMs
             : -((-time_ms + TrafficHistory::kResolutionMs - 1) / TrafficHistory::kResolutionMs);
}

uint64_t Grown(uint64_t from, uint64_t to) { return to > from ? to - from : 0; }

// Gauges as they stand at `end`; counters as grown since `start`.
TrafficTotals Figures(const TrafficTotals& start, const TrafficTotals& end) {
  TrafficTotals figures;
  figures.connections = end.connections;
  figures.subscriptions = end.subscriptions;
  figures.messages_in = Grown(start.messages_in, end.messages_in);
  figures.messages_out = Grown(start.messages_out, end.messages_out);
  figures.published = Grown(start.published, end.published);
  figures.client_events = Grown(start.client_events, end.client_events);
  figures.webhooks_sent = Grown(start.webhooks_sent, end.webhooks_sent);
  figures.webhooks_failed = Grown(start.webhooks_failed, end.webhooks_failed);
  return figures;
}

uint32_t Span(int64_t from_ms, int64_t to_ms) {
  return static_cast<uint32_t>(std::clamp<int64_t>(to_ms - from_ms, 0, 3600 * 1000));
}

}  // namespace

void TrafficHistory::Append(const TrafficPoint& point) {
  ring_[closed_ % kBuckets] = point;
  ++closed_;
}

void TrafficHistory::Sample(int64_t now_ms, const TrafficTotals& totals) {
  const int64_t index = BucketOf(now_ms);
  if (!open_index_) {
    open_index_ = index;
    open_since_ms_ = now_ms;
    last_sample_ms_ = now_ms;
    open_start_ = totals;
  } else if (index > *open_index_) {
    // The growth up to this sample is the closing bucket's: it is measured from sample to
    // sample, so nothing is counted twice or lost, whatever the sampling rhythm.
    Append({*open_index_, Span(open_since_ms_, now_ms), Figures(open_start_, totals)});
    // Buckets no sample reached: nothing grew that was seen, the gauges stood still.
    TrafficTotals idle = Figures(totals, totals);
    const int64_t first_missing =
        std::max(*open_index_ + 1, index - static_cast<int64_t>(kBuckets));
    for (int64_t missing = first_missing; missing < index; ++missing) {
      Append({missing, static_cast<uint32_t>(kResolutionMs), idle});
    }
    open_index_ = index;
    open_since_ms_ = now_ms;
    open_start_ = totals;
  }
  // A clock that stepped back keeps filling the bucket in progress.
  last_sample_ms_ = std::max(last_sample_ms_, now_ms);
  last_ = totals;
}

std::vector<TrafficPoint> TrafficHistory::Since(int64_t after) const {
  std::vector<TrafficPoint> points;
  const uint64_t first = closed_ > kBuckets ? closed_ - kBuckets : 0;
  for (uint64_t i = first; i < closed_; ++i) {
    const TrafficPoint& point = ring_[i % kBuckets];
    if (point.index > after) points.push_back(point);
  }
  return points;
}

std::optional<TrafficPoint> TrafficHistory::Current() const {
  if (!open_index_) return std::nullopt;
  return TrafficPoint{*open_index_, Span(open_since_ms_, last_sample_ms_),
                      Figures(open_start_, last_)};
}

}  // namespace gw::dashboard
