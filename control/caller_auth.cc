#include "control/caller_auth.h"

#include "absl/strings/match.h"
#include "gateway/pusher/signature.h"

namespace gw::control {

std::string DerivedToken(std::string_view app_secret) {
  return pusher::HmacSha256Hex(app_secret, "realtime.v1");
}

CallerAuthenticator::CallerAuthenticator(const core::AppDirectory& apps) : apps_(apps) {
  for (const auto& state : apps.apps()) {
    const core::App& app = state->app();
    token_by_app_id_[app.id] = app.grpc_token.empty() ? DerivedToken(app.secret) : app.grpc_token;
  }
}

absl::StatusOr<core::AppState*> CallerAuthenticator::Authenticate(
    std::string_view authorization, std::string_view app_id) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !absl::StartsWithIgnoreCase(absl::string_view(authorization.data(), kBearer.size()),
                                  absl::string_view(kBearer.data(), kBearer.size()))) {
    return absl::UnauthenticatedError("missing metadata 'authorization: Bearer <token>'");
  }
  const std::string_view token = authorization.substr(kBearer.size());
  // Every app's token is compared (in constant time each), so the answer's timing does not depend
  // on which app, if any, the token matched.
  const std::string* matched_app = nullptr;
  for (const auto& [id, expected] : token_by_app_id_) {
    if (pusher::ConstantTimeEquals(token, expected)) matched_app = &id;
  }
  if (matched_app == nullptr) return absl::UnauthenticatedError("invalid token");
  core::AppState* app = apps_.FindById(app_id);
  if (app == nullptr) return absl::NotFoundError("app_id: no such app");
  if (*matched_app != app_id) {
    return absl::PermissionDeniedError("token is not valid for this app_id");
  }
  return app;
}

}  // namespace gw::control
