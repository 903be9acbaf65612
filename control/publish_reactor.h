#ifndef CONTROL_PUBLISH_REACTOR_H_
#define CONTROL_PUBLISH_REACTOR_H_

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "gateway/core/publish_receipt.h"
#include "gateway/observability/span.h"

namespace gw::control {

// The reactor of a call that publishes (Publish, PublishBatch, SendToUser): it answers OK once
// the publish is delivered (PublishReceipt), so a backend that awaits its calls is paced by the
// shards instead of filling their queues. The handler never waits: the answer comes from the
// thread that completes the receipt, after the handler returned; a cancellation (the caller's
// deadline, the server shutting down) answers first if it comes first. Either way the call is
// answered exactly once, and the response is filled (from the channels' counts) only by an OK
// answer, right before it is sent.
//
// The reactor deletes itself once gRPC is done with it (OnDone) and the receipt has let go of it
// (completed, or dropped with the work of shards that stopped for good).
class PublishReactor final : public grpc::ServerUnaryReactor {
 public:
  // The reactor a handler returns for a publish the fan-out took. `span` is the call's server
  // span, detached; it ends with the answer.
  using Fill = absl::AnyInvocable<void(const std::vector<core::ChannelCounts>&) &&>;
  static PublishReactor* AnswerWhenDelivered(core::PublishReceipt& delivered, tracing::Span span,
                                             Fill fill);

  void OnCancel() override;
  void OnDone() override;

 private:
  // Lets go of one of the two holds (gRPC's, the barrier's).
  struct Release {
    void operator()(PublishReactor* reactor) const;
  };

  explicit PublishReactor(tracing::Span span) : span_(std::move(span)) {}
  ~PublishReactor() override = default;
  // The first answer wins; later ones do nothing. `fill` runs only for the winner.
  void Answer(
      grpc::Status status, absl::FunctionRef<void()> fill = [] {});

  tracing::Span span_;  // touched only by the winner of answered_
  std::atomic<bool> answered_{false};
  // Stored before Finish, loaded in OnDone: orders the response filled on a shard's thread before
  // gRPC frees it on its own, where ThreadSanitizer sees it (LaterReactor says why).
  std::atomic<bool> finished_{false};
  std::atomic<int> holds_{2};
};

}  // namespace gw::control

#endif  // CONTROL_PUBLISH_REACTOR_H_
