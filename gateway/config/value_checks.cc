#include "gateway/config/value_checks.h"

#include <charconv>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/cluster/redis_url.h"

namespace gw::config {
namespace {

std::optional<uint32_t> ParseDecimal(absl::string_view text, uint32_t max) {
  // from_chars into an unsigned type takes no sign or space, but stops at the first non-digit;
  // requiring it to use up the text makes "80x" and "80 " fail rather than half-parse.
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

absl::Status Unexpected(absl::string_view expected, absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(expected, ", got \"", text, "\""));
}

}  // namespace

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  const std::optional<uint32_t> port = ParseDecimal(text, std::numeric_limits<uint16_t>::max());
  if (!port) return Unexpected(kExpectedPort, text);
  return static_cast<uint16_t>(*port);
}

absl::StatusOr<uint32_t> ParseCount(absl::string_view text) {
  const std::optional<uint32_t> count = ParseDecimal(text, std::numeric_limits<uint32_t>::max());
  if (!count) return Unexpected(kExpectedCount, text);
  return *count;
}

absl::StatusOr<std::string> ParseLogLevel(absl::string_view text) {
  if (!IsLogLevel(text)) return Unexpected(kExpectedLogLevel, text);
  return std::string(text);
}

absl::StatusOr<std::string> ParseRedisUrlText(absl::string_view text) {
  const absl::StatusOr<cluster::RedisUrl> url =
      cluster::ParseRedisUrl(std::string_view(text.data(), text.size()));
  if (!url.ok()) return url.status();
  return std::string(text);
}

absl::StatusOr<std::string> ParseRedisPrefix(absl::string_view text) {
  if (!IsRedisPrefix(text)) return Unexpected(kExpectedRedisPrefix, text);
  return std::string(text);
}

absl::StatusOr<uint32_t> ParseLeaseSeconds(absl::string_view text) {
  const std::optional<uint32_t> seconds = ParseDecimal(text, kMaxLeaseSeconds);
  if (!seconds || *seconds < kMinLeaseSeconds) return Unexpected(kExpectedLeaseSeconds, text);
  return *seconds;
}

bool IsRedisPrefix(absl::string_view prefix) {
  if (prefix.empty() || prefix.size() > 64) return false;
  for (const char c : prefix) {
    const bool allowed = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                         c == '_' || c == '.' || c == ':';
    if (!allowed) return false;
  }
  return true;
}

bool IsLogLevel(absl::string_view level) {
  return level == "debug" || level == "info" || level == "warn" || level == "error";
}

bool IsAppName(absl::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool unreserved = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (!unreserved) return false;
  }
  return true;
}

std::optional<AppClash> FindAppClash(const std::vector<core::App>& apps) {
  // Quadratic, but a deployment has a handful of apps and this runs once at startup.
  for (size_t second = 1; second < apps.size(); ++second) {
    for (size_t first = 0; first < second; ++first) {
      if (apps[first].id == apps[second].id) return AppClash{first, second, true};
      if (apps[first].key == apps[second].key) return AppClash{first, second, false};
    }
  }
  return std::nullopt;
}

}  // namespace gw::config
