#include "clients/bench/bench_report.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gw::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

BenchReport FanoutReport(std::string server, double rate, double p99) {
  BenchReport report;
  report.scenario = "fanout";
  report.name = "fanout 1x100 http max";
  report.server = std::move(server);
  report.params = {{"connections", "100"}};
  report.rows.push_back({NumberMetric("subscribers", 100),
                         NumberMetric("deliveries_per_s", rate, Better::kHigher),
                         NumberMetric("latency_p99_ms", p99, Better::kLower)});
  report.notes = {"connections: close 4100 x2"};
  return report;
}

TEST(FormatNumber, PrintsWholeNumbersWholeAndFractionsShort) {
  EXPECT_EQ(FormatNumber(1234567), "1234567");
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(1234.56), "1234.6");
  EXPECT_EQ(FormatNumber(12.3456), "12.35");
  EXPECT_EQ(FormatNumber(0.41234), "0.412");
  EXPECT_EQ(FormatNumber(NAN), "n/a");
}

TEST(FormatReportTable, ListsOneRowAsMetricAndValue) {
  const std::string table = FormatReportTable(FanoutReport("gw", 250000.5, 1.25));
  EXPECT_THAT(table, HasSubstr("fanout 1x100 http max  [gw]"));
  EXPECT_THAT(table, HasSubstr("connections=100"));
  EXPECT_THAT(table, HasSubstr("deliveries_per_s  250000.5"));
  EXPECT_THAT(table, HasSubstr("note: connections: close 4100 x2"));
}

TEST(FormatReportTable, PutsStepsInColumns) {
  BenchReport report;
  report.name = "idle";
  report.server = "gw";
  report.rows.push_back(
      {NumberMetric("connections", 1000), NumberMetric("kib_per_connection", 3.5)});
  report.rows.push_back(
      {NumberMetric("connections", 10000), NumberMetric("kib_per_connection", 3.25)});
  const std::string table = FormatReportTable(report);
  EXPECT_THAT(table, HasSubstr("connections  kib_per_connection"));
  EXPECT_THAT(table, HasSubstr("10000                3.25"));
}

TEST(ReportJson, RoundTripsThroughParse) {
  const BenchReport original = FanoutReport("realtime-gateway", 250000.5, 1.25);
  const std::string json = FormatReportJson(original);
  EXPECT_THAT(json, Not(HasSubstr("\n")));
  EXPECT_THAT(json, HasSubstr(R"("subscribers":100)"));
  absl::StatusOr<std::vector<BenchReport>> parsed =
      ParseReportsJson("progress noise\n" + json + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 1u);
  const BenchReport& report = parsed->front();
  EXPECT_EQ(report.scenario, "fanout");
  EXPECT_EQ(report.name, original.name);
  EXPECT_EQ(report.server, "realtime-gateway");
  ASSERT_EQ(report.rows.size(), 1u);
  ASSERT_EQ(report.rows[0].size(), 3u);
  EXPECT_EQ(report.rows[0][1].name, "deliveries_per_s");
  EXPECT_DOUBLE_EQ(report.rows[0][1].value, 250000.5);
  EXPECT_EQ(report.rows[0][1].better, Better::kHigher);
  EXPECT_EQ(report.rows[0][2].better, Better::kLower);
  EXPECT_EQ(report.rows[0][0].better, Better::kNeither);
  EXPECT_EQ(report.notes, original.notes);
  EXPECT_EQ(report.params, original.params);
}

TEST(ReportJson, RejectsALineThatIsNotAReport) {
  EXPECT_FALSE(ParseReportsJson("{not json}\n").ok());
}

TEST(FormatComparison, GivesRatiosAndSaysWhoDidBetterPerDirection) {
  const std::string table =
      FormatComparison({FanoutReport("gw", 400000, 2)}, {FanoutReport("soketi", 100000, 8)});
  EXPECT_THAT(table, HasSubstr("A/B"));
  // Higher deliveries and lower latency both favour A.
  EXPECT_THAT(table, HasSubstr("deliveries_per_s  400000  100000  4.00  gw"));
  EXPECT_THAT(table, HasSubstr("latency_p99_ms         2       8  0.25  gw"));
  EXPECT_THAT(table, Not(HasSubstr("subscribers")));  // no direction, no comparison
}

TEST(FormatComparison, CallsDifferencesWithinTwoPercentATie) {
  const std::string table =
      FormatComparison({FanoutReport("gw", 50100, 10)}, {FanoutReport("soketi", 50000, 10.1)});
  EXPECT_THAT(table, HasSubstr("deliveries_per_s  50100   50000  1.00  -"));
  EXPECT_THAT(table, HasSubstr("latency_p99_ms       10   10.10  0.99  -"));
}

TEST(FormatComparison, SkipsRunsOnlyOneSideHas) {
  BenchReport other = FanoutReport("soketi", 1, 1);
  other.name = "something else";
  const std::string table = FormatComparison({FanoutReport("gw", 2, 2)}, {other});
  EXPECT_THAT(table, Not(HasSubstr("deliveries_per_s")));
}

}  // namespace
}  // namespace gw::bench
