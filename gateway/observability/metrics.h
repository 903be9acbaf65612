#ifndef GATEWAY_OBSERVABILITY_METRICS_H_
#define GATEWAY_OBSERVABILITY_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace gw::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Counters and histograms are kept in per-thread slots (each on its own cache line): an increment
// is one relaxed atomic add that no other thread contends for, and a scrape only reads. Slots are
// handed to threads round-robin; with more threads than slots two share one, still correctly.
inline constexpr size_t kMetricSlots = 16;
size_t ThisThreadSlot();

class Counter {
 public:
  void Add(uint64_t n = 1) {
    slots_[ThisThreadSlot()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const;

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> value{0};
  };
  std::array<Slot, kMetricSlots> slots_;
};

// A Prometheus histogram with fixed upper bounds (seconds, bytes, ...).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  struct alignas(64) Slot {
    explicit Slot(size_t buckets) : counts(buckets) {}
    std::vector<std::atomic<uint64_t>> counts;
    std::atomic<uint64_t> sum_micros{0};
  };
  std::vector<double> bounds_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// Named metric families rendered in the Prometheus text format (version 0.0.4). Series are made
// once (typically at start or the first time a label set is seen) and returned by stable
// reference, so hot paths keep a pointer and never look a series up. Gauges are computed at scrape
// time by callbacks. Thread-safe.
class MetricsRegistry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const std::vector<double>& upper_bounds, const Labels& labels = {});
  // `read` is called on every scrape and reports (labels, value) pairs via `emit`.
  using GaugeEmitter = std::function<void(const Labels&, double)>;
  void AddGauge(const std::string& name, const std::string& help,
                std::function<void(const GaugeEmitter& emit)> read);
  // Like AddGauge, for counters whose value lives elsewhere (atomics of another module).
  void AddCounterFunction(const std::string& name, const std::string& help,
                          std::function<void(const GaugeEmitter& emit)> read);

  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::string help;
    std::string type;                                              // counter | histogram | gauge
    std::map<std::string, std::unique_ptr<Counter>> counters;      // by rendered labels
    std::map<std::string, std::unique_ptr<Histogram>> histograms;  // by rendered labels
    std::vector<std::function<void(const GaugeEmitter&)>> readers;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const std::string& type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
};

// {a="x",b="y"} with Prometheus escaping; "" for no labels.
std::string RenderLabels(const Labels& labels);

}  // namespace gw::observability

#endif  // GATEWAY_OBSERVABILITY_METRICS_H_
