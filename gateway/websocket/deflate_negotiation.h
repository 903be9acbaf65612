#ifndef GATEWAY_WEBSOCKET_DEFLATE_NEGOTIATION_H_
#define GATEWAY_WEBSOCKET_DEFLATE_NEGOTIATION_H_

#include <string_view>

namespace gw::websocket {

// permessage-deflate (RFC 7692) as this server speaks it: neither side keeps compression state
// between messages. Without server context takeover a message's compressed bytes depend on the
// message alone, so one compressed frame serves every connection that accepted this answer;
// without client context takeover every client message inflates from an empty window, so one
// inflater per thread serves every connection. The answer is valid for every offer
// OffersPermessageDeflate accepts (§7.1.1: the server may add both parameters unasked).
inline constexpr std::string_view kPermessageDeflateAnswer =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

// True when one of the offers in `extensions` (the request's Sec-WebSocket-Extensions values,
// several header lines joined with ", ") is a permessage-deflate offer this server can honour
// with kPermessageDeflateAnswer. An offer is declined (never failed: the connection then goes
// on uncompressed) when it is malformed, names an unknown parameter or one parameter twice,
// gives a value that is not a window size 8-15 (quoted or not; no leading zero), gives a value
// to a parameter that takes none, or asks for server_max_window_bits below 15 (the compressor
// always uses the full 32 KiB window, which such a client could not inflate). Pure.
bool OffersPermessageDeflate(std::string_view extensions);

// True for Safari 15.0-15.3 (its User-Agent), which offers permessage-deflate but ignores
// client_no_context_takeover: its second compressed message would reference the first and
// fail to inflate (1007). Such clients are answered without the extension, as uWebSockets does.
bool IgnoresClientNoContextTakeover(std::string_view user_agent);

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_DEFLATE_NEGOTIATION_H_
