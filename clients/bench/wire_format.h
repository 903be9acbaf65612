#ifndef CLIENTS_BENCH_WIRE_FORMAT_H_
#define CLIENTS_BENCH_WIRE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::bench {

// The little of RFC 6455 and HTTP/1.1 a load generator's client side needs, as pure functions over
// bytes. The bench does its own framing (no Beast stream per connection) so that one read drains
// every frame the kernel holds and 50k connections cost a socket and a small buffer each.

enum WsOpcode : uint8_t {
  kWsContinuation = 0x0,
  kWsText = 0x1,
  kWsBinary = 0x2,
  kWsClose = 0x8,
  kWsPing = 0x9,
  kWsPong = 0xA,
};

struct WsFrameHeader {
  bool fin = false;
  bool rsv1 = false;  // a permessage-deflate compressed message (its first frame)
  uint8_t opcode = 0;
  bool masked = false;
  uint8_t mask[4] = {0, 0, 0, 0};
  uint64_t payload_length = 0;
  size_t header_length = 0;  // bytes before the payload
};

// Parses the frame header at the start of `bytes`; nullopt while it is incomplete. RSV2 and RSV3
// are not checked (no extension uses them).
std::optional<WsFrameHeader> ParseWsFrameHeader(std::string_view bytes);

// Appends one client frame (FIN set, masked with `mask_key` as RFC 6455 requires of clients).
void AppendWsClientFrame(WsOpcode opcode, std::string_view payload, uint32_t mask_key,
                         std::string* out);

// XORs `data` with the 4-byte mask, `offset` bytes into the payload.
void ApplyWsMask(char* data, size_t size, const uint8_t mask[4], size_t offset = 0);

// The upgrade request for the Pusher edge: GET /app/KEY?protocol=7&client=realtime-bench...
// With `offer_deflate`, it offers permessage-deflate as Chromium does
// ("permessage-deflate; client_max_window_bits").
std::string WsUpgradeRequest(std::string_view host_header, std::string_view app_key,
                             bool offer_deflate = false);

// The status and framing of an HTTP/1.1 response whose head is complete in `bytes`.
struct HttpResponseHead {
  int status = 0;
  size_t head_length = 0;  // up to and including the blank line
  uint64_t content_length = 0;
  bool keep_alive = true;  // false for "Connection: close" or HTTP/1.0 without keep-alive
  bool chunked = false;    // Transfer-Encoding: chunked (the bench does not read those)
  // Sec-WebSocket-Extensions names permessage-deflate: the server may send compressed frames.
  bool permessage_deflate = false;
};
// nullopt while the blank line has not arrived; a head that is not HTTP/1.x yields status 0.
std::optional<HttpResponseHead> ParseHttpResponseHead(std::string_view bytes);

}  // namespace gw::bench

#endif  // CLIENTS_BENCH_WIRE_FORMAT_H_
