#ifndef CLIENTS_BENCH_PROCESS_STATS_H_
#define CLIENTS_BENCH_PROCESS_STATS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace gw::bench {

// A server process as /proc shows it. The bench shares the machine with the server, so every
// throughput figure is reported beside the server's own CPU time.
struct ProcessSample {
  uint64_t rss_kb = 0;     // VmRSS
  double cpu_seconds = 0;  // utime + stime, all threads
  uint64_t threads = 0;    // Threads
  uint64_t descriptors = 0;  // entries of /proc/<pid>/fd (0 when they cannot be listed)
};

// VmRSS in KiB from the text of /proc/<pid>/status.
std::optional<uint64_t> ParseVmRssKb(std::string_view status_text);
// Threads from the text of /proc/<pid>/status.
std::optional<uint64_t> ParseThreads(std::string_view status_text);
// utime + stime in clock ticks from the text of /proc/<pid>/stat. The command name (field 2) may
// hold spaces and parentheses, so fields are counted from the last ')'.
std::optional<uint64_t> ParseCpuTicks(std::string_view stat_text);

// What the machine's CPUs did, in clock ticks summed over all CPUs, from the first line of
// /proc/stat. `busy` is user + nice + system + irq + softirq: every process and the kernel.
// `steal` is time a hypervisor gave the CPUs to other guests; on a shared VM it is what makes runs
// differ, and since a task's own CPU time keeps running while its CPU is stolen, process CPU
// seconds include it.
struct MachineTicks {
  uint64_t busy = 0;
  uint64_t steal = 0;
};
std::optional<MachineTicks> ParseMachineTicks(std::string_view proc_stat_text);

// Reads both files of `pid`. NOT_FOUND when the process is gone.
absl::StatusOr<ProcessSample> SampleProcess(int pid);
// This process's own CPU seconds (user + system, all threads), from getrusage.
double OwnCpuSeconds();
// ParseMachineTicks of /proc/stat now, in seconds; nullopt if it cannot be read.
struct MachineSeconds {
  double busy = 0;
  double steal = 0;
};
std::optional<MachineSeconds> SampleMachine();

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_PROCESS_STATS_H_
