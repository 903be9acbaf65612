#ifndef GATEWAY_WEBSOCKET_HANDSHAKE_H_
#define GATEWAY_WEBSOCKET_HANDSHAKE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gw::websocket {

// The server's half of the opening handshake (RFC 6455 §4.2), for a request already known to be
// a GET asking to upgrade to "websocket".

// What to answer a client whose Sec-WebSocket-Version and Sec-WebSocket-Key are these.
struct HandshakeVerdict {
  // 101 when accepted; otherwise 400 (missing or malformed key) or 426 (another version, to be
  // answered with "Sec-WebSocket-Version: 13").
  int status = 101;
  std::string reason;      // why it was refused
  std::string accept_key;  // Sec-WebSocket-Accept, when accepted
};
HandshakeVerdict CheckHandshake(std::string_view version, std::string_view key);

// base64(SHA-1(key + the RFC's GUID)).
std::string AcceptKeyFor(std::string_view key);

// The whole 101 response, ready to be written before the first frame. `extensions`, when not
// empty, is sent as Sec-WebSocket-Extensions (the negotiated extension's answer).
std::string SwitchingProtocolsResponse(std::string_view accept_key, std::string_view server,
                                       std::string_view extensions = {});

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_HANDSHAKE_H_
