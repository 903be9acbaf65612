#include "gateway/session/subscription_admission.h"

namespace gw::session {

SubscriptionAdmission::SubscriptionAdmission(const core::AppLimits& limits)
    : max_channels_(limits.max_channels_per_connection),
      subscribes_(limits.max_subscriptions_per_second, limits.max_channels_per_connection != 0
                                                           ? limits.max_channels_per_connection
                                                           : kBurstWithoutChannelCap),
      presence_joins_(limits.max_presence_joins_per_second) {}

SubscriptionAdmission::Verdict SubscriptionAdmission::AdmitNew(size_t held, bool presence,
                                                               Clock::time_point now) {
  if (max_channels_ != 0 && held >= max_channels_) return Verdict::kChannelLimit;
  if (presence && !presence_joins_.TryAcquire(now)) return Verdict::kPresenceRateLimit;
  return AdmitRepeat(now);
}

SubscriptionAdmission::Verdict SubscriptionAdmission::AdmitRepeat(Clock::time_point now) {
  return subscribes_.TryAcquire(now) ? Verdict::kAdmitted : Verdict::kRateLimit;
}

}  // namespace gw::session
