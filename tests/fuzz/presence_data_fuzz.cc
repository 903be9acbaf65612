// Presence channel_data and pusher:signin user_data (gateway/pusher/client_message.h): JSON a
// client writes and its auth endpoint signs, parsed on every presence join and sign-in.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/pusher/client_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto member = gw::pusher::ParsePresenceChannelData(text);
  if (member.ok() && (member->user_id.empty() || member->user_id.size() > 128)) __builtin_trap();
  auto user = gw::pusher::ParseSigninUserData(text);
  if (user.ok() && (user->user_id.empty() || user->user_id.size() > 128)) __builtin_trap();
  (void)gw::pusher::ParseSigninWatchlist(text);
  return 0;
}
