#include "gateway/webhooks/webhook_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"

namespace gw::webhooks {

absl::StatusOr<WebhookUrl> ParseWebhookUrl(std::string_view text) {
  // Only "http://" and "https://" get as far as Boost.URL: 1.81 trips an assertion (abort in a
  // build with assertions) on a rootless path such as "http:[" (found by webhook_url_fuzz).
  if (!absl::StartsWithIgnoreCase(absl::string_view(text.data(), text.size()), "http://") &&
      !absl::StartsWithIgnoreCase(absl::string_view(text.data(), text.size()), "https://")) {
    return absl::InvalidArgumentError("expected an http:// or https:// URL");
  }
  const auto parsed =
      boost::urls::parse_absolute_uri(boost::core::string_view(text.data(), text.size()));
  if (!parsed) return absl::InvalidArgumentError("not an absolute URL");
  const boost::urls::url_view& url = *parsed;
  WebhookUrl out;
  if (url.scheme_id() == boost::urls::scheme::https) {
    out.tls = true;
  } else if (url.scheme_id() != boost::urls::scheme::http) {
    return absl::InvalidArgumentError("expected an http:// or https:// URL");
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    return absl::InvalidArgumentError("the URL names no host");
  }
  if (url.has_userinfo()) return absl::InvalidArgumentError("user info is not supported");
  if (url.has_fragment()) return absl::InvalidArgumentError("a fragment is not supported");
  out.host = url.host_address();
  if (url.has_port()) {
    if (url.port_number() == 0) return absl::InvalidArgumentError("invalid port");
    out.port = std::string(url.port());
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.target = std::string(url.encoded_path());
  // After an authority a path is empty or starts with '/' (RFC 3986 §3.3); Boost.URL 1.81 lets
  // "http://[::1]:8080@/" through with the path "@/".
  if (!out.target.empty() && out.target.front() != '/') {
    return absl::InvalidArgumentError("the path must start with /");
  }
  if (out.target.empty()) out.target = "/";
  if (url.has_query()) {
    out.target.push_back('?');
    out.target.append(std::string(url.encoded_query()));
  }
  out.host_header = std::string(url.encoded_host_and_port());
  return out;
}

}  // namespace gw::webhooks
