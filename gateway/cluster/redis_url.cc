#include "gateway/cluster/redis_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gw::cluster {
namespace {

namespace urls = boost::urls;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " (expected redis://[[user]:password@]host[:port][/db], or rediss://)"));
}

template <typename Number>
bool ParseNumber(std::string_view text, Number max, Number* out) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > max) {
    return false;
  }
  *out = static_cast<Number>(value);
  return true;
}

}  // namespace

std::string RedisUrl::Address() const {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<RedisUrl> ParseRedisUrl(std::string_view text) {
  const auto parsed = urls::parse_uri(urls::string_view(text.data(), text.size()));
  if (!parsed) return Malformed("not a URL");
  const urls::url_view& url = *parsed;
  RedisUrl out;
  const absl::string_view scheme(url.scheme().data(), url.scheme().size());
  if (absl::EqualsIgnoreCase(scheme, "rediss")) {
    out.tls = true;
  } else if (!absl::EqualsIgnoreCase(scheme, "redis")) {
    return Malformed("the scheme must be redis:// or rediss://");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return Malformed("no host");
  out.host = url.host_address();
  if (url.has_port() && !url.port().empty()) {
    if (!ParseNumber<uint16_t>(url.port(), 65535, &out.port) || out.port == 0) {
      return Malformed("the port must be from 1 to 65535");
    }
  }
  if (url.has_userinfo()) {
    out.username = url.user();
    if (url.has_password()) out.password = url.password();
    if (!out.username.empty() && out.password.empty()) {
      return Malformed("a user needs a password (redis://user:password@host)");
    }
  }
  const std::string path = url.path();
  if (!path.empty() && path != "/") {
    const std::string_view db = std::string_view(path).substr(1);
    if (path.front() != '/' || !ParseNumber<uint32_t>(db, 2147483647, &out.db)) {
      return Malformed("the path must be a database number, as in /0");
    }
  }
  if (url.has_query()) return Malformed("query parameters are not supported");
  if (url.has_fragment()) return Malformed("a fragment is not supported");
  return out;
}

std::string FormatRedisUrl(const RedisUrl& parts) {
  urls::url url;
  url.set_scheme(parts.tls ? "rediss" : "redis");
  url.set_host_address(parts.host);
  if (!parts.password.empty()) {
    url.set_user(parts.username);
    url.set_password(parts.password);
  }
  url.set_port_number(parts.port);
  url.set_path(absl::StrCat("/", parts.db));
  return std::string(url.buffer());
}

}  // namespace gw::cluster
