#include "gateway/websocket/handshake.h"

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gw::websocket {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// A key is 16 random bytes in base64 (RFC 6455 §4.2.1): 22 characters of the alphabet, then the
// "==" that pads 16 bytes to a multiple of three.
bool IsSixteenBytesInBase64(std::string_view text) {
  if (text.size() != 24 || text.substr(22) != "==") return false;
  for (char c : text.substr(0, 22)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

HandshakeVerdict CheckHandshake(std::string_view version, std::string_view key) {
  HandshakeVerdict verdict;
  absl::string_view trimmed_key =
      absl::StripAsciiWhitespace(absl::string_view(key.data(), key.size()));
  absl::string_view trimmed_version =
      absl::StripAsciiWhitespace(absl::string_view(version.data(), version.size()));
  if (trimmed_version.empty()) {
    verdict.status = 400;
    verdict.reason = "missing Sec-WebSocket-Version";
  } else if (trimmed_version != "13") {
    verdict.status = 426;
    verdict.reason = "unsupported WebSocket version (13 is supported)";
  } else if (!IsSixteenBytesInBase64(std::string_view(trimmed_key.data(), trimmed_key.size()))) {
    verdict.status = 400;
    verdict.reason = "missing or malformed Sec-WebSocket-Key";
  } else {
    verdict.accept_key = AcceptKeyFor(std::string_view(trimmed_key.data(), trimmed_key.size()));
  }
  return verdict;
}

std::string AcceptKeyFor(std::string_view key) {
  std::string input = absl::StrCat(absl::string_view(key.data(), key.size()),
                                   absl::string_view(kGuid.data(), kGuid.size()));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr);
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int encoded_size = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_size));
  return std::string(reinterpret_cast<const char*>(encoded), encoded_size);
}

std::string SwitchingProtocolsResponse(std::string_view accept_key, std::string_view server,
                                       std::string_view extensions) {
  return absl::StrCat(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ",
      absl::string_view(accept_key.data(), accept_key.size()),
      extensions.empty() ? "" : "\r\nSec-WebSocket-Extensions: ",
      absl::string_view(extensions.data(), extensions.size()),
      "\r\nServer: ", absl::string_view(server.data(), server.size()), "\r\n\r\n");
}

}  // namespace gw::websocket
