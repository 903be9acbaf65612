#include "gateway/edge/frame_queue.h"

#include <string>

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

std::string Concat(std::span<const boost::asio::const_buffer> buffers) {
  std::string bytes;
  for (const auto& buffer : buffers) {
    bytes.append(static_cast<const char*>(buffer.data()), buffer.size());
  }
  return bytes;
}

TEST(FrameQueue, WritesEverythingWaitingAsOneBatchOfHeadersAndSharedPayloads) {
  FrameQueue queue;
  core::Frame shared = core::MakeFrame("hello");
  queue.PushRaw(core::MakeFrame("HTTP/1.1 101\r\n\r\n"));
  queue.Push(shared, websocket::Opcode::kText);
  queue.Push(shared, websocket::Opcode::kText);
  EXPECT_EQ(queue.bytes(), 16u + 5u + 5u);

  auto buffers = queue.BeginBatch();
  ASSERT_EQ(buffers.size(), 5u);  // raw, then a header and a payload per frame
  // The payload is the shared frame itself, not a copy.
  EXPECT_EQ(buffers[2].data(), shared->data());
  EXPECT_EQ(Concat(buffers), "HTTP/1.1 101\r\n\r\n\x81\x05hello\x81\x05hello");
  EXPECT_TRUE(queue.in_flight());
  EXPECT_FALSE(queue.has_waiting());
}

TEST(FrameQueue, QueuesBehindTheBatchInFlightAndCountsBothUntilWritten) {
  FrameQueue queue;
  queue.Push(core::MakeFrame("first"), websocket::Opcode::kText);
  queue.BeginBatch();
  queue.Push(core::MakeFrame("second"), websocket::Opcode::kText);
  EXPECT_EQ(queue.bytes(), 11u);
  queue.EndBatch();
  EXPECT_EQ(queue.bytes(), 6u);
  EXPECT_FALSE(queue.in_flight());
  ASSERT_TRUE(queue.has_waiting());
  EXPECT_EQ(Concat(queue.BeginBatch()), "\x81\x06second");
  queue.EndBatch();
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(FrameQueue, DropsWaitingFramesButNeitherTheBatchInFlightNorRawBytes) {
  FrameQueue queue;
  queue.Push(core::MakeFrame("in flight"), websocket::Opcode::kText);
  queue.BeginBatch();
  queue.PushRaw(core::MakeFrame("raw"));
  queue.Push(core::MakeFrame("dropped"), websocket::Opcode::kText);
  queue.DropWaiting();
  EXPECT_EQ(queue.bytes(), 9u + 3u);
  queue.EndBatch();
  EXPECT_EQ(Concat(queue.BeginBatch()), "raw");
}

TEST(FrameQueue, FramesControlMessagesWithTheirOpcode) {
  FrameQueue queue;
  queue.Push(core::MakeFrame(websocket::ClosePayload(4200, "bye")), websocket::Opcode::kClose);
  EXPECT_EQ(Concat(queue.BeginBatch()), std::string("\x88\x05\x10\x68" "bye", 7));
}

}  // namespace
}  // namespace gw::edge
