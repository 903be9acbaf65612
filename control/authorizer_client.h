#ifndef CONTROL_AUTHORIZER_CLIENT_H_
#define CONTROL_AUTHORIZER_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

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

  void Authorize(const core::AuthorizerSettings& settings, core::AuthorizationRequest request,
                 absl::AnyInvocable<void(core::AuthorizationVerdict) &&> done) override;
  const Counters& counters() const { return *counters_; }

 private:
  realtime::v1::ChannelAuthorizer::Stub* StubFor(const std::string& target);

  absl::Mutex mu_;
  core::StringMap<std::unique_ptr<realtime::v1::ChannelAuthorizer::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
  // Shared with the calls in flight: one may complete after this client is gone (at exit, until
  // its deadline), and its callback counts it.
  const std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
};

}  // namespace gw::control

#endif  // CONTROL_AUTHORIZER_CLIENT_H_
