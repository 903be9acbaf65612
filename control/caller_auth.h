#ifndef CONTROL_CALLER_AUTH_H_
#define CONTROL_CALLER_AUTH_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "gateway/core/app_directory.h"
#include "gateway/core/string_map.h"

namespace gw::control {

// The token an app's gRPC callers present when the app configures none: lowercase hex
// HMAC-SHA256 of "realtime.v1" keyed with the app secret (documented in control.proto).
std::string DerivedToken(std::string_view app_secret);

// Decides who a gRPC caller is from `authorization: Bearer <token>`. Built once at start from the
// app directory; thread-safe (read-only).
class CallerAuthenticator {
 public:
  explicit CallerAuthenticator(const core::AppDirectory& apps);

  // The app `app_id` if `authorization` proves the caller may act for it. Unauthenticated when
  // the header is missing, malformed, or no app's token; NotFound for an unknown app id;
  // PermissionDenied when the token belongs to another app. Token comparison is constant-time.
  absl::StatusOr<core::AppState*> Authenticate(std::string_view authorization,
                                               std::string_view app_id) const;

 private:
  const core::AppDirectory& apps_;
  core::StringMap<std::string> token_by_app_id_;
};

}  // namespace gw::control

#endif  // CONTROL_CALLER_AUTH_H_
