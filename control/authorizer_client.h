#ifndef CONTROL_AUTHORIZER_CLIENT_H_
#define CONTROL_AUTHORIZER_CLIENT_H_

#include <grpcpp/client_context.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/string_map.h"
#include "gateway/core/subscription_authorizer.h"
#include "realtime/v1/authorizer.grpc.pb.h"

namespace gw::control {

// Calls a backend's realtime.v1.ChannelAuthorizer with gRPC's async callback API: one channel
// (HTTP/2 connection) per target, reused by every call; a deadline per call; any error or timeout
// becomes kUnavailable so the edge fails closed. Thread-safe.
class AuthorizerClient final : public core::SubscriptionAuthorizer {
 public:
  struct Counters {
    std::atomic<uint64_t> allowed{0};
    std::atomic<uint64_t> denied{0};
    std::atomic<uint64_t> failed{0};  // errors, timeouts, unreachable backends
  };

  AuthorizerClient() = default;
  // Cancels the calls in flight and waits for their callbacks, which hand the verdict to the
  // caller (a shard, which outlives this client) and count it here.
  ~AuthorizerClient() override;
  AuthorizerClient(const AuthorizerClient&) = delete;
  AuthorizerClient& operator=(const AuthorizerClient&) = delete;

  void Authorize(const core::AuthorizerSettings& settings, core::AuthorizationRequest request,
                 absl::AnyInvocable<void(core::AuthorizationVerdict) &&> done) override;
  const Counters& counters() const { return shared_->counters; }

 private:
  realtime::v1::ChannelAuthorizer::Stub* StubFor(const std::string& target);

  absl::Mutex mu_;
  core::StringMap<std::unique_ptr<realtime::v1::ChannelAuthorizer::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
  // What a call's callback touches. Shared, so that the callback's last step (leaving
  // `in_flight`, which lets the destructor return) never touches a destroyed mutex.
  struct Shared {
    Counters counters;
    absl::Mutex mu;
    // By call: its context, to cancel; weak, so that the destructor holds one only while the
    // call is still in flight.
    std::unordered_map<const void*, std::weak_ptr<grpc::ClientContext>> in_flight
        ABSL_GUARDED_BY(mu);
  };
  const std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace gw::control

#endif  // CONTROL_AUTHORIZER_CLIENT_H_
