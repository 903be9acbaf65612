#include "gateway/dashboard/dashboard_credentials.h"

#include <openssl/crypto.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace gw::dashboard {
namespace {

// Equal in time that depends only on the lengths, so a guess learns nothing from how fast it
// was refused.
bool SameSecret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

bool DashboardCredentials::Accepts(std::string_view authorization) const {
  // The scheme is case-insensitive; one or more spaces before the token.
  constexpr std::string_view kScheme = "basic";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(authorization.data(), kScheme.size()),
                              absl::string_view(kScheme.data(), kScheme.size())) ||
      authorization[kScheme.size()] != ' ') {
    return false;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(token.data(), token.size()), &decoded)) return false;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  const std::string_view user = std::string_view(decoded).substr(0, colon);
  const std::string_view password = std::string_view(decoded).substr(colon + 1);
  // Both compared, whatever the first says.
  const bool user_ok = SameSecret(user, user_);
  const bool password_ok = SameSecret(password, password_);
  return user_ok && password_ok && !password_.empty();
}

}  // namespace gw::dashboard
