#ifndef TESTS_GATEWAY_OBSERVABILITY_TEST_EXPORTER_H_
#define TESTS_GATEWAY_OBSERVABILITY_TEST_EXPORTER_H_

#include <chrono>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gateway/observability/span_exporter.h"

namespace gw::tracing {

// What a RecordingExporter saw; shared with the test, which keeps it after the exporter moved
// into a BatchExporter or Tracer.
struct ExportLog {
  absl::Mutex mu;
  std::vector<std::vector<SpanData>> batches ABSL_GUARDED_BY(mu);
  bool cancelled ABSL_GUARDED_BY(mu) = false;
  // Set: Export blocks until released (or cancelled) after saying it entered.
  bool hold ABSL_GUARDED_BY(mu) = false;
  bool released ABSL_GUARDED_BY(mu) = false;
  absl::Notification entered;
  absl::StatusOr<uint64_t> answer = 0;

  void Release() {
    absl::MutexLock lock(&mu);
    released = true;
  }
  size_t SpanCount() {
    absl::MutexLock lock(&mu);
    size_t count = 0;
    for (const auto& batch : batches) count += batch.size();
    return count;
  }
  std::vector<SpanData> Spans() {
    absl::MutexLock lock(&mu);
    std::vector<SpanData> all;
    for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
    return all;
  }
  // Waits (bounded) until `count` spans were exported.
  bool AwaitSpans(size_t count, absl::Duration timeout = absl::Seconds(5)) {
    absl::MutexLock lock(&mu);
    const auto enough = [this, count]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      size_t seen = 0;
      for (const auto& batch : batches) seen += batch.size();
      return seen >= count;
    };
    return mu.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
};

// A SpanExporter that records every batch in an ExportLog and answers with `log->answer`.
class RecordingExporter final : public SpanExporter {
 public:
  explicit RecordingExporter(std::shared_ptr<ExportLog> log) : log_(std::move(log)) {}

  absl::StatusOr<uint64_t> Export(const std::vector<SpanData>& spans,
                                  std::chrono::system_clock::time_point deadline) override {
    absl::MutexLock lock(&log_->mu);
    log_->batches.push_back(spans);
    if (log_->hold) {
      if (!log_->entered.HasBeenNotified()) log_->entered.Notify();
      const auto free = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return log_->released || log_->cancelled;
      };
      log_->mu.AwaitWithTimeout(absl::Condition(&free), absl::Seconds(30));
      if (log_->cancelled) return absl::CancelledError("cancelled");
    }
    return log_->answer;
  }
  void CancelExport() override {
    absl::MutexLock lock(&log_->mu);
    log_->cancelled = true;
  }

 private:
  std::shared_ptr<ExportLog> log_;
};

}  // namespace gw::tracing

#endif  // TESTS_GATEWAY_OBSERVABILITY_TEST_EXPORTER_H_
