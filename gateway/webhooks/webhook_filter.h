#ifndef GATEWAY_WEBHOOKS_WEBHOOK_FILTER_H_
#define GATEWAY_WEBHOOKS_WEBHOOK_FILTER_H_

#include <bitset>
#include <string>

#include "gateway/core/app.h"
#include "gateway/core/channel_event.h"

namespace gw::webhooks {

// Which events one configured webhook asked for: its event_types (empty = every kind) and its
// channel_prefix ("" = every channel). Immutable; any thread.
class WebhookFilter {
 public:
  explicit WebhookFilter(const core::WebhookTarget& target);

  bool Wants(const core::ChannelEvent& event) const;
  bool WantsKind(core::ChannelEvent::Kind kind) const;
  bool WantsChannel(std::string_view channel) const;

 private:
  std::bitset<8> kinds_;  // indexed by ChannelEvent::Kind
  std::string channel_prefix_;
};

// Whether `app` sends webhooks of this kind at all: subscription_count only with Pusher's
// "Subscription Count" setting (enable_subscription_count).
bool AppSendsWebhook(const core::App& app, core::ChannelEvent::Kind kind);

}  // namespace gw::webhooks

#endif  // GATEWAY_WEBHOOKS_WEBHOOK_FILTER_H_
