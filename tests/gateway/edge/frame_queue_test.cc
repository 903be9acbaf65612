#include "gateway/edge/frame_queue.h"

#include <array>
#include <string>

#include "gtest/gtest.h"

namespace gw::edge {
namespace {

// The bytes a write of everything Gather offers would send.
std::string Gathered(const FrameQueue& queue, size_t max_buffers = 64) {
  std::vector<iovec> buffers(max_buffers);
  const FrameQueue::Gathered gathered = queue.Gather(buffers);
  std::string bytes;
  for (size_t i = 0; i < gathered.buffers; ++i) {
    bytes.append(static_cast<const char*>(buffers[i].iov_base), buffers[i].iov_len);
  }
  EXPECT_EQ(bytes.size(), gathered.bytes);
  return bytes;
}

TEST(FrameQueue, GathersHeadersAndSharedPayloadsInOrder) {
  FrameQueue queue;
  core::Frame shared = core::MakeFrame("hello");
  queue.PushRaw(core::MakeFrame("HTTP/1.1 101\r\n\r\n"));
  queue.Push(shared, websocket::Opcode::kText);
  queue.Push(core::MakeFrame("world"), websocket::Opcode::kText);
  EXPECT_EQ(queue.bytes(), 16u + 5u + 5u);
  EXPECT_EQ(queue.frames(), 3u);

  std::array<iovec, 8> buffers;
  const FrameQueue::Gathered gathered = queue.Gather(buffers);
  ASSERT_EQ(gathered.buffers, 5u);  // raw, then a header and a payload per frame
  // The payload is the shared frame itself, not a copy.
  EXPECT_EQ(buffers[2].iov_base, shared->data());
  EXPECT_EQ(Gathered(queue), "HTTP/1.1 101\r\n\r\n\x81\x05hello\x81\x05world");
}

TEST(FrameQueue, WritesACompressedFormFromTheSharedFrameWithRsv1) {
  FrameQueue queue;
  core::Frame frame = core::MakeFrame("the plain text of a published message");
  const std::string& compressed =
      frame->CompressedForm([](std::string_view) { return std::string("zz"); });
  queue.PushCompressed(frame, compressed);
  queue.Push(frame, websocket::Opcode::kText);
  EXPECT_EQ(queue.bytes(), 2u + frame->size()) << "the cap counts what is sent";
  frame.reset();  // the queue alone keeps it alive now

  std::array<iovec, 8> buffers;
  const FrameQueue::Gathered gathered = queue.Gather(buffers);
  ASSERT_EQ(gathered.buffers, 4u);
  EXPECT_EQ(buffers[1].iov_base, compressed.data()) << "the compressed form is shared, not copied";
  EXPECT_EQ(Gathered(queue).substr(0, 4), "\xC1\x02zz");
  queue.Consume(gathered.bytes);
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(FrameQueue, ForgetsWhatWasWrittenAndResumesMidFrame) {
  FrameQueue queue;
  queue.Push(core::MakeFrame("first"), websocket::Opcode::kText);
  queue.Push(core::MakeFrame("second"), websocket::Opcode::kText);
  queue.Consume(1);  // part of the first header
  EXPECT_EQ(Gathered(queue),
            "\x05"
            "first\x81\x06second");
  queue.Consume(3);  // the rest of the header and "fi"
  EXPECT_EQ(Gathered(queue), "rst\x81\x06second");
  EXPECT_EQ(queue.bytes(), 11u);  // a frame begun counts until it is written
  queue.Consume(3);
  EXPECT_EQ(queue.bytes(), 6u);
  EXPECT_EQ(queue.frames(), 1u);
  EXPECT_EQ(Gathered(queue), "\x81\x06second");
  queue.Consume(8);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_EQ(Gathered(queue), "");
}

TEST(FrameQueue, GathersNoMoreBuffersThanGivenAndTheRestNextTime) {
  FrameQueue queue;
  for (char c = 'a'; c <= 'e'; ++c)
    queue.Push(core::MakeFrame(std::string(1, c)), websocket::Opcode::kText);
  // Three buffers: the first header, its payload, the second header.
  EXPECT_EQ(Gathered(queue, 3),
            "\x81\x01"
            "a\x81\x01");
  queue.Consume(4);
  EXPECT_EQ(Gathered(queue, 64),
            "\x01"
            "b\x81\x01"
            "c\x81\x01"
            "d\x81\x01"
            "e");
}

TEST(FrameQueue, DropsFramesNotBegunButKeepsRawBytesAndAFrameWrittenInPart) {
  FrameQueue queue;
  queue.Push(core::MakeFrame("begun"), websocket::Opcode::kText);
  queue.PushRaw(core::MakeFrame("raw"));
  queue.Push(core::MakeFrame("dropped"), websocket::Opcode::kText);
  queue.Consume(2);
  queue.DropUnstarted();
  EXPECT_EQ(queue.bytes(), 5u + 3u);
  EXPECT_EQ(Gathered(queue), "begunraw");

  FrameQueue unstarted;
  unstarted.Push(core::MakeFrame("dropped"), websocket::Opcode::kText);
  unstarted.DropUnstarted();
  EXPECT_TRUE(unstarted.empty());
  EXPECT_EQ(unstarted.bytes(), 0u);
}

TEST(FrameQueue, ClearForgetsEverything) {
  FrameQueue queue;
  queue.Push(core::MakeFrame("x"), websocket::Opcode::kText);
  queue.Consume(1);
  queue.Clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_EQ(Gathered(queue), "");
}

TEST(FrameQueue, FramesControlMessagesWithTheirOpcode) {
  FrameQueue queue;
  queue.Push(core::MakeFrame(websocket::ClosePayload(4200, "bye")), websocket::Opcode::kClose);
  queue.Push(core::MakeFrame(""), websocket::Opcode::kPong);
  EXPECT_EQ(Gathered(queue), std::string("\x88\x05\x10\x68"
                                         "bye\x8A\x00",
                                         9));
}

}  // namespace
}  // namespace gw::edge
