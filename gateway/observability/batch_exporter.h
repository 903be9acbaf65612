#ifndef GATEWAY_OBSERVABILITY_BATCH_EXPORTER_H_
#define GATEWAY_OBSERVABILITY_BATCH_EXPORTER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gateway/observability/span_data.h"
#include "gateway/observability/span_exporter.h"

namespace gw::tracing {

// Limits of the export path (OTEL_BSP_* and OTEL_EXPORTER_OTLP_TIMEOUT set them).
struct BatchOptions {
  size_t max_queue_size = 2048;  // ended spans waiting; beyond it new spans are dropped
  size_t max_batch_size = 512;   // spans per Export call
  std::chrono::milliseconds schedule_delay{1000};   // longest wait before a partial batch leaves
  std::chrono::milliseconds export_timeout{10000};  // deadline of one Export call
};

// Totals since start, for metrics.
struct ExportCounters {
  uint64_t exported = 0;       // spans the receiver accepted
  uint64_t dropped = 0;        // spans never sent: the queue was full, or shutdown came first
  uint64_t failed = 0;         // spans lost to failed or partially rejected exports
  uint64_t export_errors = 0;  // Export calls that failed
};

// Ended spans wait in a bounded queue; one thread takes them in batches (max_batch_size, or
// whatever is there after schedule_delay) and hands each batch to the exporter once. A failed
// batch is counted and dropped, never retried, so a collector that is down costs at most one
// queue of memory and never slows a caller.
//
// Thread-safety: Add and counters() from any thread, without blocking beyond a short lock.
// Shutdown from one thread, once (later calls return at once).
class BatchExporter {
 public:
  BatchExporter(std::unique_ptr<SpanExporter> exporter, BatchOptions options);
  BatchExporter(const BatchExporter&) = delete;
  BatchExporter& operator=(const BatchExporter&) = delete;
  // Shuts down with no time to flush if Shutdown was not called.
  ~BatchExporter();

  // Queues a span; false (and counted as dropped) when the queue is full or shut down.
  bool Add(SpanData span);
  // Stops taking spans, exports what is queued until `deadline`, then stops the thread. An
  // export still running at the deadline is cancelled; what is left is counted as dropped.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  ExportCounters counters() const;
  const BatchOptions& options() const { return options_; }

 private:
  void Run();
  void ExportBatch(std::vector<SpanData>& batch, std::chrono::steady_clock::time_point deadline);

  const std::unique_ptr<SpanExporter> exporter_;
  const BatchOptions options_;

  absl::Mutex mu_;
  std::deque<SpanData> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point stop_deadline_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> export_errors_{0};
  bool failing_ = false;  // the worker thread's: logs once per run of failures

  absl::Notification stopped_;
  std::thread thread_;
};

}  // namespace gw::tracing

#endif  // GATEWAY_OBSERVABILITY_BATCH_EXPORTER_H_
