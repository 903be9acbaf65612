#include "gateway/observability/batch_exporter.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gateway/observability/log.h"

namespace gw::tracing {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::system_clock::time_point ToSystem(Clock::time_point deadline) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - Clock::now());
}

}  // namespace

BatchExporter::BatchExporter(std::unique_ptr<SpanExporter> exporter, BatchOptions options)
    : exporter_(std::move(exporter)), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

BatchExporter::~BatchExporter() { Shutdown(Clock::now()); }

bool BatchExporter::Add(SpanData span) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_ && queue_.size() < options_.max_queue_size) {
      queue_.push_back(std::move(span));
      return true;
    }
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void BatchExporter::Run() {
  for (;;) {
    std::vector<SpanData> batch;
    Clock::time_point export_deadline;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return stopping_ || queue_.size() >= options_.max_batch_size;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), absl::FromChrono(options_.schedule_delay));
      export_deadline = Clock::now() + options_.export_timeout;
      if (stopping_) {
        if (Clock::now() >= stop_deadline_) {
          dropped_.fetch_add(queue_.size(), std::memory_order_relaxed);
          queue_.clear();
          break;
        }
        if (queue_.empty()) break;
        export_deadline = std::min(export_deadline, stop_deadline_);
      }
      const size_t count = std::min(queue_.size(), options_.max_batch_size);
      batch.reserve(count);
      std::move(queue_.begin(), queue_.begin() + count, std::back_inserter(batch));
      queue_.erase(queue_.begin(), queue_.begin() + count);
    }
    if (!batch.empty()) ExportBatch(batch, export_deadline);
  }
  stopped_.Notify();
}

void BatchExporter::ExportBatch(std::vector<SpanData>& batch, Clock::time_point deadline) {
  absl::StatusOr<uint64_t> rejected = exporter_->Export(batch, ToSystem(deadline));
  if (!rejected.ok()) {
    export_errors_.fetch_add(1, std::memory_order_relaxed);
    failed_.fetch_add(batch.size(), std::memory_order_relaxed);
    // One line when exports start failing and one when they work again, not one per batch.
    if (!failing_) {
      failing_ = true;
      observability::LogWarn("trace export failed; spans are dropped until it works again",
                             {{"error", std::string(rejected.status().message())},
                              {"spans", static_cast<uint64_t>(batch.size())}});
    }
    return;
  }
  const uint64_t refused = std::min<uint64_t>(*rejected, batch.size());
  exported_.fetch_add(batch.size() - refused, std::memory_order_relaxed);
  failed_.fetch_add(refused, std::memory_order_relaxed);
  if (failing_) {
    failing_ = false;
    observability::LogInfo("trace export works again");
  }
}

void BatchExporter::Shutdown(Clock::time_point deadline) {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    stop_deadline_ = deadline;
  }
  const auto left = std::max(deadline - Clock::now(), Clock::duration::zero());
  if (!stopped_.WaitForNotificationWithTimeout(absl::FromChrono(left))) {
    exporter_->CancelExport();
  }
  thread_.join();
}

ExportCounters BatchExporter::counters() const {
  return ExportCounters{
      exported_.load(std::memory_order_relaxed), dropped_.load(std::memory_order_relaxed),
      failed_.load(std::memory_order_relaxed), export_errors_.load(std::memory_order_relaxed)};
}

}  // namespace gw::tracing
