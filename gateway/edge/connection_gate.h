#ifndef GATEWAY_EDGE_CONNECTION_GATE_H_
#define GATEWAY_EDGE_CONNECTION_GATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/app_directory.h"

namespace gw::edge {

// Protocol versions this server speaks; pusher-js sends 7. Pusher no longer serves 1-3.
inline constexpr int kMinProtocolVersion = 4;
inline constexpr int kMaxProtocolVersion = 7;

// The verdict on a WebSocket upgrade request, before any slot is claimed.
struct UpgradeDecision {
  core::AppState* app = nullptr;
  uint16_t refuse_code = 0;  // a Pusher close code; 0 = let the client in
  std::string message;
};

// Checks, in order: the path is /app/{key} (4005), the key names an app (4001) that is enabled
// (4003), `protocol` is present (4008), an integer (4006) and supported (4007), and the Origin is
// allowed (4009). Capacity (4100, 4004) is claimed later, by the session.
UpgradeDecision CheckUpgrade(const core::AppDirectory& apps, std::string_view target,
                             std::string_view origin);

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_CONNECTION_GATE_H_
