#ifndef GATEWAY_WEBSOCKET_MESSAGE_DEFLATER_H_
#define GATEWAY_WEBSOCKET_MESSAGE_DEFLATER_H_

#include <memory>
#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace gw::websocket {

// Compresses whole messages into the payload of a permessage-deflate frame (RFC 7692 §7.2.1)
// that needs no context: it inflates from an empty window, so one result may be sent to every
// connection that negotiated server_no_context_takeover, and the frame carrying it sets RSV1.
//
// libdeflate at level 1 (see gateway/README.md, "Compression", for the measurement): it
// compresses a whole buffer in one call, which is all a published message needs. Its output
// ends in a block with BFINAL set, which RFC 7692 §7.2.3.4 allows; the 0x00 appended after it
// is the empty stored block's first byte that §7.2.1 keeps after dropping its last four.
//
// Not thread-safe: one per thread (each I/O shard owns one). The compressor's tables are
// allocated on the first call.
class MessageDeflater {
 public:
  MessageDeflater();
  ~MessageDeflater();
  MessageDeflater(const MessageDeflater&) = delete;
  MessageDeflater& operator=(const MessageDeflater&) = delete;

  // The compressed payload for `message`, or an empty string when compressing would not make
  // it smaller (send it plain then).
  std::string Deflate(std::string_view message);

 private:
  struct Free {
    void operator()(libdeflate_compressor* compressor) const;
  };
  std::unique_ptr<libdeflate_compressor, Free> compressor_;
};

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_MESSAGE_DEFLATER_H_
