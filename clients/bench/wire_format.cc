#include "clients/bench/wire_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace gw::bench {
namespace {

bool ContainsIgnoreCase(absl::string_view text, absl::string_view word) {
  return absl::StrContains(absl::AsciiStrToLower(text), word);
}

}  // namespace

std::optional<WsFrameHeader> ParseWsFrameHeader(std::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  WsFrameHeader header;
  header.fin = (b[0] & 0x80) != 0;
  header.rsv1 = (b[0] & 0x40) != 0;
  header.opcode = b[0] & 0x0F;
  header.masked = (b[1] & 0x80) != 0;
  uint64_t length = b[1] & 0x7F;
  size_t pos = 2;
  if (length == 126) {
    if (bytes.size() < pos + 2) return std::nullopt;
    length = (uint64_t{b[2]} << 8) | b[3];
    pos += 2;
  } else if (length == 127) {
    if (bytes.size() < pos + 8) return std::nullopt;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | b[2 + i];
    pos += 8;
  }
  if (header.masked) {
    if (bytes.size() < pos + 4) return std::nullopt;
    for (int i = 0; i < 4; ++i) header.mask[i] = b[pos + i];
    pos += 4;
  }
  header.payload_length = length;
  header.header_length = pos;
  return header;
}

void ApplyWsMask(char* data, size_t size, const uint8_t mask[4], size_t offset) {
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[(offset + i) & 3]);
}

void AppendWsClientFrame(WsOpcode opcode, std::string_view payload, uint32_t mask_key,
                         std::string* out) {
  const size_t length = payload.size();
  out->push_back(static_cast<char>(0x80 | opcode));
  if (length < 126) {
    out->push_back(static_cast<char>(0x80 | length));
  } else if (length <= 0xFFFF) {
    out->push_back(static_cast<char>(0x80 | 126));
    out->push_back(static_cast<char>(length >> 8));
    out->push_back(static_cast<char>(length & 0xFF));
  } else {
    out->push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out->push_back(static_cast<char>((uint64_t{length} >> shift) & 0xFF));
    }
  }
  const uint8_t mask[4] = {static_cast<uint8_t>(mask_key >> 24),
                           static_cast<uint8_t>(mask_key >> 16),
                           static_cast<uint8_t>(mask_key >> 8), static_cast<uint8_t>(mask_key)};
  out->append(reinterpret_cast<const char*>(mask), 4);
  const size_t start = out->size();
  out->append(payload);
  ApplyWsMask(out->data() + start, length, mask);
}

std::string WsUpgradeRequest(std::string_view host_header, std::string_view app_key,
                             bool offer_deflate) {
  // The key is fixed: the bench does not check Sec-WebSocket-Accept (a server that answers 101
  // has accepted), and a constant saves a random draw and a base64 per connection. It must still
  // be 16 bytes in base64 (RFC 6455 §4.2.1): strict servers answer any other key with 400.
  return absl::StrCat(
      "GET /app/", absl::string_view(app_key.data(), app_key.size()),
      "?protocol=7&client=realtime-bench&version=0.1.0&flash=false HTTP/1.1\r\n"
      "Host: ",
      absl::string_view(host_header.data(), host_header.size()),
      "\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: cmVhbHRpbWUtYmVuY2gwMQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n",
      offer_deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    : "",
      "\r\n");
}

std::optional<HttpResponseHead> ParseHttpResponseHead(std::string_view bytes) {
  size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  HttpResponseHead head;
  head.head_length = end + 4;
  absl::string_view text(bytes.data(), end);
  bool first = true;
  bool http10 = false;
  bool saw_keep_alive = false;
  for (absl::string_view line : absl::StrSplit(text, "\r\n")) {
    if (first) {
      first = false;
      // "HTTP/1.1 200 OK"
      if (!absl::StartsWith(line, "HTTP/1.") || line.size() < 12 || line[8] != ' ') return head;
      http10 = line[7] == '0';
      int status = 0;
      if (!absl::SimpleAtoi(line.substr(9, 3), &status)) return head;
      head.status = status;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, colon));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "content-length")) {
      uint64_t length = 0;
      if (absl::SimpleAtoi(value, &length)) head.content_length = length;
    } else if (absl::EqualsIgnoreCase(name, "connection")) {
      if (ContainsIgnoreCase(value, "close")) head.keep_alive = false;
      if (ContainsIgnoreCase(value, "keep-alive")) saw_keep_alive = true;
    } else if (absl::EqualsIgnoreCase(name, "transfer-encoding")) {
      if (ContainsIgnoreCase(value, "chunked")) head.chunked = true;
    } else if (absl::EqualsIgnoreCase(name, "sec-websocket-extensions")) {
      if (ContainsIgnoreCase(value, "permessage-deflate")) head.permessage_deflate = true;
    }
  }
  if (http10 && !saw_keep_alive) head.keep_alive = false;
  return head;
}

}  // namespace gw::bench
