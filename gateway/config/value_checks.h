#ifndef GATEWAY_CONFIG_VALUE_CHECKS_H_
#define GATEWAY_CONFIG_VALUE_CHECKS_H_

// Checks shared by the config file, environment and flag readers, so that one setting is held
// to the same rule, and described by the same words, wherever it comes from. Internal to
// gateway/config.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/core/app.h"

namespace gw::config {

inline constexpr absl::string_view kExpectedPort = "expected an integer from 0 to 65535";
inline constexpr absl::string_view kExpectedCount = "expected a non-negative integer";
inline constexpr absl::string_view kExpectedLogLevel = "expected one of debug, info, warn, error";
inline constexpr absl::string_view kExpectedRedisPrefix =
    "expected 1 to 64 letters, digits, '-', '_', '.' or ':'";
// At least 3 s: a node must renew (every third of it) through a Redis hiccup of a second or
// two; at most 10 min: that long, a crashed node's members stay listed.
inline constexpr uint32_t kMinLeaseSeconds = 3;
inline constexpr uint32_t kMaxLeaseSeconds = 600;
inline constexpr absl::string_view kExpectedLeaseSeconds = "expected an integer from 3 to 600";
inline constexpr absl::string_view kExpectedAppName =
    "expected a non-empty string of letters, digits, '-', '_', '.' or '~'";

// Text from a flag or a variable. Numbers are plain decimal digits (no sign, space or
// exponent). Errors are InvalidArgument saying what was expected and what was given
// ("expected an integer from 0 to 65535, got \"http\""), for the caller to prefix with where the
// text came from.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);
absl::StatusOr<uint32_t> ParseCount(absl::string_view text);
absl::StatusOr<std::string> ParseLogLevel(absl::string_view text);
// The URL unchanged when gw::cluster::ParseRedisUrl accepts it; its error otherwise, which
// never repeats the URL (it may hold a password).
absl::StatusOr<std::string> ParseRedisUrlText(absl::string_view text);
absl::StatusOr<std::string> ParseRedisPrefix(absl::string_view text);
absl::StatusOr<uint32_t> ParseLeaseSeconds(absl::string_view text);

bool IsLogLevel(absl::string_view level);
bool IsRedisPrefix(absl::string_view prefix);

// App ids and keys travel in URL paths (/app/{key}, /apps/{id}/events), so they are limited
// to URL-unreserved characters.
bool IsAppName(absl::string_view name);

// Two apps that may not coexist: the same id, or the same key (a client names its app by key).
struct AppClash {
  size_t first;   // index of the earlier app
  size_t second;  // index of the later app
  bool same_id;   // else the same key
};
std::optional<AppClash> FindAppClash(const std::vector<core::App>& apps);

}  // namespace gw::config

#endif  // GATEWAY_CONFIG_VALUE_CHECKS_H_
