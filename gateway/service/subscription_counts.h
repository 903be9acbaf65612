#ifndef GATEWAY_SERVICE_SUBSCRIPTION_COUNTS_H_
#define GATEWAY_SERVICE_SUBSCRIPTION_COUNTS_H_

#include "gateway/core/app_directory.h"
#include "gateway/core/fanout.h"

namespace gw::service {

// Reports changed subscription counts of non-presence channels, at most once per Flush interval
// per channel, so a crowd joining costs one update instead of one per join: to watchers
// (ChannelEvent SUBSCRIPTION_COUNT) and, for apps with enable_subscription_count, to the
// channel's subscribers (pusher_internal:subscription_count, which pusher-js surfaces as
// pusher:subscription_count). Call Flush from one thread, periodically.
class SubscriptionCountReporter {
 public:
  SubscriptionCountReporter(core::AppDirectory& apps, core::Fanout& fanout)
      : apps_(apps), fanout_(fanout) {}
  void Flush();

 private:
  core::AppDirectory& apps_;
  core::Fanout& fanout_;
};

}  // namespace gw::service

#endif  // GATEWAY_SERVICE_SUBSCRIPTION_COUNTS_H_
