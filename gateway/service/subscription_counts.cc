#include "gateway/service/subscription_counts.h"

#include "gateway/core/channel_event.h"
#include "gateway/pusher/server_frames.h"

namespace gw::service {

void SubscriptionCountReporter::Flush() {
  for (const auto& app : apps_.apps()) {
    auto changes = app->channels().TakeCountChanges();
    if (changes.empty()) continue;
    const bool tell_subscribers = app->app().enable_subscription_count;
    for (auto& [channel, count] : changes) {
      if (tell_subscribers && count > 0) {
        fanout_.Publish(*app, channel,
                        core::MakeFrame(pusher::SubscriptionCountFrame(channel, count)), "");
      }
      if (app->events().HasWatchers()) {
        core::ChannelEvent event;
        event.kind = core::ChannelEvent::Kind::kSubscriptionCount;
        event.channel = std::move(channel);
        event.subscription_count = count;
        app->events().Emit(std::move(event));
      }
    }
  }
}

}  // namespace gw::service
