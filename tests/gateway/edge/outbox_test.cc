#include "gateway/edge/outbox.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

constexpr size_t kNoCap = std::numeric_limits<size_t>::max();

// A connected pair of non-blocking stream sockets: the outbox writes to `ours`, the test reads
// what a client would from `theirs`.
class SocketPair {
 public:
  SocketPair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    ours = fds[0];
    theirs = fds[1];
  }
  ~SocketPair() {
    close(ours);
    close(theirs);
  }
  // Everything readable now.
  std::string ReadAll() const {
    std::string bytes;
    char buffer[65536];
    while (true) {
      const ssize_t size = read(theirs, buffer, sizeof(buffer));
      if (size <= 0) break;
      bytes.append(buffer, static_cast<size_t>(size));
    }
    return bytes;
  }

  int ours = -1;
  int theirs = -1;
};

std::string Text(std::string_view payload) {
  return std::string("\x81") + static_cast<char>(payload.size()) + std::string(payload);
}

TEST(Outbox, WritesEverythingQueuedInOrderWithOneCall) {
  SocketPair sockets;
  Outbox outbox;
  outbox.PushRaw(core::MakeFrame("HTTP/1.1 101\r\n\r\n"));
  for (const char* text : {"one", "two", "three"}) {
    ASSERT_EQ(outbox.Push(core::MakeFrame(text), websocket::Opcode::kText, kNoCap),
              Outbox::Queued::kYes);
  }
  // Nothing leaves before the write.
  EXPECT_EQ(sockets.ReadAll(), "");
  EXPECT_EQ(outbox.WriteTo(sockets.ours), Outbox::Written::kAll);
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(sockets.ReadAll(), "HTTP/1.1 101\r\n\r\n" + Text("one") + Text("two") + Text("three"));
}

TEST(Outbox, KeepsOrderAcrossAFullSocketAndResumesMidFrame) {
  SocketPair sockets;
  Outbox outbox;
  const std::string payload(1000, 'x');
  std::string expected;
  uint32_t n = 0;
  // Fill the socket until the kernel takes no more; the peer reads nothing meanwhile.
  Outbox::Written written = Outbox::Written::kAll;
  for (int round = 0; round < 10000 && written != Outbox::Written::kBlocked; ++round) {
    for (int i = 0; i < 10; ++i, ++n) {
      std::string text = std::to_string(n) + ":" + payload;
      expected += std::string("\x81\x7E") + static_cast<char>(text.size() >> 8) +
                  static_cast<char>(text.size() & 0xFF) + text;
      ASSERT_EQ(outbox.Push(core::MakeFrame(text), websocket::Opcode::kText, kNoCap),
                Outbox::Queued::kYes);
    }
    written = outbox.WriteTo(sockets.ours);
  }
  ASSERT_EQ(written, Outbox::Written::kBlocked);
  EXPECT_FALSE(outbox.empty());
  std::string received;
  for (int round = 0; round < 100000 && !outbox.empty(); ++round) {
    received += sockets.ReadAll();
    written = outbox.WriteTo(sockets.ours);
    ASSERT_NE(written, Outbox::Written::kFailed);
  }
  received += sockets.ReadAll();
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected) << "frames out of order or cut";
}

TEST(Outbox, RefusesWhatWouldPassTheCapOnceThePeerStopsReading) {
  SocketPair sockets;
  Outbox outbox;
  const size_t cap = 64 * 1024;
  const std::string payload(1000, 'x');
  Outbox::Queued queued = Outbox::Queued::kYes;
  size_t pushed = 0;
  for (int i = 0; i < 100000 && queued == Outbox::Queued::kYes; ++i) {
    queued = outbox.Push(core::MakeFrame(payload), websocket::Opcode::kText, cap);
    if (queued == Outbox::Queued::kYes) ++pushed;
    ASSERT_NE(outbox.WriteTo(sockets.ours), Outbox::Written::kFailed);
  }
  // The kernel's buffers took what they could; what waits beyond them stays under the cap.
  EXPECT_EQ(queued, Outbox::Queued::kOverCap);
  EXPECT_LE(outbox.bytes(), cap);
  EXPECT_GT(outbox.bytes() + payload.size(), cap);
  EXPECT_GT(pushed, cap / payload.size());
}

TEST(Outbox, QueuesNothingAfterTheCloseFrame) {
  SocketPair sockets;
  Outbox outbox;
  ASSERT_EQ(outbox.Push(core::MakeFrame("last"), websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kYes);
  outbox.PushClose(core::MakeFrame(websocket::ClosePayload(4100, "")));
  EXPECT_TRUE(outbox.close_queued());
  EXPECT_EQ(outbox.Push(core::MakeFrame("late"), websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kAfterClose);
  outbox.PushRaw(core::MakeFrame("late raw"));
  outbox.PushClose(core::MakeFrame(websocket::ClosePayload(1000, "")));
  EXPECT_EQ(outbox.WriteTo(sockets.ours), Outbox::Written::kAll);
  EXPECT_EQ(sockets.ReadAll(), Text("last") + std::string("\x88\x02\x10\x04", 4));
}

TEST(Outbox, WritesNothingOnceCleared) {
  SocketPair sockets;
  Outbox outbox;
  ASSERT_EQ(outbox.Push(core::MakeFrame("queued"), websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kYes);
  outbox.Clear();
  EXPECT_EQ(outbox.Push(core::MakeFrame("later"), websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kAfterClose);
  EXPECT_EQ(outbox.WriteTo(sockets.ours), Outbox::Written::kAll);
  EXPECT_EQ(sockets.ReadAll(), "");
}

TEST(Outbox, ReportsAFailedSocket) {
  SocketPair sockets;
  Outbox outbox;
  close(sockets.theirs);
  sockets.theirs = -1;
  ASSERT_EQ(outbox.Push(core::MakeFrame("lost"), websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kYes);
  EXPECT_EQ(outbox.WriteTo(sockets.ours), Outbox::Written::kFailed);
  EXPECT_EQ(errno, EPIPE);
}

TEST(Outbox, SaysWhenAWriteIsWorthDoingAtOnce) {
  Outbox outbox;
  ASSERT_EQ(outbox.Push(core::MakeFrame(std::string(Outbox::kWriteNowBytes - 1, 'x')),
                        websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kYes);
  EXPECT_FALSE(outbox.write_worth_now());
  ASSERT_EQ(outbox.Push(core::MakeFrame("x"), websocket::Opcode::kText, kNoCap),
            Outbox::Queued::kYes);
  EXPECT_TRUE(outbox.write_worth_now());

  Outbox many;
  for (size_t i = 0; i < Outbox::kFramesPerWrite; ++i) {
    EXPECT_FALSE(many.write_worth_now());
    ASSERT_EQ(many.Push(core::MakeFrame("x"), websocket::Opcode::kText, kNoCap),
              Outbox::Queued::kYes);
  }
  EXPECT_TRUE(many.write_worth_now());
}

}  // namespace
}  // namespace gw::edge
