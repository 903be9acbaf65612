#ifndef GATEWAY_WEBHOOKS_WEBHOOK_URL_H_
#define GATEWAY_WEBHOOKS_WEBHOOK_URL_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gw::webhooks {

// Where one webhook goes, taken apart for a connection and a request.
struct WebhookUrl {
  bool tls = false;         // https
  std::string host;         // name or IP address, IPv6 without brackets
  std::string port;         // the URL's port, else "80" / "443"
  std::string target;       // path and query as written, at least "/"
  std::string host_header;  // host[:port] as the URL writes it
};

// InvalidArgument naming what is wrong for anything but an absolute http:// or https:// URL with
// a host (user info and fragments are refused: a webhook URL has no use for them).
absl::StatusOr<WebhookUrl> ParseWebhookUrl(std::string_view url);

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_WEBHOOK_URL_H_
