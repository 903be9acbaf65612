// The WebSocket upgrade checks: the RFC 6455 handshake fields (gateway/websocket/handshake.h)
// and the Pusher path, query and Origin (gateway/edge/connection_gate.h).
// Input fields: Sec-WebSocket-Version, Sec-WebSocket-Key, request target, Origin.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "gateway/core/app_directory.h"
#include "gateway/edge/connection_gate.h"
#include "gateway/websocket/handshake.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

const gw::core::AppDirectory& Apps() {
  static const auto* apps = [] {
    gw::core::App open{.id = "app-id", .key = "app-key", .secret = "app-secret"};
    gw::core::App strict{.id = "strict", .key = "strict-key", .secret = "s"};
    strict.allowed_origins = {"https://*.example.com", "*.example.org"};
    gw::core::App disabled{.id = "off", .key = "off-key", .secret = "s", .enabled = false};
    return gw::core::AppDirectory::Create({open, strict, disabled}, 1)->release();
  }();
  return *apps;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gw::fuzz::FuzzInput input(data, size);
  const std::string_view version = input.NextField();
  const std::string_view key = input.NextField();
  const std::string_view target = input.NextField();
  const std::string_view origin = input.Rest();
  gw::websocket::HandshakeVerdict verdict = gw::websocket::CheckHandshake(version, key);
  if (verdict.status == 101 && verdict.accept_key.size() != 28) __builtin_trap();
  gw::edge::UpgradeDecision decision = gw::edge::CheckUpgrade(Apps(), target, origin);
  if ((decision.refuse_code == 0) != (decision.app != nullptr)) __builtin_trap();
  return 0;
}
