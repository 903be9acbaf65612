#ifndef GATEWAY_WEBSOCKET_FRAME_READER_H_
#define GATEWAY_WEBSOCKET_FRAME_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "gateway/websocket/message_inflater.h"

namespace gw::websocket {

// One thing a client said: a whole (reassembled) data message, or a control frame.
struct ClientMessage {
  enum class Kind { kText, kBinary, kPing, kPong, kClose };
  Kind kind = Kind::kText;
  // Unmasked; valid only during the callback that receives it.
  std::string_view payload{};
  // kClose only: the peer's code (0 when its close frame had none) and its reason.
  uint16_t close_code = 0;
  std::string_view close_reason{};
};

// Turns the bytes a client sends into messages (RFC 6455 §5), for one connection.
//
// Bytes are unmasked in place where they lie, so a message that arrived whole in one read is
// handed on without a copy; only a frame cut by a read boundary, or a fragmented message, is
// kept here until it is complete. Every violation ends the reader with the close code the
// server must fail the connection with: 1002 (unmasked frame, reserved bits or opcodes, bad
// fragmentation or control frame, bad close code), 1007 (text or close reason not UTF-8) or
// 1009 (a message over `max_message_bytes`, refused as soon as its header says so, before its
// payload is buffered). Not thread-safe; one reader per connection.
//
// On a connection that negotiated permessage-deflate (RFC 7692), a data message whose first
// frame sets RSV1 is compressed: its payload (at most `max_message_bytes` as sent) is inflated
// once complete, into at most `max_message_bytes` (1009 beyond, 1007 for data that does not
// inflate), by the inflater the caller passes, which is the thread's, not the connection's.
// RSV1 on a control or continuation frame, or without the extension, is a 1002.
class FrameReader {
 public:
  // Return false to stop reading (the connection is ending); the bytes after are ignored.
  using Sink = absl::FunctionRef<bool(const ClientMessage&)>;

  explicit FrameReader(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Reads every complete frame in `bytes` (which it may modify) and keeps what is incomplete.
  // Returns 0, or the close code of the violation that ended the reader; once it is not 0,
  // further calls return it again and read nothing. `inflater` is given when the connection
  // negotiated permessage-deflate, null otherwise.
  uint16_t Read(char* bytes, size_t size, Sink sink, MessageInflater* inflater = nullptr);

  // Bytes held for an unfinished frame or message.
  size_t buffered_bytes() const { return partial_.size() + fragments_.size(); }
  // Heap memory the reader keeps between reads (what an idle connection costs here): at most
  // one unfinished frame and one unfinished message, plus a little spare capacity.
  size_t held_bytes() const;

 private:
  enum class Step { kNeedMore, kFrame, kStop };
  // Parses and hands on the frame at the start of `bytes`; sets `consumed` when it was whole.
  Step ReadFrame(char* bytes, size_t size, size_t& consumed, Sink sink, MessageInflater* inflater);
  Step Fail(uint16_t code) {
    error_ = code;
    return Step::kStop;
  }
  // Inflates `payload` first when `inflater` is given (a compressed message).
  bool Deliver(ClientMessage::Kind kind, std::string_view payload, Sink sink,
               MessageInflater* inflater = nullptr);

  const size_t max_message_bytes_;
  uint16_t error_ = 0;
  // The start of a frame whose end has not arrived yet.
  std::string partial_;
  // The fragments of a message whose final frame has not arrived yet.
  std::string fragments_;
  bool in_fragmented_message_ = false;
  bool fragmented_compressed_ = false;
  ClientMessage::Kind fragmented_kind_ = ClientMessage::Kind::kText;
};

}  // namespace gw::websocket

#endif  // GATEWAY_WEBSOCKET_FRAME_READER_H_
