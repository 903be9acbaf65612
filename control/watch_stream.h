#ifndef CONTROL_WATCH_STREAM_H_
#define CONTROL_WATCH_STREAM_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/app_state.h"
#include "gateway/core/event_hub.h"
#include "realtime/v1/control.pb.h"

namespace gw::control {

class ControlPlaneService;

// One WatchEvents call. Events arrive on any thread (through a Sink registered with the app's
// EventHub), wait in a queue of at most `capacity` events, and go out one write at a time. A
// watcher that falls `capacity` events behind gets one OVERFLOW event and the stream ends with
// RESOURCE_EXHAUSTED: the gateway never blocks or grows for a slow watcher. Deletes itself when
// gRPC is done with it.
class WatchStream final : public grpc::ServerWriteReactor<realtime::v1::ChannelEvent> {
 public:
  static constexpr size_t kDefaultCapacity = 4096;

  // `app` null: a refused call, which only waits for End.
  WatchStream(ControlPlaneService& service, core::AppState* app,
              const realtime::v1::WatchEventsRequest& request, size_t capacity);
  // Ends the stream with `status` once the write in flight (if any) is done. Any thread.
  void End(grpc::Status status);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  class Sink;
  bool Wants(const core::ChannelEvent& event) const;
  void Enqueue(realtime::v1::ChannelEvent event);
  // With mu_ held: start the next write, or finish if that was asked for and nothing is left.
  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ControlPlaneService& service_;
  core::AppState* const app_;
  const size_t capacity_;
  const std::string channel_prefix_;
  absl::flat_hash_set<int> kinds_;  // empty = all
  std::shared_ptr<Sink> sink_;

  absl::Mutex mu_;
  std::deque<realtime::v1::ChannelEvent> queue_ ABSL_GUARDED_BY(mu_);
  realtime::v1::ChannelEvent in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::Status> finish_with_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gw::control

#endif  // CONTROL_WATCH_STREAM_H_
