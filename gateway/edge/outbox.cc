#include "gateway/edge/outbox.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <utility>

namespace gw::edge {
namespace {

// The kernel copies each buffer of a gather write on its own, and a delivery is two small ones
// (header, payload). Up to this many bytes, copying them into one buffer first is cheaper than
// handing the kernel 2 per frame: at 1,000 subscribers with batches of 10 events, 2.14M
// deliveries per server CPU-second against 1.93M (means of 13 alternating runs; at 10,000 both
// 1.42M; clients/bench/BENCHMARKS.md).
constexpr size_t kJoinUpTo = 32 * 1024;

// One thread's buffer for that copy: what is in it is sent before the call returns, so every
// connection of the thread's shard uses the same one and none holds memory for it.
iovec Join(std::span<const iovec> buffers) {
  thread_local std::array<char, kJoinUpTo> scratch;
  size_t at = 0;
  for (const iovec& buffer : buffers) {
    std::memcpy(scratch.data() + at, buffer.iov_base, buffer.iov_len);
    at += buffer.iov_len;
  }
  return iovec{scratch.data(), at};
}

}  // namespace

Outbox::Queued Outbox::Push(core::Frame payload, websocket::Opcode opcode, size_t cap,
                            const std::string* compressed) {
  if (close_queued_) return Queued::kAfterClose;
  const size_t size = compressed != nullptr ? compressed->size() : payload->size();
  if (queue_.bytes() + size > cap) return Queued::kOverCap;
  if (compressed != nullptr) {
    queue_.PushCompressed(std::move(payload), *compressed);
  } else {
    queue_.Push(std::move(payload), opcode);
  }
  return Queued::kYes;
}

void Outbox::PushRaw(core::Frame bytes) {
  if (!close_queued_) queue_.PushRaw(std::move(bytes));
}

void Outbox::PushClose(core::Frame payload) {
  if (close_queued_) return;
  queue_.Push(std::move(payload), websocket::Opcode::kClose);
  close_queued_ = true;
}

Outbox::Written Outbox::WriteTo(int fd) {
  std::array<iovec, 2 * kFramesPerWrite> buffers;
  while (!queue_.empty()) {
    const FrameQueue::Gathered gathered = queue_.Gather(buffers);
    msghdr message{};
    message.msg_iov = buffers.data();
    message.msg_iovlen = gathered.buffers;
    iovec joined;
    if (gathered.buffers > 2 && gathered.bytes <= kJoinUpTo) {
      joined = Join(std::span(buffers.data(), gathered.buffers));
      message.msg_iov = &joined;
      message.msg_iovlen = 1;
    }
    const ssize_t written = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? Written::kBlocked : Written::kFailed;
    }
    queue_.Consume(static_cast<size_t>(written));
    // A short write means the socket buffer is full: asking again would only be refused.
    if (static_cast<size_t>(written) < gathered.bytes) return Written::kBlocked;
  }
  return Written::kAll;
}

void Outbox::Clear() {
  queue_.Clear();
  close_queued_ = true;
}

}  // namespace gw::edge
