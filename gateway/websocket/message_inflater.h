#ifndef GATEWAY_WEBSOCKET_MESSAGE_INFLATER_H_
#define GATEWAY_WEBSOCKET_MESSAGE_INFLATER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct libdeflate_decompressor;

namespace gw::websocket {

// Inflates the payload of one compressed client message (RSV1, permessage-deflate with
// client_no_context_takeover: every message starts from an empty window) into at most
// `max_message_bytes`. A message that would inflate past that is refused with 1009 before more
// than that much is written, so a deflate bomb costs one bounded buffer, not memory per
// connection; data that is not valid DEFLATE is refused with 1007.
//
// libdeflate decodes a whole buffer at once and stops at its output bound. A client's message
// ends in the empty stored block whose last four bytes (00 00 FF FF) it dropped (§7.2.1); they
// are put back, followed by an empty final block (03 00), because libdeflate reads until a block
// with BFINAL set. A message that already ends in a final block (§7.2.3.4) is read up to it.
//
// Not thread-safe: one per thread (each I/O shard owns one), shared by every connection on it.
// The output buffer (max_message_bytes) is allocated on first use and kept.
class MessageInflater {
 public:
  explicit MessageInflater(size_t max_message_bytes);
  ~MessageInflater();
  MessageInflater(const MessageInflater&) = delete;
  MessageInflater& operator=(const MessageInflater&) = delete;

  struct Result {
    // 0, or the close code to fail the connection with: 1009 (too big) or 1007 (bad data).
    uint16_t close_code = 0;
    // The inflated message; valid until the next call.
    std::string_view message;
  };
  Result Inflate(std::string_view compressed);

 private:
  struct Free {
    void operator()(libdeflate_decompressor* decompressor) const;
  };
  const size_t max_message_bytes_;
  std::unique_ptr<libdeflate_decompressor, Free> decompressor_;
  std::string input_;  // the payload with the tail put back
  std::unique_ptr<char[]> output_;
};

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_MESSAGE_INFLATER_H_
