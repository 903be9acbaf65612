// What a Pusher client sends in a text frame (gateway/pusher/client_message.h), and the channel
// name rules every subscribe goes through.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "gateway/pusher/channel_name.h"
#include "gateway/pusher/client_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = gw::pusher::ParseClientMessage(text);
  if (!message.ok()) return 0;
  if (auto* subscribe = std::get_if<gw::pusher::SubscribeMessage>(&*message)) {
    (void)gw::pusher::ClassifyChannel(subscribe->channel);
  }
  return 0;
}
