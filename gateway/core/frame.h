#ifndef GATEWAY_CORE_FRAME_H_
#define GATEWAY_CORE_FRAME_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace gw::core {

// One message as subscribers will read it, encoded once per publish and shared (immutable) by
// every subscriber's write queue. The core never looks inside.
class FrameText {
 public:
  explicit FrameText(std::string text) : text_(std::move(text)) {}
  ~FrameText() { delete compressed_.load(std::memory_order_acquire); }
  FrameText(const FrameText&) = delete;
  FrameText& operator=(const FrameText&) = delete;

  const std::string& text() const { return text_; }
  const char* data() const { return text_.data(); }
  size_t size() const { return text_.size(); }

  // The message compressed by `compress` (std::string(std::string_view text)), which an edge
  // sends instead of text() to connections that agreed to it. Made the first time a thread asks,
  // on that thread, and kept: every later caller, on any shard, gets the same bytes, so a publish
  // is compressed once however many subscribers want it, and never when none does. Lock-free:
  // shards that ask at the same moment each compress (at most one result per shard, once per
  // publish) and all but the first result are dropped; no I/O thread ever waits for another.
  // Empty when `compress` found nothing shorter. Every caller must compress the same way.
  template <typename Compress>
  const std::string& CompressedForm(Compress&& compress) const {
    if (const std::string* made = compressed_.load(std::memory_order_acquire)) return *made;
    auto mine = std::make_unique<const std::string>(compress(std::string_view(text_)));
    const std::string* first = nullptr;
    if (compressed_.compare_exchange_strong(first, mine.get(), std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
      return *mine.release();
    }
    return *first;
  }

 private:
  const std::string text_;
  mutable std::atomic<const std::string*> compressed_{nullptr};
};

using Frame = std::shared_ptr<const FrameText>;

inline Frame MakeFrame(std::string text) {
  return std::make_shared<const FrameText>(std::move(text));
}

}  // namespace gw::core

#endif  // GATEWAY_CORE_FRAME_H_
