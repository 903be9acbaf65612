#include "clients/bench/process_stats.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace gw::bench {
namespace {

TEST(ParseVmRssKb, FindsTheLineAmongOthers) {
  const char* status =
      "Name:\trealtime-gatewa\n"
      "VmPeak:\t  812344 kB\n"
      "VmRSS:\t   45312 kB\n"
      "RssAnon:\t   30000 kB\n";
  EXPECT_EQ(ParseVmRssKb(status), 45312u);
}

TEST(ParseVmRssKb, IsAbsentForKernelThreadsAndJunk) {
  EXPECT_EQ(ParseVmRssKb("Name:\tkthreadd\nState:\tS (sleeping)\n"), std::nullopt);
  EXPECT_EQ(ParseVmRssKb("VmRSS:\t lots\n"), std::nullopt);
}

TEST(ParseThreads, ReadsTheThreadsLine) {
  EXPECT_EQ(ParseThreads("Name:\tgw\nThreads:\t7\nVmRSS:\t 1 kB\n"), 7u);
  EXPECT_EQ(ParseThreads("Name:\tgw\n"), std::nullopt);
}

TEST(SampleProcess, CountsThisProcesssThreadsAndDescriptors) {
  absl::StatusOr<ProcessSample> sample = SampleProcess(getpid());
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_GE(sample->threads, 1u);
  EXPECT_GE(sample->descriptors, 3u);  // stdin, stdout, stderr at least
}

TEST(ParseCpuTicks, AddsUserAndSystemTime) {
  // Fields 14 and 15 (utime, stime) are 250 and 50.
  const char* stat =
      "4242 (node) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 12345 1000000 "
      "5000 18446744073709551615";
  EXPECT_EQ(ParseCpuTicks(stat), 300u);
}

TEST(ParseCpuTicks, CountsFieldsFromTheLastParenthesis) {
  // A command name with spaces and parentheses must not shift the fields.
  const char* stat =
      "77 (soketi (server) x) R 1 77 77 0 -1 4194560 1000 0 0 0 1200 34 0 0 20 0 1 0 9 9 9";
  EXPECT_EQ(ParseCpuTicks(stat), 1234u);
  EXPECT_EQ(ParseCpuTicks("77 (short) R 1 2"), std::nullopt);
  EXPECT_EQ(ParseCpuTicks("no parenthesis"), std::nullopt);
}

TEST(ParseMachineTicks, SplitsBusyFromStolenTime) {
  const char* stat =
      "cpu  100 20 30 5000 70 8 9 11 40 0\n"
      "cpu0 50 10 15 2500 35 4 4 5 20 0\n"
      "intr 12345\n";
  std::optional<MachineTicks> ticks = ParseMachineTicks(stat);
  ASSERT_TRUE(ticks.has_value());
  // user + nice + system + irq + softirq; idle and iowait are not busy, guest is inside user.
  EXPECT_EQ(ticks->busy, 100u + 20 + 30 + 8 + 9);
  EXPECT_EQ(ticks->steal, 11u);
}

TEST(ParseMachineTicks, RejectsOtherText) {
  EXPECT_EQ(ParseMachineTicks("cpu0 1 2 3 4 5 6 7 8\n"), std::nullopt);
  EXPECT_EQ(ParseMachineTicks("cpu  1 2 3\n"), std::nullopt);
  EXPECT_EQ(ParseMachineTicks("cpu  1 2 3 4 5 6 7 x\n"), std::nullopt);
  EXPECT_EQ(ParseMachineTicks(""), std::nullopt);
}

TEST(SampleMachine, ReadsThisMachine) {
  std::optional<MachineSeconds> machine = SampleMachine();
  ASSERT_TRUE(machine.has_value());
  EXPECT_GT(machine->busy, 0);
}

TEST(SampleProcess, ReadsThisProcess) {
  absl::StatusOr<ProcessSample> sample = SampleProcess(getpid());
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_GT(sample->rss_kb, 0u);
  EXPECT_GE(sample->cpu_seconds, 0);
}

TEST(SampleProcess, IsNotFoundForAProcessThatDoesNotExist) {
  // Above the kernel's pid_max ceiling (2^22), so never a live process.
  EXPECT_EQ(SampleProcess(1 << 23).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gw::bench
