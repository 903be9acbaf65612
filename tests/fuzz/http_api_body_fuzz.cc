// Bodies of the Pusher HTTP API (gateway/pusher/http_api_codec.h): POST events and
// batch_events, and the `info` query parameter.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/pusher/http_api_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)gw::pusher::ParseTriggerBody(text);
  (void)gw::pusher::ParseBatchBody(text);
  (void)gw::pusher::ParseInfo(text);
  return 0;
}
