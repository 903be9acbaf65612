#ifndef GATEWAY_EDGE_OUTBOX_H_
#define GATEWAY_EDGE_OUTBOX_H_

#include <cstddef>
#include <string>

#include "gateway/core/frame.h"
#include "gateway/edge/frame_queue.h"
#include "gateway/websocket/frame_writer.h"

namespace gw::edge {

// What one WebSocket connection has to send, and the rules of sending it: frames wait, capped in
// bytes, until the connection is written (once per loop turn, see EndOfTurn); nothing is queued
// after the close frame; a write goes straight to the non-blocking socket with `sendmsg`, and
// only when the kernel takes no more does the connection wait for writability.
//
// Why a plain `sendmsg` rather than Asio's async_write_some: with one write per connection per
// turn the write is the whole job, and Asio adds an operation per write (allocated, since a
// fan-out has far more in flight than its per-thread cache holds) and a completion handler on a
// later turn, during which the connection cannot be written again. Measured with the same
// per-turn flush both ways, it was never ahead (gateway/README.md, "Connections").
//
// Not thread-safe: it lives on its connection's shard. Holds no socket; WriteTo is given one.
class Outbox {
 public:
  // How many bytes queued in one turn make a write worth doing at once instead of at the end of
  // the turn, and the frames one `sendmsg` takes (two buffers each, under IOV_MAX = 1024).
  static constexpr size_t kWriteNowBytes = 64 * 1024;
  static constexpr size_t kFramesPerWrite = 512;

  enum class Queued { kYes, kOverCap, kAfterClose };
  // Queues a frame unless its payload would take the bytes waiting past `cap` (kOverCap: the
  // caller cuts the slow consumer) or the close frame is already queued (kAfterClose).
  // `compressed`, when given, is the payload's permessage-deflate form (it lives in the frame):
  // it is sent in the payload's place, with RSV1 set, and counted against `cap` instead.
  Queued Push(core::Frame payload, websocket::Opcode opcode, size_t cap,
              const std::string* compressed = nullptr);
  // Bytes written as they are (the handshake's HTTP response); never capped.
  void PushRaw(core::Frame bytes);
  // The close frame with `payload`: the last frame this connection sends.
  void PushClose(core::Frame payload);
  bool close_queued() const { return close_queued_; }

  size_t bytes() const { return queue_.bytes(); }
  bool empty() const { return queue_.empty(); }
  // Enough waits that one write now is as good as any (kWriteNowBytes or kFramesPerWrite).
  bool write_worth_now() const {
    return queue_.bytes() >= kWriteNowBytes || queue_.frames() >= kFramesPerWrite;
  }

  enum class Written { kAll, kBlocked, kFailed };
  // Writes what waits to the non-blocking socket `fd`: kAll when everything is written,
  // kBlocked when the kernel takes no more (wait until writable, then call again), kFailed when
  // the socket failed (errno says why). Writes nothing after Clear.
  Written WriteTo(int fd);

  // Drops the frames not begun (a slow consumer: its close follows at once); raw bytes and a
  // frame written in part stay.
  void DropUnstarted() { queue_.DropUnstarted(); }
  // The connection is gone: forgets everything and refuses what comes later.
  void Clear();

 private:
  FrameQueue queue_;
  bool close_queued_ = false;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_OUTBOX_H_
