#ifndef CLIENTS_BENCH_BENCH_REPORT_H_
#define CLIENTS_BENCH_BENCH_REPORT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::bench {

// Which way a metric improves, so `compare` can say which server did better.
enum class Better { kNeither, kHigher, kLower };

struct Metric {
  std::string name;  // snake_case with its unit: "deliveries_per_s", "latency_p99_ms"
  double value = 0;
  std::string text;  // set for a metric that is not a number
  Better better = Better::kNeither;
};

// A numeric metric: what scenarios report, and what tests build reports from.
inline Metric NumberMetric(std::string name, double value, Better better = Better::kNeither) {
  Metric metric;
  metric.name = std::move(name);
  metric.value = value;
  metric.better = better;
  return metric;
}

// The result of one run against one server: what was asked (params), what was measured (rows:
// one for most scenarios, one per step for idle) and anything the reader must know (notes).
struct BenchReport {
  std::string scenario;
  std::string name;    // the run, e.g. "fanout 1ch x 1000 http full-speed"
  std::string server;  // --label
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::vector<Metric>> rows;
  std::vector<std::string> notes;
  // Set when the run missed a bound it checks (soak): printed, and the exit status is 3.
  std::string failure;
};

// Human-readable: a metric/value list for one row, a table with a column per metric otherwise.
std::string FormatReportTable(const BenchReport& report);
// One line of JSON (no trailing newline):
// {"scenario","name","server","params":{..},"rows":[{metric:value,..}],"better":{metric:"higher"|
// "lower"},"notes":[..]}.
std::string FormatReportJson(const BenchReport& report);
// Reads the reports FormatReportJson wrote, one per line; other lines are skipped.
absl::StatusOr<std::vector<BenchReport>> ParseReportsJson(std::string_view text);

// The runs of `a` and `b` side by side, matched by run name and row, with the ratio a/b of every
// metric that has a direction and which server did better on it ("-" within 2%, a tie).
std::string FormatComparison(const std::vector<BenchReport>& a, const std::vector<BenchReport>& b);

// 1234.5 -> "1234.5", 1234567 -> "1234567", 0.41234 -> "0.412": what tables print.
std::string FormatNumber(double value);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_BENCH_REPORT_H_
