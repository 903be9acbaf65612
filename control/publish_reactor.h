#ifndef CONTROL_PUBLISH_REACTOR_H_
#define CONTROL_PUBLISH_REACTOR_H_

#include <atomic>

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "gateway/core/fanout_barrier.h"
#include "gateway/observability/span.h"

namespace gw::control {

// The reactor of a call that publishes (Publish, PublishBatch, SendToUser): it answers OK once
// every shard has fanned the publish out, so a backend that awaits its calls is paced by the
// shards instead of filling their queues. The handler never waits: the answer comes from the
// thread of the shard that fans out last, after the handler returned; a cancellation (the
// caller's deadline, the server shutting down) answers first if it comes first. Either way the
// call is answered exactly once.
//
// The handler fills the response before calling AnswerWhenDelivered, and nothing touches it
// after. The reactor deletes itself once gRPC is done with it (OnDone) and the barrier has let go
// of it (arrived, or dropped with the tasks of shards that stopped for good).
class PublishReactor final : public grpc::ServerUnaryReactor {
 public:
  // The reactor a handler returns for a publish the fan-out took. `span` is the call's server
  // span, detached; it ends with the answer.
  static PublishReactor* AnswerWhenDelivered(core::FanoutBarrier& delivered, tracing::Span span);

  void OnCancel() override;
  void OnDone() override;

 private:
  // Lets go of one of the two holds (gRPC's, the barrier's).
  struct Release {
    void operator()(PublishReactor* reactor) const;
  };

  explicit PublishReactor(tracing::Span span) : span_(std::move(span)) {}
  ~PublishReactor() override = default;
  // The first answer wins; later ones do nothing.
  void Answer(grpc::Status status);

  tracing::Span span_;  // touched only by the winner of answered_
  std::atomic<bool> answered_{false};
  std::atomic<int> holds_{2};
};

}  // namespace gw::control

#endif  // CONTROL_PUBLISH_REACTOR_H_
