#ifndef GATEWAY_CORE_FRAME_H_
#define GATEWAY_CORE_FRAME_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/call_once.h"

namespace gw::core {

// One message as subscribers will read it, encoded once per publish and shared (immutable) by
// every subscriber's write queue. The core never looks inside.
class FrameText {
 public:
  explicit FrameText(std::string text) : text_(std::move(text)) {}
  FrameText(const FrameText&) = delete;
  FrameText& operator=(const FrameText&) = delete;

  const std::string& text() const { return text_; }
  const char* data() const { return text_.data(); }
  size_t size() const { return text_.size(); }

  // The message compressed by `compress` (std::string(std::string_view text)), which an edge
  // sends instead of text() to connections that agreed to it. Made the first time any thread
  // asks, on that thread; a thread that asks meanwhile waits for it; every later caller, on any
  // shard, gets the same bytes. So a publish is compressed at most once however many subscribers
  // want it, and never when none does. Empty when `compress` found nothing shorter. The first
  // caller's `compress` is the one used: every caller must compress the same way.
  template <typename Compress>
  const std::string& CompressedForm(Compress&& compress) const {
    absl::call_once(compressed_once_, [&] { compressed_ = compress(std::string_view(text_)); });
    return compressed_;
  }

 private:
  const std::string text_;
  mutable absl::once_flag compressed_once_;
  mutable std::string compressed_;
};

using Frame = std::shared_ptr<const FrameText>;

inline Frame MakeFrame(std::string text) {
  return std::make_shared<const FrameText>(std::move(text));
}

}  // namespace gw::core

#endif  // GATEWAY_CORE_FRAME_H_
