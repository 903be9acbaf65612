// The gRPC publisher: `concurrency` caller threads sharing one RealtimeClient (one HTTP/2
// channel), each with one blocking Publish in flight.

#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/bench/monotonic_clock.h"
#include "clients/bench/publisher.h"
#include "clients/bench/pusher_frames.h"
#include "clients/cpp/realtime_client.h"
#include "realtime/v1/control.pb.h"

namespace gw::bench {
namespace {

void Bump(std::atomic<uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

class GrpcPublisher : public Publisher {
 public:
  explicit GrpcPublisher(std::unique_ptr<client::RealtimeClient> client)
      : client_(std::move(client)) {}

  PublishTotals Run(const PublishJob& job, PublishProgress& progress) override {
    PublishTotals totals;
    totals.accepted_per_channel.assign(job.channels.size(), 0);
    totals.first_send_ns = INT64_MAX;
    std::atomic<uint64_t> next_index{0};
    std::mutex merge;
    std::vector<std::thread> callers;
    for (uint32_t t = 0; t < job.concurrency; ++t) {
      callers.emplace_back([&] {
        PublishTotals mine;
        mine.accepted_per_channel.assign(job.channels.size(), 0);
        mine.first_send_ns = INT64_MAX;
        realtime::v1::PublishRequest request;
        request.set_name(std::string(kBenchEvent));
        request.add_channels();
        std::string payload;
        while (true) {
          const uint64_t index = next_index.fetch_add(1, std::memory_order_relaxed);
          if (index >= job.max_messages) break;
          if (job.pacer.paced()) {
            const int64_t due = job.pacer.DueAt(index);
            if (due >= job.deadline_ns) break;
            std::this_thread::sleep_until(MonotonicTimePoint(due));
          }
          const int64_t now = MonotonicNanos();
          if (now >= job.deadline_ns) break;
          const size_t channel = index % job.channels.size();
          (job.json_payload ? WriteTimedJsonPayload : WriteTimedPayload)(
              index, now, job.payload_bytes, &payload);
          request.set_channels(0, job.channels[channel]);
          request.set_data(payload);
          mine.first_send_ns = std::min(mine.first_send_ns, now);
          ++mine.attempted;
          Bump(progress.attempted);
          absl::StatusOr<realtime::v1::PublishResponse> response = client_->Publish(request);
          const int64_t done = MonotonicNanos();
          mine.request_latency.Record(done - now);
          mine.last_done_ns = done;
          if (response.ok()) {
            ++mine.accepted;
            ++mine.accepted_per_channel[channel];
            Bump(progress.accepted);
          } else {
            ++mine.failed;
            Bump(progress.failed);
            ++mine.failures[absl::StrCat("gRPC ",
                                         absl::StatusCodeToString(response.status().code()))];
          }
        }
        std::lock_guard<std::mutex> lock(merge);
        totals.attempted += mine.attempted;
        totals.accepted += mine.accepted;
        totals.failed += mine.failed;
        for (size_t c = 0; c < job.channels.size(); ++c) {
          totals.accepted_per_channel[c] += mine.accepted_per_channel[c];
        }
        totals.request_latency.Merge(mine.request_latency);
        for (const auto& [reason, count] : mine.failures) totals.failures[reason] += count;
        totals.first_send_ns = std::min(totals.first_send_ns, mine.first_send_ns);
        totals.last_done_ns = std::max(totals.last_done_ns, mine.last_done_ns);
      });
    }
    for (std::thread& caller : callers) caller.join();
    if (totals.first_send_ns == INT64_MAX) totals.first_send_ns = 0;
    return totals;
  }

 private:
  std::unique_ptr<client::RealtimeClient> client_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Publisher>> MakeGrpcPublisher(const BenchOptions& options) {
  client::RealtimeClientOptions client_options;
  client_options.target = options.grpc_target;
  client_options.app_id = options.app_id;
  client_options.app_secret = options.secret;
  client_options.retry.max_retries = 0;
  absl::StatusOr<std::unique_ptr<client::RealtimeClient>> client =
      client::RealtimeClient::Create(client_options);
  if (!client.ok()) return client.status();
  return std::unique_ptr<Publisher>(new GrpcPublisher(*std::move(client)));
}

}  // namespace gw::bench
