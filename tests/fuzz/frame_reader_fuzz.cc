// The RFC 6455 reader of client frames (gateway/websocket/frame_reader.h): arbitrary bytes,
// delivered in reads cut where the input says, as the socket may cut them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/websocket/frame_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the read size (1..512), so frames are cut at every position.
  const size_t chunk = (static_cast<size_t>(data[0]) | (data[1] & 0x01) << 8) + 1;
  std::string bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  gw::websocket::FrameReader reader(/*max_message_bytes=*/4096);
  size_t delivered = 0;
  for (size_t offset = 0; offset < bytes.size(); offset += chunk) {
    const size_t length = std::min(chunk, bytes.size() - offset);
    const uint16_t code =
        reader.Read(bytes.data() + offset, length, [&](const gw::websocket::ClientMessage& m) {
          delivered += m.payload.size() + m.close_reason.size();
          return true;
        });
    if (code != 0) {
      if (code != 1002 && code != 1007 && code != 1009) __builtin_trap();
      break;
    }
    // What the reader keeps is bounded by one frame and one message of the limit.
    if (reader.buffered_bytes() > 2 * 4096 + 14) __builtin_trap();
  }
  return delivered == SIZE_MAX;  // keeps `delivered` alive
}
