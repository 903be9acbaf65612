#ifndef CONTROL_LATER_REACTOR_H_
#define CONTROL_LATER_REACTOR_H_

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <atomic>

namespace gw::control {

// The reactor of a unary call answered from whichever thread has the answer (a shard, the
// cluster's thread, the listings queue; possibly the handler's own), which also fills the
// response. Like gRPC's DefaultReactor it has no OnCancel: the answer must come, and does (every
// query's callback is called, with an error at the latest when the cluster stops).
//
// gRPC frees the request, the response and the context on one of its own threads right after
// OnDone. gRPC core (not built with ThreadSanitizer) orders the two; the flag orders them where
// TSan sees it, so that a real race on the response is still reported and this one is not.
// Deletes itself in OnDone.
class LaterReactor final : public grpc::ServerUnaryReactor {
 public:
  static LaterReactor* Create() { return new LaterReactor; }

  // Call once, after the response is filled.
  void Answer(grpc::Status status) {
    answered_.store(true, std::memory_order_release);
    Finish(std::move(status));
  }

  void OnDone() override {
    [[maybe_unused]] const bool answered = answered_.load(std::memory_order_acquire);
    delete this;
  }

 private:
  LaterReactor() = default;
  ~LaterReactor() override = default;

  std::atomic<bool> answered_{false};
};

}  // namespace gw::control

#endif  // CONTROL_LATER_REACTOR_H_
