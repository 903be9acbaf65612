#ifndef CLIENTS_BENCH_PUBLISHER_H_
#define CLIENTS_BENCH_PUBLISHER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/bench/bench_options.h"
#include "clients/bench/latency_histogram.h"
#include "clients/bench/rate_pacer.h"

namespace gw::bench {

// What to publish: message i (sequence number i) goes to channels[i % size] with a timed payload
// stamped when its request is written, due per `pacer`, until `deadline_ns` or `max_messages`.
struct PublishJob {
  std::vector<std::string> channels;
  uint32_t payload_bytes = 100;
  // WriteTimedJsonPayload (a realistic broadcast) instead of WriteTimedPayload's padding.
  bool json_payload = false;
  RatePacer pacer{0, 0};
  int64_t deadline_ns = 0;
  uint64_t max_messages = 0;
  uint32_t concurrency = 1;  // requests in flight
  // Messages per request: consecutive sequence numbers, each to its own channel as above (HTTP
  // batch_events when above 1).
  uint32_t batch = 1;
};

// Live counts for progress lines, written by the publisher's threads.
struct PublishProgress {
  std::atomic<uint64_t> attempted{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> failed{0};
};

struct PublishTotals {
  uint64_t attempted = 0;
  uint64_t accepted = 0;  // 2xx (HTTP) or OK (gRPC)
  uint64_t failed = 0;
  std::vector<uint64_t> accepted_per_channel;
  LatencyHistogram request_latency;          // request written to response read
  std::map<std::string, uint64_t> failures;  // "HTTP 429", "connect: Connection refused", ...
  int64_t first_send_ns = 0;
  int64_t last_done_ns = 0;
};

// Publishes a job and blocks until it is done. Run it on a thread of its own and read the
// progress from another.
class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual PublishTotals Run(const PublishJob& job, PublishProgress& progress) = 0;
};

// Over the Pusher HTTP API (POST /apps/ID/events, signed with the app secret): `concurrency`
// keep-alive connections, one request in flight on each, all on one thread. A server that answers
// "Connection: close" (soketi) costs a new TCP connection per publish, as it would any SDK.
std::unique_ptr<Publisher> MakeHttpPublisher(const BenchOptions& options);

// Over realtime-gateway's gRPC ControlPlane.Publish with the blocking client library
// (gw::client), one caller thread per request in flight; no retries.
absl::StatusOr<std::unique_ptr<Publisher>> MakeGrpcPublisher(const BenchOptions& options);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_PUBLISHER_H_
