#include "gateway/websocket/frame_reader.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/websocket/frame_writer.h"
#include "gateway/websocket/message_deflater.h"
#include "gtest/gtest.h"

namespace gw::websocket {
namespace {

using Kind = ClientMessage::Kind;

// A client frame as a browser sends it: masked with a fixed key.
std::string ClientFrame(uint8_t opcode, std::string_view payload, bool final = true,
                        uint8_t extra_bits = 0, bool masked = true) {
  std::string frame;
  frame.push_back(static_cast<char>((final ? 0x80 : 0) | extra_bits | opcode));
  const uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(mask_bit | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    frame.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>(payload.size() >> (8 * i)));
  }
  const uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D};
  if (masked) frame.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
  }
  return frame;
}

struct Seen {
  Kind kind;
  std::string payload;
  uint16_t close_code;
  std::string close_reason;
};

// Feeds `bytes` in pieces of `chunk` bytes and records everything the reader hands on.
// With `deflate`, as on a connection that negotiated permessage-deflate.
struct Harness {
  explicit Harness(size_t max = 1024, bool deflate = false)
      : reader(max), inflater(max), deflate(deflate) {}
  uint16_t Feed(std::string bytes, size_t chunk = 0) {
    if (chunk == 0) chunk = bytes.size();
    uint16_t result = 0;
    for (size_t at = 0; at < bytes.size() && result == 0; at += chunk) {
      std::string piece = bytes.substr(at, chunk);
      result = reader.Read(piece.data(), piece.size(), [&](const ClientMessage& m) {
        seen.push_back({m.kind, std::string(m.payload), m.close_code, std::string(m.close_reason)});
        return true;
      }, deflate ? &inflater : nullptr);
    }
    return result;
  }
  FrameReader reader;
  MessageInflater inflater;
  bool deflate;
  std::vector<Seen> seen;
};

TEST(FrameReader, UnmasksATextMessageThatArrivedWhole) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x1, "{\"event\":\"pusher:ping\"}")), 0);
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(h.seen[0].kind, Kind::kText);
  EXPECT_EQ(h.seen[0].payload, "{\"event\":\"pusher:ping\"}");
  EXPECT_EQ(h.reader.buffered_bytes(), 0u);
}

TEST(FrameReader, ReadsSeveralFramesFromOneReadInOrder) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x1, "one") + ClientFrame(0x9, "hi") + ClientFrame(0x1, "two")), 0);
  ASSERT_EQ(h.seen.size(), 3u);
  EXPECT_EQ(h.seen[0].payload, "one");
  EXPECT_EQ(h.seen[1].kind, Kind::kPing);
  EXPECT_EQ(h.seen[1].payload, "hi");
  EXPECT_EQ(h.seen[2].payload, "two");
}

TEST(FrameReader, WaitsForFramesCutAtEveryPossibleByte) {
  const std::string medium(300, 'm');  // 16-bit length form
  const std::string bytes = ClientFrame(0x1, "short") + ClientFrame(0x1, medium);
  for (size_t chunk = 1; chunk <= 7; ++chunk) {
    Harness h;
    EXPECT_EQ(h.Feed(bytes, chunk), 0) << chunk;
    ASSERT_EQ(h.seen.size(), 2u) << chunk;
    EXPECT_EQ(h.seen[0].payload, "short");
    EXPECT_EQ(h.seen[1].payload, medium);
    EXPECT_EQ(h.reader.buffered_bytes(), 0u);
  }
}

TEST(FrameReader, ReadsFramesBehindACutFrameInPlace) {
  FrameReader reader(1024);
  const std::string cut = ClientFrame(0x1, "first");
  std::string head = cut.substr(0, 3);
  std::string rest = cut.substr(3) + ClientFrame(0x1, "second") + ClientFrame(0x1, "third");
  std::vector<std::string> payloads;
  std::vector<bool> in_place;
  auto sink = [&](const ClientMessage& m) {
    payloads.emplace_back(m.payload);
    in_place.push_back(m.payload.data() >= rest.data() &&
                       m.payload.data() + m.payload.size() <= rest.data() + rest.size());
    return true;
  };
  EXPECT_EQ(reader.Read(head.data(), head.size(), sink), 0);
  EXPECT_EQ(reader.Read(rest.data(), rest.size(), sink), 0);
  EXPECT_EQ(payloads, (std::vector<std::string>{"first", "second", "third"}));
  // Only the cut frame is copied; the frames after it are handed on from the read itself.
  EXPECT_EQ(in_place, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(FrameReader, KeepsOnlyTheCutFrameWhenALargeReadEndsInAnother) {
  FrameReader reader(1024);
  const std::string ping = ClientFrame(0x9, std::string(100, 'p'));
  std::string head = ping.substr(0, 1);
  // The rest of that ping, ~60 KiB of whole pings, and the first bytes of one more.
  std::string read = ping.substr(1);
  while (read.size() < 60 * 1024) read += ping;
  read += ping.substr(0, 3);
  int pings = 0;
  auto sink = [&](const ClientMessage&) {
    ++pings;
    return true;
  };
  EXPECT_EQ(reader.Read(head.data(), head.size(), sink), 0);
  EXPECT_EQ(reader.Read(read.data(), read.size(), sink), 0);
  EXPECT_GT(pings, 500);
  EXPECT_EQ(reader.buffered_bytes(), 3u);
  // A client that stops here must not leave the connection holding a buffer the size of a read.
  EXPECT_LE(reader.held_bytes(), 1024u);
}

TEST(FrameReader, ReadsTheSameMessagesWhereverTheReadsEnd) {
  const std::string medium(300, 'm');
  const std::string big(70000, 'b');
  const std::string bytes = ClientFrame(0x1, "short") + ClientFrame(0x9, "ping") +
                            ClientFrame(0x1, medium) + ClientFrame(0x1, "frag", false) +
                            ClientFrame(0xA, "") + ClientFrame(0x0, "ment") +
                            ClientFrame(0x2, big) + ClientFrame(0x1, "last");
  for (size_t chunk : {1, 2, 3, 5, 13, 127, 128, 1000, 4096, 65536}) {
    Harness h(100000);
    EXPECT_EQ(h.Feed(bytes, chunk), 0) << chunk;
    ASSERT_EQ(h.seen.size(), 7u) << chunk;
    EXPECT_EQ(h.seen[0].payload, "short");
    EXPECT_EQ(h.seen[1].kind, Kind::kPing);
    EXPECT_EQ(h.seen[2].payload, medium);
    EXPECT_EQ(h.seen[3].kind, Kind::kPong);
    EXPECT_EQ(h.seen[4].payload, "fragment");
    EXPECT_EQ(h.seen[5].payload, big);
    EXPECT_EQ(h.seen[6].payload, "last");
    EXPECT_EQ(h.reader.buffered_bytes(), 0u) << chunk;
  }
}

TEST(FrameReader, ReadsTheSixtyFourBitLengthForm) {
  Harness h(100000);
  const std::string big(70000, 'b');
  EXPECT_EQ(h.Feed(ClientFrame(0x1, big), 4096), 0);
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(h.seen[0].payload, big);
}

TEST(FrameReader, ReassemblesFragmentsWithControlFramesBetweenThem) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x1, "Hel", false) + ClientFrame(0x9, "p") +
                   ClientFrame(0x0, "lo ", false) + ClientFrame(0x0, "you")),
            0);
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[0].kind, Kind::kPing);
  EXPECT_EQ(h.seen[1].kind, Kind::kText);
  EXPECT_EQ(h.seen[1].payload, "Hello you");
}

TEST(FrameReader, ChecksUtf8OverTheWholeReassembledMessage) {
  // A character split across two fragments is valid.
  Harness ok;
  EXPECT_EQ(ok.Feed(ClientFrame(0x1, "caf\xC3", false) + ClientFrame(0x0, "\xA9")), 0);
  ASSERT_EQ(ok.seen.size(), 1u);
  EXPECT_EQ(ok.seen[0].payload, "caf\xC3\xA9");

  Harness bad;
  EXPECT_EQ(bad.Feed(ClientFrame(0x1, "bad \xC0\xAF")), kCloseInvalidPayload);
  EXPECT_TRUE(bad.seen.empty());
}

TEST(FrameReader, HandsOnBinaryMessagesWithoutCheckingThem) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x2, "\xFF\x00\xC0")), 0);
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(h.seen[0].kind, Kind::kBinary);
}

TEST(FrameReader, RefusesAMessageOverTheLimitFromItsHeaderAlone) {
  Harness h(100);
  std::string frame = ClientFrame(0x1, std::string(101, 'x'));
  // Only the header and mask have arrived: the payload never needs to be buffered.
  EXPECT_EQ(h.Feed(frame.substr(0, 6)), kCloseMessageTooBig);
  EXPECT_TRUE(h.seen.empty());
  EXPECT_EQ(h.reader.buffered_bytes(), 0u);
}

TEST(FrameReader, RefusesFragmentsThatTogetherExceedTheLimit) {
  Harness h(100);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, std::string(60, 'a'), false) +
                   ClientFrame(0x0, std::string(60, 'b'))),
            kCloseMessageTooBig);
  EXPECT_TRUE(h.seen.empty());
}

TEST(FrameReader, FailsProtocolViolationsWith1002) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"unmasked", ClientFrame(0x1, "x", true, 0, false)},
      {"reserved bit", ClientFrame(0x1, "x", true, 0x40)},
      {"reserved data opcode", ClientFrame(0x3, "x")},
      {"reserved control opcode", ClientFrame(0xB, "")},
      {"fragmented ping", ClientFrame(0x9, "x", false)},
      {"ping over 125 bytes", ClientFrame(0x9, std::string(126, 'p'))},
      {"continuation with nothing to continue", ClientFrame(0x0, "x")},
      {"new message inside a fragmented one",
       ClientFrame(0x1, "a", false) + ClientFrame(0x1, "b")},
      {"close with a one-byte payload", ClientFrame(0x8, "x")},
      {"close with reserved code 1005", ClientFrame(0x8, ClosePayload(1005, ""))},
      {"close with unassigned code 2000", ClientFrame(0x8, ClosePayload(2000, ""))},
  };
  for (const auto& [name, bytes] : cases) {
    Harness h;
    EXPECT_EQ(h.Feed(bytes), kCloseProtocolError) << name;
    EXPECT_TRUE(h.seen.empty()) << name;
  }
}

TEST(FrameReader, StaysFailedOnceFailed) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x3, "x")), kCloseProtocolError);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, "fine")), kCloseProtocolError);
  EXPECT_TRUE(h.seen.empty());
}

TEST(FrameReader, ReportsTheCloseCodeAndReasonAndReadsNothingAfter) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x8, ClosePayload(4000, "bye")) + ClientFrame(0x1, "late")), 0);
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(h.seen[0].kind, Kind::kClose);
  EXPECT_EQ(h.seen[0].close_code, 4000);
  EXPECT_EQ(h.seen[0].close_reason, "bye");

  Harness empty;
  EXPECT_EQ(empty.Feed(ClientFrame(0x8, "")), 0);
  ASSERT_EQ(empty.seen.size(), 1u);
  EXPECT_EQ(empty.seen[0].close_code, 0);
}

TEST(FrameReader, FailsACloseReasonThatIsNotUtf8With1007) {
  Harness h;
  EXPECT_EQ(h.Feed(ClientFrame(0x8, ClosePayload(1000, "\xFF"))), kCloseInvalidPayload);
}

TEST(FrameReader, StopsWhenTheSinkSaysSo) {
  FrameReader reader(1024);
  std::string bytes = ClientFrame(0x1, "a") + ClientFrame(0x1, "b");
  int calls = 0;
  EXPECT_EQ(reader.Read(bytes.data(), bytes.size(),
                        [&](const ClientMessage&) {
                          ++calls;
                          return false;
                        }),
            0);
  EXPECT_EQ(calls, 1);
}

TEST(FrameReader, GivesBackTheBufferOfALargeFragmentedMessage) {
  Harness h(1 << 20);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, std::string(50000, 'a'), false) +
                       ClientFrame(0x0, std::string(50000, 'b')),
                   1000),
            0);
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(h.seen[0].payload.size(), 100000u);
  EXPECT_EQ(h.reader.buffered_bytes(), 0u);
}

constexpr uint8_t kRsv1 = 0x40;

std::string Deflated(std::string_view message) {
  MessageDeflater deflater;
  std::string compressed = deflater.Deflate(message);
  EXPECT_FALSE(compressed.empty());
  return compressed;
}

const std::string kSubscribe =
    R"({"event":"pusher:subscribe","data":{"channel":"chat-room-chat-room-chat-room"}})";

TEST(FrameReader, InflatesACompressedMessageWhereDeflateWasNegotiated) {
  Harness h(1024, /*deflate=*/true);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, Deflated(kSubscribe), true, kRsv1) + ClientFrame(0x1, "plain")),
            0);
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[0].payload, kSubscribe);
  EXPECT_EQ(h.seen[1].payload, "plain");  // each message may go either way
}

TEST(FrameReader, InflatesACompressedMessageSentInFragments) {
  const std::string compressed = Deflated(kSubscribe);
  Harness h(1024, /*deflate=*/true);
  // RSV1 on the first frame only (RFC 7692 §6.1); a ping may come between the fragments.
  EXPECT_EQ(h.Feed(ClientFrame(0x1, compressed.substr(0, 10), false, kRsv1) +
                       ClientFrame(0x9, "p") + ClientFrame(0x0, compressed.substr(10)),
                   3),
            0);
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[0].kind, Kind::kPing);
  EXPECT_EQ(h.seen[1].payload, kSubscribe);
}

TEST(FrameReader, FailsRsv1WithoutTheExtensionOrOutsideAMessageStartWith1002) {
  const std::string compressed = Deflated(kSubscribe);
  EXPECT_EQ(Harness(1024, false).Feed(ClientFrame(0x1, compressed, true, kRsv1)),
            kCloseProtocolError);
  EXPECT_EQ(Harness(1024, true).Feed(ClientFrame(0x9, "", true, kRsv1)), kCloseProtocolError);
  EXPECT_EQ(Harness(1024, true).Feed(ClientFrame(0x1, compressed.substr(0, 5), false, kRsv1) +
                                     ClientFrame(0x0, compressed.substr(5), true, kRsv1)),
            kCloseProtocolError);
  EXPECT_EQ(Harness(1024, true).Feed(ClientFrame(0x1, compressed, true, 0x20)),
            kCloseProtocolError);
}

TEST(FrameReader, RefusesAMessageThatInflatesPastTheLimitWith1009) {
  Harness h(1024, /*deflate=*/true);
  const std::string bomb = Deflated(std::string(100 * 1024, '{'));
  ASSERT_LT(bomb.size(), 1024u);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, bomb, true, kRsv1)), kCloseMessageTooBig);
  EXPECT_TRUE(h.seen.empty());
}

TEST(FrameReader, RefusesCompressedDataThatDoesNotInflateWith1007) {
  Harness h(1024, /*deflate=*/true);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, "\xff\xff\xff", true, kRsv1)), kCloseInvalidPayload);
  EXPECT_TRUE(h.seen.empty());
}

TEST(FrameReader, ChecksUtf8OfTheInflatedText) {
  Harness h(1024, /*deflate=*/true);
  EXPECT_EQ(h.Feed(ClientFrame(0x1, Deflated(std::string(64, '\xC3')), true, kRsv1)),
            kCloseInvalidPayload);
}

}  // namespace
}  // namespace gw::websocket
