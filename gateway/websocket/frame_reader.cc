#include "gateway/websocket/frame_reader.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "gateway/websocket/frame_writer.h"
#include "gateway/websocket/utf8.h"

namespace gw::websocket {
namespace {

// A buffer that grew for one large message is given back once it is done with, so an idle
// connection holds at most this much here.
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

// How many bytes the frame starting with `start` needs in all, as far as `start` tells: the
// longest header while its length field has not arrived, header and payload once it has. Only
// called for a prefix ReadFrame found incomplete but valid, so the length is within the limit.
size_t BytesToComplete(std::string_view start) {
  constexpr size_t kMaskSize = 4;
  if (start.size() < 2) return 2;
  const uint8_t length7 = static_cast<uint8_t>(start[1]) & 0x7F;
  const size_t length_bytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  const size_t header_size = 2 + length_bytes + kMaskSize;
  if (start.size() < header_size) return header_size;
  uint64_t length = length7;
  if (length_bytes != 0) {
    length = 0;
    for (size_t i = 0; i < length_bytes; ++i) {
      length = (length << 8) | static_cast<uint8_t>(start[2 + i]);
    }
  }
  return header_size + static_cast<size_t>(length);
}

}  // namespace

uint16_t FrameReader::Read(char* bytes, size_t size, Sink sink, MessageInflater* inflater) {
  if (error_ != 0) return error_;
  // A frame cut by the last read is completed with only the bytes it still lacks; everything
  // after it is read in place. Appending the whole read instead would copy it, and would leave
  // the connection holding a buffer as large as the read whenever it ends in another cut frame.
  while (!partial_.empty()) {
    const size_t take = std::min(size, BytesToComplete(partial_) - partial_.size());
    partial_.append(bytes, take);
    bytes += take;
    size -= take;
    size_t consumed = 0;
    const Step step = ReadFrame(partial_.data(), partial_.size(), consumed, sink, inflater);
    if (step == Step::kStop) {
      Release(partial_);
      Release(fragments_);
      return error_;
    }
    if (step == Step::kFrame) {
      Release(partial_);
      break;
    }
    // Still incomplete: either this read is used up, or the header is now whole and says how
    // much of the payload is still to come.
    if (size == 0) return 0;
  }
  size_t offset = 0;
  while (offset < size) {
    size_t consumed = 0;
    const Step step = ReadFrame(bytes + offset, size - offset, consumed, sink, inflater);
    if (step == Step::kStop) {
      Release(fragments_);
      return error_;
    }
    if (step == Step::kNeedMore) break;
    offset += consumed;
  }
  if (offset < size) partial_.assign(bytes + offset, size - offset);
  return 0;
}

size_t FrameReader::held_bytes() const {
  const size_t inline_capacity = std::string().capacity();
  auto heap = [&](const std::string& s) {
    return s.capacity() > inline_capacity ? s.capacity() : 0;
  };
  return heap(partial_) + heap(fragments_);
}

FrameReader::Step FrameReader::ReadFrame(char* bytes, size_t size, size_t& consumed, Sink sink,
                                         MessageInflater* inflater) {
  if (size < 2) return Step::kNeedMore;
  const auto* head = reinterpret_cast<const uint8_t*>(bytes);
  const bool final = (head[0] & 0x80) != 0;
  const uint8_t reserved = head[0] & 0x70;
  const uint8_t opcode = head[0] & 0x0F;
  const bool masked = (head[1] & 0x80) != 0;
  uint64_t length = head[1] & 0x7F;
  size_t header_size = 2;
  const bool control = (opcode & 0x8) != 0;
  // RSV1 marks a compressed message, only where permessage-deflate was negotiated and only on
  // a message's first frame (RFC 7692 §6); RSV2 and RSV3 belong to no extension we speak.
  // Clients must mask.
  const bool compressed = reserved == 0x40 && inflater != nullptr && !control &&
                          opcode != static_cast<uint8_t>(Opcode::kContinuation);
  if ((reserved != 0 && !compressed) || !masked) return Fail(kCloseProtocolError);
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
      if (final) {
        return Deliver(kind, body, sink, compressed ? inflater : nullptr) ? Step::kFrame
                                                                          : Step::kStop;
      }
      in_fragmented_message_ = true;
      fragmented_kind_ = kind;
      fragmented_compressed_ = compressed;
      fragments_.assign(body);
      return Step::kFrame;
    }
    case Opcode::kContinuation: {
      fragments_.append(body);
      if (!final) return Step::kFrame;
      in_fragmented_message_ = false;
      const bool go_on =
          Deliver(fragmented_kind_, fragments_, sink, fragmented_compressed_ ? inflater : nullptr);
      Release(fragments_);
      return go_on ? Step::kFrame : Step::kStop;
    }
  }
  return Fail(kCloseProtocolError);
}

bool FrameReader::Deliver(ClientMessage::Kind kind, std::string_view payload, Sink sink,
                          MessageInflater* inflater) {
  if (inflater != nullptr) {
    const MessageInflater::Result inflated = inflater->Inflate(payload);
    if (inflated.close_code != 0) {
      Fail(inflated.close_code);
      return false;
    }
    payload = inflated.message;
  }
  if (kind == ClientMessage::Kind::kText && !IsValidUtf8(payload)) {
    Fail(kCloseInvalidPayload);
    return false;
  }
  return sink(ClientMessage{.kind = kind, .payload = payload});
}

}  // namespace gw::websocket
