#include "gateway/edge/outbox.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <utility>

namespace gw::edge {

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
