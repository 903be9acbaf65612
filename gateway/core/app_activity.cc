#include "gateway/core/app_activity.h"

#include <utility>

#include "absl/time/clock.h"

namespace gw::core {

void AppActivity::Record(Activity activity) {
  BoundedQueue<Activity>* queue = queue_.load(std::memory_order_acquire);
  if (queue == nullptr) return;
  if (activity.time_ms == 0) activity.time_ms = absl::ToUnixMillis(absl::Now());
  if (!queue->TryPush(std::move(activity))) dropped_.fetch_add(1, std::memory_order_relaxed);
}

std::string AppActivity::Preview(std::string_view data) {
  if (data.size() <= kMaxPreviewBytes) return std::string(data);
  size_t end = kMaxPreviewBytes;
  // Back off continuation bytes (10xxxxxx) so the cut never splits a character.
  while (end > 0 && (static_cast<unsigned char>(data[end]) & 0xC0) == 0x80) --end;
  return std::string(data.substr(0, end));
}

void AppActivity::Watch() {
  if (owned_queue_ == nullptr) {
    owned_queue_ = std::make_unique<BoundedQueue<Activity>>(kQueueCapacity);
    queue_.store(owned_queue_.get(), std::memory_order_release);
  }
  watched_.store(true, std::memory_order_relaxed);
}

void AppActivity::Unwatch() { watched_.store(false, std::memory_order_relaxed); }

size_t AppActivity::Drain(std::vector<Activity>& out, size_t max) {
  if (owned_queue_ == nullptr) return 0;
  size_t taken = 0;
  Activity activity;
  while (taken < max && owned_queue_->TryPop(activity)) {
    out.push_back(std::move(activity));
    activity = Activity();
    ++taken;
  }
  return taken;
}

}  // namespace gw::core
