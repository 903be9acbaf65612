#ifndef GATEWAY_WEBSOCKET_UTF8_H_
#define GATEWAY_WEBSOCKET_UTF8_H_

#include <string_view>

namespace gw::websocket {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF. A text message that is not must be failed with close code 1007.
bool IsValidUtf8(std::string_view text);

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_UTF8_H_
