#include "gateway/websocket/handshake.h"

#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

TEST(AcceptKeyFor, MatchesTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(AcceptKeyFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(CheckHandshake, AcceptsVersion13WithAWellFormedKey) {
  HandshakeVerdict verdict = CheckHandshake("13", " dGhlIHNhbXBsZSBub25jZQ== ");
  EXPECT_EQ(verdict.status, 101);
  EXPECT_EQ(verdict.accept_key, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(CheckHandshake, AnswersOtherVersionsWith426AndBadKeysWith400) {
  EXPECT_EQ(CheckHandshake("8", "dGhlIHNhbXBsZSBub25jZQ==").status, 426);
  EXPECT_EQ(CheckHandshake("", "dGhlIHNhbXBsZSBub25jZQ==").status, 400);
  EXPECT_EQ(CheckHandshake("13", "").status, 400);
  EXPECT_EQ(CheckHandshake("13", "short").status, 400);
  EXPECT_EQ(CheckHandshake("13", "dGhlIHNhbXBsZSBub25j!Q==").status, 400);
}

TEST(CheckHandshake, RefusesA24CharacterKeyThatIsNotSixteenBytes) {
  // 24 characters of the alphabet, but 18 bytes once decoded.
  EXPECT_EQ(CheckHandshake("13", "dGhlIHNhbXBsZSBub25jZQAA").status, 400);
  // Padding in the middle.
  EXPECT_EQ(CheckHandshake("13", "dGhlIHNhbXBs==Bub25jZQ==").status, 400);
}

TEST(SwitchingProtocolsResponse, IsACompleteHttpResponseHead) {
  std::string response = SwitchingProtocolsResponse("abc=", "realtime-gateway");
  EXPECT_EQ(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Accept: abc=\r\n"), std::string::npos);
  EXPECT_EQ(response.substr(response.size() - 4), "\r\n\r\n");
  EXPECT_EQ(response.find("Sec-WebSocket-Extensions"), std::string::npos);
}

TEST(SwitchingProtocolsResponse, CarriesTheNegotiatedExtension) {
  std::string response = SwitchingProtocolsResponse("abc=", "realtime-gateway",
                                                    "permessage-deflate; server_no_context_takeover");
  EXPECT_NE(response.find("\r\nSec-WebSocket-Extensions: permessage-deflate; "
                          "server_no_context_takeover\r\n"),
            std::string::npos);
  EXPECT_EQ(response.substr(response.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace gw::websocket
