#ifndef GATEWAY_PUSHER_ERROR_CODES_H_
#define GATEWAY_PUSHER_ERROR_CODES_H_

#include <cstdint>

namespace gw::pusher {

// Pusher protocol close / error codes. 4000-4099: don't reconnect unchanged; 4100-4199: reconnect
// with backoff; 4200-4299: reconnect at once; 4300+: in-band errors only. pusher-js treats a
// *close* with 4300+ as "refused, never reconnect", so those are sent as pusher:error only.
enum ErrorCode : uint16_t {
  kAppOnlyAcceptsTls = 4000,
  kAppDoesNotExist = 4001,
  kAppDisabled = 4003,
  kAppOverConnectionQuota = 4004,
  kPathNotFound = 4005,
  kInvalidVersionFormat = 4006,
  kUnsupportedProtocolVersion = 4007,
  kNoProtocolVersion = 4008,
  kUnauthorized = 4009,
  kOverCapacity = 4100,
  kReconnectImmediately = 4200,
  kPongNotReceived = 4201,
  kClosedAfterInactivity = 4202,
  kClientEventRateLimited = 4301,
  // Pusher's 4301 is "rate limited" (client events); the gateway answers subscribes over their
  // rate with it too.
  kSubscriptionRateLimited = 4301,
};

}  // namespace gw::pusher

#endif  // GATEWAY_PUSHER_ERROR_CODES_H_
