#ifndef GATEWAY_PUSHER_HTTP_SIGNATURE_H_
#define GATEWAY_PUSHER_HTTP_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace gw::pusher {

// An HTTP API request as the signature sees it. Query parameters are already percent-decoded,
// in the order they arrived.
struct HttpApiRequest {
  std::string method;  // "POST", "GET"
  std::string path;    // "/apps/3/events", without the query
  std::vector<std::pair<std::string, std::string>> query;
  std::string_view body;
};

inline constexpr int64_t kMaxTimestampSkewSeconds = 600;

// Pusher's request signing: auth_key must equal `app_key`; auth_timestamp within
// kMaxTimestampSkewSeconds of `now_unix_seconds`; auth_version "1.0"; body_md5 present and equal
// to MD5(body) whenever the body is non-empty; auth_signature = HMAC-SHA256(secret,
// "METHOD\nPATH\nk=v&...") over every parameter but auth_signature, keys lowercased and sorted,
// values not encoded. Failures are Unauthenticated with a message naming the parameter
// (HTTP 401), compared in constant time.
absl::Status VerifyHttpApiRequest(const HttpApiRequest& request, std::string_view app_key,
                                  std::string_view app_secret, int64_t now_unix_seconds);

// The canonical string that is signed (exposed for tests and for clients that sign requests).
std::string HttpApiStringToSign(std::string_view method, std::string_view path,
                                const std::vector<std::pair<std::string, std::string>>& query);

// Signs a request the way Pusher SDKs do; returns the query parameters to send (decoded), the
// caller's own parameters plus auth_key, auth_timestamp, auth_version, body_md5 (if body) and
// auth_signature. Used by realtime-bench, realtime-ctl and tests.
std::vector<std::pair<std::string, std::string>> SignHttpApiRequest(
    std::string_view method, std::string_view path,
    std::vector<std::pair<std::string, std::string>> query, std::string_view body,
    std::string_view app_key, std::string_view app_secret, int64_t now_unix_seconds);

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_HTTP_SIGNATURE_H_
