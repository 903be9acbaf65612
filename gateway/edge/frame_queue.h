#ifndef GATEWAY_EDGE_FRAME_QUEUE_H_
#define GATEWAY_EDGE_FRAME_QUEUE_H_

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gateway/core/frame.h"
#include "gateway/websocket/frame_writer.h"

namespace gw::edge {

// What one WebSocket connection has yet to send, in order. Frames are appended as they are
// delivered and written from the front with gather writes: Gather describes the unwritten bytes
// as iovecs for one `sendmsg`, Consume forgets what the kernel took. Each payload is written
// straight from its shared frame (never copied) behind a 2-10 byte header of the connection's
// own; a write the kernel takes only part of resumes mid-frame.
//
// An entry is a `core::Frame` (a shared pointer to the exact bytes to write) and the header to
// put in front of them. A second form of a shared frame (e.g. its compressed payload) fits as a
// `core::Frame` that points at those bytes, and shares ownership of the whole (the aliasing
// constructor of std::shared_ptr costs no allocation).
//
// Not thread-safe: it lives on its connection's shard. Holds no socket.
class FrameQueue {
 public:
  // A WebSocket frame with `payload` (shared, never copied).
  void Push(core::Frame payload, websocket::Opcode opcode);
  // A text frame carrying `compressed`, the permessage-deflate form of `frame` (it lives in the
  // frame, which keeps it alive), with RSV1 set.
  void PushCompressed(core::Frame frame, const std::string& compressed);
  // Bytes written as they are, before any framing (the handshake's HTTP response).
  void PushRaw(core::Frame bytes);

  // Payload bytes not yet written, a frame written in part counted whole: what the
  // per-connection write cap is checked against.
  size_t bytes() const { return bytes_; }
  bool empty() const { return entries_.empty(); }
  // Frames (and raw entries) not yet written in full.
  size_t frames() const { return entries_.size(); }

  // Fills `out` with the unwritten bytes from the front, in order: at most out.size() buffers,
  // fewer when the queue ends first. Returns how many it filled and the bytes they hold. The
  // buffers stay valid until the next Consume, Push or Drop.
  struct Gathered {
    size_t buffers = 0;
    size_t bytes = 0;
  };
  Gathered Gather(std::span<iovec> out) const;
  // The first `written` bytes of what Gather described have been written.
  void Consume(size_t written);

  // Drops the frames not yet begun (a slow consumer, a failed connection); raw bytes stay, and
  // so does a frame written in part, which the peer could not read otherwise.
  void DropUnstarted();
  // Forgets everything: nothing will be written any more.
  void Clear();

 private:
  struct Entry {
    // Points into a core::Frame (its text or its compressed form) and shares its ownership.
    std::shared_ptr<const std::string> bytes;
    websocket::FrameHeader header;  // size 0 for raw bytes
  };
  // Removes the first `count` entries (written or dropped).
  void RemoveFront(size_t count);

  std::vector<Entry> entries_;
  // Bytes of the first entry (its header first, then its payload) already written.
  size_t offset_ = 0;
  size_t bytes_ = 0;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_FRAME_QUEUE_H_
