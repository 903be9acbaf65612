#include "gateway/observability/metrics.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::observability {
namespace {

using ::testing::HasSubstr;

TEST(Counter, SumsAddsFromManyThreads) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) counter.Add();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), 80000u);
}

TEST(Histogram, BucketsAreCumulativeWithSumAndCount) {
  Histogram histogram({0.1, 1, 10});
  histogram.Observe(0.05);
  histogram.Observe(0.1);  // on the bound: le="0.1"
  histogram.Observe(5);
  histogram.Observe(50);
  const Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_THAT(snapshot.cumulative, ::testing::ElementsAre(2, 2, 3, 4));
  EXPECT_EQ(snapshot.count, 4u);
  EXPECT_NEAR(snapshot.sum, 55.15, 1e-6);
}

TEST(MetricsRegistry, RendersThePrometheusTextFormat) {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests.", {{"route", "/x"}}).Add(3);
  registry.GetCounter("requests_total", "Requests.", {{"route", "/y"}}).Add();
  registry.GetHistogram("latency_seconds", "Latency.", {0.5}).Observe(0.25);
  registry.AddGauge("open", "Open things.", [](const auto& emit) { emit({{"app", "a"}}, 7); });
  const std::string text = registry.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# HELP requests_total Requests.\n# TYPE requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("requests_total{route=\"/x\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("requests_total{route=\"/y\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE latency_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_bucket{le=\"0.5\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_bucket{le=\"+Inf\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_sum 0.25\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE open gauge\nopen{app=\"a\"} 7\n"));
}

TEST(MetricsRegistry, SameNameAndLabelsReturnTheSameSeries) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c_total", "C.", {{"k", "v"}});
  Counter& b = registry.GetCounter("c_total", "C.", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

TEST(RenderLabels, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(RenderLabels({{"k", "a\\b\"c\nd"}}), "{k=\"a\\\\b\\\"c\\nd\"}");
  EXPECT_EQ(RenderLabels({}), "");
}

}  // namespace
}  // namespace gw::observability
