#include "gateway/edge/connection_gate.h"

#include <boost/url/parse.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/core/origin_policy.h"
#include "gateway/pusher/error_codes.h"

namespace gw::edge {

UpgradeDecision CheckUpgrade(const core::AppDirectory& apps, std::string_view target,
                             std::string_view origin) {
  UpgradeDecision decision;
  auto refuse = [&](uint16_t code, std::string message) {
    decision.refuse_code = code;
    decision.message = std::move(message);
    decision.app = nullptr;
    return decision;
  };
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return refuse(pusher::kPathNotFound, "Invalid request target");
  std::vector<std::string> segments;
  for (auto segment : url->segments()) segments.emplace_back(segment);
  if (segments.size() != 2 || segments[0] != "app" || segments[1].empty()) {
    return refuse(pusher::kPathNotFound, "Path not found: expected /app/{key}");
  }
  core::AppState* app = apps.FindByKey(segments[1]);
  if (app == nullptr) {
    return refuse(pusher::kAppDoesNotExist, absl::StrCat("App key ", segments[1], " not in this cluster"));
  }
  if (!app->app().enabled) return refuse(pusher::kAppDisabled, "App is disabled");

  auto protocol = url->params().find("protocol");
  if (protocol == url->params().end() || !(*protocol).has_value) {
    return refuse(pusher::kNoProtocolVersion, "No protocol version supplied");
  }
  int version = 0;
  if (!absl::SimpleAtoi((*protocol).value, &version)) {
    return refuse(pusher::kInvalidVersionFormat, "Invalid version string format");
  }
  if (version < kMinProtocolVersion || version > kMaxProtocolVersion) {
    return refuse(pusher::kUnsupportedProtocolVersion,
                  absl::StrCat("Unsupported protocol version ", version));
  }
  if (!core::OriginAllowed(app->app().allowed_origins, origin)) {
    return refuse(pusher::kUnauthorized, "Origin not allowed");
  }
  decision.app = app;
  return decision;
}

}  // namespace gw::edge
