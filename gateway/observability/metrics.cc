#include "gateway/observability/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace gw::observability {
namespace {

std::atomic<size_t> next_slot{0};

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrCat(value);
}

// Adds le="bound" to rendered labels ("" or "{...}").
std::string WithLe(const std::string& labels, const std::string& le) {
  if (labels.empty()) return absl::StrCat("{le=\"", le, "\"}");
  return absl::StrCat(labels.substr(0, labels.size() - 1), ",le=\"", le, "\"}");
}

}  // namespace

size_t ThisThreadSlot() {
  thread_local const size_t slot = next_slot.fetch_add(1, std::memory_order_relaxed) % kMetricSlots;
  return slot;
}

uint64_t Counter::Value() const {
  uint64_t total = 0;
  for (const Slot& slot : slots_) total += slot.value.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i < kMetricSlots; ++i) {
    slots_.push_back(std::make_unique<Slot>(bounds_.size() + 1));
  }
}

void Histogram::Observe(double value) {
  Slot& slot = *slots_[ThisThreadSlot()];
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  slot.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  // The sum is kept in millionths so it can be an integer atomic.
  slot.sum_micros.fetch_add(static_cast<uint64_t>(std::max(0.0, value) * 1e6),
                            std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  std::vector<uint64_t> per_bucket(bounds_.size() + 1, 0);
  uint64_t sum_micros = 0;
  for (const auto& slot : slots_) {
    for (size_t i = 0; i < per_bucket.size(); ++i) {
      per_bucket[i] += slot->counts[i].load(std::memory_order_relaxed);
    }
    sum_micros += slot->sum_micros.load(std::memory_order_relaxed);
  }
  uint64_t running = 0;
  for (uint64_t count : per_bucket) {
    running += count;
    snapshot.cumulative.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = static_cast<double>(sum_micros) / 1e6;
  return snapshot;
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    absl::StrAppend(&out, labels[i].first, "=\"", EscapeLabelValue(labels[i].second), "\"");
  }
  out += "}";
  return out;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name,
                                                    const std::string& help,
                                                    const std::string& type) {
  Family& family = families_[name];
  if (family.type.empty()) {
    family.help = help;
    family.type = type;
  }
  return family;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& series = FamilyFor(name, help, "counter").counters[RenderLabels(labels)];
  if (series == nullptr) series = std::make_unique<Counter>();
  return *series;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const std::vector<double>& upper_bounds,
                                         const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& series = FamilyFor(name, help, "histogram").histograms[RenderLabels(labels)];
  if (series == nullptr) series = std::make_unique<Histogram>(upper_bounds);
  return *series;
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                               std::function<void(const GaugeEmitter& emit)> read) {
  absl::MutexLock lock(&mu_);
  FamilyFor(name, help, "gauge").readers.push_back(std::move(read));
}

void MetricsRegistry::AddCounterFunction(const std::string& name, const std::string& help,
                                         std::function<void(const GaugeEmitter& emit)> read) {
  absl::MutexLock lock(&mu_);
  FamilyFor(name, help, "counter").readers.push_back(std::move(read));
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) {
    absl::StrAppend(&out, "# HELP ", name, " ", family.help, "\n# TYPE ", name, " ", family.type,
                    "\n");
    for (const auto& [labels, counter] : family.counters) {
      absl::StrAppend(&out, name, labels, " ", counter->Value(), "\n");
    }
    for (const auto& [labels, histogram] : family.histograms) {
      const Histogram::Snapshot snapshot = histogram->Read();
      const auto& bounds = histogram->upper_bounds();
      for (size_t i = 0; i < bounds.size(); ++i) {
        absl::StrAppend(&out, name, "_bucket", WithLe(labels, FormatValue(bounds[i])), " ",
                        snapshot.cumulative[i], "\n");
      }
      absl::StrAppend(&out, name, "_bucket", WithLe(labels, "+Inf"), " ", snapshot.count, "\n",
                      name, "_sum", labels, " ", FormatValue(snapshot.sum), "\n", name, "_count",
                      labels, " ", snapshot.count, "\n");
    }
    for (const auto& read : family.readers) {
      read([&](const Labels& labels, double value) {
        absl::StrAppend(&out, name, RenderLabels(labels), " ", FormatValue(value), "\n");
      });
    }
  }
  return out;
}

}  // namespace gw::observability
