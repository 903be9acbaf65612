#include "clients/bench/write_counter.h"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gw::bench {
namespace {

constexpr const char* kSendCalls[] = {"sys_enter_sendmsg", "sys_enter_sendto",
                                      "sys_enter_sendmmsg"};
constexpr const char* kWriteCalls[] = {"sys_enter_write", "sys_enter_writev"};

absl::StatusOr<uint64_t> TracepointId(const std::string& name) {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    std::ifstream in(absl::StrCat(root, "/events/syscalls/", name, "/id"));
    std::string text;
    uint64_t id = 0;
    if (in >> text && absl::SimpleAtoi(text, &id)) return id;
  }
  return absl::UnavailableError(
      absl::StrCat("no tracepoint syscalls/", name,
                   " (mount tracefs: mount -t tracefs nodev /sys/kernel/tracing)"));
}

absl::StatusOr<int> OpenCounter(uint64_t tracepoint, int tid) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = tracepoint;
  attr.disabled = 1;
  const long fd = syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("perf_event_open on thread ", tid, ": ", std::strerror(errno)));
  }
  return static_cast<int>(fd);
}

uint64_t Sum(const std::vector<int>& fds) {
  uint64_t total = 0;
  for (int fd : fds) {
    uint64_t value = 0;
    if (read(fd, &value, sizeof(value)) == sizeof(value)) total += value;
  }
  return total;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WriteCounter>> WriteCounter::Open(int pid) {
  std::unique_ptr<WriteCounter> counter(new WriteCounter());
  std::vector<int> threads;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), ec)) {
    int tid = 0;
    if (absl::SimpleAtoi(entry.path().filename().string(), &tid)) threads.push_back(tid);
  }
  if (ec || threads.empty()) {
    return absl::UnavailableError(absl::StrCat("cannot list the threads of ", pid));
  }
  auto open_all = [&](const auto& calls, std::vector<int>& fds) -> absl::Status {
    for (const char* call : calls) {
      absl::StatusOr<uint64_t> id = TracepointId(call);
      if (!id.ok()) return id.status();
      for (int tid : threads) {
        absl::StatusOr<int> fd = OpenCounter(*id, tid);
        if (!fd.ok()) return fd.status();
        fds.push_back(*fd);
      }
    }
    return absl::OkStatus();
  };
  if (absl::Status opened = open_all(kSendCalls, counter->send_fds_); !opened.ok()) return opened;
  if (absl::Status opened = open_all(kWriteCalls, counter->write_fds_); !opened.ok()) return opened;
  return counter;
}

WriteCounter::~WriteCounter() {
  for (int fd : send_fds_) close(fd);
  for (int fd : write_fds_) close(fd);
}

void WriteCounter::Start() {
  for (const std::vector<int>* fds : {&send_fds_, &write_fds_}) {
    for (int fd : *fds) {
      ioctl(fd, PERF_EVENT_IOC_RESET, 0);
      ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    }
  }
}

WriteCounter::Counts WriteCounter::Read() const { return Counts{Sum(send_fds_), Sum(write_fds_)}; }

}  // namespace gw::bench
