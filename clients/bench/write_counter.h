#ifndef CLIENTS_BENCH_WRITE_COUNTER_H_
#define CLIENTS_BENCH_WRITE_COUNTER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"

namespace gw::bench {

// Counts the system calls a server process makes to send bytes, between Start and Read, with
// the kernel's syscall tracepoints (perf_event_open, one counter per thread and call): the
// number of writes per delivery is what a fan-out server's kernel time follows on loopback.
// Needs tracefs (/sys/kernel/tracing) and the right to trace the process (root, or
// kernel.perf_event_paranoid <= 1 for one's own processes). Threads the process starts after
// Open are not counted (servers start their I/O threads first).
class WriteCounter {
 public:
  struct Counts {
    uint64_t sends = 0;   // sendmsg, sendto (send), sendmmsg: what sockets are written with
    uint64_t writes = 0;  // write, writev: eventfd wake-ups, pipes, logs (and sockets, rarely)
  };

  // UNAVAILABLE (with the reason) when the tracepoints cannot be opened.
  static absl::StatusOr<std::unique_ptr<WriteCounter>> Open(int pid);
  ~WriteCounter();
  WriteCounter(const WriteCounter&) = delete;
  WriteCounter& operator=(const WriteCounter&) = delete;

  void Start();  // zeroes and starts every counter
  Counts Read() const;

 private:
  WriteCounter() = default;
  std::vector<int> send_fds_;
  std::vector<int> write_fds_;
};

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_WRITE_COUNTER_H_
