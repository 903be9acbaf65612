#ifndef GATEWAY_CORE_SUBSCRIPTION_AUTHORIZER_H_
#define GATEWAY_CORE_SUBSCRIPTION_AUTHORIZER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "gateway/core/app.h"

namespace gw::core {

// A question for an app's backend: may this connection join this channel?
struct AuthorizationRequest {
  std::string app_id;
  std::string socket_id;
  std::string channel;
  std::string remote_address;
  std::string signed_in_user_id;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> cookies;
  std::vector<std::pair<std::string, std::string>> query;
};

struct AuthorizationVerdict {
  enum class Outcome { kAllow, kDeny, kUnavailable };
  Outcome outcome = Outcome::kUnavailable;
  std::string user_id;         // presence: the member to join as
  std::string user_info_json;  // presence: JSON text, "" = null
  std::string reason;          // deny / unavailable: why, for the client
};

// Asks an app's backend to decide a subscription that came without a signature (the gateway
// side of realtime.v1.ChannelAuthorizer). An interface because it is a real seam: the gRPC client
// in control/ implements it, and the edge only needs to ask.
class SubscriptionAuthorizer {
 public:
  virtual ~SubscriptionAuthorizer() = default;
  // Never blocks. `done` runs exactly once, on a thread of the implementation's choosing (the
  // caller posts back to its own shard), within settings.timeout_ms plus scheduling delay.
  // Errors and timeouts arrive as kUnavailable: callers fail closed.
  virtual void Authorize(const AuthorizerSettings& settings, AuthorizationRequest request,
                         absl::AnyInvocable<void(AuthorizationVerdict) &&> done) = 0;
};

}  // namespace gw::core

#endif  // GATEWAY_CORE_SUBSCRIPTION_AUTHORIZER_H_
