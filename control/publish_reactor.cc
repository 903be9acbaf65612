#include "control/publish_reactor.h"

#include <memory>
#include <utility>

#include "control/grpc_server_span.h"

namespace gw::control {

PublishReactor* PublishReactor::AnswerWhenDelivered(core::PublishReceipt& delivered,
                                                    tracing::Span span, Fill fill) {
  auto* reactor = new PublishReactor(std::move(span));
  // A unique_ptr whose deleter releases the receipt's hold, so a `done` that is dropped uncalled
  // (its shard stopped for good) lets go of the reactor too.
  delivered.Then([hold = std::unique_ptr<PublishReactor, Release>(reactor),
                  fill = std::move(fill)](std::vector<core::ChannelCounts> counts) mutable {
    hold->Answer(grpc::Status::OK, [&] { std::move(fill)(counts); });
  });
  return reactor;
}

void PublishReactor::OnCancel() {
  Answer(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled before the publish was delivered"));
}

void PublishReactor::OnDone() {
  [[maybe_unused]] const bool finished = finished_.load(std::memory_order_acquire);
  Release()(this);
}

void PublishReactor::Answer(grpc::Status status, absl::FunctionRef<void()> fill) {
  if (answered_.exchange(true, std::memory_order_acq_rel)) return;
  fill();
  GrpcServerSpan::RecordStatus(span_, status);
  span_.End();
  finished_.store(true, std::memory_order_release);
  Finish(std::move(status));
}

void PublishReactor::Release::operator()(PublishReactor* reactor) const {
  if (reactor->holds_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete reactor;
}

}  // namespace gw::control
