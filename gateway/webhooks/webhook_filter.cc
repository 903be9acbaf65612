#include "gateway/webhooks/webhook_filter.h"

#include <optional>

#include "gateway/webhooks/webhook_payload.h"

namespace gw::webhooks {
namespace {

using Kind = core::ChannelEvent::Kind;

size_t Bit(Kind kind) { return static_cast<size_t>(kind); }

}  // namespace

WebhookFilter::WebhookFilter(const core::WebhookTarget& target)
    : channel_prefix_(target.channel_prefix) {
  if (target.event_types.empty()) {
    kinds_.set();
    return;
  }
  // The config loader refuses unknown names, so none is skipped here in practice.
  for (const std::string& name : target.event_types) {
    if (const std::optional<Kind> kind = WebhookKind(name)) kinds_.set(Bit(*kind));
  }
}

bool WebhookFilter::WantsKind(Kind kind) const { return kinds_.test(Bit(kind)); }

bool WebhookFilter::WantsChannel(std::string_view channel) const {
  return channel.starts_with(channel_prefix_);
}

bool WebhookFilter::Wants(const core::ChannelEvent& event) const {
  return WantsKind(event.kind) && WantsChannel(event.channel);
}

bool AppSendsWebhook(const core::App& app, Kind kind) {
  return kind != Kind::kSubscriptionCount || app.enable_subscription_count;
}

}  // namespace gw::webhooks
