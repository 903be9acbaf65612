#ifndef GATEWAY_CONFIG_CONFIG_ENV_H_
#define GATEWAY_CONFIG_CONFIG_ENV_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "gateway/config/config.h"

namespace gw::config {

// Applies the variables a Laravel .env already has, plus our own, to `config`. A variable set to
// the empty string counts as unset (Laravel's example .env lists the Pusher ones empty).
// Internal to gateway/config.
//
// Apps: PUSHER_APP_{ID,KEY,SECRET}, then REVERB_APP_{ID,KEY,SECRET}; each complete set is one
// app. An app with the same id gets the new key and secret. Otherwise, while `apps_are_builtin`
// (no config file gave "apps") and no earlier set has been applied, the new app replaces the
// built-in demo app and takes its settings; later ones are added with those same settings.
// When the apps came from a file, a new app is added with the defaults of core::App.
//
// Listen address: REALTIME_HOST, else REVERB_SERVER_HOST. Port: REALTIME_PORT, else
// REVERB_SERVER_PORT, else PUSHER_PORT. gRPC port: REALTIME_GRPC_PORT. Only the variable that
// wins is checked. The operator listener's token: REALTIME_OPERATOR_TOKEN.
//
// Redis (scale-out): REALTIME_REDIS_URL; else, only with REVERB_SCALING_ENABLED=true (as in
// Reverb), REDIS_URL, else a URL made of REDIS_HOST (127.0.0.1; tls://host for TLS),
// REDIS_PORT (6379), REDIS_USERNAME, REDIS_PASSWORD and REDIS_DB (0), where Laravel's "null"
// counts as unset. Prefix: REALTIME_REDIS_PREFIX, else REVERB_SCALING_CHANNEL. Also
// REALTIME_NODE_LEASE_SECONDS and REALTIME_REDIS_TLS_CA_FILE.
//
// Errors are InvalidArgument and name the variable. On error `config` may be partly written.
absl::Status ApplyEnvironment(const std::map<std::string, std::string>& env, bool apps_are_builtin,
                              Config* config);

}  // namespace gw::config

#endif  // GATEWAY_CONFIG_CONFIG_ENV_H_
