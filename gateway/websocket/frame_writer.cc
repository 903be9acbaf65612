#include "gateway/websocket/frame_writer.h"

namespace gw::websocket {

FrameHeader EncodeFrameHeader(Opcode opcode, uint64_t payload_size, bool compressed) {
  FrameHeader header{};
  header.bytes[0] = 0x80 | (compressed ? 0x40 : 0) | static_cast<uint8_t>(opcode);
  if (payload_size < 126) {
    header.bytes[1] = static_cast<uint8_t>(payload_size);
    header.size = 2;
  } else if (payload_size <= 0xFFFF) {
    header.bytes[1] = 126;
    header.bytes[2] = static_cast<uint8_t>(payload_size >> 8);
    header.bytes[3] = static_cast<uint8_t>(payload_size);
    header.size = 4;
  } else {
    header.bytes[1] = 127;
    for (int i = 0; i < 8; ++i) {
      header.bytes[2 + i] = static_cast<uint8_t>(payload_size >> (56 - 8 * i));
    }
    header.size = 10;
  }
  return header;
}

std::string ClosePayload(uint16_t code, std::string_view reason) {
  constexpr size_t kMaxReason = 125 - 2;
  if (reason.size() > kMaxReason) {
    size_t cut = kMaxReason;
    // Back up over continuation bytes so a multi-byte character is not split.
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return payload;
}

}  // namespace gw::websocket
