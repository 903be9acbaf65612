#include "gateway/config/config_env.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "gateway/cluster/redis_url.h"
#include "gateway/config/value_checks.h"

namespace gw::config {
namespace {

using Environment = std::map<std::string, std::string>;

absl::Status Problem(absl::string_view variable, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("environment variable ", variable, ": ", what));
}

std::optional<absl::string_view> Lookup(const Environment& env, absl::string_view name) {
  const auto it = env.find(std::string(name));
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

// The first of `names` that is set, most important first, with its value.
std::optional<std::pair<absl::string_view, absl::string_view>> FirstSet(
    const Environment& env, std::initializer_list<absl::string_view> names) {
  for (const absl::string_view name : names) {
    if (const std::optional<absl::string_view> value = Lookup(env, name)) {
      return std::pair(name, *value);
    }
  }
  return std::nullopt;
}

absl::Status ApplyPort(const Environment& env, std::initializer_list<absl::string_view> names,
                       uint16_t* port) {
  const auto found = FirstSet(env, names);
  if (!found) return absl::OkStatus();
  const auto [name, text] = *found;
  const absl::StatusOr<uint16_t> value = ParsePort(text);
  if (!value.ok()) return Problem(name, value.status().message());
  *port = *value;
  return absl::OkStatus();
}

struct AppVariables {
  absl::string_view id;
  absl::string_view key;
  absl::string_view secret;
};

constexpr AppVariables kAppVariables[] = {
    {"PUSHER_APP_ID", "PUSHER_APP_KEY", "PUSHER_APP_SECRET"},
    {"REVERB_APP_ID", "REVERB_APP_KEY", "REVERB_APP_SECRET"},
};

struct AppIdentity {
  std::string id;
  std::string key;
  std::string secret;
};

// The identity a complete set of variables gives, none when no variable of the set is given, or
// an error naming what is missing or malformed.
absl::StatusOr<std::optional<AppIdentity>> IdentityFromVariables(const Environment& env,
                                                                 const AppVariables& names) {
  const std::optional<absl::string_view> id = Lookup(env, names.id);
  const std::optional<absl::string_view> key = Lookup(env, names.key);
  const std::optional<absl::string_view> secret = Lookup(env, names.secret);
  if (!id && !key && !secret) return std::nullopt;
  std::vector<absl::string_view> given, missing;
  for (const auto& [name, value] :
       {std::pair(names.id, id), std::pair(names.key, key), std::pair(names.secret, secret)}) {
    (value ? given : missing).push_back(name);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "environment: ", absl::StrJoin(given, " and "), given.size() == 1 ? " is" : " are",
        " set but ", absl::StrJoin(missing, " and "), missing.size() == 1 ? " is" : " are",
        " not; set all three to define an app, or none"));
  }
  if (!IsAppName(*id)) return Problem(names.id, kExpectedAppName);
  if (!IsAppName(*key)) return Problem(names.key, kExpectedAppName);
  return AppIdentity{std::string(*id), std::string(*key), std::string(*secret)};
}

absl::Status ApplyApps(const Environment& env, bool apps_are_builtin, Config* config) {
  // Copied before any change: every app the environment adds gets these settings.
  const core::App settings =
      apps_are_builtin && !config->apps.empty() ? config->apps.front() : core::App();
  bool demo_in_place = apps_are_builtin;
  for (const AppVariables& names : kAppVariables) {
    absl::StatusOr<std::optional<AppIdentity>> named = IdentityFromVariables(env, names);
    if (!named.ok()) return named.status();
    if (!named->has_value()) continue;
    AppIdentity& identity = **named;
    const auto same_id = std::ranges::find(config->apps, identity.id, &core::App::id);
    if (same_id != config->apps.end()) {
      same_id->key = std::move(identity.key);
      same_id->secret = std::move(identity.secret);
    } else {
      core::App added = settings;
      added.id = std::move(identity.id);
      added.key = std::move(identity.key);
      added.secret = std::move(identity.secret);
      if (demo_in_place) config->apps.clear();
      config->apps.push_back(std::move(added));
    }
    demo_in_place = false;
  }
  return absl::OkStatus();
}

// Laravel's env() reads "null" and "(null)" as null, "empty" and "(empty)" as "" (its default
// .env has REDIS_PASSWORD=null): both count as unset.
std::optional<absl::string_view> LookupLaravel(const Environment& env, absl::string_view name) {
  const std::optional<absl::string_view> value = Lookup(env, name);
  if (!value || *value == "null" || *value == "(null)" || *value == "empty" ||
      *value == "(empty)") {
    return std::nullopt;
  }
  return value;
}

// A boolean as Laravel's env() reads one; anything else is an error rather than PHP's "any
// non-empty string is true". Unset is nullopt.
absl::StatusOr<std::optional<bool>> LookupBool(const Environment& env, absl::string_view name) {
  const std::optional<absl::string_view> value = Lookup(env, name);
  if (!value) return std::nullopt;
  if (*value == "true" || *value == "(true)" || *value == "1") return true;
  if (*value == "false" || *value == "(false)" || *value == "0") return false;
  return Problem(name, absl::StrCat("expected true or false, got \"", *value, "\""));
}

// REVERB_SCALING_ENABLED; unset, only a REDIS_URL decides.
absl::StatusOr<std::optional<bool>> ScalingEnabled(const Environment& env) {
  return LookupBool(env, "REVERB_SCALING_ENABLED");
}

// The URL that REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD and REDIS_DB describe,
// as Reverb reads them (REDIS_HOST may start with tls://, as phpredis allows).
absl::StatusOr<std::string> UrlFromParts(const Environment& env) {
  cluster::RedisUrl url;
  absl::string_view host = LookupLaravel(env, "REDIS_HOST").value_or("127.0.0.1");
  if (absl::ConsumePrefix(&host, "tls://")) url.tls = true;
  url.host = std::string(host);
  if (const std::optional<absl::string_view> port = LookupLaravel(env, "REDIS_PORT")) {
    const absl::StatusOr<uint16_t> number = ParsePort(*port);
    if (!number.ok() || *number == 0) {
      return Problem("REDIS_PORT",
                     absl::StrCat("expected an integer from 1 to 65535, got \"", *port, "\""));
    }
    url.port = *number;
  }
  if (const std::optional<absl::string_view> db = LookupLaravel(env, "REDIS_DB")) {
    const absl::StatusOr<uint32_t> number = ParseCount(*db);
    if (!number.ok()) return Problem("REDIS_DB", number.status().message());
    url.db = *number;
  }
  url.username = std::string(LookupLaravel(env, "REDIS_USERNAME").value_or(""));
  url.password = std::string(LookupLaravel(env, "REDIS_PASSWORD").value_or(""));
  if (!url.username.empty() && url.password.empty()) {
    return Problem("REDIS_USERNAME", "is set but REDIS_PASSWORD is not; an ACL user needs both");
  }
  if (url.host.empty() || url.host.find_first_of(" /?#@[]") != std::string::npos) {
    return Problem("REDIS_HOST",
                   absl::StrCat("expected a host name or IP address, got \"", host, "\""));
  }
  std::string text = cluster::FormatRedisUrl(url);
  const absl::StatusOr<std::string> checked = ParseRedisUrlText(text);
  if (!checked.ok()) return Problem("REDIS_HOST", checked.status().message());
  return text;
}

absl::Status ApplyRedis(const Environment& env, Config* config) {
  // Ours turns scale-out on by itself, and so does REDIS_URL (the issue's "the environment a
  // Laravel .env already has": Forge, Vapor and Heroku set it), unless REVERB_SCALING_ENABLED
  // says false. REDIS_HOST and its siblings only with REVERB_SCALING_ENABLED=true, as in Reverb,
  // since every Laravel .env names a Redis host for cache and queues. Deployments sharing one
  // Redis keep apart by redis_prefix (REVERB_SCALING_CHANNEL); the start log names the Redis.
  const absl::StatusOr<std::optional<bool>> scaling = ScalingEnabled(env);
  if (!scaling.ok()) return scaling.status();
  const std::optional<absl::string_view> laravel_url = LookupLaravel(env, "REDIS_URL");
  if (const std::optional<absl::string_view> url = Lookup(env, "REALTIME_REDIS_URL")) {
    absl::StatusOr<std::string> checked = ParseRedisUrlText(*url);
    if (!checked.ok()) return Problem("REALTIME_REDIS_URL", checked.status().message());
    config->redis_url = *std::move(checked);
  } else if (scaling->value_or(laravel_url.has_value())) {
    absl::StatusOr<std::string> url;
    if (const std::optional<absl::string_view> given = laravel_url) {
      url = ParseRedisUrlText(*given);
      if (!url.ok()) return Problem("REDIS_URL", url.status().message());
    } else {
      url = UrlFromParts(env);
      if (!url.ok()) return url.status();
    }
    config->redis_url = *std::move(url);
  }
  if (const auto prefix = FirstSet(env, {"REALTIME_REDIS_PREFIX", "REVERB_SCALING_CHANNEL"})) {
    absl::StatusOr<std::string> checked = ParseRedisPrefix(prefix->second);
    if (!checked.ok()) return Problem(prefix->first, checked.status().message());
    config->redis_prefix = *std::move(checked);
  }
  if (const auto lease = Lookup(env, "REALTIME_NODE_LEASE_SECONDS")) {
    const absl::StatusOr<uint32_t> seconds = ParseLeaseSeconds(*lease);
    if (!seconds.ok()) return Problem("REALTIME_NODE_LEASE_SECONDS", seconds.status().message());
    config->node_lease_seconds = *seconds;
  }
  if (const auto ca_file = Lookup(env, "REALTIME_REDIS_TLS_CA_FILE")) {
    config->redis_tls_ca_file = std::string(*ca_file);
  }
  return absl::OkStatus();
}

absl::Status ApplyDashboard(const Environment& env, Config* config) {
  const absl::StatusOr<std::optional<bool>> enabled = LookupBool(env, "REALTIME_DASHBOARD");
  if (!enabled.ok()) return enabled.status();
  if (*enabled) config->dashboard = **enabled;
  if (const auto user = Lookup(env, "REALTIME_DASHBOARD_USER")) {
    config->dashboard_user = std::string(*user);
  }
  if (const auto password = Lookup(env, "REALTIME_DASHBOARD_PASSWORD")) {
    config->dashboard_password = std::string(*password);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyEnvironment(const Environment& env, bool apps_are_builtin, Config* config) {
  if (absl::Status status = ApplyApps(env, apps_are_builtin, config); !status.ok()) return status;
  if (const auto host = FirstSet(env, {"REALTIME_HOST", "REVERB_SERVER_HOST"})) {
    config->host = std::string(host->second);
  }
  if (absl::Status status =
          ApplyPort(env, {"REALTIME_PORT", "REVERB_SERVER_PORT", "PUSHER_PORT"}, &config->port);
      !status.ok()) {
    return status;
  }
  if (const auto token = FirstSet(env, {"REALTIME_OPERATOR_TOKEN"})) {
    config->operator_token = std::string(token->second);
  }
  if (absl::Status status = ApplyPort(env, {"REALTIME_GRPC_PORT"}, &config->grpc_port);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ApplyDashboard(env, config); !status.ok()) return status;
  return ApplyRedis(env, config);
}

}  // namespace gw::config
