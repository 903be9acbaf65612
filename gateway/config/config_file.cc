#include "gateway/config/config_file.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gateway/config/value_checks.h"

namespace gw::config {
namespace {

namespace json = boost::json;

absl::Status Problem(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

absl::string_view View(const json::string& text) { return {text.data(), text.size()}; }

// Readers for one JSON value: each writes `*out` or names `path` and what was expected. Every
// check goes through if_* / is_*; Boost.JSON's as_* accessors throw, and nothing may escape.

absl::Status ReadString(const json::value& value, absl::string_view path, std::string* out) {
  const json::string* text = value.if_string();
  if (text == nullptr || text->empty()) return Problem(path, "expected a non-empty string");
  out->assign(text->data(), text->size());
  return absl::OkStatus();
}

absl::Status ReadAppName(const json::value& value, absl::string_view path, std::string* out) {
  const json::string* text = value.if_string();
  if (text == nullptr || !IsAppName(View(*text))) return Problem(path, kExpectedAppName);
  out->assign(text->data(), text->size());
  return absl::OkStatus();
}

absl::Status ReadLogLevel(const json::value& value, absl::string_view path, std::string* out) {
  const json::string* text = value.if_string();
  if (text == nullptr || !IsLogLevel(View(*text))) return Problem(path, kExpectedLogLevel);
  out->assign(text->data(), text->size());
  return absl::OkStatus();
}

// A value checked by one of value_checks' text parsers, which say what was expected.
template <auto Parse, typename Out>
absl::Status ReadChecked(const json::value& value, absl::string_view path, Out* out) {
  const json::string* text = value.if_string();
  if (text == nullptr) return Problem(path, "expected a string");
  auto parsed = Parse(View(*text));
  if (!parsed.ok()) return Problem(path, parsed.status().message());
  *out = *std::move(parsed);
  return absl::OkStatus();
}

// "" is a single node, as when the key is left out.
absl::Status ReadRedisUrl(const json::value& value, absl::string_view path, std::string* out) {
  const json::string* text = value.if_string();
  if (text != nullptr && text->empty()) {
    out->clear();
    return absl::OkStatus();
  }
  return ReadChecked<ParseRedisUrlText>(value, path, out);
}

absl::Status ReadBool(const json::value& value, absl::string_view path, bool* out) {
  const bool* flag = value.if_bool();
  if (flag == nullptr) return Problem(path, "expected true or false");
  *out = *flag;
  return absl::OkStatus();
}

// Boost.JSON keeps a number as int64, uint64 or double depending on how it was written; only
// the first two can be whole numbers we accept (1.0 and 1e3 are rejected as not integers).
std::optional<uint64_t> NonNegativeInteger(const json::value& value) {
  if (const int64_t* number = value.if_int64()) {
    if (*number < 0) return std::nullopt;
    return static_cast<uint64_t>(*number);
  }
  if (const uint64_t* number = value.if_uint64()) return *number;
  return std::nullopt;
}

absl::Status ReadPort(const json::value& value, absl::string_view path, uint16_t* out) {
  const std::optional<uint64_t> number = NonNegativeInteger(value);
  if (!number || *number > std::numeric_limits<uint16_t>::max()) {
    return Problem(path, kExpectedPort);
  }
  *out = static_cast<uint16_t>(*number);
  return absl::OkStatus();
}

absl::Status ReadLeaseSeconds(const json::value& value, absl::string_view path, uint32_t* out) {
  const std::optional<uint64_t> number = NonNegativeInteger(value);
  if (!number || *number < kMinLeaseSeconds || *number > kMaxLeaseSeconds) {
    return Problem(path, kExpectedLeaseSeconds);
  }
  *out = static_cast<uint32_t>(*number);
  return absl::OkStatus();
}

absl::Status ReadBoundedCount(const json::value& value, absl::string_view path, bool positive,
                              uint32_t* out) {
  const absl::string_view expected = positive ? "expected a positive integer" : kExpectedCount;
  const std::optional<uint64_t> number = NonNegativeInteger(value);
  if (!number || (positive && *number == 0)) return Problem(path, expected);
  constexpr uint32_t kMax = std::numeric_limits<uint32_t>::max();
  if (*number > kMax) return Problem(path, absl::StrCat(expected, ", at most ", kMax));
  *out = static_cast<uint32_t>(*number);
  return absl::OkStatus();
}

absl::Status ReadCount(const json::value& value, absl::string_view path, uint32_t* out) {
  return ReadBoundedCount(value, path, /*positive=*/false, out);
}

absl::Status ReadPositiveCount(const json::value& value, absl::string_view path, uint32_t* out) {
  return ReadBoundedCount(value, path, /*positive=*/true, out);
}

absl::Status ReadStringList(const json::value& value, absl::string_view path,
                            std::vector<std::string>* out) {
  const json::array* list = value.if_array();
  if (list == nullptr) return Problem(path, "expected an array of strings");
  std::vector<std::string> origins(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    absl::Status status = ReadString((*list)[i], absl::StrCat(path, "[", i, "]"), &origins[i]);
    if (!status.ok()) return status;
  }
  *out = std::move(origins);
  return absl::OkStatus();
}

absl::Status ReadMasterKey(const json::value& value, absl::string_view path, std::string* out) {
  const json::string* text = value.if_string();
  std::string key;
  if (text == nullptr || !absl::Base64Unescape(View(*text), &key) || key.size() != 32) {
    return Problem(path, "expected the base64 encoding of exactly 32 bytes");
  }
  *out = std::move(key);
  return absl::OkStatus();
}

// One key an object may hold, and how to read its value into the thing being built.
template <typename Target>
struct Key {
  absl::string_view name;
  absl::Status (*read)(const json::value& value, absl::string_view path, Target* target);
};

template <typename Target>
absl::Status ReadObject(const json::value& value, absl::string_view path,
                        std::span<const Key<Target>> keys, Target* target) {
  const json::object* object = value.if_object();
  if (object == nullptr) return Problem(path, "expected an object");
  for (const json::key_value_pair& entry : *object) {
    const absl::string_view name(entry.key().data(), entry.key().size());
    const std::string key_path = path.empty() ? std::string(name) : absl::StrCat(path, ".", name);
    const auto key = std::ranges::find(keys, name, &Key<Target>::name);
    if (key == keys.end()) return Problem(key_path, "unknown key");
    absl::Status status = key->read(entry.value(), key_path, target);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Key readers that store what `Read` reads in a member of the thing being built, or of an
// app's limits.
template <auto Member, auto Read, typename Target>
absl::Status Store(const json::value& value, absl::string_view path, Target* target) {
  return Read(value, path, &(target->*Member));
}

template <auto Member, auto Read>
absl::Status StoreLimit(const json::value& value, absl::string_view path, core::App* app) {
  return Read(value, path, &(app->limits.*Member));
}

using core::App;
using core::AppLimits;
using core::AuthorizerSettings;

const Key<AuthorizerSettings> kAuthorizerKeys[] = {
    {"target", Store<&AuthorizerSettings::target, ReadString>},
    {"timeout_ms", Store<&AuthorizerSettings::timeout_ms, ReadPositiveCount>},
    {"forward_headers", Store<&AuthorizerSettings::forward_headers, ReadStringList>},
    {"forward_cookies", Store<&AuthorizerSettings::forward_cookies, ReadStringList>},
    {"forward_query", Store<&AuthorizerSettings::forward_query, ReadStringList>},
};

absl::Status ReadHeaders(const json::value& value, absl::string_view path,
                         std::vector<std::pair<std::string, std::string>>* out) {
  const json::object* object = value.if_object();
  if (object == nullptr) return Problem(path, "expected an object of header names to strings");
  out->clear();
  for (const json::key_value_pair& entry : *object) {
    std::string header;
    absl::Status status = ReadString(
        entry.value(),
        absl::StrCat(path, ".", absl::string_view(entry.key().data(), entry.key().size())),
        &header);
    if (!status.ok()) return status;
    out->emplace_back(std::string(entry.key()), std::move(header));
  }
  return absl::OkStatus();
}

absl::Status ReadUrl(const json::value& value, absl::string_view path, std::string* out) {
  absl::Status status = ReadString(value, path, out);
  if (!status.ok()) return status;
  if (!absl::StartsWith(*out, "http://") && !absl::StartsWith(*out, "https://")) {
    return Problem(path, "expected an http:// or https:// URL");
  }
  return absl::OkStatus();
}

constexpr absl::string_view kWebhookNames[] = {
    "channel_occupied", "channel_vacated", "member_added",      "member_removed",
    "client_event",     "cache_miss",      "subscription_count"};

absl::Status ReadWebhookNames(const json::value& value, absl::string_view path,
                              std::vector<std::string>* out) {
  absl::Status status = ReadStringList(value, path, out);
  if (!status.ok()) return status;
  for (size_t i = 0; i < out->size(); ++i) {
    if (std::ranges::find(kWebhookNames, absl::string_view((*out)[i])) == std::end(kWebhookNames)) {
      return Problem(absl::StrCat(path, "[", i, "]"),
                     "expected one of channel_occupied, channel_vacated, member_added, "
                     "member_removed, client_event, cache_miss, subscription_count");
    }
  }
  return absl::OkStatus();
}

const Key<core::WebhookTarget> kWebhookKeys[] = {
    {"url", Store<&core::WebhookTarget::url, ReadUrl>},
    {"event_types", Store<&core::WebhookTarget::event_types, ReadWebhookNames>},
    {"channel_prefix", Store<&core::WebhookTarget::channel_prefix, ReadString>},
    {"headers", Store<&core::WebhookTarget::headers, ReadHeaders>},
};

absl::Status ReadWebhooks(const json::value& value, absl::string_view path, core::App* app) {
  const json::array* list = value.if_array();
  if (list == nullptr) return Problem(path, "expected an array of webhook objects");
  std::vector<core::WebhookTarget> targets(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string item = absl::StrCat(path, "[", i, "]");
    absl::Status status =
        ReadObject<core::WebhookTarget>((*list)[i], item, kWebhookKeys, &targets[i]);
    if (!status.ok()) return status;
    if (targets[i].url.empty())
      return Problem(absl::StrCat(item, ".url"), "required key is missing");
  }
  app->webhooks = std::move(targets);
  return absl::OkStatus();
}

absl::Status ReadAuthorizer(const json::value& value, absl::string_view path, App* app) {
  AuthorizerSettings settings;
  absl::Status status = ReadObject<AuthorizerSettings>(value, path, kAuthorizerKeys, &settings);
  if (!status.ok()) return status;
  if (settings.target.empty())
    return Problem(absl::StrCat(path, ".target"), "required key is missing");
  for (std::string& header : settings.forward_headers) absl::AsciiStrToLower(&header);
  app->authorizer = std::move(settings);
  return absl::OkStatus();
}

const Key<App> kAppKeys[] = {
    {"id", Store<&App::id, ReadAppName>},
    {"key", Store<&App::key, ReadAppName>},
    {"secret", Store<&App::secret, ReadString>},
    {"enabled", Store<&App::enabled, ReadBool>},
    {"enable_client_messages", Store<&App::enable_client_messages, ReadBool>},
    {"enable_subscription_count", Store<&App::enable_subscription_count, ReadBool>},
    {"max_connections", StoreLimit<&AppLimits::max_connections, ReadCount>},
    {"max_client_events_per_second",
     StoreLimit<&AppLimits::max_client_events_per_second, ReadCount>},
    {"max_presence_members", StoreLimit<&AppLimits::max_presence_members, ReadCount>},
    {"max_presence_member_size_kb", StoreLimit<&AppLimits::max_presence_member_size_kb, ReadCount>},
    {"max_event_payload_kb", StoreLimit<&AppLimits::max_event_payload_kb, ReadPositiveCount>},
    {"activity_timeout", StoreLimit<&AppLimits::activity_timeout_seconds, ReadPositiveCount>},
    {"allowed_origins", Store<&App::allowed_origins, ReadStringList>},
    {"grpc_token", Store<&App::grpc_token, ReadString>},
    {"encryption_master_key_base64", Store<&App::encryption_master_key, ReadMasterKey>},
    {"authorizer", ReadAuthorizer},
    {"cache_ttl", StoreLimit<&AppLimits::cache_ttl_seconds, ReadPositiveCount>},
    {"max_watchlist_size", StoreLimit<&AppLimits::max_watchlist_size, ReadCount>},
    {"max_channels_per_connection", StoreLimit<&AppLimits::max_channels_per_connection, ReadCount>},
    {"max_subscriptions_per_second",
     StoreLimit<&AppLimits::max_subscriptions_per_second, ReadCount>},
    {"max_presence_joins_per_second",
     StoreLimit<&AppLimits::max_presence_joins_per_second, ReadCount>},
    {"enable_user_authentication", Store<&App::enable_user_authentication, ReadBool>},
    {"user_authentication_timeout",
     Store<&App::user_authentication_timeout_seconds, ReadPositiveCount>},
    {"enable_watchlist_events", Store<&App::enable_watchlist_events, ReadBool>},
    {"webhooks", ReadWebhooks},
    {"webhook_batching", Store<&App::webhook_batching, ReadBool>},
    {"enable_websocket_compression", Store<&App::enable_websocket_compression, ReadBool>},
};

absl::Status ReadApp(const json::value& value, absl::string_view path, App* app) {
  absl::Status status = ReadObject<App>(value, path, kAppKeys, app);
  if (!status.ok()) return status;
  // The readers refuse empty strings, so an empty field here was never given.
  const std::pair<absl::string_view, const std::string*> required[] = {
      {"id", &app->id}, {"key", &app->key}, {"secret", &app->secret}};
  for (const auto& [name, field] : required) {
    if (field->empty()) return Problem(absl::StrCat(path, ".", name), "required key is missing");
  }
  return absl::OkStatus();
}

absl::Status ReadApps(const json::value& value, absl::string_view path, Config* config) {
  const json::array* list = value.if_array();
  if (list == nullptr) return Problem(path, "expected an array of app objects");
  std::vector<core::App> apps(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    absl::Status status = ReadApp((*list)[i], absl::StrCat(path, "[", i, "]"), &apps[i]);
    if (!status.ok()) return status;
  }
  if (const std::optional<AppClash> clash = FindAppClash(apps)) {
    const absl::string_view field = clash->same_id ? "id" : "key";
    const core::App& app = apps[clash->second];
    return Problem(absl::StrCat(path, "[", clash->second, "].", field),
                   absl::StrCat("duplicate app ", field, " \"", clash->same_id ? app.id : app.key,
                                "\", already used by ", path, "[", clash->first, "]"));
  }
  config->apps = std::move(apps);
  return absl::OkStatus();
}

const Key<Config> kConfigKeys[] = {
    {"host", Store<&Config::host, ReadString>},
    {"port", Store<&Config::port, ReadPort>},
    {"grpc_port", Store<&Config::grpc_port, ReadPort>},
    {"threads", Store<&Config::threads, ReadCount>},
    {"max_connections", Store<&Config::max_connections, ReadCount>},
    {"reserved_descriptors", Store<&Config::reserved_descriptors, ReadCount>},
    {"max_write_buffer_kb", Store<&Config::max_write_buffer_kb, ReadPositiveCount>},
    {"max_request_kb", Store<&Config::max_request_kb, ReadPositiveCount>},
    {"max_message_kb", Store<&Config::max_message_kb, ReadPositiveCount>},
    {"message_timeout_ms", Store<&Config::message_timeout_ms, ReadPositiveCount>},
    {"operator_host", Store<&Config::operator_host, ReadString>},
    {"operator_port", Store<&Config::operator_port, ReadPort>},
    {"operator_token", Store<&Config::operator_token, ReadString>},
    {"max_publish_backlog", Store<&Config::max_publish_backlog, ReadCount>},
    {"shutdown_grace_seconds", Store<&Config::shutdown_grace_seconds, ReadCount>},
    {"websocket_compression", Store<&Config::websocket_compression, ReadBool>},
    {"websocket_compression_min_bytes", Store<&Config::websocket_compression_min_bytes, ReadCount>},
    {"grpc_tls_cert_file", Store<&Config::grpc_tls_cert_file, ReadString>},
    {"grpc_tls_key_file", Store<&Config::grpc_tls_key_file, ReadString>},
    {"grpc_tls_client_ca_file", Store<&Config::grpc_tls_client_ca_file, ReadString>},
    {"log_level", Store<&Config::log_level, ReadLogLevel>},
    {"webhook_vacate_delay_ms", Store<&Config::webhook_vacate_delay_ms, ReadCount>},
    {"webhook_timeout_ms", Store<&Config::webhook_timeout_ms, ReadPositiveCount>},
    {"webhook_retry_max_seconds", Store<&Config::webhook_retry_max_seconds, ReadCount>},
    {"webhook_max_queued_events", Store<&Config::webhook_max_queued_events, ReadPositiveCount>},
    {"redis_url", Store<&Config::redis_url, ReadRedisUrl>},
    {"redis_prefix", Store<&Config::redis_prefix, ReadChecked<ParseRedisPrefix, std::string>>},
    {"node_lease_seconds", Store<&Config::node_lease_seconds, ReadLeaseSeconds>},
    {"redis_tls_ca_file", Store<&Config::redis_tls_ca_file, ReadString>},
    {"redis_webhook_stream_max_events",
     Store<&Config::redis_webhook_stream_max_events, ReadPositiveCount>},
    {"dashboard", Store<&Config::dashboard, ReadBool>},
    {"dashboard_user", Store<&Config::dashboard_user, ReadString>},
    {"dashboard_password", Store<&Config::dashboard_password, ReadString>},
    {"apps", ReadApps},
};

absl::StatusOr<std::string> ReadFileText(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    return absl::InvalidArgumentError("no such file");
  }
  if (status.type() == std::filesystem::file_type::directory) {
    return absl::InvalidArgumentError("is a directory, expected a JSON file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return absl::InvalidArgumentError("cannot be opened for reading");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return absl::InvalidArgumentError("could not be read");
  return text;
}

absl::StatusOr<json::value> ParseJson(absl::string_view text) {
  // Some editors start a UTF-8 file with a byte order mark, which JSON does not allow.
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError("file is empty, expected a JSON object");
  }
  json::parser parser;
  boost::system::error_code error;
  const size_t consumed = parser.write(text.data(), text.size(), error);
  if (error) {
    // The parser stops at the offending character; say where that is the way editors count.
    const absl::string_view before = text.substr(0, consumed);
    const size_t line = 1 + std::ranges::count(before, '\n');
    const size_t line_start = before.rfind('\n');
    const size_t column =
        1 + consumed - (line_start == absl::string_view::npos ? 0 : line_start + 1);
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at line ", line, ", column ", column, ": ", error.message()));
  }
  return parser.release();
}

absl::Status ReadConfigFile(const std::string& path, Config* config, bool* sets_apps) {
  const absl::StatusOr<std::string> text = ReadFileText(path);
  if (!text.ok()) return text.status();
  const absl::StatusOr<json::value> root = ParseJson(*text);
  if (!root.ok()) return root.status();
  const json::object* settings = root->if_object();
  if (settings == nullptr) return absl::InvalidArgumentError("expected a JSON object at the top");
  absl::Status status = ReadObject<Config>(*root, "", kConfigKeys, config);
  if (!status.ok()) return status;
  *sets_apps = settings->contains("apps");
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyConfigFile(const std::string& path, Config* config, bool* sets_apps) {
  *sets_apps = false;
  absl::Status status = ReadConfigFile(path, config, sets_apps);
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat("config file ", path, ": ", status.message()));
}

}  // namespace gw::config
