#include "gateway/pusher/http_signature.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/pusher/signature.h"

namespace gw::pusher {
namespace {

constexpr std::string_view kAuthKey = "auth_key";
constexpr std::string_view kAuthTimestamp = "auth_timestamp";
constexpr std::string_view kAuthVersion = "auth_version";
constexpr std::string_view kAuthSignature = "auth_signature";
constexpr std::string_view kBodyMd5 = "body_md5";
constexpr std::string_view kSupportedVersion = "1.0";

bool IsReservedKey(std::string_view lowercase_key) {
  return lowercase_key == kAuthKey || lowercase_key == kAuthTimestamp ||
         lowercase_key == kAuthVersion || lowercase_key == kAuthSignature ||
         lowercase_key == kBodyMd5;
}

// The signing parameters of a request, looked up by lowercased key as the signature sees them.
// A reserved parameter given twice is refused: which copy counts would otherwise be up to us.
struct AuthParams {
  std::optional<std::string_view> auth_key;
  std::optional<std::string_view> auth_timestamp;
  std::optional<std::string_view> auth_version;
  std::optional<std::string_view> auth_signature;
  std::optional<std::string_view> body_md5;
};

absl::Status CollectAuthParams(const std::vector<std::pair<std::string, std::string>>& query,
                               AuthParams& params) {
  for (const auto& [key, value] : query) {
    const std::string lowercase_key = absl::AsciiStrToLower(key);
    std::optional<std::string_view>* slot = nullptr;
    if (lowercase_key == kAuthKey) {
      slot = &params.auth_key;
    } else if (lowercase_key == kAuthTimestamp) {
      slot = &params.auth_timestamp;
    } else if (lowercase_key == kAuthVersion) {
      slot = &params.auth_version;
    } else if (lowercase_key == kAuthSignature) {
      slot = &params.auth_signature;
    } else if (lowercase_key == kBodyMd5) {
      slot = &params.body_md5;
    } else {
      continue;
    }
    if (slot->has_value()) {
      return absl::UnauthenticatedError(absl::StrCat(lowercase_key, " is given more than once"));
    }
    *slot = value;
  }
  return absl::OkStatus();
}

absl::Status CheckTimestamp(std::string_view timestamp, int64_t now_unix_seconds) {
  int64_t seconds = 0;
  const char* end = timestamp.data() + timestamp.size();
  auto [ptr, ec] = std::from_chars(timestamp.data(), end, seconds);
  if (timestamp.empty() || ec != std::errc() || ptr != end) {
    return absl::UnauthenticatedError("auth_timestamp must be an integer (Unix seconds)");
  }
  int64_t skew = 0;
  if (__builtin_sub_overflow(now_unix_seconds, seconds, &skew) || skew > kMaxTimestampSkewSeconds ||
      skew < -kMaxTimestampSkewSeconds) {
    return absl::UnauthenticatedError(absl::StrCat(
        "auth_timestamp expired: more than ", kMaxTimestampSkewSeconds, " s from server time"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string HttpApiStringToSign(std::string_view method, std::string_view path,
                                const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string_view>> params;
  params.reserve(query.size());
  for (const auto& [key, value] : query) {
    std::string lowercase_key = absl::AsciiStrToLower(key);
    if (lowercase_key == kAuthSignature) continue;
    params.emplace_back(std::move(lowercase_key), value);
  }
  // Sorting by value too makes repeated keys canonical whatever order they arrived in.
  std::sort(params.begin(), params.end());
  // SDKs upper-case the method before signing; doing the same keeps "post" and "POST" one request.
  std::string out = absl::AsciiStrToUpper(std::string(method));
  out.push_back('\n');
  out.append(path);
  out.push_back('\n');
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out.push_back('&');
    out.append(params[i].first);
    out.push_back('=');
    out.append(params[i].second);
  }
  return out;
}

absl::Status VerifyHttpApiRequest(const HttpApiRequest& request, std::string_view app_key,
                                  std::string_view app_secret, int64_t now_unix_seconds) {
  AuthParams params;
  if (absl::Status status = CollectAuthParams(request.query, params); !status.ok()) {
    return status;
  }

  if (!params.auth_key.has_value()) return absl::UnauthenticatedError("auth_key is missing");
  if (*params.auth_key != app_key) {
    return absl::UnauthenticatedError("auth_key does not match this app's key");
  }

  if (!params.auth_timestamp.has_value()) {
    return absl::UnauthenticatedError("auth_timestamp is missing");
  }
  if (absl::Status status = CheckTimestamp(*params.auth_timestamp, now_unix_seconds);
      !status.ok()) {
    return status;
  }

  if (!params.auth_version.has_value()) {
    return absl::UnauthenticatedError("auth_version is missing");
  }
  if (*params.auth_version != kSupportedVersion) {
    return absl::UnauthenticatedError("auth_version must be 1.0");
  }

  // body_md5 is required for a non-empty body. On an empty body it may be left out, but if it is
  // sent it must be MD5("") like any other body's digest: a wrong digest is never accepted.
  if (!request.body.empty() && !params.body_md5.has_value()) {
    return absl::UnauthenticatedError("body_md5 is missing; it is required when there is a body");
  }
  if (params.body_md5.has_value() &&
      absl::AsciiStrToLower(std::string(*params.body_md5)) != Md5Hex(request.body)) {
    return absl::UnauthenticatedError("body_md5 does not match the MD5 of the request body");
  }

  if (!params.auth_signature.has_value()) {
    return absl::UnauthenticatedError("auth_signature is missing");
  }
  const std::string string_to_sign =
      HttpApiStringToSign(request.method, request.path, request.query);
  const std::string expected = HmacSha256Hex(app_secret, string_to_sign);
  if (expected.empty() || !ConstantTimeEquals(expected, *params.auth_signature)) {
    // Like Pusher, show the string that should have been signed: it holds nothing but the
    // caller's own request, and it is what tells a client author which part they got wrong.
    return absl::UnauthenticatedError(
        absl::StrCat("auth_signature is invalid: expected the lowercase hex HMAC-SHA256 of \"",
                     absl::CHexEscape(string_to_sign), "\" keyed with the app secret"));
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> SignHttpApiRequest(
    std::string_view method, std::string_view path,
    std::vector<std::pair<std::string, std::string>> query, std::string_view body,
    std::string_view app_key, std::string_view app_secret, int64_t now_unix_seconds) {
  // Signing parameters the caller passed are replaced, never sent twice.
  std::erase_if(
      query, [](const auto& param) { return IsReservedKey(absl::AsciiStrToLower(param.first)); });
  query.emplace_back(kAuthKey, app_key);
  query.emplace_back(kAuthTimestamp, absl::StrCat(now_unix_seconds));
  query.emplace_back(kAuthVersion, kSupportedVersion);
  if (!body.empty()) query.emplace_back(kBodyMd5, Md5Hex(body));
  query.emplace_back(kAuthSignature,
                     HmacSha256Hex(app_secret, HttpApiStringToSign(method, path, query)));
  return query;
}

}  // namespace gw::pusher
