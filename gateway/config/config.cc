#include "gateway/config/config.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/cluster/redis_url.h"
#include "gateway/config/command_line.h"
#include "gateway/config/config_env.h"
#include "gateway/config/config_file.h"
#include "gateway/config/value_checks.h"

namespace gw::config {
namespace {

// What the server runs with when given nothing: one demo app, as soketi and Reverb ship, so
// `realtime-gateway` alone accepts a Pusher client configured with "app-key".
Config EmbeddedDefault() {
  Config config;
  core::App demo;
  demo.id = "app-id";
  demo.key = "app-key";
  demo.secret = "app-secret";
  demo.enable_client_messages = true;
  config.apps.push_back(std::move(demo));
  return config;
}

// Rules that span settings from different sources; each source has checked its own values.
absl::Status Validate(const Config& config) {
  if (config.apps.empty()) {
    return absl::InvalidArgumentError(
        "no apps configured: list them under \"apps\" in the config file, or set "
        "PUSHER_APP_ID, PUSHER_APP_KEY and PUSHER_APP_SECRET (or the REVERB_APP_ ones)");
  }
  if (config.port == config.grpc_port && config.port != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("port and grpc_port are both ", config.port,
                     "; give them different values (0 picks any free port)"));
  }
  if (config.operator_port != 0 &&
      (config.operator_port == config.port || config.operator_port == config.grpc_port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("operator_port ", config.operator_port,
                     " is also port or grpc_port; give it a port of its own (0 picks any)"));
  }
  for (size_t i = 0; i < config.apps.size(); ++i) {
    if (config.apps[i].limits.max_event_payload_kb > config.max_message_kb) {
      return absl::InvalidArgumentError(absl::StrCat(
          "apps[", i, "].max_event_payload_kb (", config.apps[i].limits.max_event_payload_kb,
          ") is more than max_message_kb (", config.max_message_kb,
          "): client events that large could not arrive; raise max_message_kb"));
    }
  }
  if (config.grpc_tls_cert_file.empty() != config.grpc_tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "grpc_tls_cert_file and grpc_tls_key_file: give both to enable TLS on the gRPC port");
  }
  if (!config.grpc_tls_client_ca_file.empty() && config.grpc_tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "grpc_tls_client_ca_file: mutual TLS also needs grpc_tls_cert_file and grpc_tls_key_file");
  }
  // Every source has checked the URL; an empty one is a single node.
  const absl::StatusOr<cluster::RedisUrl> redis = cluster::ParseRedisUrl(config.redis_url);
  if (!config.redis_tls_ca_file.empty() && redis.ok() && !redis->tls) {
    return absl::InvalidArgumentError(
        "redis_tls_ca_file: set, but redis_url is redis://; use rediss:// for TLS");
  }
  if (config.dashboard && config.dashboard_password.empty()) {
    return absl::InvalidArgumentError(
        "dashboard_password: required when the dashboard is on (or set "
        "REALTIME_DASHBOARD_PASSWORD)");
  }
  if (config.dashboard && config.dashboard_user.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(
        "dashboard_user: must not contain ':' (HTTP basic authentication splits on it)");
  }
  // Each source rejects clashes it creates alone; this catches an app from the environment
  // taking the key of one from the file.
  if (const std::optional<AppClash> clash = FindAppClash(config.apps)) {
    const core::App& first = config.apps[clash->first];
    const core::App& second = config.apps[clash->second];
    if (clash->same_id) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate app id \"", first.id, "\""));
    }
    return absl::InvalidArgumentError(absl::StrCat("duplicate app key \"", first.key,
                                                   "\": used by apps \"", first.id, "\" and \"",
                                                   second.id, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> LoadConfig(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env) {
  absl::StatusOr<CommandLine> flags = ParseCommandLine(args);
  if (!flags.ok()) return flags.status();
  Config config = EmbeddedDefault();
  if (flags->show_help) {
    config.show_help = true;
    return config;
  }
  bool file_sets_apps = false;
  if (flags->config_file) {
    absl::Status status = ApplyConfigFile(*flags->config_file, &config, &file_sets_apps);
    if (!status.ok()) return status;
  }
  if (absl::Status status = ApplyEnvironment(env, !file_sets_apps, &config); !status.ok()) {
    return status;
  }
  ApplyCommandLine(*flags, &config);
  if (absl::Status status = Validate(config); !status.ok()) return status;
  return config;
}

}  // namespace gw::config
