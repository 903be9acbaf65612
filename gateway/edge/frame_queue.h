#ifndef GATEWAY_EDGE_FRAME_QUEUE_H_
#define GATEWAY_EDGE_FRAME_QUEUE_H_

#include <cstddef>
#include <span>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "gateway/core/frame.h"
#include "gateway/websocket/frame_writer.h"

namespace gw::edge {

// What one WebSocket connection has yet to send, written in batches: everything that queued up
// while the previous write was in flight goes out in the next one, as one gather write (one
// `sendmsg` for up to 32 frames) instead of one system call per frame. Payloads are the shared
// frames themselves; only each frame's 2-10 byte header is the connection's own.
//
// Not thread-safe: it lives on its connection's shard. Between BeginBatch and EndBatch the
// buffers returned point into the batch, which nothing else touches.
class FrameQueue {
 public:
  // A WebSocket frame with `payload` (shared, never copied).
  void Push(core::Frame payload, websocket::Opcode opcode);
  // Bytes written as they are, before any framing (the handshake's HTTP response).
  void PushRaw(core::Frame bytes);

  // Payload bytes waiting or in flight: what the per-connection write cap is checked against.
  size_t bytes() const { return bytes_; }
  bool has_waiting() const { return !waiting_.empty(); }
  bool in_flight() const { return !batch_.empty(); }

  // Moves every waiting frame into a new batch and returns its buffers, valid until EndBatch.
  // Call only when nothing is in flight and something waits.
  std::span<const boost::asio::const_buffer> BeginBatch();
  // The batch has been written (or abandoned): forgets it.
  void EndBatch();
  // Drops the frames that wait and are not yet in a batch (a slow consumer, a failed
  // connection); raw bytes stay.
  void DropWaiting();

 private:
  struct Entry {
    core::Frame bytes;
    websocket::FrameHeader header;  // size 0 for raw bytes
  };

  std::vector<Entry> waiting_;
  std::vector<Entry> batch_;
  std::vector<boost::asio::const_buffer> buffers_;
  size_t bytes_ = 0;
};

}  // namespace gw::edge

#endif  // GATEWAY_EDGE_FRAME_QUEUE_H_
