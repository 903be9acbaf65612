#include "gateway/edge/frame_queue.h"

#include <utility>

namespace gw::edge {
namespace {

// A queue that grew for a burst gives its memory back once the burst is written, so an idle
// connection keeps at most this many entries' worth (32 bytes each)...
constexpr size_t kKeepEntries = 16;
// ...unless the write used a good part of it: a subscriber that gets 40 frames every turn (4
// publishers of 10-event batches) keeps its vector instead of allocating it anew, in 7 steps of
// growth, every turn.
constexpr size_t kKeepIfUsedOneIn = 4;

}  // namespace

void FrameQueue::Push(core::Frame payload, websocket::Opcode opcode) {
  bytes_ += payload->size();
  websocket::FrameHeader header = websocket::EncodeFrameHeader(opcode, payload->size());
  const std::string* text = &payload->text();
  entries_.push_back(Entry{{std::move(payload), text}, header});
}

void FrameQueue::PushCompressed(core::Frame frame, const std::string& compressed) {
  bytes_ += compressed.size();
  websocket::FrameHeader header =
      websocket::EncodeFrameHeader(websocket::Opcode::kText, compressed.size(), true);
  entries_.push_back(Entry{{std::move(frame), &compressed}, header});
}

void FrameQueue::PushRaw(core::Frame bytes) {
  bytes_ += bytes->size();
  const std::string* text = &bytes->text();
  entries_.push_back(Entry{{std::move(bytes), text}, websocket::FrameHeader{}});
}

FrameQueue::Gathered FrameQueue::Gather(std::span<iovec> out) const {
  Gathered gathered;
  size_t skip = offset_;
  for (const Entry& entry : entries_) {
    if (gathered.buffers == out.size()) break;
    auto add = [&](const void* data, size_t size) {
      if (skip >= size) {
        skip -= size;
        return;
      }
      if (gathered.buffers == out.size()) return;
      out[gathered.buffers++] =
          iovec{const_cast<char*>(static_cast<const char*>(data)) + skip, size - skip};
      gathered.bytes += size - skip;
      skip = 0;
    };
    add(entry.header.bytes.data(), entry.header.size);
    add(entry.bytes->data(), entry.bytes->size());
  }
  return gathered;
}

void FrameQueue::Consume(size_t written) {
  size_t done = 0;
  while (written > 0 && done < entries_.size()) {
    const Entry& entry = entries_[done];
    const size_t left = entry.header.size + entry.bytes->size() - offset_;
    if (written < left) {
      offset_ += written;
      break;
    }
    written -= left;
    bytes_ -= entry.bytes->size();
    offset_ = 0;
    ++done;
  }
  RemoveFront(done);
}

void FrameQueue::RemoveFront(size_t count) {
  if (count == 0) return;
  if (count < entries_.size()) {
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(count));
    return;
  }
  entries_.clear();
  if (entries_.capacity() > kKeepEntries && count < entries_.capacity() / kKeepIfUsedOneIn) {
    std::vector<Entry>().swap(entries_);
  }
}

void FrameQueue::DropUnstarted() {
  size_t kept = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    // Raw bytes are the handshake's answer, without which no frame after it can be read.
    const bool started = i == 0 && offset_ > 0;
    if (entry.header.size == 0 || started) {
      if (kept != i) entries_[kept] = std::move(entry);
      ++kept;
    } else {
      bytes_ -= entry.bytes->size();
    }
  }
  entries_.resize(kept);
  if (kept == 0 && entries_.capacity() > kKeepEntries) std::vector<Entry>().swap(entries_);
}

void FrameQueue::Clear() {
  std::vector<Entry>().swap(entries_);
  offset_ = 0;
  bytes_ = 0;
}

}  // namespace gw::edge
