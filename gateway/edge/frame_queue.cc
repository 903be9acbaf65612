#include "gateway/edge/frame_queue.h"

#include <utility>

namespace gw::edge {
namespace {

// Vectors that grew for a burst are given back once it is written, so an idle connection keeps
// only a few entries' worth.
constexpr size_t kKeepEntries = 8;

template <typename T>
void ReleaseIfLarge(std::vector<T>& entries, size_t keep) {
  entries.clear();
  if (entries.capacity() > keep) std::vector<T>().swap(entries);
}

}  // namespace

void FrameQueue::Push(core::Frame payload, websocket::Opcode opcode) {
  bytes_ += payload->size();
  websocket::FrameHeader header = websocket::EncodeFrameHeader(opcode, payload->size());
  waiting_.push_back(Entry{std::move(payload), header});
}

void FrameQueue::PushRaw(core::Frame bytes) {
  bytes_ += bytes->size();
  waiting_.push_back(Entry{std::move(bytes), websocket::FrameHeader{}});
}

std::span<const boost::asio::const_buffer> FrameQueue::BeginBatch() {
  batch_.swap(waiting_);
  buffers_.clear();
  buffers_.reserve(batch_.size() * 2);
  for (const Entry& entry : batch_) {
    if (entry.header.size != 0) {
      buffers_.emplace_back(entry.header.bytes.data(), entry.header.size);
    }
    buffers_.emplace_back(entry.bytes->data(), entry.bytes->size());
  }
  return buffers_;
}

void FrameQueue::EndBatch() {
  for (const Entry& entry : batch_) bytes_ -= entry.bytes->size();
  ReleaseIfLarge(batch_, kKeepEntries);
  ReleaseIfLarge(buffers_, 2 * kKeepEntries);
}

void FrameQueue::DropWaiting() {
  // Raw bytes are the handshake's answer, without which no frame after it can be read.
  size_t kept = 0;
  for (Entry& entry : waiting_) {
    if (entry.header.size == 0) {
      waiting_[kept++] = std::move(entry);
    } else {
      bytes_ -= entry.bytes->size();
    }
  }
  waiting_.resize(kept);
  if (kept == 0) ReleaseIfLarge(waiting_, kKeepEntries);
}

}  // namespace gw::edge
