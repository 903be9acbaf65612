// realtime-bench: wiring only. Options in bench_options, scenarios in scenarios, output in
// bench_report.

#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench/bench_options.h"
#include "clients/bench/bench_report.h"
#include "clients/bench/floor_server.h"
#include "clients/bench/scenarios.h"

namespace {

// Every connection is a file descriptor: take all the kernel allows (the soft limit up to the hard
// one). Returns the limit now in force.
rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

int Compare(const gw::bench::BenchOptions& options) {
  std::vector<std::vector<gw::bench::BenchReport>> sides;
  for (const std::string& path : options.compare_files) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "realtime-bench: cannot read " << path << "\n";
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<std::vector<gw::bench::BenchReport>> reports =
        gw::bench::ParseReportsJson(text.str());
    if (!reports.ok()) {
      std::cerr << "realtime-bench: " << path << ": " << reports.status().message() << "\n";
      return 1;
    }
    sides.push_back(*std::move(reports));
  }
  std::cout << gw::bench::FormatComparison(sides[0], sides[1]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<gw::bench::BenchOptions> options = gw::bench::ParseBenchArgs(args);
  if (!options.ok()) {
    std::cerr << "realtime-bench: " << options.status().message() << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << gw::bench::Usage();
    return 0;
  }
  if (options->scenario == gw::bench::Scenario::kCompare) return Compare(*options);

  signal(SIGPIPE, SIG_IGN);
  const rlim_t files = RaiseOpenFileLimit();
  if (options->scenario == gw::bench::Scenario::kFloor) {
    absl::Status served = gw::bench::RunFloorServer(*options);
    if (!served.ok()) {
      std::cerr << "realtime-bench floor: " << served.message() << "\n";
      return 1;
    }
    return 0;
  }
  uint64_t needed = options->connections + options->publishers + 64;
  for (uint32_t step : options->idle_steps) needed = std::max<uint64_t>(needed, step + 64ull);
  if (files != 0 && files != RLIM_INFINITY && needed > files) {
    std::cerr << "realtime-bench: warning: RLIMIT_NOFILE is " << files << ", below the " << needed
              << " descriptors this run needs; raise the hard limit (ulimit -Hn) first\n";
  }

  absl::StatusOr<gw::bench::BenchReport> report = gw::bench::RunScenario(*options);
  if (!report.ok()) {
    std::cerr << "realtime-bench: " << ScenarioName(options->scenario) << " against "
              << options->label << ": " << report.status().message() << "\n";
    return 1;
  }
  if (!options->json_file.empty()) {
    std::ofstream out(options->json_file, std::ios::app);
    out << gw::bench::FormatReportJson(*report) << "\n";
    if (!out) {
      std::cerr << "realtime-bench: cannot append to " << options->json_file << "\n";
      return 1;
    }
  }
  if (options->json) {
    std::cout << gw::bench::FormatReportJson(*report) << std::endl;
  } else {
    std::cout << gw::bench::FormatReportTable(*report) << std::flush;
  }
  if (!report->failure.empty()) {
    std::cerr << "realtime-bench: " << ScenarioName(options->scenario) << " against "
              << options->label << " FAILED: " << report->failure << "\n";
    return 3;
  }
  return 0;
}
