#include "gateway/websocket/frame_reader.h"

#include <cstring>

#include "gateway/websocket/frame_writer.h"
#include "gateway/websocket/utf8.h"

namespace gw::websocket {
namespace {

// A buffer that grew for one large message is given back once it is done with, so an idle
// connection holds nothing here.
constexpr size_t kKeepCapacity = 1024;

void Release(std::string& buffer) {
  buffer.clear();
  if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
}

void Unmask(char* data, size_t size, const uint8_t key[4]) {
  size_t i = 0;
  if (size >= 8) {
    uint64_t wide_key;
    uint8_t key8[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    std::memcpy(&wide_key, key8, 8);
    for (; i + 8 <= size; i += 8) {
      uint64_t word;
      std::memcpy(&word, data + i, 8);
      word ^= wide_key;
      std::memcpy(data + i, &word, 8);
    }
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i & 3]);
}

// RFC 6455 §7.4: codes a peer may send. 1004-1006 and 1015 are reserved for local use, and
// 1016-2999 are unassigned.
bool IsValidReceivedCloseCode(uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace

uint16_t FrameReader::Read(char* bytes, size_t size, Sink sink) {
  if (error_ != 0) return error_;
  char* data = bytes;
  size_t available = size;
  const bool from_partial = !partial_.empty();
  if (from_partial) {
    partial_.append(bytes, size);
    data = partial_.data();
    available = partial_.size();
  }
  size_t offset = 0;
  bool stopped = false;
  while (offset < available) {
    size_t consumed = 0;
    Step step = ReadFrame(data + offset, available - offset, consumed, sink);
    if (step == Step::kStop) {
      stopped = true;
      break;
    }
    if (step == Step::kNeedMore) break;
    offset += consumed;
  }
  if (stopped) {
    Release(partial_);
    Release(fragments_);
    return error_;
  }
  if (from_partial) {
    partial_.erase(0, offset);
    if (partial_.empty()) Release(partial_);
  } else if (offset < available) {
    partial_.assign(data + offset, available - offset);
  }
  return 0;
}

FrameReader::Step FrameReader::ReadFrame(char* bytes, size_t size, size_t& consumed, Sink sink) {
  if (size < 2) return Step::kNeedMore;
  const auto* head = reinterpret_cast<const uint8_t*>(bytes);
  const bool final = (head[0] & 0x80) != 0;
  const uint8_t reserved = head[0] & 0x70;
  const uint8_t opcode = head[0] & 0x0F;
  const bool masked = (head[1] & 0x80) != 0;
  uint64_t length = head[1] & 0x7F;
  size_t header_size = 2;
  // No extension was negotiated, so any reserved bit is an error; clients must mask.
  if (reserved != 0 || !masked) return Fail(kCloseProtocolError);
  const bool control = (opcode & 0x8) != 0;
  if (control) {
    if (opcode > static_cast<uint8_t>(Opcode::kPong)) return Fail(kCloseProtocolError);
    if (!final || length > 125) return Fail(kCloseProtocolError);
  } else {
    if (opcode > static_cast<uint8_t>(Opcode::kBinary)) return Fail(kCloseProtocolError);
    const bool continuation = opcode == static_cast<uint8_t>(Opcode::kContinuation);
    if (continuation != in_fragmented_message_) return Fail(kCloseProtocolError);
  }
  if (length == 126) {
    if (size < 4) return Step::kNeedMore;
    length = (uint64_t{head[2]} << 8) | head[3];
    header_size = 4;
  } else if (length == 127) {
    if (size < 10) return Step::kNeedMore;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | head[2 + i];
    if ((length >> 63) != 0) return Fail(kCloseProtocolError);
    header_size = 10;
  }
  if (!control) {
    const uint64_t so_far = in_fragmented_message_ ? fragments_.size() : 0;
    if (length > max_message_bytes_ || so_far + length > max_message_bytes_) {
      return Fail(kCloseMessageTooBig);
    }
  }
  if (size < header_size + 4) return Step::kNeedMore;
  uint8_t key[4];
  std::memcpy(key, bytes + header_size, 4);
  header_size += 4;
  if (size - header_size < length) return Step::kNeedMore;
  char* payload = bytes + header_size;
  Unmask(payload, length, key);
  consumed = header_size + length;
  std::string_view body(payload, length);

  using Kind = ClientMessage::Kind;
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kPing:
      return Deliver(Kind::kPing, body, sink) ? Step::kFrame : Step::kStop;
    case Opcode::kPong:
      return Deliver(Kind::kPong, body, sink) ? Step::kFrame : Step::kStop;
    case Opcode::kClose: {
      ClientMessage close{.kind = Kind::kClose, .payload = body};
      if (body.size() == 1) return Fail(kCloseProtocolError);
      if (body.size() >= 2) {
        close.close_code = static_cast<uint16_t>((static_cast<uint8_t>(body[0]) << 8) |
                                                 static_cast<uint8_t>(body[1]));
        close.close_reason = body.substr(2);
        if (!IsValidReceivedCloseCode(close.close_code)) return Fail(kCloseProtocolError);
        if (!IsValidUtf8(close.close_reason)) return Fail(kCloseInvalidPayload);
      }
      sink(close);
      // Nothing a client sends after its close frame counts.
      return Step::kStop;
    }
    case Opcode::kText:
    case Opcode::kBinary: {
      const Kind kind = opcode == static_cast<uint8_t>(Opcode::kText) ? Kind::kText : Kind::kBinary;
      if (final) return Deliver(kind, body, sink) ? Step::kFrame : Step::kStop;
      in_fragmented_message_ = true;
      fragmented_kind_ = kind;
      fragments_.assign(body);
      return Step::kFrame;
    }
    case Opcode::kContinuation: {
      fragments_.append(body);
      if (!final) return Step::kFrame;
      in_fragmented_message_ = false;
      const bool go_on = Deliver(fragmented_kind_, fragments_, sink);
      Release(fragments_);
      return go_on ? Step::kFrame : Step::kStop;
    }
  }
  return Fail(kCloseProtocolError);
}

bool FrameReader::Deliver(ClientMessage::Kind kind, std::string_view payload, Sink sink) {
  if (kind == ClientMessage::Kind::kText && !IsValidUtf8(payload)) {
    Fail(kCloseInvalidPayload);
    return false;
  }
  return sink(ClientMessage{.kind = kind, .payload = payload});
}

}  // namespace gw::websocket
