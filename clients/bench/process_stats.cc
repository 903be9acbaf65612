#include "clients/bench/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace gw::bench {
namespace {

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of the /proc/<pid>/status line `name`, without `suffix` (e.g. "kB").
std::optional<uint64_t> StatusNumber(std::string_view status_text, absl::string_view name,
                                     absl::string_view suffix) {
  absl::string_view text(status_text.data(), status_text.size());
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, name)) continue;
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, suffix)) return std::nullopt;
    uint64_t value = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &value)) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> ParseVmRssKb(std::string_view status_text) {
  return StatusNumber(status_text, "VmRSS:", "kB");
}

std::optional<uint64_t> ParseThreads(std::string_view status_text) {
  return StatusNumber(status_text, "Threads:", "");
}

std::optional<uint64_t> ParseCpuTicks(std::string_view stat_text) {
  size_t close = stat_text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  absl::string_view rest(stat_text.data() + close + 1, stat_text.size() - close - 1);
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(rest), ' ', absl::SkipEmpty());
  // After the name come field 3 (state) onwards; utime and stime are fields 14 and 15.
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  if (fields.size() <= kStime) return std::nullopt;
  uint64_t utime = 0;
  uint64_t stime = 0;
  if (!absl::SimpleAtoi(fields[kUtime], &utime) || !absl::SimpleAtoi(fields[kStime], &stime)) {
    return std::nullopt;
  }
  return utime + stime;
}

std::optional<MachineTicks> ParseMachineTicks(std::string_view proc_stat_text) {
  absl::string_view text(proc_stat_text.data(), proc_stat_text.size());
  absl::string_view first_line = text.substr(0, text.find('\n'));
  if (!absl::ConsumePrefix(&first_line, "cpu ")) return std::nullopt;
  std::vector<absl::string_view> fields = absl::StrSplit(first_line, ' ', absl::SkipEmpty());
  // user nice system idle iowait irq softirq steal [guest guest_nice: already in user and nice]
  if (fields.size() < 8) return std::nullopt;
  uint64_t ticks[8];
  for (size_t i = 0; i < 8; ++i) {
    if (!absl::SimpleAtoi(fields[i], &ticks[i])) return std::nullopt;
  }
  MachineTicks machine;
  machine.busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6];
  machine.steal = ticks[7];
  return machine;
}

std::optional<MachineSeconds> SampleMachine() {
  std::optional<std::string> text = ReadWholeFile("/proc/stat");
  if (!text) return std::nullopt;
  std::optional<MachineTicks> ticks = ParseMachineTicks(*text);
  if (!ticks) return std::nullopt;
  const double per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  return MachineSeconds{ticks->busy / per_second, ticks->steal / per_second};
}

absl::StatusOr<ProcessSample> SampleProcess(int pid) {
  const std::string base = absl::StrCat("/proc/", pid, "/");
  std::optional<std::string> status = ReadWholeFile(base + "status");
  std::optional<std::string> stat = ReadWholeFile(base + "stat");
  if (!status || !stat) return absl::NotFoundError(absl::StrCat("no process ", pid));
  std::optional<uint64_t> rss = ParseVmRssKb(*status);
  std::optional<uint64_t> ticks = ParseCpuTicks(*stat);
  if (!rss || !ticks) {
    return absl::InternalError(absl::StrCat("unexpected /proc/", pid, " format"));
  }
  ProcessSample sample;
  sample.rss_kb = *rss;
  sample.threads = ParseThreads(*status).value_or(0);
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(base + "fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++sample.descriptors;
  }
  sample.cpu_seconds = static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return sample;
}

double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace gw::bench
