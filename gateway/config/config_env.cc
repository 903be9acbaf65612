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
  return ApplyPort(env, {"REALTIME_GRPC_PORT"}, &config->grpc_port);
}

}  // namespace gw::config
