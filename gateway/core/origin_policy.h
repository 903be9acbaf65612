#ifndef GATEWAY_CORE_ORIGIN_POLICY_H_
#define GATEWAY_CORE_ORIGIN_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

namespace gw::core {

// Whether a browser Origin may open a connection to an app (its `allowed_origins`).
//
// A pattern with "://" is matched against the whole origin ("https://*.example.com"); one
// without is matched against the origin's host only ("example.com", "*.example.com"), as Reverb's
// allowed_origins are written. "*" inside a pattern matches any run of characters; the pattern
// "*" or an empty list allows every origin. Matching ignores ASCII case.
//
// A request without an Origin header is allowed: only browsers send one, and a non-browser
// client could forge it anyway; the policy exists to stop other sites' pages.
bool OriginAllowed(const std::vector<std::string>& patterns, std::string_view origin);

// Glob match with '*' only, ASCII case-insensitive.
bool WildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace gw::core

#endif  // GATEWAY_CORE_ORIGIN_POLICY_H_
