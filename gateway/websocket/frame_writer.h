#ifndef GATEWAY_WEBSOCKET_FRAME_WRITER_H_
#define GATEWAY_WEBSOCKET_FRAME_WRITER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gw::websocket {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// RFC 6455 §7.4.1 close codes the server itself uses.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseProtocolError = 1002;
inline constexpr uint16_t kCloseInvalidPayload = 1007;
inline constexpr uint16_t kClosePolicyViolation = 1008;
inline constexpr uint16_t kCloseMessageTooBig = 1009;
inline constexpr uint16_t kCloseInternalError = 1011;

// The 2-10 bytes in front of one server frame: final, unmasked (servers never mask), RSV1 set
// when the payload is a permessage-deflate message (`compressed`), the other extension bits
// clear. Because the header depends only on these and the length, the payload of a published
// message is written as-is from the buffer every subscriber shares, compressed or not.
struct FrameHeader {
  std::array<uint8_t, 10> bytes;
  uint8_t size;
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), size}; }
};
FrameHeader EncodeFrameHeader(Opcode opcode, uint64_t payload_size, bool compressed = false);

// A close frame's payload: the code in network order, then the reason cut to the 123 bytes a
// control frame leaves for it (at a UTF-8 character boundary, so the peer can still read it).
std::string ClosePayload(uint16_t code, std::string_view reason);

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_FRAME_WRITER_H_
