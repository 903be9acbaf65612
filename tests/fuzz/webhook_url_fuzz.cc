// Webhook URLs from the config (gateway/webhooks/webhook_url.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/webhooks/webhook_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto url = gw::webhooks::ParseWebhookUrl(text);
  if (url.ok() && (url->host.empty() || url->port.empty() || !url->target.starts_with("/"))) {
    __builtin_trap();
  }
  return 0;
}
