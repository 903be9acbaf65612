#include "control/watch_stream.h"

#include <utility>

#include "control/control_plane_service.h"

namespace gw::control {

// The hub keeps a shared_ptr to what it calls, so the reactor (owned by gRPC) registers this small
// forwarder instead, and detaches it before it is deleted.
class WatchStream::Sink final : public core::EventWatcher {
 public:
  explicit Sink(WatchStream* stream) : stream_(stream) {}
  void OnEvent(const core::ChannelEvent& event) override {
    absl::MutexLock lock(&mu_);
    if (stream_ == nullptr || !stream_->Wants(event)) return;
    realtime::v1::ChannelEvent out;
    out.set_kind(static_cast<realtime::v1::ChannelEvent::Kind>(event.kind));
    out.set_channel(event.channel);
    out.set_time_ms(event.time_ms);
    out.set_user_id(event.user_id);
    out.set_event(event.event);
    out.set_data(event.data);
    out.set_socket_id(event.socket_id);
    out.set_subscription_count(event.subscription_count);
    stream_->Enqueue(std::move(out));
  }
  void Detach() {
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  WatchStream* stream_ ABSL_GUARDED_BY(mu_);
};

WatchStream::WatchStream(ControlPlaneService& service, core::AppState* app,
                         const realtime::v1::WatchEventsRequest& request, size_t capacity)
    : service_(service), app_(app), capacity_(capacity), channel_prefix_(request.channel_prefix()) {
  for (int kind : request.kinds()) {
    if (kind != realtime::v1::ChannelEvent::KIND_UNSPECIFIED) kinds_.insert(kind);
  }
  sink_ = std::make_shared<Sink>(this);
  if (app_ != nullptr) app_->events().Add(sink_);
}

bool WatchStream::Wants(const core::ChannelEvent& event) const {
  if (!kinds_.empty() && !kinds_.contains(static_cast<int>(event.kind))) return false;
  return event.channel.starts_with(channel_prefix_);
}

void WatchStream::Enqueue(realtime::v1::ChannelEvent event) {
  absl::MutexLock lock(&mu_);
  if (finished_ || overflowed_ || finish_with_) return;
  if (queue_.size() >= capacity_) {
    overflowed_ = true;
    realtime::v1::ChannelEvent overflow;
    overflow.set_kind(realtime::v1::ChannelEvent::OVERFLOW);
    overflow.set_time_ms(event.time_ms());
    queue_.push_back(std::move(overflow));
    finish_with_ = std::make_unique<grpc::Status>(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        "watcher fell too far behind; events were dropped");
  } else {
    queue_.push_back(std::move(event));
  }
  PumpLocked();
}

void WatchStream::PumpLocked() {
  if (writing_ || finished_) return;
  if (!queue_.empty()) {
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    StartWrite(&in_flight_);
    return;
  }
  if (finish_with_) {
    finished_ = true;
    Finish(*finish_with_);
  }
}

void WatchStream::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) {
    // The client went away; finish without writing more.
    queue_.clear();
    if (!finish_with_) finish_with_ = std::make_unique<grpc::Status>(grpc::Status::CANCELLED);
  }
  PumpLocked();
}

void WatchStream::End(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  if (finished_ || finish_with_) return;
  queue_.clear();
  finish_with_ = std::make_unique<grpc::Status>(std::move(status));
  PumpLocked();
}

void WatchStream::OnCancel() { End(grpc::Status::CANCELLED); }

void WatchStream::OnDone() {
  if (app_ != nullptr) app_->events().Remove(sink_.get());
  sink_->Detach();
  service_.Forget(this);
  delete this;
}

}  // namespace gw::control
