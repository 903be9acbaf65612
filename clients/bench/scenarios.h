#ifndef CLIENTS_BENCH_SCENARIOS_H_
#define CLIENTS_BENCH_SCENARIOS_H_

#include "absl/status/statusor.h"
#include "clients/bench/bench_options.h"
#include "clients/bench/bench_report.h"

namespace gw::bench {

// Runs options.scenario (not compare) against the server in `options` and returns what it
// measured. Blocks for the run's bounded length; progress lines go to stderr unless
// options.quiet. Fails when the server cannot be reached at all or a publisher cannot be made.
absl::StatusOr<BenchReport> RunScenario(const BenchOptions& options);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_SCENARIOS_H_
