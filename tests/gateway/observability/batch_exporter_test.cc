#include "gateway/observability/batch_exporter.h"

#include <chrono>
#include <memory>

#include "gtest/gtest.h"
#include "tests/gateway/observability/test_exporter.h"

namespace gw::tracing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

SpanData Named(std::string name) {
  SpanData span;
  span.name = std::move(name);
  return span;
}

BatchOptions Options(size_t queue, size_t batch, milliseconds delay) {
  BatchOptions options;
  options.max_queue_size = queue;
  options.max_batch_size = batch;
  options.schedule_delay = delay;
  return options;
}

TEST(BatchExporter, DropsAndCountsSpansWhileTheQueueIsFull) {
  auto log = std::make_shared<ExportLog>();
  {
    absl::MutexLock lock(&log->mu);
    log->hold = true;
  }
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(/*queue=*/4, /*batch=*/2, std::chrono::hours(1)));
  // A full batch wakes the thread, which then hangs in Export: the queue can only fill.
  ASSERT_TRUE(exporter.Add(Named("a")));
  ASSERT_TRUE(exporter.Add(Named("b")));
  ASSERT_TRUE(log->entered.WaitForNotificationWithTimeout(absl::Seconds(5)));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(exporter.Add(Named("queued")));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(exporter.Add(Named("dropped")));
  EXPECT_EQ(exporter.counters().dropped, 3u);

  log->Release();
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  const ExportCounters counters = exporter.counters();
  EXPECT_EQ(counters.exported, 6u);
  EXPECT_EQ(counters.dropped, 3u);
  EXPECT_EQ(log->SpanCount(), 6u);
  for (const SpanData& span : log->Spans()) EXPECT_NE(span.name, "dropped");
}

TEST(BatchExporter, SendsNoBatchLargerThanTheLimit) {
  auto log = std::make_shared<ExportLog>();
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 3, std::chrono::hours(1)));
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(exporter.Add(Named("s")));
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  absl::MutexLock lock(&log->mu);
  size_t total = 0;
  for (const auto& batch : log->batches) {
    EXPECT_LE(batch.size(), 3u);
    total += batch.size();
  }
  EXPECT_EQ(total, 7u);
}

TEST(BatchExporter, SendsAPartialBatchAfterTheScheduleDelay) {
  auto log = std::make_shared<ExportLog>();
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 50, milliseconds(20)));
  ASSERT_TRUE(exporter.Add(Named("lonely")));
  EXPECT_TRUE(log->AwaitSpans(1));
  EXPECT_EQ(log->Spans().front().name, "lonely");
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(exporter.counters().exported, 1u);
}

TEST(BatchExporter, CountsAndDropsFailedBatchesWithoutRetrying) {
  auto log = std::make_shared<ExportLog>();
  log->answer = absl::UnavailableError("collector down");
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 2, std::chrono::hours(1)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(exporter.Add(Named("s")));
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  const ExportCounters counters = exporter.counters();
  EXPECT_EQ(counters.exported, 0u);
  EXPECT_EQ(counters.failed, 5u);
  // Every span was offered exactly once: no retry.
  EXPECT_EQ(log->SpanCount(), 5u);
  absl::MutexLock lock(&log->mu);
  EXPECT_EQ(counters.export_errors, log->batches.size());
}

TEST(BatchExporter, CountsSpansTheCollectorRejected) {
  auto log = std::make_shared<ExportLog>();
  log->answer = 2;
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 10, std::chrono::hours(1)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(exporter.Add(Named("s")));
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(exporter.counters().exported, 3u);
  EXPECT_EQ(exporter.counters().failed, 2u);
  EXPECT_EQ(exporter.counters().export_errors, 0u);
}

TEST(BatchExporter, ShutdownFlushesWhatIsQueued) {
  auto log = std::make_shared<ExportLog>();
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 50, std::chrono::hours(1)));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(exporter.Add(Named("s")));
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(log->SpanCount(), 10u);
  EXPECT_EQ(exporter.counters().exported, 10u);
}

TEST(BatchExporter, ShutdownCancelsAnExportThatOutlivesTheDeadline) {
  auto log = std::make_shared<ExportLog>();
  {
    absl::MutexLock lock(&log->mu);
    log->hold = true;
  }
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 1, std::chrono::hours(1)));
  ASSERT_TRUE(exporter.Add(Named("stuck")));
  ASSERT_TRUE(log->entered.WaitForNotificationWithTimeout(absl::Seconds(5)));
  ASSERT_TRUE(exporter.Add(Named("left behind")));
  const auto started = Clock::now();
  exporter.Shutdown(started + milliseconds(100));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5));
  {
    absl::MutexLock lock(&log->mu);
    EXPECT_TRUE(log->cancelled);
  }
  const ExportCounters counters = exporter.counters();
  EXPECT_EQ(counters.export_errors, 1u);
  EXPECT_EQ(counters.failed, 1u);
  EXPECT_EQ(counters.dropped, 1u);
}

TEST(BatchExporter, DropsSpansAddedAfterShutdown) {
  auto log = std::make_shared<ExportLog>();
  BatchExporter exporter(std::make_unique<RecordingExporter>(log),
                         Options(100, 10, std::chrono::hours(1)));
  exporter.Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_FALSE(exporter.Add(Named("late")));
  EXPECT_EQ(exporter.counters().dropped, 1u);
  exporter.Shutdown(Clock::now());  // a second call returns at once
}

}  // namespace
}  // namespace gw::tracing
